"""The public face of the store: `GET /dashboard` (HTML, Indonesian or `?lang=en`),
`GET /cek` (a report's stage and dates, as a stranger sees them by WhatsApp) and
`GET /api/v1/stats` (JSON). Figures only, never anything personal; every figure comes
from the worker's snapshots, so no request reads the history."""

import tomllib
from functools import cache
from urllib.parse import quote, urlencode

from flask import Blueprint, current_app, jsonify, render_template, request
from spectree import Response

from bot import charts, database, kelurahan_map
from bot.api_models import Error, Stats, StatsQuery
from bot.api_spec import spec
from bot.errors import api_error
from bot.open_data import DATASETS, LICENCE
from handlers.texts import Texts
from store import breakdowns, numbers, reports, stats
from templates import TEMPLATES_DIR

bp = Blueprint("dashboard", __name__)

RETRY_AFTER_SECONDS = 60  # the worker computes the figures when it starts, then every 5 min
LANGUAGES = ("id", "en")
WHATSAPP_TEXT = "LAPOR"  # what the wa.me link fills in: the word that starts a report


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
    try:
        counts, _ = stats.breakdowns_of_snapshot(session=database.reader())
    except stats.NotReady:
        counts = {dimension: [] for dimension in breakdowns.DIMENSIONS}
    words = Words(_language())
    window = {key: request.args[key] for key in ("from", "to") if request.args.get(key)}
    periods = charts.with_missing_years(data["periods"]) if by == "year" else data["periods"]
    years = sorted({period["period"][:4] for period in data["periods"]})
    measure = request.args.get("peta", "reports")
    if measure not in kelurahan_map.MEASURES:
        measure = "reports"
    return render_template(
        "dashboard.html",
        t=words.labels,
        w=words,
        by=by,
        window=window,
        links=_links(window, words.language, measure),
        data=data,
        periods=periods,
        computed_at=words.texts.wib(computed_at),
        chart=charts.chart(periods, by, words.short_number),
        breakdowns={
            dimension: _breakdown(counts, dimension, years) for dimension in breakdowns.DIMENSIONS
        },
        years=_years_text(years, words),
        map=_map(counts, years, measure),
        measure=measure,
        whatsapp=_whatsapp_link(),
        datasets=DATASETS,
        licence=LICENCE,
    )


@bp.get("/cek")
def look_up():
    """A report's stage and dates by its number: what STATUS tells a stranger."""
    words = Words(_language())
    typed = request.args.get("nomor", "").strip()[:40]
    parsed = numbers.parse_number(typed, short_form=True) if typed else None
    report = None
    if parsed is not None and parsed.valid:
        found = reports.find_report(parsed.digits, session=database.reader())
        report = reports.public_view(found) if found is not None else None
    status = 200 if report is not None or not typed else 404 if parsed and parsed.valid else 400
    return render_template(
        "lookup.html",
        t=words.labels,
        w=words,
        typed=typed,
        parsed=parsed,
        report=report,
        links={"other_language": "?" + urlencode({"nomor": typed, "lang": words.other})},
    ), status


class Words:
    """The page's words and numbers in one language: dashboard.<lang>.toml for the page,
    the WhatsApp texts' labels for stages, categories and dates ("6 Des 2026")."""

    def __init__(self, language: str):
        self.language = language
        self.other = next(other for other in LANGUAGES if other != language)
        self.labels = _page_words(language)
        self.texts = Texts(language)

    def number(self, value: float | None, decimals: int = 0) -> str:
        """953.623 and 93,10 in Indonesian; 953,623 and 93.10 in English; a dash for none."""
        if value is None:
            return "–"
        text = f"{value:,.{decimals}f}"
        if self.language == "id":
            text = text.replace(",", " ").replace(".", ",").replace(" ", ".")
        return text

    def percent(self, value: float | None) -> str:
        return "–" if value is None else f"{self.number(value, 2)}%"

    def short_number(self, value: float) -> str:
        """An axis' or a bar's count: 112 rb / 112k, 1,2 jt / 1.2M."""
        for size, unit in ((1_000_000, "million_short"), (1_000, "thousand_short")):
            if value >= size:
                decimals = 1 if value < 10 * size and value % size else 0
                return self.labels[unit].format(value=self.number(value / size, decimals))
        return self.number(value)

    def category(self, code: str) -> str:
        try:
            return self.texts.category(code)
        except KeyError:
            return code


@cache
def _page_words(language: str) -> dict:
    with (TEMPLATES_DIR / "web" / f"dashboard.{language}.toml").open("rb") as file:
        return tomllib.load(file)


def _language() -> str:
    wanted = request.args.get("lang", "id")
    return wanted if wanted in LANGUAGES else "id"


def _links(window: dict[str, str], language: str, measure: str) -> dict[str, str]:
    here = {"lang": language} if language != "id" else {}
    by = request.args.get("by", "year")
    return {
        "year": "?" + urlencode({"by": "year", **_whole_years(window), **here}),
        "month": "?" + urlencode({"by": "month", **window, **here}),
        "other_language": "?"
        + urlencode({"by": by, **window, **({"lang": "en"} if language == "id" else {})}),
        **{
            f"map_{name}": "?" + urlencode({"by": by, **window, **here, "peta": name}) + "#peta"
            for name in kelurahan_map.MEASURES
        },
    }


def _whole_years(window: dict[str, str]) -> dict[str, str]:
    """A month window as the years it touches (`2023-03`…`2023-08` → `2023`): per year,
    a window takes whole years."""
    return {key: value[:4] for key, value in window.items()}


def _breakdown(counts: dict, dimension: str, years: list[str]) -> list[breakdowns.Count]:
    """A breakdown over the years the page shows."""
    wanted = set(years)
    kept = {dimension: [row for row in counts[dimension] if row["year"] in wanted]}
    return breakdowns.of_year(kept, dimension, None)


def _years_text(years: list[str], words: Words) -> str:
    if not years:
        return ""
    span = years[0] if len(years) == 1 else f"{years[0]}–{years[-1]}"
    return words.labels["breakdown_years"].format(years=span)


def _map(counts: dict, years: list[str], measure: str) -> dict:
    """The kelurahan map shaded by `measure`, with its legend's classes."""
    by_id = {int(count.key): count for count in _breakdown(counts, "kelurahan", years)}
    classes = kelurahan_map.shades(
        [getattr(count, measure) for count in by_id.values() if count.reports]
    )
    drawn = kelurahan_map.jakarta()
    return {
        "drawn": drawn,
        "areas": [
            {
                "area": area,
                "count": by_id.get(area.kelurahan.id),
                "shade": kelurahan_map.shade_of(getattr(by_id[area.kelurahan.id], measure), classes)
                if area.kelurahan.id in by_id and by_id[area.kelurahan.id].reports
                else None,
            }
            for area in drawn.areas
        ],
        "classes": classes,
    }


def _whatsapp_link() -> str | None:
    """wa.me/<the service's number>?text=LAPOR, or None where no number is configured
    (development on the console transport)."""
    sender = current_app.config["SETTINGS"].twilio_whatsapp_from
    digits = "".join(ch for ch in (sender or "") if ch.isdigit())
    return f"https://wa.me/{digits}?text={quote(WHATSAPP_TEXT)}" if digits else None
