"""Twilio's request signature: only requests Twilio signed with our auth token get in."""

import hmac
from functools import wraps
from urllib.parse import urlparse

from flask import abort, current_app, request
from twilio.request_validator import RequestValidator


def signed_url() -> str:
    """The URL Twilio signed: our public base URL, the path, and the query string as sent
    (not re-encoded, which would break signatures over percent-encoded queries)."""
    settings = current_app.config["SETTINGS"]
    query = request.query_string.decode("latin-1")
    return settings.public_base_url + request.path + (f"?{query}" if query else "")


def is_signed_by_twilio() -> bool:
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        return False
    validator = RequestValidator(current_app.config["SETTINGS"].twilio_auth_token)
    url, form = signed_url(), request.form
    # `validate` signs the URL twice, with and without its port, because Twilio may have
    # signed either. The URL as configured, as `urlparse` gives it back, is one of those
    # two and the one Twilio signs: try it alone first, one HMAC instead of two.
    expected = validator.compute_signature(urlparse(url).geturl(), form)
    if hmac.compare_digest(expected.encode(), signature.encode()):
        return True
    return validator.validate(url, form, signature)


def twilio_signed(view):
    """Refuse with 403, before anything is read or stored, unless Twilio signed it."""

    @wraps(view)
    def checked(*args, **kwargs):
        if not is_signed_by_twilio():
            current_app.logger.warning("refused unsigned or forged request to %s", request.path)
            abort(403)
        return view(*args, **kwargs)

    return checked
