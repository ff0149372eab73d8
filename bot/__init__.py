"""The Flask application: `create_app` builds everything; nothing is created at import."""

import logging
import os
from collections.abc import Mapping
from pathlib import Path

from flask import Flask
from flask.logging import default_handler
from werkzeug.middleware.proxy_fix import ProxyFix

from bot.config import Settings
from store.private_files import private_folder
from templates import TEMPLATES_DIR

# Refuse floods before they are parsed. The largest request Twilio can make is a
# message of WhatsApp's 4,096 characters, each a 4-byte emoji, percent-encoded: about
# 50 KB with its other fields; the API's and Open311's longest texts are shorter.
MAX_REQUEST_BYTES = 128 * 1024


def create_app(config: Mapping[str, str] | None = None) -> Flask:
    """Build the app. `config` overrides environment variables of the same names
    (`DATABASE_URL`, `TWILIO_AUTH_TOKEN`, `PUBLIC_BASE_URL`, `CRM_ENV`,
    `CRM_INSTANCE_PATH`, …)."""
    environ = {**os.environ, **(config or {})}
    app = Flask(
        __name__,
        instance_path=environ.get("CRM_INSTANCE_PATH") or None,
        static_folder=None,
        template_folder=str(TEMPLATES_DIR / "web"),
    )
    # The pages' loops write no blank lines: the dashboard's 267 kelurahan weigh less.
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    instance = Path(app.instance_path)
    if instance.exists():  # whatever makes it later makes it private (store/private_files.py)
        private_folder(instance)
    settings = Settings.load(environ, instance)
    app.config.update(SETTINGS=settings, MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES)
    _configure_logging(app)

    from bot import cli, database, errors, media

    database.init_app(app)
    media.init_app(app)
    errors.init_app(app)
    _register_surfaces(app, settings.surface)
    if settings.proxy_hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_hops)
    cli.init_app(app)
    return app


def _register_surfaces(app: Flask, surface: str) -> None:
    """The blueprints of `surface` (bot/config.py, SURFACES): `web` for Twilio and the
    officers, `public` for anyone (rate-limited per client), `all` for both in one
    process (tests, and a deployment too small to split)."""
    from bot import api, dashboard, health, media, open311, open_data, ratelimit, webhooks

    if surface in ("all", "web"):
        app.register_blueprint(webhooks.bp)
        app.register_blueprint(api.bp)
        app.register_blueprint(media.bp)
    if surface in ("all", "public"):
        public = [dashboard.bp, open_data.bp, open311.bp]
        for blueprint in public:
            app.register_blueprint(blueprint)
        ratelimit.limit_public_reads(app, public)
        dashboard.prepare()
    app.register_blueprint(health.bp)


def _configure_logging(app: Flask) -> None:
    """INFO from the app and from our own `crm.*` loggers (outbound messages, the
    sender), through Flask's handler unless the process already configured logging."""
    app.logger.setLevel(logging.INFO)
    ours = logging.getLogger("crm")
    ours.setLevel(logging.INFO)
    if not ours.handlers and not logging.getLogger().handlers:
        ours.addHandler(default_handler)
