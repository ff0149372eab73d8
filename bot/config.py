"""Typed settings, read once from the environment (or a dict given to `create_app`)."""

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path

from limits import parse_many

from store.private_files import private_folder, private_opener
from store.quiet_hours import DEFAULT as DEFAULT_QUIET_HOURS
from store.quiet_hours import DEFAULT_WINDOW, MalformedWindow, SendingWindow

TWILIO_DEFAULT_API = "https://api.twilio.com"
DEVELOPMENT = "development"
PRODUCTION = "production"
# What one process serves: the Procfile runs the webhooks and the officer API (`web`) apart
# from what anyone may read (`public`), so that no public read waits in a webhook's worker.
SURFACES = ("all", "web", "public")
DEFAULT_PUBLIC_RATE_LIMIT = "60 per minute;10 per second"
MEGABYTE = 1024 * 1024
PLACEHOLDERS = {"", "changeme", "change-me", "secret", "test", "xxx", "your_auth_token", "token"}


class ConfigError(RuntimeError):
    pass


@dataclass(frozen=True)
class Settings:
    env: str
    database_url: str
    public_base_url: str
    twilio_auth_token: str
    twilio_account_sid: str | None
    twilio_whatsapp_from: str | None
    twilio_api_base_url: str
    twilio_content_sids: dict[str, str] = field(default_factory=dict)
    send_rate_per_second: float = 80.0
    outbox_lease_seconds: float = 60.0
    outbox_batch_size: int = 50
    digest_times: tuple[time, ...] = (time(8, 0), time(14, 0))
    # when staff are sent alerts, new work and digests (WIB); outside, they wait
    quiet_hours: SendingWindow = DEFAULT_WINDOW
    messages_per_minute: int = 20
    spool_dir: Path = Path("instance/spool")
    reports_per_day: int = 10
    db_statement_timeout_ms: int = 5000
    db_lock_timeout_ms: int = 1000
    surface: str = "all"
    public_rate_limit: str = DEFAULT_PUBLIC_RATE_LIMIT
    ratelimit_storage_uri: str = "memory://"
    proxy_hops: int = 0
    secret_key: str = ""  # signs the links to photos (store/media_links.py)
    media_dir: Path = Path("instance/media")
    media_s3_bucket: str | None = None  # photos in this bucket instead of media_dir
    media_s3_endpoint_url: str | None = None  # an S3-compatible server other than AWS
    media_s3_region: str | None = None
    media_max_bytes: int = 5 * MEGABYTE  # one photo of the finished work (WhatsApp's own limit)
    media_link_seconds: int = 24 * 3600  # how long a link to a photo opens

    @property
    def has_twilio_credentials(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_whatsapp_from)

    @property
    def is_development(self) -> bool:
        return self.env == DEVELOPMENT

    @classmethod
    def load(cls, environ: Mapping[str, str], instance_path: Path) -> "Settings":
        env = environ.get("CRM_ENV", DEVELOPMENT)
        settings = cls(
            env=env,
            database_url=environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'crm.db'}",
            public_base_url=environ.get(
                "PUBLIC_BASE_URL", f"http://127.0.0.1:{environ.get('PORT', '5000')}"
            ).rstrip("/"),
            twilio_auth_token=environ.get("TWILIO_AUTH_TOKEN")
            or _development_token(env, instance_path),
            twilio_account_sid=environ.get("TWILIO_ACCOUNT_SID") or None,
            twilio_whatsapp_from=environ.get("TWILIO_WHATSAPP_FROM") or None,
            twilio_api_base_url=environ.get("TWILIO_API_BASE_URL", TWILIO_DEFAULT_API),
            twilio_content_sids=_content_sids(environ.get("TWILIO_CONTENT_SIDS", "")),
            send_rate_per_second=_positive(environ, "SEND_RATE_PER_SECOND", 80.0),
            outbox_lease_seconds=_positive(environ, "OUTBOX_LEASE_SECONDS", 60.0),
            outbox_batch_size=int(_positive(environ, "OUTBOX_BATCH_SIZE", 50)),
            digest_times=_times(environ.get("DIGEST_TIMES", "08:00,14:00")),
            quiet_hours=_quiet_hours(environ.get("QUIET_HOURS") or DEFAULT_QUIET_HOURS),
            messages_per_minute=int(_positive(environ, "MESSAGES_PER_MINUTE", 20)),
            spool_dir=Path(environ.get("SPOOL_DIR") or instance_path / "spool"),
            reports_per_day=int(_positive(environ, "REPORTS_PER_DAY", 10)),
            db_statement_timeout_ms=int(_positive(environ, "DB_STATEMENT_TIMEOUT_MS", 5000)),
            db_lock_timeout_ms=int(_positive(environ, "DB_LOCK_TIMEOUT_MS", 1000)),
            surface=_surface(environ.get("CRM_SURFACE") or "all"),
            public_rate_limit=_rate_limit(
                environ.get("PUBLIC_RATE_LIMIT") or DEFAULT_PUBLIC_RATE_LIMIT
            ),
            ratelimit_storage_uri=environ.get("RATELIMIT_STORAGE_URI") or "memory://",
            proxy_hops=_count(environ, "PROXY_HOPS", 0),
            secret_key=environ.get("SECRET_KEY")
            or (_local_secret(instance_path, "secret-key") if env == DEVELOPMENT else ""),
            media_dir=Path(environ.get("MEDIA_DIR") or instance_path / "media"),
            media_s3_bucket=environ.get("MEDIA_S3_BUCKET") or None,
            media_s3_endpoint_url=environ.get("MEDIA_S3_ENDPOINT_URL") or None,
            media_s3_region=environ.get("MEDIA_S3_REGION") or None,
            media_max_bytes=int(_positive(environ, "MEDIA_MAX_BYTES", 5 * MEGABYTE)),
            media_link_seconds=int(_positive(environ, "MEDIA_LINK_SECONDS", 24 * 3600)),
        )
        settings.refuse_placeholders()
        return settings

    def refuse_placeholders(self) -> None:
        if self.is_development:
            return
        if self.twilio_auth_token.strip().lower() in PLACEHOLDERS:
            raise ConfigError(
                f"TWILIO_AUTH_TOKEN must be set to the real auth token when CRM_ENV={self.env}"
            )
        if not self.public_base_url.startswith("https://") and self.env == PRODUCTION:
            raise ConfigError("PUBLIC_BASE_URL must be the https:// URL Twilio calls")
        if self.secret_key.strip().lower() in PLACEHOLDERS or len(self.secret_key) < 32:
            raise ConfigError(
                f"SECRET_KEY must be a random secret of 32 characters or more when "
                f"CRM_ENV={self.env}, the same in every process: it signs the links to "
                "photos (python3 -c 'import secrets; print(secrets.token_hex(32))')"
            )
        serves_public_reads = self.surface == "public"
        if (
            serves_public_reads
            and self.ratelimit_storage_uri.startswith("memory://")
            and self.env == PRODUCTION
        ):
            raise ConfigError(
                "RATELIMIT_STORAGE_URI must be a storage all processes share "
                "(e.g. redis://host:6379/0): in memory, each process counts on its own"
            )


def _positive(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, not {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be positive")
    return value


def _count(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name)
    if raw in (None, ""):
        return default
    if not raw.isdigit():
        raise ConfigError(f"{name} must be a whole number, not {raw!r}")
    return int(raw)


def _surface(raw: str) -> str:
    if raw not in SURFACES:
        raise ConfigError(f"CRM_SURFACE must be one of {', '.join(SURFACES)}, not {raw!r}")
    return raw


def _rate_limit(raw: str) -> str:
    """`PUBLIC_RATE_LIMIT` in the notation of the `limits` library: `60/minute`,
    `60 per minute;5 per second`."""
    try:
        parse_many(raw)
    except ValueError:
        raise ConfigError(
            f"PUBLIC_RATE_LIMIT must look like '60/minute' or '60 per minute;5 per second', "
            f"not {raw!r}"
        ) from None
    return raw


def _times(raw: str) -> tuple[time, ...]:
    """`DIGEST_TIMES`: comma-separated WIB times, e.g. `08:00,14:00`."""
    try:
        times = sorted(
            {time.fromisoformat(part.strip()) for part in raw.split(",") if part.strip()}
        )
    except ValueError:
        raise ConfigError(f"DIGEST_TIMES must look like 08:00,14:00, not {raw!r}") from None
    return tuple(times)


def _quiet_hours(raw: str) -> SendingWindow:
    """`QUIET_HOURS`: the WIB window staff may be messaged in, e.g. `06:00-21:00`."""
    try:
        return SendingWindow.parse(raw)
    except MalformedWindow as problem:
        raise ConfigError(
            f"QUIET_HOURS must be the WIB window staff may be messaged in, like "
            f"06:00-21:00 ({problem})"
        ) from None


def _content_sids(raw: str) -> dict[str, str]:
    """`TWILIO_CONTENT_SIDS`: JSON mapping `<template>:<language>` to an approved
    Content SID, e.g. {"stage_update:id": "HX…", "stage_update:en": "HX…"}."""
    if not raw.strip():
        return {}
    try:
        sids = json.loads(raw)
    except json.JSONDecodeError as problem:
        raise ConfigError(f"TWILIO_CONTENT_SIDS is not JSON: {problem}") from None
    if not isinstance(sids, dict) or not all(isinstance(v, str) for v in sids.values()):
        raise ConfigError("TWILIO_CONTENT_SIDS must map names to Content SIDs")
    return sids


def _development_token(env: str, instance_path: Path) -> str:
    return _local_secret(instance_path, "dev-twilio-auth-token") if env == DEVELOPMENT else ""


def _local_secret(instance_path: Path, name: str) -> str:
    """Outside production: a secret generated once and kept in the instance folder (0600),
    so the processes of one machine (web, worker, `flask chat`) share it: the development
    auth token, which the server and `flask chat` sign and check with; the key that signs
    the links to photos."""
    path = private_folder(instance_path) / name
    if not path.exists():
        with open(path, "w", opener=private_opener) as file:
            file.write(secrets.token_hex(16))
    with open(path, opener=private_opener) as file:  # one made before is made 0600 too
        return file.read().strip()
