"""Open data (bot/open_data.py): the aggregates as CSV and JSON, with a licence, cut from
the worker's snapshots. On a generated history the per-year CSV is `crm stats`' Table 1,
with the rejected and the still open beside it; nothing personal is in any dataset."""

import csv
import io

import pytest
from test_history_and_stats import crm, stats_table

from bot.open_data import DATASETS, LICENCE
from conftest import refresh_figures
from store import breakdowns, places

REPORTS = 600


@pytest.fixture
def generated(app):
    result = crm(app, "generate", "--reports", str(REPORTS))
    assert result.exit_code == 0, result.output
    refresh_figures(app)


def table(client, dataset: str) -> list[dict]:
    response = client.get(f"/data/{dataset}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == f'attachment; filename="crm-{dataset}.csv"'
    assert response.headers["Link"] == f'<{LICENCE["url"]}>; rel="license"'
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_the_yearly_csv_is_table_1_as_crm_stats_prints_it(app, client, generated):
    years = table(client, "years")
    printed = stats_table(app)
    assert [row["period"] for row in years] == [row["period"] for row in printed.periods]
    for row, line in zip(years, printed.periods, strict=True):
        assert int(row["reports"]) == int(line["reports"].replace(",", ""))
        assert int(row["resolved"]) == int(line["resolved"].replace(",", ""))
        assert f"{float(row['resolution_rate']):.2f}" == line["rate"]
        assert int(row["still_open"]) == (
            int(row["reports"]) - int(row["resolved"]) - int(row["rejected"])
        )
    assert sum(int(row["reports"]) for row in years) == REPORTS


@pytest.mark.parametrize("dataset", breakdowns.DIMENSIONS)
def test_every_breakdown_adds_up_to_every_years_reports(client, generated, dataset):
    years = {row["period"]: int(row["reports"]) for row in table(client, "years")}
    totals: dict[str, int] = {}
    for row in table(client, dataset):
        totals[row["year"]] = totals.get(row["year"], 0) + int(row["reports"])
    assert totals == years


def test_a_kelurahan_row_names_its_kecamatan_and_kota_and_nothing_finer(client, generated):
    known = {kel.id: kel for kel in places.all_kelurahan()}
    rows = table(client, "kelurahan")
    assert list(rows[0]) == [
        "year",
        "kelurahan_id",
        "kelurahan",
        "kecamatan",
        "kota",
        "reports",
        "resolved",
        "rejected",
        "still_open",
        "resolution_rate",
    ]
    for row in rows:
        kelurahan = known[int(row["kelurahan_id"])]
        assert (row["kelurahan"], row["kecamatan"], row["kota"]) == (
            kelurahan.name,
            kelurahan.kecamatan,
            kelurahan.kota,
        )


def test_the_json_carries_the_licence_and_the_same_rows(client, generated):
    body = client.get("/data/category.json").get_json()
    assert body["licence"] == LICENCE and body["dataset"] == "category"
    assert set(body["columns"]) == set(body["rows"][0]) and body["columns"][:2] == [
        "year",
        "category",
    ]
    as_csv = table(client, "category")
    assert [str(row["reports"]) for row in body["rows"]] == [row["reports"] for row in as_csv]


@pytest.mark.parametrize("path", ["/data/reporters.csv", "/data/years.xlsx", "/data/years"])
def test_what_is_not_a_dataset_is_not_found(client, generated, path):
    assert client.get(path).status_code == 404


def test_before_the_worker_computed_them_it_says_to_ask_again(client):
    response = client.get("/data/years.csv")
    assert response.status_code == 503 and 0 < int(response.headers["Retry-After"]) <= 60
    assert response.get_json()["error"]["code"] == "not_ready"


@pytest.mark.parametrize("dataset", DATASETS)
def test_a_datasets_columns_are_the_same_with_or_without_reports(app, client, dataset):
    refresh_figures(app)
    empty = client.get(f"/data/{dataset}.json").get_json()
    assert empty["rows"] == []
    assert crm(app, "generate", "--reports", "50").exit_code == 0
    refresh_figures(app)
    full = client.get(f"/data/{dataset}.json").get_json()
    assert full["columns"] == empty["columns"] and set(full["rows"][0]) == set(full["columns"])
    assert (
        next(csv.reader(io.StringIO(client.get(f"/data/{dataset}.csv").get_data(as_text=True))))
        == full["columns"]
    )
