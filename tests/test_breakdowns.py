"""Reports broken down by category, kota, kecamatan, kelurahan and channel, per year
(store/breakdowns.py), as the worker stores them for the dashboard: on a generated
history, every breakdown adds up to the year's Table 1 figures."""

import pytest
from test_history_and_stats import crm

from conftest import refresh_figures
from store import breakdowns, places, stats
from store.db import new_session

REPORTS = 600


@pytest.fixture
def stored(app):
    result = crm(app, "generate", "--reports", str(REPORTS))
    assert result.exit_code == 0, result.output
    refresh_figures(app)
    with new_session(app.extensions["crm.engine"]) as db:
        data, _ = stats.breakdowns_of_snapshot(session=db)
        years, _ = stats.window_of_snapshot(by="year", session=db)
    return data, {row["period"]: row for row in years["periods"]}


@pytest.mark.parametrize("dimension", breakdowns.DIMENSIONS)
def test_each_breakdown_adds_up_to_each_years_reports_and_resolutions(stored, dimension):
    data, years = stored
    for year, figures in years.items():
        counts = breakdowns.of_year(data, dimension, year)
        assert sum(count.reports for count in counts) == figures["reports"]
        assert sum(count.resolved for count in counts) == figures["resolved"]
        for count in counts:
            assert count.still_open == count.reports - count.resolved - count.rejected >= 0
    everything = breakdowns.of_year(data, dimension, None)
    assert sum(count.reports for count in everything) == REPORTS


def test_kelurahan_are_keyed_by_the_id_the_map_draws_and_named(stored):
    data, _ = stored
    known = {str(kel.id): kel.name for kel in places.all_kelurahan()}
    counts = breakdowns.of_year(data, "kelurahan", None)
    assert counts and all(known[count.key] == count.name for count in counts)


def test_the_largest_comes_first(stored):
    data, _ = stored
    counts = breakdowns.of_year(data, "category", None)
    assert [count.reports for count in counts] == sorted(
        (count.reports for count in counts), reverse=True
    )


def test_before_the_worker_ran_there_is_nothing_to_show(app):
    with new_session(app.extensions["crm.engine"]) as db, pytest.raises(stats.NotReady):
        stats.breakdowns_of_snapshot(session=db)
