"""The dashboard's chart as geometry for an inline SVG, so the page needs no script: bars
of reports per period on a left axis, the resolution and 72-hour validation rates as
lines with their points on a right axis (0–100 %), values on the bars per year, and the
years with no data hatched, as the paper prints "Data tidak ditemukan"."""

import math
from collections.abc import Callable
from dataclasses import dataclass, field

WIDTH, HEIGHT = 640, 240
TOP = 34  # room above the plot for the axes' top labels
BOTTOM = 46  # room below it for the periods' labels
# Room one axis label needs, in chart units: "2016" at the smallest phones' font size
# (26 of the 640 units, see dashboard.html) is about 66 wide.
LABEL_UNITS = 72
VALUES_UP_TO = 12  # bars with their value written on them: a year view, not 96 months


@dataclass
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    top: int = TOP
    bottom: int = BOTTOM
    bars: list[dict] = field(default_factory=list)
    gaps: list[dict] = field(default_factory=list)  # periods with no data
    labels: list[dict] = field(default_factory=list)  # under the bars
    ticks: list[dict] = field(default_factory=list)  # the two axes' gridlines
    resolution: list[list[tuple[float, float]]] = field(default_factory=list)  # runs of points
    validation: list[list[tuple[float, float]]] = field(default_factory=list)

    @property
    def view_box(self) -> str:
        return f"0 -{self.top} {self.width} {self.height + self.top + self.bottom}"


def chart(periods: list[dict], by: str, short_number: Callable[[float], str]) -> Chart:
    """`periods` as the stats give them, a period without data marked `missing`;
    `short_number(value, places)` writes an axis' or a bar's count in the page's language
    ("112,2 rb")."""
    drawn = Chart()
    if not periods:
        return drawn
    top = nice_ceiling(max((p.get("reports", 0) for p in periods), default=0))
    step = WIDTH / len(periods)
    drawn.ticks = [  # no "0%" at the right: the last bar's value stands there
        {
            "y": _y(share),
            "count": short_number(top * share, 2),  # 12,5 rb, 1,25 jt: ticks are exact
            "percent": f"{round(share * 100)}%" if share else None,
        }
        for share in (0, 0.5, 1)
    ]
    runs: dict[str, list[list[tuple[float, float]]]] = {"resolution": [[]], "validation": [[]]}
    for index, period in enumerate(periods):
        left = index * step
        if period.get("missing"):
            drawn.gaps.append({"x": round(left, 1), "width": round(step, 1), **period})
            for points in runs.values():
                points.append([])  # a line does not bridge a year without data
            continue
        with_value = len(periods) <= VALUES_UP_TO
        drawn.bars.append(_bar(period, left, step, top, short_number if with_value else None))
        middle = round(left + step / 2, 1)
        runs["resolution"][-1].append((middle, _y(period["resolution_rate"] / 100)))
        if period["validation_rate"] is not None:
            runs["validation"][-1].append((middle, _y(period["validation_rate"] / 100)))
    drawn.resolution = [run for run in runs["resolution"] if run]
    drawn.validation = [run for run in runs["validation"] if run]
    drawn.labels = _year_labels(periods, step) if by == "month" else _period_labels(periods, step)
    return drawn


def nice_ceiling(value: float) -> float:
    """The axis' top: `value` rounded up to 1, 2, 2.5 or 5 times a power of ten."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(power * m for m in (1, 2, 2.5, 5, 10) if power * m >= value)


def _y(share: float) -> float:
    return round(HEIGHT * (1 - share), 1)


def _bar(period: dict, left: float, step: float, top: float, short_number) -> dict:
    """A period's bar; its value written on it by `short_number`, unless None."""
    height = HEIGHT * period["reports"] / top
    return {
        "x": round(left + step * 0.15, 1),
        "y": round(HEIGHT - height, 1),
        "width": round(step * 0.7, 1),
        "height": round(height, 1),
        "middle": round(left + step / 2, 1),
        "label": period["period"],
        "reports": period["reports"],
        "value": short_number(period["reports"]) if short_number else None,
    }


def _period_labels(periods: list[dict], step: float) -> list[dict]:
    """Per year: each bar named, centred under it (every n-th when they would crowd),
    kept inside the chart at both ends."""
    every = math.ceil(LABEL_UNITS / step)
    half = LABEL_UNITS / 2
    return [
        {
            "x": round(min(max(index * step + step / 2, half), WIDTH - half), 1),
            "anchor": "middle",
            "text": period["period"],
        }
        for index, period in enumerate(periods)
        if index % every == 0
    ]


def _year_labels(periods: list[dict], step: float) -> list[dict]:
    """Per month: the year, starting under its January (or under the first month when the
    data starts later in a year), never crowding the label before it nor running off the
    right of the chart."""
    labels: list[dict] = []
    for index, period in enumerate(periods):
        january = period["period"].endswith("-01")
        if index and period["period"][:4] == periods[index - 1]["period"][:4]:
            continue
        start = min(index * step, WIDTH - LABEL_UNITS)
        if labels and start - labels[-1]["start"] < LABEL_UNITS:
            if labels[-1]["january"]:
                continue
            labels.pop()  # the data starts just before a January: name the January
        labels.append({"start": start, "january": january, "text": period["period"][:4]})
    return [
        {"x": round(label["start"], 1), "anchor": "start", "text": label["text"]}
        for label in labels
    ]


def with_missing_periods(periods: list[dict], by: str) -> list[dict]:
    """The years (or months) between the first and the last that have no reports, as
    `{"period": "2020", "missing": True}` in their place: the axis stays linear in time,
    and the table says "Data tidak ditemukan" where the paper does."""
    if not periods:
        return []
    have = {period["period"]: period for period in periods}
    first, last = min(have), max(have)
    if by == "year":
        every = [str(year) for year in range(int(first), int(last) + 1)]
    else:
        months = range(_month_number(first), _month_number(last) + 1)
        every = [f"{number // 12}-{number % 12 + 1:02d}" for number in months]
    return [have.get(period, {"period": period, "missing": True}) for period in every]


def _month_number(period: str) -> int:
    year, month = period.split("-")
    return int(year) * 12 + int(month) - 1
