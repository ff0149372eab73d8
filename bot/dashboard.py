"""The public face of the store: `GET /dashboard` (HTML) and `GET /api/v1/stats` (JSON).
Figures only, never anything personal."""

from datetime import timedelta

from flask import Blueprint, jsonify, render_template, request

from bot import database
from bot.errors import api_error
from store import stats
from store.clock import to_wib, utcnow

bp = Blueprint("dashboard", __name__)

FRESH_FOR = timedelta(minutes=10)  # the worker refreshes the snapshots more often than this
CHART_WIDTH, CHART_HEIGHT = 640, 240


def _figures():
    by = request.args.get("by", "year")
    if by not in {"year", "month"}:
        return None, api_error(422, "invalid_field", "by must be year or month", field="by")
    try:
        window = stats.period_window(request.args.get("from"), request.args.get("to"))
    except ValueError as problem:
        return None, api_error(422, "invalid_field", str(problem), field="from/to")
    db = database.session()
    data, computed_at = stats.snapshot(by=by, session=db, now=utcnow(), max_age=FRESH_FOR, **window)
    db.commit()
    return (by, data, computed_at), None


@bp.get("/api/v1/stats")
def stats_json():
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
    return render_template(
        "dashboard.html",
        by=by,
        data=data,
        computed_at=to_wib(computed_at),
        chart=_chart(data["periods"]),
    )


def _chart(periods: list[dict]) -> dict:
    """Bar heights (reports) and line points (resolution and 72-hour validation rates)
    for an inline SVG, so the page needs no script."""
    if not periods:
        return {
            "bars": [],
            "resolution": "",
            "validation": "",
            "width": CHART_WIDTH,
            "height": CHART_HEIGHT,
        }
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
    return {
        "bars": bars,
        "resolution": " ".join(resolution),
        "validation": " ".join(validation),
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
    }
