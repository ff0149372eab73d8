"""The public face of the store: `GET /dashboard` (HTML) and `GET /api/v1/stats` (JSON).
Figures only, never anything personal."""

import math
from urllib.parse import urlencode

from flask import Blueprint, jsonify, render_template, request
from spectree import Response

from bot import database
from bot.api_models import Error, Stats, StatsQuery
from bot.api_spec import spec
from bot.errors import api_error
from store import stats
from store.clock import to_wib

bp = Blueprint("dashboard", __name__)

RETRY_AFTER_SECONDS = 60  # the worker computes the figures when it starts, then every 5 min
CHART_WIDTH, CHART_HEIGHT = 640, 240


def _figures():
    """The figures of the window asked for, cut from the worker's snapshot: a request never
    reads the history itself, whatever window it names."""
    by = request.args.get("by", "year")
    if by not in {"year", "month"}:
        return None, api_error(422, "invalid_field", "by must be year or month", field="by")
    try:
        window = stats.period_window(
            request.args.get("from") or None, request.args.get("to") or None
        )
        data, computed_at = stats.window_of_snapshot(by=by, session=database.reader(), **window)
    except ValueError as problem:
        return None, api_error(422, "invalid_field", str(problem), field="from/to")
    except stats.NotReady:
        problem = api_error(
            503, "not_ready", "the figures are being computed; ask again in a minute"
        )
        problem.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return None, problem
    return (by, data, computed_at), None


@bp.app_template_filter("angka")
def indonesian_number(value: float, decimals: int = 0) -> str:
    """Numbers as Indonesians write them: 953.623 and 93,10."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


@bp.app_template_filter("persen")
def indonesian_percent(value: float | None) -> str:
    """A percentage with two decimals (93,10%), or a dash where there is none."""
    return "–" if value is None else f"{indonesian_number(value, 2)}%"


@bp.get("/api/v1/stats")
@spec.validate(
    query=StatsQuery,
    resp=Response(
        HTTP_200=(Stats, "The figures"),
        HTTP_422=(Error, "An invalid by, from or to; per year, a window of part of a year"),
        HTTP_429=(Error, "Over the client's budget of public reads (Retry-After)"),
        HTTP_503=(Error, "The worker has not computed the figures yet (Retry-After)"),
    ),
    security={},
    operation_id="stats",
)
def stats_json():
    """Table 1 of the paper from the store: reports and resolutions per year or month
    (public, no personal data), as the worker last computed them"""
    figures, problem = _figures()
    if problem is not None:
        return problem
    by, data, computed_at = figures
    return jsonify(by=by, computed_at=computed_at.isoformat(), **data)


@bp.get("/dashboard")
def dashboard():
    figures, problem = _figures()
    if problem is not None:
        return problem
    by, data, computed_at = figures
    window = {key: request.args[key] for key in ("from", "to") if request.args.get(key)}
    return render_template(
        "dashboard.html",
        by=by,
        window=window,
        links={
            "year": "?" + urlencode({"by": "year", **_whole_years(window)}),
            "month": "?" + urlencode({"by": "month", **window}),
        },
        data=data,
        computed_at=to_wib(computed_at),
        chart=_chart(data["periods"], by),
    )


def _whole_years(window: dict[str, str]) -> dict[str, str]:
    """A month window as the years it touches (`2023-03`…`2023-08` → `2023`): per year,
    a window takes whole years."""
    return {key: value[:4] for key, value in window.items()}


def _chart(periods: list[dict], by: str = "year") -> dict:
    """Bar heights (reports), line points (resolution and 72-hour validation rates) and
    axis labels for an inline SVG, so the page needs no script."""
    chart = {
        "bars": [],
        "labels": [],
        "resolution": "",
        "validation": "",
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
    }
    if not periods:
        return chart
    most = max(period["reports"] for period in periods) or 1
    step = CHART_WIDTH / len(periods)
    bars, resolution, validation = [], [], []
    for index, period in enumerate(periods):
        x = index * step
        height = CHART_HEIGHT * period["reports"] / most
        bars.append(
            {
                "x": round(x + step * 0.15, 1),
                "y": round(CHART_HEIGHT - height, 1),
                "width": round(step * 0.7, 1),
                "height": round(height, 1),
                "label": period["period"],
                "reports": period["reports"],
            }
        )
        middle = round(x + step / 2, 1)
        resolution.append(
            f"{middle},{round(CHART_HEIGHT * (1 - period['resolution_rate'] / 100), 1)}"
        )
        if period["validation_rate"] is not None:
            validation.append(
                f"{middle},{round(CHART_HEIGHT * (1 - period['validation_rate'] / 100), 1)}"
            )
    chart.update(
        bars=bars,
        labels=_year_labels(periods, step) if by == "month" else _period_labels(periods, step),
        resolution=" ".join(resolution),
        validation=" ".join(validation),
    )
    return chart


# Room one axis label needs, in chart units: "2016" at the smallest phones' font size
# (26 of the 640 units, see dashboard.html) is about 66 wide.
_LABEL_UNITS = 72


def _period_labels(periods: list[dict], step: float) -> list[dict]:
    """Per year: each bar named, centred under it (every n-th when they would crowd),
    kept inside the chart at both ends."""
    every = math.ceil(_LABEL_UNITS / step)
    half = _LABEL_UNITS / 2
    return [
        {
            "x": round(min(max(index * step + step / 2, half), CHART_WIDTH - half), 1),
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
        if index and not january:
            continue
        start = min(index * step, CHART_WIDTH - _LABEL_UNITS)
        if labels and start - labels[-1]["start"] < _LABEL_UNITS:
            if labels[-1]["january"]:
                continue
            labels.pop()  # the data starts just before a January: name the January
        labels.append({"start": start, "january": january, "text": period["period"][:4]})
    return [
        {"x": round(label["start"], 1), "anchor": "start", "text": label["text"]}
        for label in labels
    ]
