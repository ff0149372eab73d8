"""Bearer tokens on the officer/channel API: each request is one role of one office."""

from functools import wraps

from flask import g, request

from bot import database
from bot.errors import api_error
from store import tokens
from store.stages import Role


def current_token() -> tokens.TokenInfo:
    return g.api_token


def requires_role(*roles: Role):
    """401 without a valid, unrevoked token; 403 when its role may not use the endpoint."""

    def decorate(view):
        @wraps(view)
        def checked(*args, **kwargs):
            header = request.headers.get("Authorization", "")
            scheme, _, token = header.partition(" ")
            info = None
            if scheme.lower() == "bearer" and token.strip():
                info = tokens.authenticate(token.strip(), session=database.session())
            if info is None:
                response = api_error(401, "unauthorized", "a valid bearer token is required")
                response.headers["WWW-Authenticate"] = 'Bearer realm="crm"'
                return response
            if info.unbound:
                return api_error(403, "token_unbound", tokens.reissue_hint(info))
            if roles and info.role not in roles:
                return api_error(403, "forbidden", f"role {info.role} may not use this endpoint")
            g.api_token = info
            return view(*args, **kwargs)

        return checked

    return decorate
