"""`flask --app bot crm move NUMBER STAGE --note TEXT`: an operator moves a report as admin."""

import pytest

from bot.media import open_store
from conftest import RESULT_PNG
from store import numbers, outbox, reports
from store.clock import utcnow
from store.contacts import contact_for_phone
from store.places import match_kelurahan
from store.reports import STAGE_CHANGED
from store.stages import Role, Stage

REPORTER_PHONE = "+6281234567890"


def crm_move(app, *args: str):
    return app.test_cli_runner().invoke(args=["crm", "move", *args])


@pytest.fixture
def photo(tmp_path) -> str:
    """A photo of the finished work on the operator's disk."""
    path = tmp_path / "hasil.png"
    path.write_bytes(RESULT_PNG)
    return str(path)


def with_photo(stage: str, photo: str) -> list[str]:
    return [stage, "--photo", photo] if stage == "tindak_lanjut" else [stage]


@pytest.fixture
def filed(store) -> str:
    """A report in menunggu whose reporter has a WhatsApp contact (not yet notified)."""
    contact = store(contact_for_phone, REPORTER_PHONE, "Siti Aminah", now=utcnow())
    new = reports.NewReport(
        category="penerangan_jalan",
        description="Lampu jalan mati sejak seminggu",
        kelurahan=match_kelurahan("Kramat").chosen,
        channel="jaki",
        reporter_contact_id=contact.id,
        reporter_name="Siti Aminah",
        reporter_phone=REPORTER_PHONE,
    )
    return store(reports.create_report, new, now=utcnow()).number


def stored(store, number: str) -> reports.ReportView:
    return store(reports.find_report, numbers.canonical_digits(number))


def test_move_as_admin_prints_the_new_stage_and_records_it(app, store, filed):
    result = crm_move(app, filed, "koordinasi", "--note", "Diterima petugas")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"{filed} is now koordinasi"
    report = stored(store, filed)
    assert report.stage is Stage.KOORDINASI
    last = report.history[-1]
    assert (last.from_stage, last.to_stage) == (Stage.MENUNGGU, Stage.KOORDINASI)
    assert (last.actor_role, last.note) == (Role.ADMIN, "Diterima petugas")


def test_move_notifies_the_reporter_once(app, store, filed):
    contact = stored(store, filed).reporter_contact_id
    assert store(outbox.notifications, contact_id=contact) == []
    assert crm_move(app, filed, "ditolak", "--note", "Bukan wilayah DKI").exit_code == 0
    new = store(outbox.notifications, contact_id=contact)
    assert [(note.kind, note.payload["stage"], note.payload["note"]) for note in new] == [
        (STAGE_CHANGED, "ditolak", "Bukan wilayah DKI")
    ]


def test_move_takes_the_number_however_it_is_typed(app, store, filed):
    typed = numbers.canonical_digits(filed)
    result = crm_move(app, typed, "koordinasi")
    assert result.exit_code == 0, result.output
    assert filed in result.output
    assert stored(store, filed).stage is Stage.KOORDINASI


def test_admin_may_make_moves_no_officer_role_may(app, store, filed, photo):
    for stage in ["koordinasi", "proses", "tindak_lanjut", "validasi", "proses"]:
        result = crm_move(app, filed, *with_photo(stage, photo), "--note", "oleh operator")
        assert result.exit_code == 0, (stage, result.output)
    assert stored(store, filed).stage is Stage.PROSES  # reopened after its validation


def test_a_validation_closes_the_report_as_a_facilitators_does(app, store, filed, photo):
    for stage in ["koordinasi", "proses", "tindak_lanjut"]:
        crm_move(app, filed, *with_photo(stage, photo))

    result = crm_move(app, filed, "validasi", "--note", "Dicek di lokasi")

    assert result.exit_code == 0 and f"{filed} is now selesai" in result.output
    history = stored(store, filed).history
    assert [(change.to_stage, change.actor_role) for change in history[-2:]] == [
        (Stage.VALIDASI, "admin"),
        (Stage.SELESAI, "system"),
    ]


def snapshot(store, number: str) -> tuple:
    """What a move would change: the stage, the history and the reporter's notifications."""
    report = stored(store, number)
    sent = store(outbox.notifications, contact_id=report.reporter_contact_id)
    return report.stage, report.history, [note.id for note in sent]


def test_an_illegal_move_fails_naming_the_allowed_stages_and_changes_nothing(app, store, filed):
    before = snapshot(store, filed)
    result = crm_move(app, filed, "selesai", "--note", "langsung selesai")
    assert result.exit_code != 0
    assert "menunggu" in result.output and "selesai" in result.output
    assert "allowed: ditolak, koordinasi" in result.output
    assert snapshot(store, filed) == before


def test_a_rejection_without_a_note_fails_and_changes_nothing(app, store, filed):
    before = snapshot(store, filed)
    result = crm_move(app, filed, "ditolak")
    assert result.exit_code != 0
    assert "reason" in result.output
    assert snapshot(store, filed) == before


def test_a_move_out_of_ditolak_goes_only_back_to_koordinasi(app, store, filed):
    assert crm_move(app, filed, "ditolak", "--note", "Bukan wilayah DKI").exit_code == 0
    result = crm_move(app, filed, "proses", "--note", "dibuka lagi")
    assert result.exit_code != 0
    assert "allowed: koordinasi" in result.output
    assert stored(store, filed).stage is Stage.DITOLAK
    result = crm_move(app, filed, "koordinasi", "--note", "Penolakan keliru")
    assert result.exit_code == 0, result.output
    assert stored(store, filed).stage is Stage.KOORDINASI


@pytest.mark.parametrize("typed", ["CRM-26-000001-0", "jalan-rusak", "123"])
def test_an_invalid_number_is_an_error(app, store, filed, typed):
    before = snapshot(store, filed)
    result = crm_move(app, typed, "koordinasi")
    assert result.exit_code != 0
    assert "not a valid report number" in result.output
    assert snapshot(store, filed) == before


def test_an_unknown_number_is_an_error(app, store, filed):
    unknown = numbers.format_number(2026, 999999)
    before = snapshot(store, filed)
    result = crm_move(app, unknown, "koordinasi")
    assert result.exit_code != 0
    assert f"no report {unknown}" in result.output
    assert snapshot(store, filed) == before


def test_an_unknown_stage_is_a_usage_error(app, store, filed):
    before = snapshot(store, filed)
    result = crm_move(app, filed, "dibatalkan")
    assert result.exit_code == 2
    assert "dibatalkan" in result.output
    assert snapshot(store, filed) == before


def test_a_follow_up_from_the_command_line_keeps_its_photo_in_the_media_store(
    app, store, filed, photo
):
    for stage in ["koordinasi", "proses"]:
        crm_move(app, filed, stage)
    result = crm_move(app, filed, "tindak_lanjut", "--photo", photo, "--note", "Lampu diganti")
    assert result.exit_code == 0, result.output
    (after,) = stored(store, filed).result_photos
    assert open_store(app.config["SETTINGS"]).get(after.stored_key) == RESULT_PNG


@pytest.mark.parametrize(
    ("stage", "content", "complaint"),
    [
        ("tindak_lanjut", None, "needs at least one photo"),
        ("tindak_lanjut", b"<html>not a photo</html>", "JPEG or PNG"),
        ("proses", RESULT_PNG, "only with a move to tindak_lanjut"),
    ],
    ids=["no-photo", "not-an-image", "photo-with-another-stage"],
)
def test_a_move_with_a_wrong_photo_or_none_is_refused_and_changes_nothing(
    app, store, filed, tmp_path, stage, content, complaint
):
    crm_move(app, filed, "koordinasi")
    if stage == "tindak_lanjut":
        crm_move(app, filed, "proses")
    before = stored(store, filed)
    extra = []
    if content is not None:
        (tmp_path / "file.png").write_bytes(content)
        extra = ["--photo", str(tmp_path / "file.png")]
    result = crm_move(app, filed, stage, *extra)
    assert result.exit_code != 0 and complaint in result.output
    assert stored(store, filed).history == before.history
