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
        problem.headers["Retry-After"] = str(stats.NotReady.retry_after_seconds)
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


def prepare() -> None:
    """Draw the map once per process as it starts (polygons, shapely: some 0.3 s), rather
    than in the first reader's request."""
    kelurahan_map.jakarta()


@bp.get("/dashboard")
def dashboard():
    figures, problem = _figures()
    if problem is not None:
        return problem
    by, data, computed_at = figures
    try:
        counts, _ = stats.breakdowns_of_snapshot(session=database.reader())
    except stats.NotReady:
        counts = None  # the page says they are being computed, not that there are none
    words = Words(_language())
    window = {key: request.args[key] for key in ("from", "to") if request.args.get(key)}
    periods = charts.with_missing_periods(data["periods"], by)
    years = sorted({period["period"][:4] for period in data["periods"]})
    measure = request.args.get("peta", "reports")
    if measure not in kelurahan_map.MEASURES:
        measure = "reports"
    shown = (
        {dimension: _breakdown(counts, dimension, years) for dimension in breakdowns.DIMENSIONS}
        if counts is not None
        else None
    )
    return render_template(
        "dashboard.html",
        t=words.labels,
        w=words,
        by=by,
        window=window,
        links=_links(by, window, words, measure),
        data=data,
        periods=periods,
        computed_at=words.texts.wib(computed_at),
        chart=charts.chart(periods, by, words.short_number),
        breakdowns=shown,
        years=_years_text(years, words, whole_years_of_a_month_window=by == "month" and window),
        map=_map(shown["kelurahan"] if shown else [], measure),
        measure=measure,
        measures=kelurahan_map.MEASURES,
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
    # What is no report number is not written back: a link could put words on our page.
    shown = typed if parsed is not None else ""
    return render_template(
        "lookup.html",
        t=words.labels,
        w=words,
        typed=typed,
        shown=shown,
        parsed=parsed,
        report=report,
        links={"other_language": "?" + urlencode({"nomor": shown, "lang": words.other})},
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

    def short_number(self, value: float, places: int = 1) -> str:
        """An axis' or a bar's count, to at most `places` decimals: 112,2 rb / 112.2k,
        1,25 jt / 1.25M, 2,5."""
        for size, unit in ((1_000_000, "million_short"), (1_000, "thousand_short")):
            if round(value / size, places) >= 1:
                return self.labels[unit].format(value=self._trimmed(value / size, places))
        return self._trimmed(value, places)

    def _trimmed(self, value: float, places: int) -> str:
        """`value` to `places` decimals, without trailing zeros: 5, 2,5, 1,25."""
        shown = round(value, places)
        decimals = next(d for d in range(places + 1) if round(shown, d) == shown)
        return self.number(shown, decimals)

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


def _links(by: str, window: dict[str, str], words: Words, measure: str) -> dict[str, str]:
    """The page's own links, each keeping what the others chose (window, language, map)."""
    here = {"lang": words.language} if words.language != "id" else {}
    there = {"lang": words.other} if words.other != "id" else {}
    shaded = {"peta": measure} if measure != "reports" else {}
    return {
        "year": "?" + urlencode({"by": "year", **_whole_years(window), **here, **shaded}),
        "month": "?" + urlencode({"by": "month", **window, **here, **shaded}),
        "other_language": "?" + urlencode({"by": by, **window, **there, **shaded}),
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


def _years_text(years: list[str], words: Words, *, whole_years_of_a_month_window: bool) -> str:
    """Which reports the map and the breakdowns count: whole years, also for a window of
    some months (the worker counts them per year), which is then said."""
    if not years:
        return ""
    span = years[0] if len(years) == 1 else f"{years[0]}–{years[-1]}"
    text = words.labels["breakdown_years"].format(years=span)
    return f"{text} {words.labels['whole_years']}" if whole_years_of_a_month_window else text


def _map(kelurahan: list[breakdowns.Count], measure: str) -> dict:
    """The kelurahan map shaded by `measure`, with its legend's classes."""
    by_id = {int(count.key): count for count in kelurahan if count.reports}
    classes = kelurahan_map.shades([getattr(count, measure) for count in by_id.values()])
    drawn = kelurahan_map.jakarta()
    return {
        "drawn": drawn,
        "areas": [
            {
                "area": area,
                "count": by_id.get(area.kelurahan.id),
                "shade": kelurahan_map.shade_of(getattr(by_id[area.kelurahan.id], measure), classes)
                if area.kelurahan.id in by_id
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
