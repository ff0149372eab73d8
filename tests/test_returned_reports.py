"""No report leaves the clocks: one sent back to proses by a facilitator, or reopened by
its citizen, must be followed up again within 7 days of that return. It is flagged after
6 and after 7 days, once per return, counted in the supervisors' digest, and listed to
officers as returned, with the reason — moving the clock, never sleeping."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import text

from conftest import proof_for
from scheduler import jobs
from store import breaches, contacts, outbox, places, reports, tokens
from store.clock import JAKARTA
from store.db import make_engine, upgrade
from store.phones import sender_from
from store.stages import Role, Stage

CITIZEN, DEWI = "+6281234567890", "+6281100000001"
ONE_SECOND = timedelta(seconds=1)


def wib(*args) -> datetime:
    return datetime(*args, tzinfo=JAKARTA)


@pytest.fixture
def team(app):
    for command in (
        ("facilitator", "add", "--name", "Dewi", "--phone", DEWI),
        ("supervisor", "add", "--name", "Pak Sup", "--phone", "0811 9999 9999"),
    ):
        result = app.test_cli_runner().invoke(args=["crm", *command])
        assert result.exit_code == 0, result.output


def _filed(store, at: datetime) -> reports.ReportView:
    """A citizen's report, filed at `at`."""
    with time_machine.travel(at, tick=False):
        contact = store(contacts.touch_contact, sender_from(CITIZEN), "Siti", now=at)
        new = reports.NewReport(
            category="jalan_rusak",
            description="Jalan berlubang besar di depan sekolah",
            kelurahan=places.match_kelurahan("Kramat").chosen,
            reporter_contact_id=contact.id,
            reporter_phone=CITIZEN,
            reporter_name="Siti",
        )
        return store(reports.create_report, new, now=at)


def _move(store, number: str, *stages: str, at: datetime, role=Role.ADMIN, note=None) -> None:
    with time_machine.travel(at, tick=False):
        for stage in stages:
            store(
                reports.move_report,
                number,
                Stage(stage),
                role=role,
                actor_id="test",
                note=note,
                now=at,
                result_photos=proof_for(stage),
            )


def _send_back(store, number: str, at: datetime, reason="Foto hasil belum ada") -> None:
    _move(store, number, "proses", at=at, role=Role.FACILITATOR, note=reason)


def _run(worker, job, at: datetime):
    with time_machine.travel(at, tick=False):
        return job(worker)


def _scan_twice(worker, at: datetime) -> None:
    """Two scans at the same moment, as two workers might: each flag is recorded once."""
    _run(worker, jobs.scan_deadlines, at)
    _run(worker, jobs.scan_deadlines, at)


def _flags(store) -> dict[str, int]:
    return store(breaches.count_breaches)


def _supervisor_digests(store) -> list[outbox.NotificationInfo]:
    return [note for note in store(outbox.notifications) if note.kind == "supervisor_digest"]


def test_a_report_sent_back_by_a_facilitator_is_flagged_6_and_7_days_after_its_return(
    worker, store, team, whatsapp
):
    report = _filed(store, wib(2026, 3, 2, 9, 0))
    _move(store, report.number, "koordinasi", "proses", "tindak_lanjut", at=wib(2026, 3, 2, 10))
    returned = wib(2026, 3, 4, 9, 0)
    with time_machine.travel(returned, tick=False):
        reply = whatsapp.send(f"KEMBALIKAN {report.number} Foto hasil belum ada", phone=DEWI)
    assert "dikembalikan" in reply.text
    _scan_twice(worker, returned + timedelta(days=6))
    assert _flags(store) == {}  # 7 days after filing, but only 6 after the return
    _scan_twice(worker, returned + timedelta(days=6) + ONE_SECOND)
    assert _flags(store) == {"follow_up_6d": 1}
    _scan_twice(worker, returned + timedelta(days=7) + ONE_SECOND)
    _scan_twice(worker, returned + timedelta(days=19))
    assert _flags(store) == {"follow_up_6d": 1, "follow_up_7d": 1}


def test_a_report_reopened_by_its_citizen_is_flagged_6_and_7_days_after_the_reopening(
    worker, store, team, whatsapp
):
    report = _filed(store, wib(2026, 3, 2, 9, 0))
    stages = ("koordinasi", "proses", "tindak_lanjut", "validasi", "selesai")
    _move(store, report.number, *stages, at=wib(2026, 3, 3, 9, 0))
    reopened = wib(2026, 3, 5, 9, 0)
    with time_machine.travel(reopened, tick=False):
        whatsapp.send(f"BUKA {report.number} Lubangnya muncul lagi")
    assert store(reports.number_and_stage, report.id)[1] is Stage.PROSES
    _scan_twice(worker, reopened + timedelta(days=6))
    assert _flags(store) == {}
    _scan_twice(worker, reopened + timedelta(days=6) + ONE_SECOND)
    assert _flags(store) == {"follow_up_6d": 1}
    _scan_twice(worker, reopened + timedelta(days=7) + ONE_SECOND)
    assert _flags(store) == {"follow_up_6d": 1, "follow_up_7d": 1}


def test_a_second_return_is_flagged_anew_and_the_digest_counts_only_the_current_one(
    worker, store, team
):
    report = _filed(store, wib(2026, 3, 2, 9, 0))
    _move(store, report.number, "koordinasi", "proses", "tindak_lanjut", at=wib(2026, 3, 2, 10))
    first = wib(2026, 3, 3, 9, 0)
    _send_back(store, report.number, first)
    _scan_twice(worker, first + timedelta(days=7) + ONE_SECOND)
    assert _flags(store) == {"follow_up_6d": 1, "follow_up_7d": 1}
    _run(worker, jobs.send_digests, wib(2026, 3, 10, 14, 0))
    (digest,) = _supervisor_digests(store)
    assert digest.payload["follow_up_7d"] == [report.number]

    _move(store, report.number, "tindak_lanjut", at=wib(2026, 3, 11, 9, 0))
    second = wib(2026, 3, 12, 9, 0)
    _send_back(store, report.number, second, reason="Masih berlubang di sisi kiri")
    _run(worker, jobs.send_digests, wib(2026, 3, 12, 14, 0))
    assert len(_supervisor_digests(store)) == 1  # the first return's flags are history

    _scan_twice(worker, second + timedelta(days=7) + ONE_SECOND)
    assert _flags(store) == {"follow_up_6d": 2, "follow_up_7d": 2}
    _run(worker, jobs.send_digests, wib(2026, 3, 19, 14, 0))
    latest = _supervisor_digests(store)[-1]
    assert latest.payload["follow_up_7d"] == [report.number]
    assert latest.payload["follow_up_6d"] == []


def test_the_digest_counts_a_returned_report_late_by_six_days_as_a_warning(worker, store, team):
    report = _filed(store, wib(2026, 3, 2, 9, 0))
    _move(store, report.number, "koordinasi", "proses", "tindak_lanjut", at=wib(2026, 3, 2, 10))
    _send_back(store, report.number, wib(2026, 3, 3, 9, 0))
    _scan_twice(worker, wib(2026, 3, 9, 9, 0) + ONE_SECOND)
    _run(worker, jobs.send_digests, wib(2026, 3, 9, 14, 0))
    (digest,) = _supervisor_digests(store)
    assert (digest.payload["follow_up_6d"], digest.payload["follow_up_7d"]) == ([report.number], [])


def test_a_report_of_last_month_reopened_counts_as_open_at_the_monthly_cutoff(
    worker, store, team, whatsapp
):
    report = _filed(store, wib(2026, 1, 20, 9, 0))
    stages = ("koordinasi", "proses", "tindak_lanjut", "validasi", "selesai")
    _move(store, report.number, *stages, at=wib(2026, 1, 25, 9, 0))
    with time_machine.travel(wib(2026, 1, 28, 9, 0), tick=False):
        whatsapp.send(f"BUKA {report.number} Lubangnya muncul lagi")
    _run(worker, jobs.send_digests, wib(2026, 2, 1, 8, 0))
    (listed,) = [n for n in store(outbox.notifications) if n.kind == "cutoff_list"]
    assert listed.payload["numbers"] == [report.number]
    _scan_twice(worker, wib(2026, 2, 6, 0, 0))
    assert _flags(store)["monthly_cutoff_missed"] == 1


# --- the officers' list ----------------------------------------------------------------


def _api_get(client, token: str, path: str):
    response = client.get(f"/api/v1{path}", headers={"Authorization": f"Bearer {token}"})
    return response.status_code, response.get_json()


def _numbers_paged(client, token: str, path: str, *, limit: int) -> list[str]:
    """Every number of a listing, following its cursors `limit` at a time."""
    numbers, cursor = [], None
    while True:
        query = f"{path}&limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        status, page = _api_get(client, token, query)
        assert status == 200, page
        numbers += [item["number"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return numbers


@pytest.fixture
def officers(app, client, store, whatsapp):
    """Four reports in the officers' list, filed a minute apart: one sent back by a
    facilitator (by the API), one reopened by its citizen (BUKA) a day later, one never
    returned, one returned and since followed up again."""
    _, admin = store(tokens.create_token, "admin-test", Role.ADMIN, now=datetime.now(UTC))
    _, facilitator = store(
        tokens.create_token, "fasilitator-test", Role.FACILITATOR, now=datetime.now(UTC)
    )
    sent_back, reopened, never, moved_on = (
        _filed(store, wib(2026, 3, 2, 9, minute)).number for minute in range(4)
    )
    handled = wib(2026, 3, 2, 10, 0)
    _move(store, sent_back, "koordinasi", "proses", "tindak_lanjut", at=handled)
    stages = ("koordinasi", "proses", "tindak_lanjut", "validasi", "selesai")
    _move(store, reopened, *stages, at=handled)
    _move(store, never, "koordinasi", "proses", at=handled)
    _move(store, moved_on, "koordinasi", "proses", "tindak_lanjut", at=handled)
    _send_back(store, moved_on, wib(2026, 3, 3, 8, 0))
    _move(store, moved_on, "tindak_lanjut", at=wib(2026, 3, 3, 10, 0))
    with time_machine.travel(wib(2026, 3, 3, 9, 0), tick=False):
        moved = client.post(
            f"/api/v1/reports/{sent_back}/transitions",
            json={"to": "proses", "note": "Foto hasil belum ada"},
            headers={"Authorization": f"Bearer {facilitator}"},
        )
    assert moved.status_code == 200, moved.get_json()
    with time_machine.travel(wib(2026, 3, 4, 9, 0), tick=False):
        whatsapp.send(f"BUKA {reopened} Lubangnya muncul lagi")
    return {
        "admin": admin,
        "facilitator": facilitator,
        "sent_back": sent_back,
        "reopened": reopened,
        "never": never,
        "moved_on": moved_on,
    }


def test_the_officers_list_starts_with_the_returned_newest_return_first_with_who_and_why(
    client, officers
):
    status, page = _api_get(client, officers["admin"], "/reports")
    assert status == 200
    first_two = page["items"][:2]
    assert [item["number"] for item in first_two] == [officers["reopened"], officers["sent_back"]]
    assert [item["returned"] for item in first_two] == [
        {"at": "2026-03-04T02:00:00Z", "by": "citizen", "reason": "Lubangnya muncul lagi"},
        {"at": "2026-03-03T02:00:00Z", "by": "facilitator", "reason": "Foto hasil belum ada"},
    ]
    rest = page["items"][2:]
    assert [item["number"] for item in rest] == [officers["moved_on"], officers["never"]]
    assert [item["returned"] for item in rest] == [None, None]
    _, one = _api_get(client, officers["facilitator"], f"/reports/{officers['reopened']}")
    assert one["returned"]["reason"] == "Lubangnya muncul lagi"


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_paging_through_the_officers_list_sees_each_report_once_in_order(client, officers, limit):
    order = [officers[name] for name in ("reopened", "sent_back", "moved_on", "never")]
    assert _numbers_paged(client, officers["admin"], "/reports?", limit=limit) == order


def test_the_returned_filter_lists_only_the_returned_newest_return_first(client, officers):
    returned = _numbers_paged(client, officers["admin"], "/reports?returned=true", limit=1)
    assert returned == [officers["reopened"], officers["sent_back"]]
    assert _numbers_paged(client, officers["admin"], "/reports?stage=proses", limit=1) == [
        officers["reopened"],
        officers["sent_back"],
        officers["never"],
    ]
    status, refused = _api_get(client, officers["admin"], "/reports?returned=yes")
    assert (status, refused["error"]["field"]) == (422, "returned")


# --- reports returned before the upgrade -------------------------------------------------


def test_reports_returned_before_the_upgrade_are_back_on_the_clocks(tmp_path):
    """Migration 0016 reads each report's last return from its history."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    history = [
        ("menunggu", None, None),
        ("proses", "menunggu", None),
        ("tindak_lanjut", "proses", "Sudah ditambal"),
        ("proses", "tindak_lanjut", "Foto buram"),
        ("tindak_lanjut", "proses", "Foto baru"),
        ("proses", "tindak_lanjut", "Foto hasil belum ada"),
    ]
    try:
        upgrade(engine, "0015")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO report (id, number, number_digits, channel, category,"
                    " description, kelurahan_id, kelurahan, kecamatan, kota, stage,"
                    " stage_changed_at, created_at) VALUES (1, 'CRM-26-000001-9', '260000019',"
                    " 'whatsapp', 'jalan_rusak', 'Jalan berlubang', 1, 'Gambir', 'Gambir',"
                    " 'Jakarta Pusat', 'proses', '2026-12-05 10:00:00.000000',"
                    " '2026-12-01 10:00:00.000000')"
                )
            )
            for seq, (to_stage, from_stage, note) in enumerate(history):
                connection.execute(
                    text(
                        "INSERT INTO stage_change (report_id, seq, from_stage, to_stage,"
                        " actor_role, note, at) VALUES (1, :seq, :from_stage, :to_stage,"
                        " 'admin', :note, :at)"
                    ),
                    {
                        "seq": seq,
                        "from_stage": from_stage,
                        "to_stage": to_stage,
                        "note": note,
                        "at": f"2026-12-0{seq} 10:00:00.000000" if seq else "2026-12-01 10:00:00",
                    },
                )
        upgrade(engine)
        with engine.connect() as connection:
            row = connection.execute(
                text("SELECT returned_at, returned_by, return_reason FROM report")
            ).one()
    finally:
        engine.dispose()
    assert tuple(row) == ("2026-12-05 10:00:00.000000", "facilitator", "Foto hasil belum ada")
