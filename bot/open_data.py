"""Open data: the dashboard's aggregates as CSV and JSON, `GET /data/<dataset>.<csv|json>`.
Counts only, cut from the worker's snapshots (no request reads the history): nothing
personal, no place finer than the kelurahan.

Datasets: `years` and `months` (Table 1's form, with the rejected, the still open, days
to resolution and validations on time), and one per breakdown of store/breakdowns.py
(`category`, `kota`, `kecamatan`, `kelurahan`, `channel`), each row one year. The
licence is in the JSON, in a `Link: rel="license"` header of both, and on the dashboard
beside the links; the CSV holds only its table, so that any spreadsheet opens it."""

import csv
import io

from flask import Blueprint, Response, abort, jsonify

from bot import database
from bot.errors import api_error
from store import breakdowns, places, stats

bp = Blueprint("open_data", __name__)

LICENCE = {
    "name": "Creative Commons Attribution 4.0 International (CC BY 4.0)",
    "url": "https://creativecommons.org/licenses/by/4.0/",
    "attribution": "Cepat Respon Masyarakat (CRM) DKI Jakarta",
}
PERIODS = {"years": "year", "months": "month"}
DATASETS = (*PERIODS, *breakdowns.DIMENSIONS)
FIGURES = ["reports", "resolved", "rejected", "still_open", "resolution_rate"]
PLACE_COLUMNS = {"kelurahan": ["kelurahan_id", "kelurahan", "kecamatan", "kota"]}


@bp.get("/data/<dataset>.<extension>")
def download(dataset: str, extension: str):
    if dataset not in DATASETS or extension not in ("csv", "json"):
        abort(404)
    try:
        columns, rows, computed_at = _table(dataset)
    except stats.NotReady:
        problem = api_error(503, "not_ready", "the figures are being computed; ask again soon")
        problem.headers["Retry-After"] = str(stats.NotReady.retry_after_seconds)
        return problem
    if extension == "json":
        response = jsonify(
            dataset=dataset,
            computed_at=computed_at.isoformat(),
            licence=LICENCE,
            columns=columns,
            rows=rows,
        )
    else:
        response = Response(_csv(columns, rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="crm-{dataset}.{extension}"'
    response.headers["Link"] = f'<{LICENCE["url"]}>; rel="license"'
    return response


def _table(dataset: str) -> tuple[list[str], list[dict], object]:
    """The dataset's columns, its rows and when the worker computed them."""
    if dataset in PERIODS:
        figures, computed_at = stats.window_of_snapshot(
            by=PERIODS[dataset], session=database.reader()
        )
        return list(stats.PERIOD_COLUMNS), figures["periods"], computed_at
    stored, computed_at = stats.breakdowns_of_snapshot(session=database.reader())
    name = _kelurahan_columns if dataset == "kelurahan" else lambda count: {dataset: count.name}
    rows = [
        {"year": count.year, **name(count), **count.figures()}
        for count in breakdowns.stored_counts(stored, dataset)
    ]
    return ["year", *PLACE_COLUMNS.get(dataset, [dataset]), *FIGURES], rows, computed_at


def _kelurahan_columns(count: breakdowns.Count) -> dict:
    """A kelurahan's id and name, and its kecamatan and kota: its name is not unique."""
    kelurahan = places.kelurahan_by_id(int(count.key))
    return {
        "kelurahan_id": int(count.key),
        "kelurahan": count.name,
        "kecamatan": kelurahan.kecamatan if kelurahan else None,
        "kota": kelurahan.kota if kelurahan else None,
    }


def _csv(columns: list[str], rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
