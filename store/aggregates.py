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


class Outcomes:
    """What became of a number of reports: `reports`, `resolved` and `rejected` are the
    fields of the dataclass it is mixed into (a period's, a kelurahan's…)."""

    reports: int
    resolved: int
    rejected: int

    @property
    def still_open(self) -> int:
        return self.reports - self.resolved - self.rejected

    @property
    def resolution_rate(self) -> float:
        return round(100 * self.resolved / self.reports, 2) if self.reports else 0.0
