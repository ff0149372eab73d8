"""CRM's figures in the form of the paper's Table 1: reports and resolutions per year
(or month), with days to resolution, the share of validations within 72 hours and the
citizens' ratings (count and mean, never a word of theirs). Periods are WIB; percentages
are computed from the counts."""

import re
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, literal_column
from sqlmodel import Session, select

from store import breakdowns, history, ratings
from store.aggregates import Outcomes, how_many, wib_period
from store.clock import JAKARTA
from store.db import insert_for, read_session
from store.models import Report, StatsSnapshot, Validation
from store.stages import Stage
from store.validations import VALIDATED

SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class PeriodFigures(Outcomes):
    period: str  # "2023" or "2023-04"
    reports: int
    resolved: int
    rejected: int
    mean_days: float | None
    median_days: float | None
    validations: int
    validations_within_72h: int
    validations_within_daily_target: int
    ratings: int  # of the period's reports, rated 1-5 by their reporters
    rating_mean: float | None

    @property
    def validation_rate(self) -> float | None:
        """Validations within 3 × 24 hours, %."""
        return _share(self.validations_within_72h, self.validations)

    @property
    def daily_target_rate(self) -> float | None:
        """Validations by the end of the day the follow-up came in (WIB), %."""
        return _share(self.validations_within_daily_target, self.validations)


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 2) if whole else None


@dataclass(frozen=True)
class Summary(Outcomes):
    periods: list[PeriodFigures]

    @property
    def reports(self) -> int:
        return sum(period.reports for period in self.periods)

    @property
    def resolved(self) -> int:
        return sum(period.resolved for period in self.periods)

    @property
    def rejected(self) -> int:
        return sum(period.rejected for period in self.periods)

    @property
    def mean_days(self) -> float | None:
        """Days to resolution over all periods: their means weighted by what each
        resolved (a median cannot be made from the periods' medians: see the table)."""
        weighted = [(p.mean_days, p.resolved) for p in self.periods if p.mean_days is not None]
        resolved = sum(count for _, count in weighted)
        return round(sum(d * n for d, n in weighted) / resolved, 2) if resolved else None

    @property
    def validation_rate(self) -> float | None:
        validations = sum(p.validations for p in self.periods)
        return _share(sum(p.validations_within_72h for p in self.periods), validations)

    @property
    def daily_target_rate(self) -> float | None:
        validations = sum(p.validations for p in self.periods)
        return _share(sum(p.validations_within_daily_target for p in self.periods), validations)

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


def summarise(
    *, by: str, session: Session, start: datetime | None = None, end: datetime | None = None
) -> Summary:
    """Figures per WIB year or month of creation, for reports created in [start, end)."""
    if by not in {"year", "month"}:
        raise ValueError("by is year or month")
    dialect = session.get_bind().dialect.name
    period = wib_period(Report.created_at, by, dialect)
    resolved, rejected = Report.stage == Stage.SELESAI, Report.stage == Stage.DITOLAK
    where = []
    if start is not None:
        where.append(Report.created_at >= start)
    if end is not None:
        where.append(Report.created_at < end)
    counts = session.exec(
        select(period, func.count(), how_many(resolved), how_many(rejected))
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
                rejected=refused or 0,
                mean_days=round(statistics.fmean(durations[name]), 2)
                if durations.get(name)
                else None,
                median_days=round(statistics.median(durations[name]), 2)
                if durations.get(name)
                else None,
                validations=validations.get(name, (0, 0, 0))[0],
                validations_within_72h=validations.get(name, (0, 0, 0))[1],
                validations_within_daily_target=validations.get(name, (0, 0, 0))[2],
                ratings=rated.get(name, (0, None))[0],
                rating_mean=rated.get(name, (0, None))[1],
            )
            for name, total, done, refused in counts
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


def _validations(period, where, *, session: Session) -> dict[str, tuple[int, int, int]]:
    """(validations, within 72 hours, within the daily target) per period of the reports'
    creation."""
    rows = session.exec(
        select(
            period,
            func.count(),
            how_many(Validation.left_at <= Validation.due_at),
            how_many(Validation.left_at <= Validation.daily_target_at),
        )
        .join(Validation, Validation.report_id == Report.id)
        .where(Validation.outcome == VALIDATED, *where)
        .group_by(period)
    ).all()
    return {name: (total, within or 0, daily or 0) for name, total, within, daily in rows}


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


PERIOD_COLUMNS = (
    "period",
    "reports",
    "resolved",
    "rejected",
    "still_open",
    "resolution_rate",
    "mean_days",
    "median_days",
    "validations",
    "validations_within_72h",
    "validation_rate",
    "validations_within_daily_target",
    "daily_target_rate",
    "ratings",
    "rating_mean",
)
"""A period's figures as the API, the dashboard and the open data give them."""


def as_dict(summary: Summary) -> dict:
    return {
        "periods": [
            {name: getattr(row, name) for name in PERIOD_COLUMNS} for row in summary.periods
        ],
        **{name: getattr(summary, name) for name in SUMMARY_FIGURES},
    }


SUMMARY_FIGURES = (
    "reports",
    "resolved",
    "rejected",
    "still_open",
    "weighted_rate",
    "mean_of_rates",
    "mean_days",
    "validation_rate",
    "daily_target_rate",
    "ratings",
    "rating_mean",
)
"""The figures of a whole window, beside its periods'."""


# The figures anyone may ask for are cut from these two, which only the worker computes:
# a web request never reads the whole history (it took 0.3-1.7 s at 300,000 reports, in
# the webhook's own workers), and a new window never adds a row.
SNAPSHOTS = {"year": "year||", "month": "month||"}
BREAKDOWNS = "breakdowns||"  # store/breakdowns.py's counts by category, place and channel


def refresh_snapshots(*, session: Session, now: datetime) -> None:
    """The worker's job: the snapshots anew (per year, per month, the breakdowns), and no
    other row. The figures are read in a read-only session; `session` only writes them,
    each in a short transaction. The figures say how many reports `crm generate` made."""
    with read_session(session.get_bind()) as reader:
        generated = history.count_generated(session=reader)
    computed = {
        key: lambda reader, by=by: (
            as_dict(summarise(by=by, session=reader)) | {"generated_reports": generated}
        )
        for by, key in SNAPSHOTS.items()
    }
    computed[BREAKDOWNS] = lambda reader: breakdowns.compute(session=reader)
    for key, compute in computed.items():
        with read_session(session.get_bind()) as reader:  # seconds of reading, no write lock
            data = compute(reader)
        statement = insert_for(session, StatsSnapshot).values(key=key, computed_at=now, data=data)
        session.exec(
            statement.on_conflict_do_update(
                index_elements=["key"], set_={"computed_at": now, "data": data}
            )
        )
        session.commit()
    session.exec(delete(StatsSnapshot).where(StatsSnapshot.key.not_in(computed)))
    session.commit()


class NotReady(LookupError):
    """The worker has not computed the figures yet (a new deployment's first minutes)."""

    retry_after_seconds = 60  # the worker computes them when it starts, then every 5 minutes


def breakdowns_of_snapshot(*, session: Session) -> tuple[dict, datetime]:
    """The worker's counts by category, place and channel (store/breakdowns.py), and when
    it computed them. NotReady when there is none yet."""
    stored = session.get(StatsSnapshot, BREAKDOWNS)
    if stored is None:
        raise NotReady(BREAKDOWNS)
    return stored.data, stored.computed_at


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
    if stored is None or not _holds_every_figure(stored.data):
        raise NotReady(by)
    kept = [
        PeriodFigures(**{name: row[name] for name in _STORED_FIGURES})
        for row in stored.data["periods"]
        if _within(row["period"], start, end)
    ]
    generated = stored.data["generated_reports"]
    return as_dict(Summary(kept)) | {"generated_reports": generated}, stored.computed_at


_STORED_FIGURES = [name for name in PeriodFigures.__dataclass_fields__]


def _holds_every_figure(data: dict) -> bool:
    """False for a snapshot an older release computed, without a figure added since: the
    worker replaces it when it starts, and meanwhile the figures are not ready."""
    return "generated_reports" in data and all(
        name in row for row in data["periods"][:1] for name in _STORED_FIGURES
    )


def _starts_a_year(bound: datetime | None) -> bool:
    return bound is None or bound.month == 1


def _within(period: str, start: datetime | None, end: datetime | None) -> bool:
    begins = _period_start(period, last=False)
    return (start is None or begins >= start) and (end is None or begins < end)
