"""CRM's figures in the form of the paper's Table 1: reports and resolutions per year
(or month), with days to resolution, the share of validations within 72 hours and the
citizens' ratings (count and mean, never a word of theirs). Periods are WIB; percentages
are computed from the counts."""

import re
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Integer, case, cast, delete, func, literal_column
from sqlmodel import Session, select

from store import history, ratings
from store.clock import JAKARTA
from store.db import insert_for, read_session
from store.models import Report, StatsSnapshot, Validation
from store.stages import Stage
from store.validations import VALIDATED

SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class PeriodFigures:
    period: str  # "2023" or "2023-04"
    reports: int
    resolved: int
    mean_days: float | None
    median_days: float | None
    validations: int
    validations_within_72h: int
    ratings: int = 0  # of the period's reports, rated 1-5 by their reporters
    rating_mean: float | None = None

    @property
    def resolution_rate(self) -> float:
        return round(100 * self.resolved / self.reports, 2) if self.reports else 0.0

    @property
    def validation_rate(self) -> float | None:
        if not self.validations:
            return None
        return round(100 * self.validations_within_72h / self.validations, 2)


@dataclass(frozen=True)
class Summary:
    periods: list[PeriodFigures]

    @property
    def reports(self) -> int:
        return sum(period.reports for period in self.periods)

    @property
    def resolved(self) -> int:
        return sum(period.resolved for period in self.periods)

    @property
    def ratings(self) -> int:
        return sum(period.ratings for period in self.periods)

    @property
    def rating_mean(self) -> float | None:
        """The mean score of all ratings of all periods; None without ratings."""
        if not self.ratings:
            return None
        total = sum(p.rating_mean * p.ratings for p in self.periods if p.ratings)
        return round(total / self.ratings, 2)

    @property
    def weighted_rate(self) -> float | None:
        """Resolved over all reports of all periods; None without reports."""
        return round(100 * self.resolved / self.reports, 2) if self.reports else None

    @property
    def mean_of_rates(self) -> float | None:
        """The mean of the periods' own rates (how the paper summarises Table 1); None
        without reports."""
        rates = [100 * p.resolved / p.reports for p in self.periods if p.reports]
        return round(statistics.fmean(rates), 2) if rates else None


def _wib_period(column, by: str, dialect: str):
    """The WIB year (or year-month) of a UTC timestamp column, as text."""
    pattern = {"year": ("%Y", "YYYY"), "month": ("%Y-%m", "YYYY-MM")}[by]
    if dialect == "postgresql":
        return func.to_char(func.timezone("Asia/Jakarta", column), pattern[1])
    return func.strftime(pattern[0], column, "+7 hours")


def summarise(
    *, by: str, session: Session, start: datetime | None = None, end: datetime | None = None
) -> Summary:
    """Figures per WIB year or month of creation, for reports created in [start, end)."""
    if by not in {"year", "month"}:
        raise ValueError("by is year or month")
    dialect = session.get_bind().dialect.name
    period = _wib_period(Report.created_at, by, dialect)
    resolved = Report.stage == Stage.SELESAI
    where = []
    if start is not None:
        where.append(Report.created_at >= start)
    if end is not None:
        where.append(Report.created_at < end)
    counts = session.exec(
        select(period, func.count(), func.sum(cast(case((resolved, 1), else_=0), Integer)))
        .where(*where)
        .group_by(period)
        .order_by(period)
    ).all()
    durations = _resolution_days(period, where, dialect, session=session)
    validations = _validations(period, where, session=session)
    rated = ratings.ratings_per_period(period, where, session=session)
    return Summary(
        [
            PeriodFigures(
                period=name,
                reports=total,
                resolved=done or 0,
                mean_days=round(statistics.fmean(durations[name]), 2)
                if durations.get(name)
                else None,
                median_days=round(statistics.median(durations[name]), 2)
                if durations.get(name)
                else None,
                validations=validations.get(name, (0, 0))[0],
                validations_within_72h=validations.get(name, (0, 0))[1],
                ratings=rated.get(name, (0, None))[0],
                rating_mean=rated.get(name, (0, None))[1],
            )
            for name, total, done in counts
        ]
    )


def _resolution_days(period, where, dialect: str, *, session: Session) -> dict[str, list[float]]:
    """Days from submission to closing, per period, for resolved reports."""
    if dialect == "postgresql":
        seconds = func.date_part("epoch", Report.stage_changed_at - Report.created_at)
    else:
        seconds = (
            func.julianday(Report.stage_changed_at) - func.julianday(Report.created_at)
        ) * literal_column(str(SECONDS_PER_DAY))
    rows = session.exec(select(period, seconds).where(Report.stage == Stage.SELESAI, *where)).all()
    by_period: dict[str, list[float]] = {}
    for name, secs in rows:
        by_period.setdefault(name, []).append(float(secs) / SECONDS_PER_DAY)
    return by_period


def _validations(period, where, *, session: Session) -> dict[str, tuple[int, int]]:
    """(validations, within 72 hours) per period of the reports' creation."""
    on_time = cast(case((Validation.left_at <= Validation.due_at, 1), else_=0), Integer)
    rows = session.exec(
        select(period, func.count(), func.sum(on_time))
        .join(Validation, Validation.report_id == Report.id)
        .where(Validation.outcome == VALIDATED, *where)
        .group_by(period)
    ).all()
    return {name: (total, within or 0) for name, total, within in rows}


def period_window(start: str | None, end: str | None) -> dict[str, datetime | None]:
    """`--from 2021 --to 2023` or `2023-01 … 2023-06` (WIB, inclusive) as [start, end).
    None: open on that side. An empty one, or one that ends before it starts, is a
    ValueError: it would print an empty table as if there were no reports."""
    window = {
        "start": _period_start(start, last=False) if start is not None else None,
        "end": _period_start(end, last=True) if end is not None else None,
    }
    if window["start"] and window["end"] and window["end"] <= window["start"]:
        raise ValueError(f"{end!r} comes before {start!r}")
    return window


_PERIOD = re.compile(r"(\d{4})(?:-(0[1-9]|1[0-2]))?")


def _period_start(period: str, *, last: bool) -> datetime:
    match = _PERIOD.fullmatch(period)
    if match is None:
        raise ValueError(f"{period!r} is not YYYY or YYYY-MM")
    year, month = int(match.group(1)), int(match.group(2) or 1)
    if not 1900 <= year <= 2999:
        raise ValueError(f"{period!r} is outside the years CRM could have reports for")
    first = datetime(year, month, 1, tzinfo=JAKARTA)
    if not last:
        return first
    if match.group(2):
        return (first + timedelta(days=32)).replace(day=1)
    return first.replace(year=year + 1)


def as_dict(summary: Summary) -> dict:
    return {
        "periods": [
            {
                "period": row.period,
                "reports": row.reports,
                "resolved": row.resolved,
                "resolution_rate": row.resolution_rate,
                "mean_days": row.mean_days,
                "median_days": row.median_days,
                "validations": row.validations,
                "validations_within_72h": row.validations_within_72h,
                "validation_rate": row.validation_rate,
                "ratings": row.ratings,
                "rating_mean": row.rating_mean,
            }
            for row in summary.periods
        ],
        "reports": summary.reports,
        "resolved": summary.resolved,
        "weighted_rate": summary.weighted_rate,
        "mean_of_rates": summary.mean_of_rates,
        "ratings": summary.ratings,
        "rating_mean": summary.rating_mean,
    }


# The figures anyone may ask for are cut from these two, which only the worker computes:
# a web request never reads the whole history (it took 0.3-1.7 s at 300,000 reports, in
# the webhook's own workers), and a new window never adds a row.
SNAPSHOTS = {"year": "year||", "month": "month||"}


def refresh_snapshots(*, session: Session, now: datetime) -> None:
    """The worker's job: both snapshots anew, and no other row. The figures are read in a
    read-only session; `session` only writes them, each in a short transaction."""
    with read_session(session.get_bind()) as reader:
        generated = history.count_generated(session=reader)
    for by, key in SNAPSHOTS.items():
        with read_session(session.get_bind()) as reader:  # seconds of reading, no write lock
            data = as_dict(summarise(by=by, session=reader)) | {"generated_reports": generated}
        statement = insert_for(session, StatsSnapshot).values(key=key, computed_at=now, data=data)
        session.exec(
            statement.on_conflict_do_update(
                index_elements=["key"], set_={"computed_at": now, "data": data}
            )
        )
        session.commit()
    session.exec(delete(StatsSnapshot).where(StatsSnapshot.key.not_in(SNAPSHOTS.values())))
    session.commit()


class NotReady(LookupError):
    """The worker has not computed the figures yet (a new deployment's first minutes)."""


def window_of_snapshot(
    *, by: str, session: Session, start: datetime | None = None, end: datetime | None = None
) -> tuple[dict, datetime]:
    """The figures of the periods in [start, end), cut from the worker's snapshot, and when
    it computed them, with how many of the store's reports `crm generate` made (0: all
    are citizens'). Per year, a window takes whole years: a year's median cannot be
    made from some of its months. NotReady when there is no snapshot yet."""
    if by == "year" and not all(_starts_a_year(bound) for bound in (start, end)):
        raise ValueError("per year, a window takes whole years (YYYY); per month, any months")
    stored = session.get(StatsSnapshot, SNAPSHOTS[by])
    if stored is None:
        raise NotReady(by)
    kept = [
        PeriodFigures(**{name: row[name] for name in _STORED_FIGURES if name in row})
        for row in stored.data["periods"]
        if _within(row["period"], start, end)
    ]
    generated = stored.data.get("generated_reports", 0)
    return as_dict(Summary(kept)) | {"generated_reports": generated}, stored.computed_at


_STORED_FIGURES = [name for name in PeriodFigures.__dataclass_fields__]


def _starts_a_year(bound: datetime | None) -> bool:
    return bound is None or bound.month == 1


def _within(period: str, start: datetime | None, end: datetime | None) -> bool:
    begins = _period_start(period, last=False)
    return (start is None or begins >= start) and (end is None or begins < end)
