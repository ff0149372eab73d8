"""DESIGN.md's time rules at their edges, in WIB, from UTC moments."""

from datetime import UTC, date, datetime, timedelta

import pytest

from store import sla
from store.clock import JAKARTA


def wib(*args) -> datetime:
    return datetime(*args, tzinfo=JAKARTA)


@pytest.mark.parametrize(
    "entered, target",
    [
        (wib(2026, 3, 10, 15, 30, 0), wib(2026, 3, 10, 23, 59, 59)),
        (wib(2026, 3, 10, 15, 30, 1), wib(2026, 3, 11, 23, 59, 59)),
        (wib(2026, 3, 10, 0, 0, 0), wib(2026, 3, 10, 23, 59, 59)),
        (wib(2026, 3, 10, 23, 59, 59), wib(2026, 3, 11, 23, 59, 59)),
        (wib(2026, 1, 31, 16, 0), wib(2026, 2, 1, 23, 59, 59)),
        (wib(2024, 2, 28, 16, 0), wib(2024, 2, 29, 23, 59, 59)),
        (wib(2026, 12, 31, 15, 31), wib(2027, 1, 1, 23, 59, 59)),
    ],
)
def test_daily_target_follows_the_1530_wib_rule(entered, target):
    assert sla.daily_target(entered.astimezone(UTC)) == target


def test_midnight_wib_is_not_midnight_utc():
    # 20:00 UTC on the 10th is 03:00 WIB on the 11th: the target is the 11th, not the 10th.
    assert sla.daily_target(datetime(2026, 3, 10, 20, 0, tzinfo=UTC)) == wib(
        2026, 3, 11, 23, 59, 59
    )
    # 08:31 UTC is 15:31 WIB: already past the cut-off.
    assert sla.daily_target(datetime(2026, 3, 10, 8, 31, tzinfo=UTC)) == wib(
        2026, 3, 11, 23, 59, 59
    )


def test_validation_deadline_is_exactly_72_hours():
    entered = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
    assert sla.validation_deadline(entered) - entered == timedelta(hours=72)


@pytest.mark.parametrize(
    "today, first, next_first",
    [
        (date(2026, 2, 5), date(2026, 1, 1), date(2026, 2, 1)),
        (date(2024, 3, 1), date(2024, 2, 1), date(2024, 3, 1)),
        (date(2027, 1, 3), date(2026, 12, 1), date(2027, 1, 1)),
    ],
)
def test_previous_month_across_month_and_year_ends(today, first, next_first):
    assert sla.previous_month(today) == (first, next_first)


def test_monthly_cutoff_is_the_end_of_the_fifth_wib():
    assert sla.monthly_cutoff(date(2026, 2, 1)) == wib(2026, 2, 5, 23, 59, 59)
    assert [sla.in_cutoff_reminder_days(date(2026, 2, d)) for d in (1, 5, 6)] == [True, True, False]
