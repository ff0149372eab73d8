"""Rate limits of the public surfaces (the dashboard, the stats API, Open311), per client
address, counted in a storage that every process and host shares (`RATELIMIT_STORAGE_URI`,
Redis in production): anyone may read them, and nobody may read them without end."""

from flask import Blueprint, Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

_LIMITER = "crm.limiter"


def limit_public_reads(app: Flask, blueprints: list[Blueprint]) -> None:
    """One budget per client address for every GET (and HEAD, which runs the same view)
    of `blueprints` together: a client that spreads its requests over the dashboard and
    Open311 gets no more. When the shared storage does not answer, each process counts
    on its own meanwhile: the limit protects the service, and must not become the thing
    that takes it down."""
    settings = app.config["SETTINGS"]
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=settings.ratelimit_storage_uri,
        headers_enabled=True,
        swallow_errors=True,
        in_memory_fallback_enabled=True,
        key_prefix="crm",
    )
    public = limiter.shared_limit(
        settings.public_rate_limit, scope="public", methods=["GET", "HEAD"]
    )
    for blueprint in blueprints:
        public(blueprint)
    app.extensions[_LIMITER] = limiter
