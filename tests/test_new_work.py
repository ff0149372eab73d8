"""New work announced (issue 22, part 1): a facilitator hears by WhatsApp when a report
enters her queue, and staff are messaged only inside quiet hours (QUIET_HOURS, WIB):
what falls outside waits for the opening, as one message per phone. Reports move through
the API, the worker's jobs run in-process with the clock moved, and what was sent is
read from the Twilio-compatible test server."""

from datetime import datetime

import pytest

from bot import create_app
from bot.config import ConfigError
from conftest import app_config, twilio_config
from store.clock import JAKARTA


def wib(*args) -> datetime:
    return datetime(*args, tzinfo=JAKARTA)


def test_quiet_hours_follow_the_setting(database_url, fake_twilio):
    app = create_app(twilio_config(database_url, fake_twilio, QUIET_HOURS="07:30-20:00"))
    try:
        window = app.config["SETTINGS"].quiet_hours
        assert str(window) == "07:30-20:00"
        assert not window.is_open(wib(2026, 3, 10, 7, 29))
        assert window.is_open(wib(2026, 3, 10, 7, 30))
        assert not window.is_open(wib(2026, 3, 10, 20, 0))
    finally:
        app.extensions["crm.engine"].dispose()


@pytest.mark.parametrize(
    "malformed", ["06:00", "6-21", "06:00-06:00", "25:00-21:00", "06.00-21.00", "pagi-malam"]
)
def test_a_malformed_quiet_hours_refuses_to_start(database_url, malformed):
    with pytest.raises(ConfigError, match="QUIET_HOURS"):
        create_app(app_config(database_url, QUIET_HOURS=malformed))
