"""JSON errors of the API: `{"error": {"code": …, "message": …}}`."""

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException


def api_error(status: int, code: str, message: str, **details) -> Response:
    body = {"code": code, "message": message, **details}
    response = jsonify(error=body)
    response.status_code = status
    return response


class InvalidRequest(Exception):
    """A request the API refuses, answered with `api_error` wherever it is raised."""

    def __init__(self, status: int, code: str, message: str, **details):
        super().__init__(message)
        self.status, self.code, self.details = status, code, details


def init_app(app: Flask) -> None:
    """API clients get JSON errors for unknown paths, wrong methods and crashes too."""

    @app.errorhandler(InvalidRequest)
    def _invalid(problem: InvalidRequest):
        return api_error(problem.status, problem.code, str(problem), **problem.details)

    @app.errorhandler(HTTPException)
    def _http_error(problem: HTTPException):
        if not request.path.startswith("/api/"):
            return problem
        code = (problem.name or "error").lower().replace(" ", "_")
        return api_error(problem.code or 500, code, problem.description or problem.name)

    @app.errorhandler(Exception)
    def _crash(problem: Exception):
        app.logger.exception("unhandled error on %s", request.path)
        if request.path.startswith("/api/"):
            return api_error(500, "internal_error", "something went wrong; it was logged")
        return "internal error", 500
