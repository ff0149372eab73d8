"""The SQL the figures are counted with (store/stats.py, store/breakdowns.py), the same on
SQLite and PostgreSQL."""

from sqlalchemy import Integer, case, cast, func


def wib_period(column, by: str, dialect: str):
    """The WIB year ("2023") or year-month ("2023-04") of a UTC timestamp column, as
    text."""
    pattern = {"year": ("%Y", "YYYY"), "month": ("%Y-%m", "YYYY-MM")}[by]
    if dialect == "postgresql":
        return func.to_char(func.timezone("Asia/Jakarta", column), pattern[1])
    return func.strftime(pattern[0], column, "+7 hours")


def how_many(condition):
    """How many rows of a group meet `condition`."""
    return func.sum(cast(case((condition, 1), else_=0), Integer))
