"""What the worker process (`crm worker`) hands the scheduler: made here, from the app's
settings, so that scheduler/ never reads `bot.config.Settings` itself."""

from datetime import timedelta

from bot.config import Settings
from scheduler.sender import SenderSettings, TwilioAccount


def sender_settings(settings: Settings) -> SenderSettings:
    return SenderSettings(
        rate_per_second=settings.send_rate_per_second,
        lease=timedelta(seconds=settings.outbox_lease_seconds),
        batch_size=settings.outbox_batch_size,
        content_sids=settings.twilio_content_sids,
        twilio=_twilio_account(settings),
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
