"""Time: stored in UTC, shown and reasoned about in Jakarta time (WIB, UTC+7)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

JAKARTA = ZoneInfo("Asia/Jakarta")


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_wib(moment: datetime) -> datetime:
    return moment.astimezone(JAKARTA)
