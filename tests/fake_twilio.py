"""A local Twilio-compatible Messages API for tests: the real `twilio` client talks to it
over HTTP. It checks basic auth, answers like Twilio, records what it got, and fails on
request (429, 500, 63016 …). It also serves the media of inbound messages, as Twilio
does: only with the account's credentials, through a redirect to a storage host if
asked, and 404 once deleted."""

import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field

import requests
from flask import Flask, jsonify, redirect, request
from werkzeug.serving import make_server


@dataclass
class Received:
    account_sid: str
    form: dict[str, str]
    at: float = field(default_factory=time.monotonic)

    @property
    def body(self) -> str | None:
        return self.form.get("Body")


@dataclass(frozen=True)
class MediaRequest:
    """A request for media: `credentials` is the (user, password) of its basic auth."""

    method: str
    host: str
    path: str
    credentials: tuple[str, str] | None


@dataclass
class StoredMedia:
    data: bytes
    content_type: str
    redirect: bool
    deleted: bool = False


class FakeTwilio:
    def __init__(self, account_sid: str, auth_token: str):
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.received: list[Received] = []
        self.refused: list[dict[str, str]] = []
        self.media_requests: list[MediaRequest] = []
        self._failures: deque[tuple[int, int, str]] = deque()
        self._media_failures: deque[int] = deque()
        self._media: dict[str, StoredMedia] = {}  # by the media SID (ME…)
        self._lock = threading.Lock()
        self._server = make_server("127.0.0.1", 0, self._app(), threaded=True)
        port = self._server.server_port
        self.url = f"http://127.0.0.1:{port}"
        # The same server by another name: for a host Twilio's media redirect to (as real
        # Twilio's go to its storage), and for a URL that is not Twilio's.
        self.other_host_url = f"http://localhost:{port}"

    def fail_next(self, status: int, code: int, message: str = "injected", times: int = 1):
        with self._lock:
            self._failures.extend([(status, code, message)] * times)

    def add_media(self, data: bytes, content_type: str, *, redirect: bool = False) -> str:
        """The URL of new media of an inbound message, as Twilio puts it in `MediaUrl0`;
        with `redirect`, it answers with a redirect to a storage URL on another host."""
        media_sid = "ME" + secrets.token_hex(16)
        with self._lock:
            self._media[media_sid] = StoredMedia(data, content_type, redirect)
        account = f"{self.url}/2010-04-01/Accounts/{self.account_sid}"
        return f"{account}/Messages/MM{secrets.token_hex(16)}/Media/{media_sid}"

    def delete_media(self, url: str) -> None:
        """Delete media through the API, as an account does (or Twilio, after a while)."""
        answer = requests.delete(url, auth=(self.account_sid, self.auth_token), timeout=5)
        assert answer.status_code == 204, answer.status_code

    def fail_media_next(self, status: int, times: int = 1) -> None:
        with self._lock:
            self._media_failures.extend([status] * times)

    def external_url(self, name: str) -> str:
        """A URL that is not Twilio's (a channel's own link), served here so that a
        request for it would show in `media_requests`."""
        return f"{self.other_host_url}/elsewhere/{name}"

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

        media_path = "/2010-04-01/Accounts/<account_sid>/Messages/<message_sid>/Media/<media_sid>"

        @app.route(media_path, methods=["GET", "DELETE"])
        def media(account_sid: str, message_sid: str, media_sid: str):
            self._record_media_request()
            if not self._authorized(account_sid):
                return jsonify(code=20003, message="Authenticate", status=401), 401
            with self._lock:
                failure = self._media_failures.popleft() if self._media_failures else None
                stored = self._media.get(media_sid)
            if failure:
                return jsonify(code=20500, message="injected", status=failure), failure
            if stored is None or stored.deleted:
                return jsonify(code=20404, message="not found", status=404), 404
            if request.method == "DELETE":
                stored.deleted = True
                return "", 204
            if stored.redirect:
                return redirect(f"{self.other_host_url}/storage/{media_sid}", code=307)
            return stored.data, 200, {"Content-Type": stored.content_type}

        @app.get("/storage/<media_sid>")
        def storage(media_sid: str):
            """Where Twilio's media redirect to: it needs no credentials, only the name."""
            self._record_media_request()
            stored = self._media.get(media_sid)
            if stored is None or stored.deleted:
                return "", 404
            return stored.data, 200, {"Content-Type": stored.content_type}

        @app.get("/elsewhere/<name>")
        def elsewhere(name: str):
            self._record_media_request()
            return b"\xff\xd8\xff elsewhere", 200, {"Content-Type": "image/jpeg"}

        return app

    def _authorized(self, account_sid: str) -> bool:
        """The account's own credentials, for a URL of the account's own."""
        auth = request.authorization
        credentials = (auth.username, auth.password) if auth else None
        return account_sid == self.account_sid and credentials == (account_sid, self.auth_token)

    def _record_media_request(self) -> None:
        auth = request.authorization
        credentials = (auth.username, auth.password) if auth else None
        with self._lock:
            self.media_requests.append(
                MediaRequest(request.method, request.host, request.path, credentials)
            )
