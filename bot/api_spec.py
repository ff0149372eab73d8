"""Spectree, set up our way: it validates `/api/v1` requests with the models of
bot/api_models.py and derives the OpenAPI document from them; refusals keep our error
format (bot/errors.py), bodies are read as before (malformed JSON is 400), and responses
are declared but not validated at run time (the tests validate them)."""

import functools
from typing import Any

from flask import Flask, request
from pydantic import ValidationError
from spectree import SecurityScheme, SecuritySchemeData, SpecTree
from spectree.model_adapter.pydantic_adapter import PydanticModelAdapter
from spectree.plugins.flask_plugin import FlaskPlugin

from bot.api_models import Error
from bot.errors import InvalidRequest
from handlers.cleaning import NestedTooDeep, printable_json

JSON_MEDIA = "application/json"
FORM_MEDIA = "multipart/form-data"
_OUR_CODES = {"missing_field", "invalid_field", "unknown_kelurahan"}


class _OurPydanticAdapter(PydanticModelAdapter):
    def validation_errors(self, err: ValidationError) -> Any:
        """Without the input, which may be an uploaded file (`before` answers anyway)."""
        return err.errors(include_url=False, include_context=False, include_input=False)


class _OurFlaskPlugin(FlaskPlugin):
    def request_validation(self, request, query, json, form, headers, cookies):
        if json is not None:
            _refuse_unreadable_body(accepts_form=form is not None)
        super().request_validation(request, query, json, form, headers, cookies)

    def validate_response(self, resp, resp_model, skip_validation, force_resp_serialize):
        return super().validate_response(resp, resp_model, True, force_resp_serialize)


def _refuse_unreadable_body(*, accepts_form: bool) -> None:
    """400 for a body that is no JSON object (or, where accepted, no multipart form): the
    models cannot say what is wrong with it, and spectree would read it as `{}`."""
    if accepts_form and request.mimetype == FORM_MEDIA:
        return
    if not request.is_json:
        also = f" (or {FORM_MEDIA})" if accepts_form else ""
        raise InvalidRequest(
            400, "malformed_json", f"send the body as JSON, with Content-Type: {JSON_MEDIA}{also}"
        )
    try:
        body = request.get_json(silent=True)
        printable_json(body)  # only to measure its depth: the models clean it
    except (RecursionError, NestedTooDeep):
        raise InvalidRequest(400, "malformed_json", "the body is nested too deeply") from None
    if not isinstance(body, dict):
        raise InvalidRequest(400, "malformed_json", "the body must be a JSON object")


def _refuse_invalid(req, resp, problem: ValidationError | None, instance, model_adapter) -> None:
    """Spectree's `before` hook: the first problem of a request, in our error format."""
    if problem is not None:
        raise InvalidRequest(422, **_first_problem(problem))


def _first_problem(problem: ValidationError) -> dict[str, Any]:
    error = problem.errors(include_url=False)[0]
    context = dict(error.get("ctx") or {})
    field = context.pop("field", None) or ".".join(str(part) for part in error["loc"])
    if error["type"] == "missing":
        return {"code": "missing_field", "message": f"{field} is required", "field": field}
    if error["type"] == "extra_forbidden":
        message = f"{field} is not a field of this request"
        return {"code": "unknown_field", "message": message, "field": field}
    if error["type"] in _OUR_CODES:
        return {"code": error["type"], "field": field, **context}
    return {"code": "invalid_field", "message": f"{field}: {error['msg']}", "field": field}


spec = SpecTree(
    backend=_OurFlaskPlugin,
    model_adapter=_OurPydanticAdapter(),
    before=_refuse_invalid,
    validation_error_model=Error,
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda _parent, child: child,
    annotations=False,
    mode="strict",
    title="CRM report store API",
    version="1",
    description="Officers and other channels read and move reports of Jakarta's Cepat "
    "Respon Masyarakat. Every request carries a bearer token of one role (kelurahan, skpd, "
    "facilitator, admin, channel). The reporter's name and phone are shown to admin tokens "
    "only.",
    security_schemes=[
        SecurityScheme(name="bearer", data=SecuritySchemeData(type="http", scheme="bearer"))
    ],
    security={"bearer": []},
)


@functools.cache
def document() -> dict[str, Any]:
    """The OpenAPI document of every operation of `/api/v1`, whichever surface
    (bot/config.py) this process serves: the stats API is `public`'s and the rest
    `web`'s, but clients read one document. Spectree finds the operations among the
    routes of the current app, so they are read once from an app of both blueprints."""
    from bot import api, dashboard

    both = Flask(__name__)
    both.register_blueprint(api.bp)
    both.register_blueprint(dashboard.bp)
    with both.app_context():
        return spec.spec
