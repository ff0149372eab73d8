"""What the worker process (`crm worker`) hands its jobs: made here, once, from the app's
settings, engine and media store, so that scheduler/ never imports `bot`."""

from datetime import timedelta

from flask import Flask

from bot import database
from bot.config import Settings
from bot.media import media_links, media_store
from bot.webhooks import spool
from scheduler.photo_copies import TwilioMedia
from scheduler.resources import WorkerResources
from scheduler.sender import SenderSettings, TwilioAccount


def worker_resources(app: Flask) -> WorkerResources:
    settings = app.config["SETTINGS"]
    with app.app_context():
        return WorkerResources(
            engine=database.engine(),
            media_store=media_store(),
            media_links=media_links(),
            twilio_media=TwilioMedia(
                api_base_url=settings.twilio_api_base_url,
                account_sid=settings.twilio_account_sid,
                auth_token=settings.twilio_auth_token,
                max_bytes=settings.media_max_bytes,
            ),
            sender=sender_settings(settings),
            spool=spool(),
            digest_times=settings.digest_times,
            reports_per_day=settings.reports_per_day,
        )


def sender_settings(settings: Settings) -> SenderSettings:
    return SenderSettings(
        rate_per_second=settings.send_rate_per_second,
        lease=timedelta(seconds=settings.outbox_lease_seconds),
        batch_size=settings.outbox_batch_size,
        content_sids=settings.twilio_content_sids,
        twilio=_twilio_account(settings),
        quiet_hours=settings.quiet_hours,
    )


def _twilio_account(settings: Settings) -> TwilioAccount | None:
    if not settings.has_twilio_credentials:
        return None
    return TwilioAccount(
        account_sid=settings.twilio_account_sid,
        auth_token=settings.twilio_auth_token,
        whatsapp_from=settings.twilio_whatsapp_from,
        api_base_url=settings.twilio_api_base_url,
        status_callback=settings.public_base_url + "/webhooks/whatsapp/status",
    )
