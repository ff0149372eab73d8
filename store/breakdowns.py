"""Reports broken down by what a reader asks of them: per WIB year of filing, by category,
kota, kecamatan, kelurahan and channel, each with how many were resolved, rejected and
are still open. The worker computes them into a snapshot (store/stats.py); the dashboard
and the open data read that, never the history."""

from dataclasses import asdict, dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from store.aggregates import Outcomes, how_many, wib_period
from store.models import Report
from store.stages import Stage

DIMENSIONS = ("category", "kota", "kecamatan", "kelurahan", "channel")
"""What reports are broken down by; `kelurahan` is keyed by its id (store/places.py),
which the map draws, with its name beside it."""


@dataclass(frozen=True)
class Count(Outcomes):
    year: str
    key: str  # a category, kota, kecamatan or channel; a kelurahan's id, as text
    name: str  # what a reader sees: the kelurahan's name; the key itself otherwise
    reports: int
    resolved: int
    rejected: int

    def figures(self) -> dict:
        """Its counts as a table's columns (open data, the dashboard)."""
        return {
            "reports": self.reports,
            "resolved": self.resolved,
            "rejected": self.rejected,
            "still_open": self.still_open,
            "resolution_rate": self.resolution_rate,
        }


def compute(*, session: Session) -> dict[str, list[dict]]:
    """Every dimension's counts per year, as stored in the snapshot."""
    return {
        dimension: [asdict(count) for count in _counts(dimension, session=session)]
        for dimension in DIMENSIONS
    }


def _counts(dimension: str, *, session: Session) -> list[Count]:
    year = wib_period(Report.created_at, "year", session.get_bind().dialect.name)
    key, name = _columns(dimension)
    rows = session.exec(
        select(
            year,
            key,
            name,
            func.count(),
            how_many(Report.stage == Stage.SELESAI),
            how_many(Report.stage == Stage.DITOLAK),
        )
        .group_by(year, key, name)
        .order_by(year, key)
    ).all()
    return [
        Count(year, str(key_value), name_value, total, resolved or 0, rejected or 0)
        for year, key_value, name_value, total, resolved, rejected in rows
    ]


def _columns(dimension: str):
    if dimension == "kelurahan":
        return Report.kelurahan_id, Report.kelurahan
    column = getattr(Report, dimension)
    return column, column


def stored_counts(stored: dict[str, list[dict]], dimension: str) -> list[Count]:
    """One dimension's counts, per year, as the snapshot holds them."""
    return [Count(**row) for row in stored[dimension]]


def of_year(stored: dict[str, list[dict]], dimension: str, year: str | None) -> list[Count]:
    """One dimension's counts of one year, or summed over all years (None), largest
    first."""
    totals: dict[str, list] = {}
    for row in stored[dimension]:
        if year is not None and row["year"] != year:
            continue
        entry = totals.setdefault(row["key"], [row["name"], 0, 0, 0])
        entry[1] += row["reports"]
        entry[2] += row["resolved"]
        entry[3] += row["rejected"]
    counts = [
        Count(year or "", key, name, reports, resolved, rejected)
        for key, (name, reports, resolved, rejected) in totals.items()
    ]
    return sorted(counts, key=lambda count: (-count.reports, count.name))
