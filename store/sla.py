"""The time rules of DESIGN.md, computed in Jakarta time (WIB) from UTC moments.

Pure functions: the scheduler and the store ask these, and tests move the clock.
"""

from datetime import date, datetime, time, timedelta

from store.clock import JAKARTA

VALIDATION_LIMIT = timedelta(hours=72)
DAILY_CUTOFF = time(15, 30)
KELURAHAN_LIMIT = timedelta(hours=24)
# The kelurahan's members are warned 6 hours before their 24 (store/office_members.py).
KELURAHAN_WARNING = timedelta(hours=18)
FOLLOW_UP_WARNING = timedelta(days=6)
FOLLOW_UP_LIMIT = timedelta(days=7)
MONTHLY_CUTOFF_DAY = 5


def end_of_day(day: date) -> datetime:
    """23:59:59 WIB of `day`, as an aware datetime."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=JAKARTA)


def validation_deadline(entered: datetime) -> datetime:
    """A follow-up must be validated within 3 × 24 hours of entering tindak_lanjut."""
    return entered + VALIDATION_LIMIT


def daily_target(entered: datetime) -> datetime:
    """Entered at or before 15:30 WIB: validate the same day; after: the next day."""
    local = entered.astimezone(JAKARTA)
    day = local.date()
    if local.time() > DAILY_CUTOFF:
        day += timedelta(days=1)
    return end_of_day(day)


def kelurahan_deadline(filed_at: datetime) -> datetime:
    """When the kelurahan must have taken a report in (its 24 hours)."""
    return filed_at + KELURAHAN_LIMIT


def follow_up_deadline(filed_at: datetime, returned_at: datetime | None = None) -> datetime:
    """When a report must be followed up: 7 days from its filing, or from its last return
    to proses."""
    return (returned_at or filed_at) + FOLLOW_UP_LIMIT


def previous_month(today: date) -> tuple[date, date]:
    """First day of the previous month and first day of this month."""
    this_month = today.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    return last_month, this_month


def start_of_day(day: date) -> datetime:
    """00:00 WIB of `day`, as an aware datetime."""
    return datetime.combine(day, time(0, 0), tzinfo=JAKARTA)


def monthly_cutoff(today: date) -> datetime:
    """The end of the 5th (WIB) of `today`'s month: by then every report created in the
    previous month must be selesai or ditolak."""
    return end_of_day(today.replace(day=MONTHLY_CUTOFF_DAY))


def in_cutoff_reminder_days(today: date) -> bool:
    """From the 1st to the 5th the still-open reports of last month are listed daily."""
    return 1 <= today.day <= MONTHLY_CUTOFF_DAY
