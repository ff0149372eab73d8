"""Facilitators validate by WhatsApp; the scheduler keeps the 3×24-hour clock, alerts
once per breach, and sends digests and monthly lists once — moving the clock, never
sleeping."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from conftest import PROOF, proof_for
from handlers.notifications import render
from scheduler import jobs
from store import breaches, outbox, places, reports, validations
from store.clock import JAKARTA
from store.numbers import parse_number
from store.stages import Role, Stage

CITIZEN = "+6281234567890"
DEWI, EKO, FAJAR = "+6281100000001", "+6281100000002", "+6281100000003"
SUPERVISOR = "+6281199999999"


def wib(*args) -> datetime:
    return datetime(*args, tzinfo=JAKARTA)


def cli(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def team(app):
    cli(app, "crm", "facilitator", "add", "--name", "Dewi", "--phone", "0811-0000-0001")
    cli(app, "crm", "supervisor", "add", "--name", "Pak Sup", "--phone", "0811 9999 9999")


def _new_report(store, *, description="Jalan berlubang besar di depan sekolah", lat=None):
    from store import contacts
    from store.phones import sender_from

    contact = store(contacts.touch_contact, sender_from(CITIZEN), "Siti", now=datetime.now(UTC))
    new = reports.NewReport(
        category="jalan_rusak",
        description=description,
        kelurahan=places.match_kelurahan("Kramat").chosen,
        location_text="Jl. Kramat Raya 10",
        latitude=lat,
        longitude=106.84 if lat else None,
        photos=(reports.Photo("https://media.example/1.jpg", "image/jpeg"),),
        reporter_contact_id=contact.id,
        reporter_phone=CITIZEN,
        reporter_name="Siti",
    )
    return store(reports.create_report, new, now=datetime.now(UTC))


def _to_follow_up(store, number, note="Lubang sudah ditambal, foto terlampir"):
    for stage in ("koordinasi", "proses"):
        store(
            reports.move_report,
            number,
            Stage(stage),
            role=Role.ADMIN,
            actor_id="t",
            note=None,
            now=datetime.now(UTC),
            result_photos=proof_for(stage),
        )
    store(
        reports.move_report,
        number,
        Stage.TINDAK_LANJUT,
        role=Role.SKPD,
        actor_id="sudin",
        note=note,
        now=datetime.now(UTC),
        result_photos=PROOF,
    )


def _report_in_follow_up(store, at: datetime, **kwargs):
    with time_machine.travel(at, tick=False):
        report = _new_report(store, **kwargs)
        _to_follow_up(store, report.number)
    return report


def _run(worker, job, at: datetime):
    with time_machine.travel(at, tick=False):
        return job(worker)


def _sent(store, kind: str) -> list[outbox.NotificationInfo]:
    return [note for note in store(outbox.notifications) if note.kind == kind]


def _number(reply_text: str) -> str:
    return re.search(r"CRM-\d{2}-\d{6,7}-\d", reply_text).group(0)


# --- the clock -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "entered, daily_target",
    [
        (wib(2026, 3, 10, 15, 30, 0), wib(2026, 3, 10, 23, 59, 59)),
        (wib(2026, 3, 10, 15, 30, 1), wib(2026, 3, 11, 23, 59, 59)),
    ],
)
def test_entering_follow_up_stores_the_deadline_and_daily_target(
    app, store, team, entered, daily_target
):
    report = _report_in_follow_up(store, entered)
    clock = store(validations.open_validation_of, report.id)
    assert clock.facilitator_name == "Dewi"
    assert clock.due_at == entered + timedelta(hours=72)
    assert clock.daily_target_at == daily_target


def test_least_busy_facilitator_gets_the_next_report_ties_round_robin(app, store, team):
    cli(app, "crm", "facilitator", "add", "--name", "Eko", "--phone", EKO)
    cli(app, "crm", "facilitator", "add", "--name", "Fajar", "--phone", FAJAR)
    assigned = []
    for hour in range(6):
        report = _report_in_follow_up(store, wib(2026, 3, 10, 8 + hour))
        assigned.append(store(validations.open_validation_of, report.id).facilitator_name)
    assert assigned == ["Dewi", "Eko", "Fajar", "Dewi", "Eko", "Fajar"]
    cli(app, "crm", "facilitator", "deactivate", EKO)
    report = _report_in_follow_up(store, wib(2026, 3, 10, 15))
    assert store(validations.open_validation_of, report.id).facilitator_name == "Dewi"


def test_a_report_that_came_before_any_facilitator_goes_to_the_first_one_registered(
    app, worker, store, whatsapp
):
    report = _report_in_follow_up(store, wib(2026, 3, 10, 9, 0))
    assert store(validations.open_validation_of, report.id).facilitator_name is None
    cli(app, "crm", "facilitator", "add", "--name", "Dewi", "--phone", DEWI)

    _run(worker, jobs.scan_deadlines, wib(2026, 3, 10, 9, 1))

    assert store(validations.open_validation_of, report.id).facilitator_name == "Dewi"
    with time_machine.travel(wib(2026, 3, 10, 9, 2), tick=False):
        assert report.number in whatsapp.send("ANTRIAN", phone=DEWI).text


def test_a_deactivated_facilitators_open_reports_go_to_the_others(app, worker, store, team):
    cli(app, "crm", "facilitator", "add", "--name", "Eko", "--phone", EKO)
    cli(app, "crm", "facilitator", "add", "--name", "Fajar", "--phone", FAJAR)
    reports_ = [_report_in_follow_up(store, wib(2026, 3, 10, 8 + hour)) for hour in range(6)]
    cli(app, "crm", "facilitator", "deactivate", DEWI)

    _run(worker, jobs.scan_deadlines, wib(2026, 3, 10, 15, 0))

    assigned = [store(validations.open_validation_of, r.id).facilitator_name for r in reports_]
    assert "Dewi" not in assigned and sorted(assigned) == ["Eko"] * 3 + ["Fajar"] * 3


def test_reports_without_an_active_facilitator_are_named_to_the_supervisors(
    app, worker, store, team
):
    report = _report_in_follow_up(store, wib(2026, 3, 10, 9, 0))
    cli(app, "crm", "facilitator", "deactivate", DEWI)

    _run(worker, jobs.scan_deadlines, wib(2026, 3, 10, 9, 1))
    summary = store(breaches.supervisor_summary, now=datetime.now(UTC))

    assert summary.unassigned == [report.number]
    assert store(validations.open_validation_of, report.id).facilitator_name == "Dewi"  # kept


def test_daily_target_missed_alerts_facilitator_and_supervisor_once(worker, store, team):
    _report_in_follow_up(store, wib(2026, 3, 10, 10, 0))
    assert _run(worker, jobs.scan_deadlines, wib(2026, 3, 10, 23, 59, 59)) == 0
    assert _run(worker, jobs.scan_deadlines, wib(2026, 3, 11, 0, 0, 0)) == 1
    assert _run(worker, jobs.scan_deadlines, wib(2026, 3, 11, 0, 1, 0)) == 0
    alerts = _sent(store, "sla_alert")
    assert len(alerts) == 2
    assert {note.payload["breach"] for note in alerts} == {"daily_target_missed"}


def test_forty_reports_missing_their_target_at_one_midnight_are_one_alert_per_person(
    app, worker, store, team
):
    cli(app, "crm", "facilitator", "add", "--name", "Eko", "--phone", "0811-0000-0002")
    numbers = [_report_in_follow_up(store, wib(2026, 3, 10, 16, 0)).number for _ in range(40)]

    assert _run(worker, jobs.scan_deadlines, wib(2026, 3, 12, 0, 0, 30)) == 40

    alerts = _sent(store, "sla_alert")
    assert len(alerts) == 3  # Dewi, Eko, the supervisor
    listed = sorted(len(alert.payload["alerts"]) for alert in alerts)
    assert listed == [20, 20, 40]
    [to_supervisor] = [alert for alert in alerts if len(alert.payload["alerts"]) == 40]
    body = render("sla_alert", to_supervisor.payload, "id").body
    assert body.startswith("⚠️ 40 laporan") and "dan 30 laporan lainnya" in body
    assert numbers[0] in body and len(body) <= 1600


def test_72_hours_exactly_is_on_time_one_second_past_is_overdue(worker, store, team):
    entered = wib(2026, 3, 10, 9, 0, 0)
    _report_in_follow_up(store, entered)
    _run(worker, jobs.scan_deadlines, entered + timedelta(hours=72))
    assert store(breaches.count_breaches).get("validation_overdue") is None
    _run(worker, jobs.scan_deadlines, entered + timedelta(hours=72, seconds=1))
    assert store(breaches.count_breaches)["validation_overdue"] == 1
    overdue = [n for n in _sent(store, "sla_alert") if n.payload["breach"] == "validation_overdue"]
    assert len(overdue) == 2


def test_a_returned_report_drops_its_clock_and_reentry_starts_a_new_one(
    worker, store, team, whatsapp
):
    entered = wib(2026, 3, 10, 9, 0)
    report = _report_in_follow_up(store, entered)
    with time_machine.travel(entered + timedelta(hours=1), tick=False):
        reply = whatsapp.send(f"KEMBALIKAN {report.number} Foto belum ada", phone=DEWI)
    assert "dikembalikan" in reply.text
    assert store(validations.open_validation_of, report.id) is None
    _run(worker, jobs.scan_deadlines, entered + timedelta(hours=80))
    assert store(breaches.count_breaches) == {}
    again = entered + timedelta(hours=90)
    with time_machine.travel(again, tick=False):
        store(
            reports.move_report,
            report.number,
            Stage.TINDAK_LANJUT,
            role=Role.SKPD,
            actor_id="sudin",
            note="Sudah difoto",
            now=datetime.now(UTC),
            result_photos=PROOF,
        )
    assert store(validations.open_validation_of, report.id).due_at == again + timedelta(hours=72)
    _run(worker, jobs.scan_deadlines, again + timedelta(hours=72, seconds=1))
    assert store(breaches.count_breaches)["validation_overdue"] == 1


# --- the facilitator's WhatsApp --------------------------------------------------------


def test_facilitator_menu_queue_oldest_first_with_overdue_marked(app, store, team, whatsapp):
    old = _report_in_follow_up(store, wib(2026, 3, 10, 9, 0))
    new = _report_in_follow_up(store, wib(2026, 3, 12, 9, 0))
    with time_machine.travel(wib(2026, 3, 13, 10, 0), tick=False):
        assert "Menu TA Fasilitator" in whatsapp.send("halo", phone=DEWI).text
        queue = whatsapp.send("ANTRIAN", phone=DEWI).text
    assert queue.index(old.number) < queue.index(new.number)
    assert "Antrian validasi Anda (2 laporan" in queue
    assert queue.count("TERLAMBAT") == 1


@pytest.mark.parametrize("typed", ["Antrian?", "ANTRIAN.", "antrean", "queue"])
def test_the_queue_answers_its_command_however_it_is_typed(app, store, team, whatsapp, typed):
    report = _report_in_follow_up(store, wib(2026, 3, 10, 9, 0))
    assert report.number in whatsapp.send(typed, phone=DEWI).text


@pytest.mark.parametrize(
    "typed",
    [
        "VALIDASI {number}? Sudah dicek",
        "Validasi: {number} sudah dicek",
        "validate {number}",
        "VALIDASI {number} 2 foto sudah sesuai",
    ],
)
def test_validasi_is_understood_with_punctuation_english_or_a_note_starting_with_a_digit(
    app, store, team, whatsapp, typed
):
    report = _report_in_follow_up(store, wib(2026, 3, 10, 9, 0))
    reply = whatsapp.send(typed.format(number=report.number), phone=DEWI).text
    assert "telah divalidasi dan ditutup" in reply, reply
    digits = parse_number(report.number).digits
    assert store(reports.find_report, digits).stage == "selesai"


def test_a_facilitator_filing_a_report_may_still_validate_and_then_go_on(
    app, store, team, whatsapp
):
    report = _report_in_follow_up(store, wib(2026, 3, 10, 9, 0))
    for text in ["LAPOR", "1"]:
        whatsapp.send(text, phone=DEWI)

    validated = whatsapp.send(f"VALIDASI {report.number}", phone=DEWI).text
    described = whatsapp.send("Lihat, jalan di depan kantor berlubang besar", phone=DEWI).text

    assert "telah divalidasi" in validated and "jelaskan masalahnya" in validated
    assert "Di mana lokasinya" in described  # a description, not LIHAT


def test_a_facilitator_clearing_the_queue_is_not_held_to_the_citizens_per_minute_limit(
    app, store, team, whatsapp
):
    numbers = [_report_in_follow_up(store, wib(2026, 3, 10, 9, 0)).number for _ in range(25)]
    with time_machine.travel(wib(2026, 3, 10, 10, 0), tick=False):
        replies = [whatsapp.send(f"VALIDASI {number}", phone=DEWI).text for number in numbers]
        citizen = [whatsapp.send("halo", phone=CITIZEN).text for _ in range(21)]
    assert all("telah divalidasi" in reply for reply in replies)
    assert "terlalu banyak pesan" in citizen[-1]


def test_lihat_shows_everything_needed_to_decide_but_not_the_reporter(app, store, team, whatsapp):
    report = _report_in_follow_up(store, wib(2026, 3, 10, 9, 0), lat=-6.18)
    text = whatsapp.send(f"lihat {report.number.lower()}", phone=DEWI).text
    assert "Jalan berlubang besar di depan sekolah" in text
    assert "https://maps.google.com/?q=-6.180000,106.840000" in text
    assert "https://media.example/1.jpg" in text
    assert "Catatan tindak lanjut petugas: Lubang sudah ditambal" in text
    assert "Batas validasi:" in text and "Fasilitator: Dewi" in text
    without_links = re.sub(r"https?://\S+", "", text)  # a link's expiry may hold any digits
    assert "Siti" not in without_links and "7890" not in without_links


def test_validasi_validates_and_closes_and_the_citizen_hears_both(app, store, team, whatsapp):
    report = _report_in_follow_up(store, wib(2026, 3, 10, 9, 0))
    reply = whatsapp.send(f"VALIDASI {report.number} Sudah dicek di lokasi", phone=DEWI)
    assert "telah divalidasi dan ditutup" in reply.text and "Pelapor kami kabari" in reply.text
    stages = [
        note.payload["stage"]
        for note in store(outbox.notifications)
        if note.kind == "stage_changed"
    ]
    assert stages[-2:] == ["validasi", "selesai"]
    history = store(reports.find_report, parse_number(report.number).digits).history
    assert [(h.to_stage, h.actor_role) for h in history[-2:]] == [
        ("validasi", "facilitator"),
        ("selesai", "system"),
    ]
    assert history[-2].note == "Sudah dicek di lokasi"


@pytest.mark.parametrize("verb", ["VALIDASI", "KEMBALIKAN"])
def test_a_colleague_covering_a_validation_is_told_whose_queue_it_was_in(
    app, store, team, whatsapp, verb
):
    cli(app, "crm", "facilitator", "add", "--name", "Eko", "--phone", EKO)
    own = _report_in_follow_up(store, wib(2026, 3, 10, 8))  # Dewi's
    report = _report_in_follow_up(store, wib(2026, 3, 10, 9))  # Eko's
    assert store(validations.open_validation_of, report.id).facilitator_name == "Eko"
    reply = whatsapp.send(f"{verb} {report.number} foto kurang jelas", phone=DEWI)
    assert "semula ada di antrean Eko" in reply.text
    assert "antrean" not in whatsapp.send(f"{verb} {own.number} sudah dicek", phone=DEWI).text


def test_a_validation_done_by_a_colleague_counts_for_the_colleague(app, store, team, whatsapp):
    cli(app, "crm", "facilitator", "add", "--name", "Eko", "--phone", EKO)
    _report_in_follow_up(store, wib(2026, 3, 10, 8))  # Dewi's
    report = _report_in_follow_up(store, wib(2026, 3, 10, 9))  # Eko's
    with time_machine.travel(wib(2026, 3, 11, 10), tick=False):
        whatsapp.send(f"VALIDASI {report.number}", phone=DEWI)
    month = store(validations.sla_for_month, wib(2026, 3, 1), wib(2026, 4, 1))
    assert [(row.facilitator, row.validations) for row in month] == [("Dewi", 1), ("ALL", 1)]


@pytest.mark.parametrize(
    "message, expected",
    [
        ("VALIDASI", "sertakan nomor laporan"),
        ("VALIDASI CRM-26-000001-0", "Nomor tidak valid"),
        ("VALIDASI CRM-26-999999-4", "tidak ditemukan"),
        ("KEMBALIKAN {number}", "sertakan alasannya"),
        ("LIHAT", "sertakan nomor laporan"),
    ],
)
def test_facilitator_commands_explain_what_is_missing(
    app, store, team, whatsapp, message, expected
):
    report = _report_in_follow_up(store, wib(2026, 3, 10, 9, 0))
    reply = whatsapp.send(message.format(number=report.number), phone=DEWI).text
    assert expected in reply and "LAPORAN SAYA" not in reply  # a citizen's command
    assert store(reports.find_report, parse_number(report.number).digits).stage == "tindak_lanjut"


def test_facilitator_may_act_only_on_reports_in_follow_up(app, store, team, whatsapp):
    report = _new_report(store)
    reply = whatsapp.send(f"VALIDASI {report.number}", phone=DEWI)
    assert "tahap Menunggu, bukan Tindak lanjut" in reply.text


def test_a_facilitator_can_still_report_as_a_citizen(app, store, team, whatsapp):
    assert "pilih kategori" in whatsapp.send("LAPOR", phone=DEWI).text
    assert "jelaskan" in whatsapp.send("1", phone=DEWI).text


def test_citizens_do_not_get_facilitator_commands(whatsapp, store, team):
    whatsapp.send("halo")
    assert "belum memahami" in whatsapp.send("ANTRIAN").text


# --- digests, early stages, monthly cut-off --------------------------------------------


def test_digest_goes_once_to_each_facilitator_with_work_and_never_empty(app, worker, store, team):
    cli(app, "crm", "facilitator", "add", "--name", "Eko", "--phone", EKO)
    _report_in_follow_up(store, wib(2026, 3, 10, 7, 0))  # Dewi
    assert _run(worker, jobs.send_digests, wib(2026, 3, 10, 7, 59)) == 0
    assert _run(worker, jobs.send_digests, wib(2026, 3, 10, 8, 0)) == 1
    assert _run(worker, jobs.send_digests, wib(2026, 3, 10, 8, 1)) == 0
    (digest,) = _sent(store, "facilitator_digest")
    assert digest.payload["total"] == 1 and len(digest.payload["due_today"]) == 1
    assert _sent(store, "supervisor_digest") == []  # nothing breached: nothing to say


def test_supervisor_digest_reports_early_stage_flags(worker, store, team):
    created = wib(2026, 3, 1, 9, 0)
    with time_machine.travel(created, tick=False):
        report = _new_report(store)
    _run(worker, jobs.scan_deadlines, created + timedelta(hours=18))
    assert store(breaches.count_breaches) == {}
    _run(worker, jobs.scan_deadlines, created + timedelta(hours=24))
    # the kelurahan's members are warned 6 hours before (tests/test_office_members.py)
    assert store(breaches.count_breaches) == {"kelurahan_18h": 1}
    _run(worker, jobs.scan_deadlines, created + timedelta(hours=24, seconds=1))
    assert store(breaches.count_breaches) == {"kelurahan_18h": 1, "kelurahan_24h": 1}
    _run(worker, jobs.scan_deadlines, created + timedelta(days=7, seconds=1))
    _run(worker, jobs.scan_deadlines, created + timedelta(days=7, minutes=1))
    assert store(breaches.count_breaches) == {
        "kelurahan_18h": 1,
        "kelurahan_24h": 1,
        "follow_up_6d": 1,
        "follow_up_7d": 1,
    }
    assert _sent(store, "sla_alert") == []  # early stages go to the digest, not alerts
    _run(worker, jobs.send_digests, wib(2026, 3, 8, 14, 0))
    (digest,) = _sent(store, "supervisor_digest")
    assert digest.payload["kelurahan_late"] == [report.number]
    assert digest.payload["follow_up_7d"] == [report.number]
    assert digest.payload["follow_up_6d"] == []


@pytest.mark.parametrize(
    "created, first_of_month, month",
    [
        (wib(2026, 1, 31, 23, 0), wib(2026, 2, 1, 8, 0), "2026-01"),
        (wib(2024, 2, 29, 12, 0), wib(2024, 3, 1, 8, 0), "2024-02"),
        (wib(2026, 12, 31, 23, 59), wib(2027, 1, 1, 8, 0), "2026-12"),
    ],
)
def test_monthly_cutoff_lists_daily_to_the_5th_then_flags(
    worker, store, team, created, first_of_month, month
):
    with time_machine.travel(created, tick=False):
        report = _new_report(store)
    for day in range(5):
        _run(worker, jobs.send_digests, first_of_month + timedelta(days=day))
        _run(worker, jobs.send_digests, first_of_month + timedelta(days=day, hours=6))
    lists = _sent(store, "cutoff_list")
    assert len(lists) == 5
    assert all(note.payload == {"month": month, "numbers": [report.number]} for note in lists)
    fifth_end = first_of_month.replace(day=5, hour=23, minute=59, second=59)
    _run(worker, jobs.scan_deadlines, fifth_end)
    assert "monthly_cutoff_missed" not in store(breaches.count_breaches)
    _run(worker, jobs.scan_deadlines, fifth_end + timedelta(seconds=1))
    _run(worker, jobs.scan_deadlines, fifth_end + timedelta(days=1))
    assert store(breaches.count_breaches)["monthly_cutoff_missed"] == 1
    _run(worker, jobs.send_digests, first_of_month + timedelta(days=5, hours=6))
    assert len(_sent(store, "cutoff_list")) == 5
    [digest] = [note for note in _sent(store, "supervisor_digest") if note.created_at > fifth_end]
    assert digest.payload["cutoff_missed"] == [report.number]  # with its early-stage flags
    body = render(digest.kind, digest.payload, "id").body
    line = f"Lewat batas penyelesaian bulanan (tanggal 5), masih terbuka: 1 – {report.number}"
    assert line in body


def test_reports_past_the_cutoff_alone_make_no_digest_its_template_could_not_count():
    alone = breaches.SupervisorSummary(*([[]] * 6), cutoff_missed=["CRM-26-000001-9"])
    assert alone.is_empty


def test_a_worker_down_six_hours_catches_up_without_double_sends(worker, store, team):
    _report_in_follow_up(store, wib(2026, 3, 10, 7, 0))
    _run(worker, jobs.scan_deadlines, wib(2026, 3, 10, 7, 30))
    _run(worker, jobs.send_digests, wib(2026, 3, 10, 7, 30))
    # down from 07:30 to 13:30 WIB: the 08:00 digest was missed
    restart = wib(2026, 3, 10, 13, 30)
    assert _run(worker, jobs.send_digests, restart) == 1
    assert _run(worker, jobs.send_digests, restart + timedelta(minutes=1)) == 0
    assert _run(worker, jobs.send_digests, wib(2026, 3, 10, 14, 0)) == 1
    assert len(_sent(store, "facilitator_digest")) == 2
    # down again across the daily target: the restart's one scan records it once
    assert _run(worker, jobs.scan_deadlines, wib(2026, 3, 11, 6, 0)) == 1
    assert _run(worker, jobs.scan_deadlines, wib(2026, 3, 11, 6, 1)) == 0


def test_sla_command_prints_the_month_per_facilitator(app, store, team, whatsapp):
    report = _report_in_follow_up(store, wib(2026, 3, 10, 9, 0))
    with time_machine.travel(wib(2026, 3, 11, 9, 0), tick=False):
        whatsapp.send(f"VALIDASI {report.number}", phone=DEWI)
    output = cli(app, "crm", "sla", "--month", "2026-03")
    dewi = next(line for line in output.splitlines() if line.startswith("Dewi"))
    assert dewi.split() == ["Dewi", "1", "100.00%", "0.00%", "24.0", "24.0"]
    assert "ALL" in output
    assert "(no validations" in cli(app, "crm", "sla", "--month", "2026-04")


def test_a_facilitator_is_not_told_the_reporter_hears_when_they_paused_notifications(
    app, store, team, whatsapp
):
    report = _report_in_follow_up(store, wib(2026, 3, 10, 9, 0))
    whatsapp.send("BERHENTI", phone=CITIZEN)

    reply = whatsapp.send(f"KEMBALIKAN {report.number} Foto kurang jelas", phone=DEWI)

    assert "dikembalikan kepada petugas" in reply.text and "kabari" not in reply.text


# --- positions in the latest ANTRIAN -----------------------------------------------------


def _stage(store, report) -> str:
    return store(reports.find_report, parse_number(report.number).digits).stage


def _three_in_her_queue(store, whatsapp):
    """Three reports in Dewi's queue, oldest first, and the ANTRIAN that numbers them."""
    queued = [_report_in_follow_up(store, wib(2026, 3, 10, 8 + hour)) for hour in range(3)]
    with time_machine.travel(wib(2026, 3, 10, 12, 0), tick=False):
        listed = whatsapp.send("ANTRIAN", phone=DEWI).text
    first, second, third = (listed.index(f"{n}. {r.number}") for n, r in enumerate(queued, 1))
    assert first < second < third
    return queued


def test_lihat_1_after_antrian_shows_the_first_report_of_the_queue(app, store, team, whatsapp):
    first, second, _ = _three_in_her_queue(store, whatsapp)
    shown = whatsapp.send("LIHAT 1", phone=DEWI).text
    assert f"Laporan *{first.number}*" in shown and second.number not in shown
    assert f"Laporan *{second.number}*" in whatsapp.send("tolong lihat 2 ya", phone=DEWI).text


def test_validasi_2_validates_the_second_report_and_names_it(app, store, team, whatsapp):
    first, second, third = _three_in_her_queue(store, whatsapp)
    reply = whatsapp.send("VALIDASI 2 sesuai foto", phone=DEWI).text
    assert f"Laporan {second.number} telah divalidasi dan ditutup" in reply, reply
    assert [_stage(store, r) for r in (first, second, third)] == [
        "tindak_lanjut",
        "selesai",
        "tindak_lanjut",
    ]
    history = store(reports.find_report, parse_number(second.number).digits).history
    assert (history[-2].to_stage, history[-2].note) == ("validasi", "sesuai foto")


def test_kembalikan_3_sends_the_third_report_back_with_its_reason(app, store, team, whatsapp):
    first, second, third = _three_in_her_queue(store, whatsapp)
    reply = whatsapp.send("KEMBALIKAN 3 Foto hasil kurang jelas", phone=DEWI).text
    assert f"Laporan {third.number} dikembalikan kepada petugas" in reply, reply
    assert "alasan: Foto hasil kurang jelas" in reply
    assert [_stage(store, r) for r in (first, second, third)] == [
        "tindak_lanjut",
        "tindak_lanjut",
        "proses",
    ]
    returned = store(reports.find_report, parse_number(third.number).digits).history[-1]
    assert (returned.to_stage, returned.note) == ("proses", "Foto hasil kurang jelas")


@pytest.mark.parametrize(
    "message", ["LIHAT 1", "VALIDASI 1 sesuai foto", "KEMBALIKAN 1 Foto buram"]
)
def test_a_position_before_any_antrian_says_how_to_get_one_and_changes_nothing(
    app, store, team, whatsapp, message
):
    report = _report_in_follow_up(store, wib(2026, 3, 10, 9, 0))
    reply = whatsapp.send(message, phone=DEWI).text
    assert "Anda belum membuka ANTRIAN" in reply and "Ketik ANTRIAN" in reply, reply
    assert report.number not in reply
    assert _stage(store, report) == "tindak_lanjut"
    assert store(validations.open_validation_of, report.id).facilitator_name == "Dewi"


@pytest.mark.parametrize("message", ["LIHAT 4", "VALIDASI 4", "KEMBALIKAN 0 Foto buram"])
def test_a_position_out_of_the_antrians_range_says_so_and_changes_nothing(
    app, store, team, whatsapp, message
):
    queued = _three_in_her_queue(store, whatsapp)
    reply = whatsapp.send(message, phone=DEWI).text
    position = message.split()[1]
    assert "berisi nomor urut 1–3" in reply and f"tidak ada nomor urut {position}" in reply
    assert "10 Mar 2026 pukul 12.00 WIB" in reply  # which ANTRIAN
    assert [_stage(store, r) for r in queued] == ["tindak_lanjut"] * 3


def test_an_empty_antrian_numbers_nothing(app, store, team, whatsapp):
    assert "Tidak ada laporan" in whatsapp.send("ANTRIAN", phone=DEWI).text
    _report_in_follow_up(store, wib(2026, 3, 10, 9, 0))  # arrived after it
    reply = whatsapp.send("LIHAT 1", phone=DEWI).text
    assert "ANTRIAN terakhir Anda" in reply and "kosong" in reply


def test_the_position_reply_is_in_english_for_who_chose_it(app, store, team, whatsapp):
    _report_in_follow_up(store, wib(2026, 3, 10, 9, 0))
    whatsapp.send("ENGLISH", phone=DEWI)
    assert "You have not opened ANTRIAN yet" in whatsapp.send("view 1", phone=DEWI).text
    whatsapp.send("queue", phone=DEWI)
    assert "listed positions 1–1" in whatsapp.send("validate 2", phone=DEWI).text


def test_a_report_number_still_names_the_report_after_an_antrian(app, store, team, whatsapp):
    first, second, third = _three_in_her_queue(store, whatsapp)
    reply = whatsapp.send(f"VALIDASI {third.number} sesuai foto", phone=DEWI).text
    assert f"Laporan {third.number} telah divalidasi" in reply
    spaced = parse_number(second.number).display.replace("CRM-", "").replace("-", " ")
    assert f"Laporan *{second.number}*" in whatsapp.send(f"LIHAT {spaced}", phone=DEWI).text
    assert _stage(store, first) == "tindak_lanjut"


def test_another_facilitators_antrian_is_not_hers(app, store, team, whatsapp):
    cli(app, "crm", "facilitator", "add", "--name", "Eko", "--phone", EKO)
    dewis = _report_in_follow_up(store, wib(2026, 3, 10, 8))
    ekos = _report_in_follow_up(store, wib(2026, 3, 10, 9))
    assert ekos.number in whatsapp.send("ANTRIAN", phone=EKO).text
    assert "Anda belum membuka ANTRIAN" in whatsapp.send("LIHAT 1", phone=DEWI).text
    whatsapp.send("ANTRIAN", phone=DEWI)
    assert f"Laporan *{dewis.number}*" in whatsapp.send("LIHAT 1", phone=DEWI).text
    assert f"Laporan *{ekos.number}*" in whatsapp.send("LIHAT 1", phone=EKO).text


def test_an_old_antrian_still_names_what_she_saw_there(app, store, team, whatsapp):
    first, second, third = _three_in_her_queue(store, whatsapp)
    later = wib(2026, 3, 12, 9, 0)  # two days on: one validated, a newer one arrived
    store(
        reports.officer_move,
        parse_number(first.number).digits,
        Stage.VALIDASI,
        role=Role.FACILITATOR,
        actor_id="facilitator:1",
        note=None,
        now=later,
    )
    _report_in_follow_up(store, later)
    with time_machine.travel(later + timedelta(hours=1), tick=False):
        assert f"Laporan *{second.number}*" in whatsapp.send("LIHAT 2", phone=DEWI).text
        gone = whatsapp.send("VALIDASI 1", phone=DEWI).text
        assert f"Laporan {first.number} sedang pada tahap Selesai" in gone, gone
        # a new ANTRIAN numbers the queue as it is now
        whatsapp.send("ANTRIAN", phone=DEWI)
        assert f"Laporan *{third.number}*" in whatsapp.send("LIHAT 2", phone=DEWI).text


def test_a_facilitator_filing_a_report_may_act_by_position_and_then_go_on(
    app, store, team, whatsapp
):
    first, second, _ = _three_in_her_queue(store, whatsapp)
    for text in ["LAPOR", "1"]:
        whatsapp.send(text, phone=DEWI)

    validated = whatsapp.send("VALIDASI 2", phone=DEWI).text
    described = whatsapp.send("Lihat 2 lubang besar di depan kantor kelurahan", phone=DEWI).text

    assert f"Laporan {second.number} telah divalidasi" in validated
    assert "jelaskan masalahnya" in validated
    assert "Di mana lokasinya" in described  # a description, not LIHAT 2
    assert _stage(store, first) == "tindak_lanjut"
