"""Time: stored in UTC, shown and reasoned about in Jakarta time (WIB, UTC+7)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func

JAKARTA = ZoneInfo("Asia/Jakarta")


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_wib(moment: datetime) -> datetime:
    return moment.astimezone(JAKARTA)


def wib_period(column, by: str, dialect: str):
    """SQL: the WIB year ("2023") or year-month ("2023-04") of a UTC timestamp column, as
    text, on SQLite or PostgreSQL."""
    pattern = {"year": ("%Y", "YYYY"), "month": ("%Y-%m", "YYYY-MM")}[by]
    if dialect == "postgresql":
        return func.to_char(func.timezone("Asia/Jakarta", column), pattern[1])
    return func.strftime(pattern[0], column, "+7 hours")
