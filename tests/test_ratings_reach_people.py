"""Ratings reach people (issue 22, part 7), and the dashboard says when it shows sample
data (part 8). Citizens rate by WhatsApp after their facilitator's VALIDASI; `crm sla`
shows the month's ratings per facilitator and per office with the latest comments; the
first digest of the next month sends them to the supervisors and each facilitator her
own (read from the Twilio-compatible test server, the clock moved); the public dashboard
shows counts and means only, and a banner when its figures come from `crm generate`."""

import json
from datetime import datetime

import pytest
import time_machine

from conftest import DEWI, SUPERVISOR, app_with_twilio, move_through, refresh_figures
from scheduler import jobs
from store import outbox, ratings
from store.clock import JAKARTA

SITI, BUDI = "+6281234567890", "+6281234567891"
STAFF_SIDS = {"ratings_summary:id": "HX" + "7" * 32}
PRAISE = "Mantap pak, lubang sudah ditambal rapi sekali. Bintang 5"


def wib(*args) -> datetime:
    return datetime(*args, tzinfo=JAKARTA)


@pytest.fixture
def app(database_url, fake_twilio):
    yield from app_with_twilio(database_url, fake_twilio, STAFF_SIDS)


def cli(app, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def validated_and_rated(whatsapp, store, phone: str, day: int, rating: str, *route: str) -> str:
    """A citizen's report in Kramat, taken through `route` to tindak_lanjut, validated by
    Dewi by WhatsApp, then rated by the citizen: all on `day` of March 2026."""
    with time_machine.travel(wib(2026, 3, day, 9, 0), tick=False) as clock:
        number = whatsapp.file_report(phone=phone, clock=clock)
        move_through(store, number, "koordinasi", *route, "proses", "tindak_lanjut")
        clock.shift(3600)
        reply = whatsapp.send(f"VALIDASI {number} sesuai foto", phone=DEWI)
        assert number in reply.text
        clock.shift(3600)
        assert "penilaian" in whatsapp.send(rating, phone=phone).text
    return number


@pytest.fixture
def rated(whatsapp, store, team) -> tuple[str, str]:
    """Siti's report (disposed to the Suku Dinas Bina Marga) rated 5 with words; Budi's
    (handled by the kelurahan) rated 2 with the score alone."""
    praised = validated_and_rated(whatsapp, store, SITI, 10, PRAISE, "disposisi")
    scored = validated_and_rated(whatsapp, store, BUDI, 12, "2")
    return praised, scored


def test_crm_sla_shows_ratings_per_facilitator_and_office_with_comments(app, rated):
    praised, scored = rated
    output = cli(app, "crm", "sla", "--month", "2026-03")
    section = output.split("Penilaian warga 2026-03")[1].split("Gangguan")[0]
    lines = [line.split() for line in section.splitlines()]
    assert ["Dewi", "2", "3.50"] in lines
    assert ["Kel.", "Kramat", "2", "3.50"] in lines
    assert ["Suku", "Dinas", "Bina", "Marga", "Jakarta", "Pusat", "1", "5.00"] in lines
    assert ["ALL", "2", "3.50"] in lines
    comment = f"  {praised}  5/5  {PRAISE}"
    assert section.count(comment) == 3  # Dewi's, the kelurahan's and the Suku Dinas'
    assert scored not in section  # a score alone is no comment
    assert SITI not in output and SITI.removeprefix("+62") not in output
    assert "Siti" not in output


def test_crm_sla_says_when_a_month_has_no_ratings(app, rated):
    output = cli(app, "crm", "sla", "--month", "2026-02")
    assert "Penilaian warga 2026-02\n(no ratings in this month)" in output


def test_a_comment_is_one_short_line_without_the_reporters_name_or_phone():
    typed = "Terima kasih\n pak, saya Siti Aminah 0812-3456-7890. " + "Bagus sekali " * 20
    comment = ratings.comment_of(typed, ["Siti Aminah", None])
    assert "\n" not in comment and "Siti" not in comment and "7890" not in comment
    assert len(comment) <= ratings.COMMENT_LONGEST and comment.endswith("…")
    assert ratings.comment_of("nilai 4", ["Siti"]) is None
    kept = ratings.comment_of("Aminah bu, eh maaf: mantap pak, semua bagus", ["Siti Aminah", "Ani"])
    assert kept == "… bu, eh maaf: mantap pak, semua bagus"  # "Ani" is no part of "mantap"


def test_the_first_digest_of_april_sends_marchs_ratings_once(
    app, worker, store, whatsapp, deliver, rated
):
    praised, _ = rated
    deliver(wib(2026, 3, 31, 12, 0))  # what March already said is out of the way
    with time_machine.travel(wib(2026, 4, 1, 7, 50), tick=False):
        whatsapp.send("halo", phone=SUPERVISOR)  # his 24-hour window is open: free text

    with time_machine.travel(wib(2026, 4, 1, 8, 0), tick=False):
        jobs.send_digests(worker)
    got = deliver(wib(2026, 4, 1, 8, 0))

    (to_supervisor,) = [m for m in got[SUPERVISOR] if "Penilaian warga" in m.body]
    body = to_supervisor.body
    assert "Penilaian warga bulan 2026-03: 2 penilaian, rata-rata 3,50 dari 5." in body
    assert "• Dewi: 3,50 (2)" in body
    assert "• Kramat" not in body and "• Kel. Kramat: 3,50 (2)" in body
    assert "• Suku Dinas Bina Marga Jakarta Pusat: 5,00 (1)" in body
    assert f'• {praised} (5/5): "{PRAISE}"' in body
    assert "Siti" not in body and SITI.removeprefix("+") not in body
    (to_dewi,) = got[DEWI]  # her window closed in March: the approved template
    assert to_dewi.form["ContentSid"] == STAFF_SIDS["ratings_summary:id"]
    assert json.loads(to_dewi.form["ContentVariables"]) == {"1": "2026-03", "2": "2", "3": "3.50"}
    (hers,) = [
        n
        for n in store(outbox.notifications)
        if n.kind == "ratings_summary" and n.payload["name"] == "Dewi"
    ]
    assert hers.payload["everyone_mean"] == 3.5 and hers.payload["comments"][0]["number"] == praised

    for later in (wib(2026, 4, 1, 14, 0), wib(2026, 4, 2, 8, 0)):
        with time_machine.travel(later, tick=False):
            jobs.send_digests(worker)
    summaries = [n for n in store(outbox.notifications) if n.kind == "ratings_summary"]
    assert len(summaries) == 2  # once each: the supervisor, and Dewi


def test_the_dashboard_shows_ratings_aggregated_and_no_banner_for_citizens_reports(
    app, client, rated
):
    refresh_figures(app)
    html = client.get("/dashboard").get_data(as_text=True)
    assert "<td>3,50 (2)</td>" in html  # 2026: the mean and how many
    assert "<b>3,50</b><span>Penilaian warga (1–5), dari 2 penilaian</span>" in html
    # no comment, no facilitator; the kelurahan is named only in the counts per kelurahan
    assert "ditambal rapi" not in html and "Dewi" not in html
    assert "data contoh" not in html
    figures = client.get("/api/v1/stats").get_json()
    assert (figures["ratings"], figures["rating_mean"], figures["generated_reports"]) == (2, 3.5, 0)


def test_the_dashboard_says_when_its_figures_come_from_generated_data(app, client):
    cli(app, "crm", "generate", "--reports", "300")
    refresh_figures(app)
    html = client.get("/dashboard").get_data(as_text=True)
    assert "Angka ini berasal dari data contoh yang dibangkitkan, bukan laporan warga" in html
    english = client.get("/dashboard?lang=en").get_data(as_text=True)
    assert "These figures come from generated sample data, not citizens&#39; reports" in english
    assert "(300 laporan contoh" in html
    assert client.get("/api/v1/stats").get_json()["generated_reports"] == 300
