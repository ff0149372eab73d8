"""What a reader can do from the dashboard (issue 23): report by WhatsApp through a wa.me
link, look a report up (its stage and dates only, as a stranger sees by WhatsApp), read
it in English, and see every kelurahan on the map, shaded by the measure asked for.
Through the test client; tests/test_dashboard_browser.py drives a real browser."""

import re

import pytest
import time_machine
from test_history_and_stats import crm, file_report, wib

from bot import charts, create_app
from bot.dashboard import Words
from conftest import BOT_NUMBER, app_config, refresh_figures

REPORTER = {"reporter_name": "Siti Aminah", "reporter_phone": "+6281234567890"}


@pytest.fixture
def app(database_url):
    app = create_app(app_config(database_url, TWILIO_WHATSAPP_FROM=BOT_NUMBER))
    yield app
    app.extensions["crm.engine"].dispose()


@pytest.fixture
def filed(app) -> str:
    """One report with a named reporter, filed on 6 Dec 2026 at 09:15 WIB."""
    number = file_report(app, wib(2026, 12, 6, 9, 15), **REPORTER)
    with time_machine.travel(wib(2026, 12, 6, 9, 20), tick=False):
        refresh_figures(app)
    return number


def test_the_whatsapp_link_opens_a_chat_with_lapor_filled_in(client, filed):
    html = client.get("/dashboard").get_data(as_text=True)
    assert 'href="https://wa.me/14155238886?text=LAPOR"' in html


def test_without_a_whatsapp_number_the_page_says_so_instead_of_a_dead_link(database_url):
    app = create_app(app_config(database_url))
    try:
        refresh_figures(app)
        html = app.test_client().get("/dashboard").get_data(as_text=True)
    finally:
        app.extensions["crm.engine"].dispose()
    assert "wa.me" not in html and "Nomor WhatsApp CRM belum diatur" in html


def test_the_look_up_shows_stage_and_dates_and_nothing_of_the_reporter(client, filed):
    response = client.get("/cek", query_string={"nomor": filed})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"<h2>{filed}</h2>" in html
    assert "Tahap saat ini: <b>Menunggu</b> sejak 6 Des 2026 pukul 09.15 WIB" in html
    assert "Dibuat: 6 Des 2026" in html
    for private in ("Siti", "Aminah", "+62812", "081234", "berlubang", "Gambir"):
        assert private not in html


@pytest.mark.parametrize(
    ("typed", "status", "says"),
    [
        ("CRM-26-000001-0", 400, "Nomor tidak valid"),  # a wrong check digit
        ("CRM-26-000999-", 400, "Itu bukan nomor laporan"),
        ("'; DROP TABLE report; --", 400, "Itu bukan nomor laporan"),
        ("", 200, "Silakan ketik nomor laporan"),
    ],
)
def test_a_mistyped_number_gets_a_friendly_answer(client, filed, typed, status, says):
    response = client.get("/cek", query_string={"nomor": typed})
    assert response.status_code == status
    assert says in response.get_data(as_text=True)


def test_words_that_are_no_number_are_not_written_back_on_the_page(client, filed):
    typed = "Transfer Rp50rb ke 0812 dulu"
    html = client.get("/cek", query_string={"nomor": typed}).get_data(as_text=True)
    assert "Itu bukan nomor laporan" in html and "Transfer" not in html


def test_a_number_nobody_has_is_not_found(client, filed):
    unknown = "CRM-26-000002-" + next(
        digit
        for digit in "0123456789"
        if client.get("/cek", query_string={"nomor": f"CRM-26-000002-{digit}"}).status_code == 404
    )
    html = client.get("/cek", query_string={"nomor": unknown}).get_data(as_text=True)
    assert f"Laporan {unknown} tidak ditemukan" in html


def test_in_english_the_page_and_the_look_up_speak_english(client, filed):
    html = client.get("/dashboard?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html and "Updated 6 Dec 2026, 09:20 WIB" in html
    assert "Report it on WhatsApp" in html and 'name="lang" value="en"' in html
    looked_up = client.get("/cek", query_string={"nomor": filed, "lang": "en"})
    assert "Current stage: <b>Waiting</b> since 6 Dec 2026, 09:15 WIB" in looked_up.get_data(
        as_text=True
    )


def test_dates_read_as_in_the_chat(client, filed):
    html = client.get("/dashboard").get_data(as_text=True)
    assert "Diperbarui 6 Des 2026 pukul 09.20 WIB" in html
    assert not re.search(r"\d\d-\d\d-\d{4}", html)


def test_the_map_draws_all_267_kelurahan_and_shades_those_with_reports(app, client):
    assert crm(app, "generate", "--reports", "800").exit_code == 0
    refresh_figures(app)
    html = client.get("/dashboard").get_data(as_text=True)
    start = html.index('<svg class="map"')
    svg = html[start : html.index("</svg>", start)]
    paths = re.findall(r'<path d="[^"]+" class="(s\d|none)"><title>([^<]+)</title>', svg)
    assert len(paths) == 267
    shaded = [title for shade, title in paths if shade != "none"]
    assert shaded and all(" laporan, " in title for title in shaded)
    used = {shade for shade, _ in paths} - {"none"}
    legend = html[start:].split('<div class="legend">')[1].split("</div>")[0]
    assert used == set(re.findall(r'class="swatch (s\d)"', legend)) and len(used) >= 3


def test_the_map_shaded_by_rate_says_percentages_in_its_legend(app, client):
    assert crm(app, "generate", "--reports", "3000").exit_code == 0
    refresh_figures(app)
    html = client.get("/dashboard?peta=resolution_rate").get_data(as_text=True)
    legend = html[html.index('<svg class="map"') :].split('<div class="legend">')[1]
    assert legend.count("%</span>") >= 2
    assert 'aria-current="true">Persentase penyelesaian' in html


def test_the_page_weighs_under_200_kb_on_a_history(app, client):
    assert crm(app, "generate", "--reports", "3000").exit_code == 0
    refresh_figures(app)
    for query in ("", "?by=month", "?lang=en&peta=still_open"):
        assert len(client.get(f"/dashboard{query}").data) < 200_000, query


@pytest.mark.parametrize(
    ("language", "value", "written"),
    [
        ("id", 12_500, "12,5 rb"),  # the middle of a 25,000 axis, not "12 rb"
        ("id", 2.5, "2,5"),
        ("id", 0.5, "0,5"),
        ("id", 999_999, "1 jt"),  # not "1.000 rb"
        ("id", 112_164, "112,2 rb"),
        ("id", 5_000, "5 rb"),
        ("en", 12_500, "12.5k"),
        ("en", 1_250_000, "1.2M"),
    ],
)
def test_bar_counts_are_written_short_to_a_decimal(language, value, written):
    assert Words(language).short_number(value) == written


@pytest.mark.parametrize(
    ("top", "middle"), [(25_000, "12,5 rb"), (2_500_000, "1,25 jt"), (5, "2,5"), (1, "0,5")]
)
def test_the_axis_middle_tick_is_exact(top, middle):
    drawn = charts.chart(
        [{"period": "2023", "reports": top, "resolution_rate": 90.0, "validation_rate": None}],
        "year",
        Words("id").short_number,
    )
    assert [tick["count"] for tick in drawn.ticks][1] == middle


def test_a_month_view_names_every_year_even_one_without_a_january():
    periods = [{"period": p} for p in ("2019-03", "2019-04", "2021-05", "2022-02")]
    labels = [label["text"] for label in charts._year_labels(periods, step=200)]
    assert labels == ["2019", "2021", "2022"]
