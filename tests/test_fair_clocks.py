"""Fair clocks (issue 22, part 6): a message kept during an outage counts when it reached
us, not when the worker's replay answers it, so the server's outage is not recorded as a
facilitator's miss; what it queues is still sent at the replay. `crm sla` lists the
outages, from the spool's evidence, beside the deadlines missed inside them. The
database is broken for real (test_outage.Outage) and the clock moved, never slept."""

from datetime import datetime, timedelta

import pytest
import time_machine
from sqlmodel import select
from test_facilitators import CITIZEN, DEWI, cli, wib
from test_outage import app, outage  # noqa: F401 (the database broken for real)

from conftest import move_through, proof_for
from scheduler import jobs, replay
from store import breaches, contacts, outages, outbox, places, reports
from store.models import InboundMessage, Rating
from store.numbers import parse_number
from store.phones import sender_from
from store.private_files import private_folder
from store.spool import Spool
from store.stages import Role, Stage

ENTERED = wib(2026, 3, 10, 9, 0)  # the follow-up enters tindak_lanjut: due 72 h later
KEPT = "tersimpan"  # in the "message kept" text
ALICE, BUDI = "+6281200000001", "+6281200000002"


def _in_follow_up(store, at):
    """A report filed by CITIZEN at `at`, in tindak_lanjut from then."""
    with time_machine.travel(at, tick=False):
        contact = store(contacts.touch_contact, sender_from(CITIZEN), "Siti", now=at)
        report = store(
            reports.create_report,
            reports.NewReport(
                category="jalan_rusak",
                description="Jalan berlubang besar di depan sekolah",
                kelurahan=places.match_kelurahan("Kramat").chosen,
                location_text="Jl. Kramat Raya 10",
                photos=(),
                reporter_contact_id=contact.id,
                reporter_phone=CITIZEN,
                reporter_name="Siti",
            ),
            now=at,
        )
        move_through(store, report.number, "koordinasi", "proses", "tindak_lanjut")
    return report


def _history(store, number):
    return store(reports.find_report, parse_number(number).digits).history


def _at(moment, job, *args):
    with time_machine.travel(moment, tick=False):
        return job(*args)


def test_a_validasi_kept_at_70_hours_and_replayed_at_75_is_on_time(
    app, worker, outage, whatsapp, store, team
):
    report = _in_follow_up(store, ENTERED)
    outage.start(app)
    kept_at, back_at, replayed_at = (ENTERED + timedelta(hours=h) for h in (70, 73, 75))
    with time_machine.travel(kept_at, tick=False):
        reply = whatsapp.send(f"VALIDASI {report.number} sudah dicek", phone=DEWI)
    assert KEPT in reply.text
    outage.end(app)

    # the database is back at 73 h, past the 72-hour deadline, the VALIDASI still kept:
    # the deadline scan waits for the spool instead of flagging it
    assert _at(back_at, jobs.scan_deadlines, worker) == 0
    assert _at(replayed_at, replay.replay_spool, worker) == 1
    assert _at(replayed_at + timedelta(minutes=1), jobs.scan_deadlines, worker) == 0
    assert breaches.VALIDATION_OVERDUE not in store(breaches.count_breaches)

    history = _history(store, report.number)
    assert [(entry.to_stage, entry.at) for entry in history[-2:]] == [
        (Stage.VALIDASI, kept_at),
        (Stage.SELESAI, kept_at),
    ]
    dewi = next(
        line.split()
        for line in cli(app, "crm", "sla", "--month", "2026-03").splitlines()
        if line.startswith("Dewi")
    )
    assert dewi[:3] == ["Dewi", "1", "100.00%"] and dewi[4] == "70.0"

    # what it queued is sent now, and tells of the change when it was made
    notes = store(outbox.notifications)
    closing = [note for note in notes if note.kind == "stage_changed"][-2:]
    assert [note.payload["stage"] for note in closing] == ["validasi", "selesai"]
    assert {note.created_at for note in closing} == {replayed_at}
    assert {datetime.fromisoformat(note.payload["at"]) for note in closing} == {kept_at}
    (answer,) = [note for note in notes if note.kind == "delayed_reply"]
    assert answer.created_at == replayed_at


def test_a_citizens_messages_kept_and_replayed_keep_their_arrival_order(
    app, worker, outage, whatsapp, store
):
    start = wib(2026, 3, 10, 8, 0)
    with time_machine.travel(start, tick=False):
        whatsapp.send("LAPOR", phone=ALICE)
    outage.start(app)
    kept = [
        (ALICE, "1"),
        (BUDI, "halo"),
        (ALICE, "Jalan berlubang besar di depan SDN 01"),
        (ALICE, "Jl. Kramat Raya 10"),
        (ALICE, "Kramat, Senen"),
        (ALICE, "LEWATI"),
        (ALICE, "YA"),
    ]
    sids = []
    for minute, (phone, text) in enumerate(kept, 1):
        with time_machine.travel(start + timedelta(minutes=minute), tick=False):
            form = whatsapp.form(text, phone=phone)
            assert KEPT in whatsapp.post(form).text
            sids.append(form["MessageSid"])
    outage.end(app)
    replayed_at = start + timedelta(hours=2)
    assert _at(replayed_at, replay.replay_spool, worker) == len(kept)

    def received(session):
        rows = session.exec(select(InboundMessage.message_sid, InboundMessage.received_at))
        return dict(rows.all())

    times = store(received)
    assert [times[sid] for sid in sids] == [
        start + timedelta(minutes=minute) for minute in range(1, len(kept) + 1)
    ]
    (report,) = store(reports.reports_of_contact, _contact_id(store, ALICE), limit=5)
    assert report.created_at == start + timedelta(minutes=len(kept))  # its YA
    assert _history(store, report.number)[0].at == report.created_at


def _contact_id(store, phone):
    return store(contacts.touch_contact, sender_from(phone), None, now=wib(2026, 3, 10)).id


def test_crm_sla_lists_an_outage_beside_the_misses_inside_it(
    app, worker, outage, whatsapp, store, team
):
    inside = _in_follow_up(store, ENTERED)  # due 13 March 09:00 WIB
    before = _in_follow_up(store, ENTERED - timedelta(hours=10))  # due 12 March 23:00
    outage.start(app)
    with time_machine.travel(wib(2026, 3, 13, 8, 0), tick=False):
        assert KEPT in whatsapp.send("halo", phone=ALICE).text
    with time_machine.travel(wib(2026, 3, 13, 10, 30), tick=False):
        assert KEPT in whatsapp.send("STATUS", phone=ALICE).text
    outage.end(app)
    assert _at(wib(2026, 3, 13, 10, 45), replay.replay_spool, worker) == 2
    with time_machine.travel(wib(2026, 3, 13, 12, 0), tick=False):
        whatsapp.send(f"VALIDASI {inside.number}", phone=DEWI)  # late, after the outage
        whatsapp.send(f"VALIDASI {before.number}", phone=DEWI)  # late, before it

    output = cli(app, "crm", "sla", "--month", "2026-03")
    lines = output[output.index("Gangguan 2026-03 (WIB)") :].splitlines()
    assert lines[1] == "2026-03-13 08:00 – 2026-03-13 10:45  2 j 45 m"
    assert lines[2].split() == [
        inside.number,
        "batas",
        "72",
        "jam",
        "2026-03-13",
        "09:00",
        "Dewi",
        "2026-03-13",
        "12:00",
    ]
    assert before.number not in output[output.index("Gangguan") :]
    assert "(no outages in this month)" in cli(app, "crm", "sla", "--month", "2026-04")


def test_a_replay_cut_short_and_run_again_notes_one_outage(app, worker, outage, whatsapp, store):
    outage.start(app)
    with time_machine.travel(wib(2026, 3, 13, 8, 0), tick=False):
        whatsapp.send("halo", phone=ALICE)
    outage.end(app)
    _at(wib(2026, 3, 13, 9, 0), replay.replay_spool, worker)
    outage.start(app)
    with time_machine.travel(wib(2026, 3, 13, 9, 2), tick=False):
        whatsapp.send("halo lagi", phone=ALICE)
    outage.end(app)
    _at(wib(2026, 3, 13, 9, 5), replay.replay_spool, worker)
    found = store(outages.outages_between, wib(2026, 3, 1), wib(2026, 4, 1))
    assert found == [outages.OutageSpan(wib(2026, 3, 13, 8, 0), wib(2026, 3, 13, 9, 5))]


@pytest.mark.parametrize("received_at", [None, "not a time", "2099-01-01T00:00:00+00:00"])
def test_an_entry_without_a_usable_arrival_counts_at_the_replay(
    app, worker, whatsapp, store, tmp_path, received_at
):
    """Entries written by hand, or by a version that wrote no arrival time, still
    replay: at the replay's time, as every kept message did before; so does one whose
    time is in the future (another host's clock), which is never recorded as such."""
    form = whatsapp.form("halo", phone=ALICE)
    entry = {"form": form} if received_at is None else {"form": form, "received_at": received_at}
    Spool(tmp_path / "spool").append(entry)
    replayed_at = wib(2026, 3, 13, 9, 0)
    assert _at(replayed_at, replay.replay_spool, worker) == 1

    def received(session):
        return session.exec(select(InboundMessage.received_at)).one()

    assert store(received) == replayed_at
    assert _contact_id(store, ALICE)  # answered: the citizen is known
    # no arrival, no evidence of an outage
    assert store(outages.outages_between, wib(2026, 1, 1), wib(2100, 1, 1)) == []


def test_a_kept_validasi_never_goes_before_a_move_made_meanwhile(
    app, worker, outage, whatsapp, store, team
):
    """Sent back and followed up again by the API after the database came back, before
    the replay: the kept VALIDASI validates that new follow-up, counted from it."""
    report = _in_follow_up(store, ENTERED)
    outage.start(app)
    with time_machine.travel(ENTERED + timedelta(hours=70), tick=False):
        whatsapp.send(f"VALIDASI {report.number}", phone=DEWI)
    outage.end(app)
    moved_at = ENTERED + timedelta(hours=71)
    with time_machine.travel(moved_at, tick=False):
        for stage in (Stage.PROSES, Stage.TINDAK_LANJUT):
            store(
                reports.move_report,
                report.number,
                stage,
                role=Role.ADMIN,
                actor_id="api",
                note="foto kurang jelas",
                now=moved_at,
                result_photos=proof_for(stage),
            )
    _at(ENTERED + timedelta(hours=75), replay.replay_spool, worker)
    history = _history(store, report.number)
    assert [entry.to_stage for entry in history[-2:]] == [Stage.VALIDASI, Stage.SELESAI]
    assert all(entry.at >= moved_at for entry in history[-4:])
    assert [entry.at for entry in history] == sorted(entry.at for entry in history)


def test_a_message_an_operator_gives_back_counts_when_it_came_but_makes_no_outage(
    app, worker, whatsapp, store, tmp_path
):
    came_at = wib(2026, 3, 13, 8, 0)
    form = whatsapp.form("halo", phone=ALICE)
    spool = Spool(tmp_path / "spool")
    entry = {"form": form, "received_at": came_at.isoformat()}
    private_folder(spool.directory)
    spool.set_aside(entry, reason="refused", message_sid=form["MessageSid"])
    with time_machine.travel(wib(2026, 3, 20, 9, 0), tick=False):  # a week later, fixed
        spool.release_set_aside([form["MessageSid"]], replay=True)
        assert replay.replay_spool(worker) == 1

    def received(session):
        return session.exec(select(InboundMessage.received_at)).one()

    assert store(received) == came_at
    assert store(outages.outages_between, wib(2026, 1, 1), wib(2027, 1, 1)) == []


def test_a_kept_rating_is_never_before_the_closing_it_rates(
    app, worker, outage, whatsapp, store, team
):
    """Closed by the API after the database came back, before the replay of the
    citizen's rating kept meanwhile."""
    report = _in_follow_up(store, ENTERED)
    outage.start(app)
    with time_machine.travel(ENTERED + timedelta(hours=70), tick=False):
        assert KEPT in whatsapp.send("5", phone=CITIZEN).text
    outage.end(app)
    closed_at = ENTERED + timedelta(hours=71)
    with time_machine.travel(closed_at, tick=False):
        store(
            reports.officer_move,
            report.number,
            Stage.VALIDASI,
            role=Role.ADMIN,
            actor_id="api",
            note=None,
            now=closed_at,
        )
    _at(ENTERED + timedelta(hours=75), replay.replay_spool, worker)

    def rated(session):
        return session.exec(select(Rating.score, Rating.rated_at)).all()

    assert store(rated) == [(5, closed_at)]
