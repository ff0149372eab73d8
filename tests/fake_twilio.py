"""A local Twilio-compatible Messages API for tests: the real `twilio` client talks to it
over HTTP. It checks basic auth, answers like Twilio, records what it got, and fails on
request (429, 500, 63016 …)."""

import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from flask import Flask, jsonify, request
from werkzeug.serving import make_server


@dataclass
class Received:
    account_sid: str
    form: dict[str, str]
    at: float = field(default_factory=time.monotonic)

    @property
    def body(self) -> str | None:
        return self.form.get("Body")


class FakeTwilio:
    def __init__(self, account_sid: str, auth_token: str):
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.received: list[Received] = []
        self.refused: list[dict[str, str]] = []
        self._failures: deque[tuple[int, int, str]] = deque()
        self._lock = threading.Lock()
        self._server = make_server("127.0.0.1", 0, self._app(), threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"

    def fail_next(self, status: int, code: int, message: str = "injected", times: int = 1):
        with self._lock:
            self._failures.extend([(status, code, message)] * times)

    def start(self) -> "FakeTwilio":
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def wait_for(self, count: int, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)

    def _app(self) -> Flask:
        app = Flask("fake_twilio")

        @app.post("/2010-04-01/Accounts/<account_sid>/Messages.json")
        def create_message(account_sid: str):
            auth = request.authorization
            if not auth or (auth.username, auth.password) != (self.account_sid, self.auth_token):
                return jsonify(code=20003, message="Authenticate", status=401), 401
            form = request.form.to_dict()
            with self._lock:
                failure = self._failures.popleft() if self._failures else None
                if failure:
                    self.refused.append(form)
                else:
                    self.received.append(Received(account_sid, form))
            if failure:
                status, code, message = failure
                return jsonify(
                    code=code,
                    message=message,
                    status=status,
                    more_info=f"https://www.twilio.com/docs/errors/{code}",
                ), status
            sid = "SM" + secrets.token_hex(16)
            return jsonify(
                sid=sid,
                account_sid=account_sid,
                to=form.get("To"),
                from_=form.get("From"),
                body=form.get("Body"),
                status="queued",
                num_segments="1",
                num_media="0",
                direction="outbound-api",
                api_version="2010-04-01",
                price=None,
                error_code=None,
                error_message=None,
                date_created=None,
                date_sent=None,
                uri=f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}.json",
            ), 201

        return app
