"""The shared state machine of DESIGN.md, checked exhaustively against a table written
out here from the design (not read from `store.stages`)."""

import itertools
from dataclasses import replace

import pytest

from store.stages import (
    IllegalMove,
    MoveRefused,
    ProofRequired,
    ReasonRequired,
    Role,
    RoleNotAllowed,
    Stage,
    check_move,
)
from store.stages import Move as StageMove

# DESIGN.md, "Stages": the eight stage codes and the allowed moves.
STAGES = (
    "menunggu",
    "koordinasi",
    "disposisi",
    "ditolak",
    "proses",
    "tindak_lanjut",
    "validasi",
    "selesai",
)
ALLOWED = {
    ("menunggu", "koordinasi"),
    ("menunggu", "ditolak"),
    ("koordinasi", "proses"),
    ("koordinasi", "disposisi"),
    ("koordinasi", "ditolak"),
    ("disposisi", "proses"),
    ("disposisi", "ditolak"),
    ("proses", "tindak_lanjut"),
    ("proses", "ditolak"),
    ("tindak_lanjut", "validasi"),
    ("tindak_lanjut", "proses"),
    ("validasi", "selesai"),
    ("selesai", "proses"),
    ("ditolak", "koordinasi"),
}

# DESIGN.md, "Who may make a move" (only ever among the allowed moves above), plus the
# system's own move: closing a report the moment a facilitator validates it (issue 4).
ROLES = ("citizen", "kelurahan", "skpd", "facilitator", "admin", "channel", "system")


def role_may(role: str, from_stage: str, to_stage: str) -> bool:
    if role == "admin":
        return True
    if role == "kelurahan":  # proses: a report it handles itself (never disposed)
        return from_stage in ("menunggu", "koordinasi", "proses")
    if role == "skpd":
        return from_stage in ("disposisi", "proses")
    if role == "facilitator":
        return from_stage == "tindak_lanjut"
    if role == "citizen":
        return (from_stage, to_stage) == ("selesai", "proses")
    if role == "system":
        return (from_stage, to_stage) == ("validasi", "selesai")
    return False  # channel: creates reports, moves none


REASON_NEEDED = {(from_stage, "ditolak") for from_stage in STAGES} | {
    ("tindak_lanjut", "proses"),
    ("ditolak", "koordinasi"),
}


def expected_outcome(role: str, from_stage: str, to_stage: str) -> type[MoveRefused] | None:
    if (from_stage, to_stage) not in ALLOWED:
        return IllegalMove
    if not role_may(role, from_stage, to_stage):
        return RoleNotAllowed
    return None


def move(
    from_stage: str, to_stage: str, role: str, note: str | None = None, photos: int = 1
) -> StageMove:
    """A move as its role would send it: with a photo of the finished work (which only a
    move to tindak_lanjut needs)."""
    return StageMove(Stage(from_stage), Stage(to_stage), Role(role), note, photos=photos)


def outcome_of(a_move: StageMove) -> type[MoveRefused] | None:
    try:
        check_move(a_move)
    except MoveRefused as refused:
        return type(refused)
    return None


EVERY_MOVE = list(itertools.product(ROLES, STAGES, STAGES))


def test_the_module_has_exactly_the_stages_and_roles_of_the_design():
    assert sorted(stage.value for stage in Stage) == sorted(STAGES)
    assert sorted(role.value for role in Role) == sorted(ROLES)


@pytest.mark.parametrize(("role", "from_stage", "to_stage"), EVERY_MOVE)
def test_every_role_and_move_passes_or_is_refused_for_the_right_reason(role, from_stage, to_stage):
    # With a reason given, only the move itself and the role decide.
    outcome = outcome_of(move(from_stage, to_stage, role, note="Tidak sesuai fakta lapangan"))
    assert outcome is expected_outcome(role, from_stage, to_stage)


def test_the_expected_table_is_not_trivial():
    passing = [m for m in EVERY_MOVE if expected_outcome(*m) is None]
    by_role = {role: {(f, t) for r, f, t in passing if r == role} for role in ROLES}
    assert by_role["admin"] == ALLOWED
    assert by_role["citizen"] == {("selesai", "proses")}
    assert by_role["channel"] == set()
    assert by_role["kelurahan"] == {
        ("menunggu", "koordinasi"),
        ("menunggu", "ditolak"),
        ("koordinasi", "proses"),
        ("koordinasi", "disposisi"),
        ("koordinasi", "ditolak"),
        ("proses", "tindak_lanjut"),
        ("proses", "ditolak"),
    }
    assert by_role["skpd"] == {
        ("disposisi", "proses"),
        ("disposisi", "ditolak"),
        ("proses", "tindak_lanjut"),
        ("proses", "ditolak"),
    }
    assert by_role["facilitator"] == {("tindak_lanjut", "validasi"), ("tindak_lanjut", "proses")}


def test_kelurahan_may_reject_a_report_still_waiting_in_menunggu_with_a_reason():
    check_move(move("menunggu", "ditolak", "kelurahan", note="Kebakaran: hubungi 112"))
    with pytest.raises(ReasonRequired):
        check_move(move("menunggu", "ditolak", "kelurahan", note=" "))


@pytest.mark.parametrize("to_stage", ["tindak_lanjut", "ditolak"])
def test_kelurahan_carries_on_in_proses_only_with_a_report_never_disposed(to_stage):
    check_move(move("proses", to_stage, "kelurahan", note="alasan"))
    with pytest.raises(RoleNotAllowed):
        check_move(
            StageMove(Stage.PROSES, Stage(to_stage), Role.KELURAHAN, "alasan", disposed=True)
        )


@pytest.mark.parametrize("role", ["kelurahan", "skpd", "admin"])
def test_a_follow_up_without_a_photo_of_the_finished_work_is_refused_whoever_sends_it(role):
    disposed = role == "skpd"
    without = StageMove(Stage.PROSES, Stage.TINDAK_LANJUT, Role(role), "Sudah", disposed=disposed)
    with pytest.raises(ProofRequired):
        check_move(without)
    check_move(replace(without, photos=1))


def test_a_stage_never_moves_to_itself():
    for role, stage in itertools.product(ROLES, STAGES):
        with pytest.raises(IllegalMove):
            check_move(move(stage, stage, role, note="alasan"))


def test_only_an_admin_takes_a_report_out_of_ditolak_and_only_back_to_koordinasi():
    for role, to_stage in itertools.product(ROLES, STAGES):
        outcome = outcome_of(move("ditolak", to_stage, role, note="Penolakan keliru"))
        if to_stage != "koordinasi":
            assert outcome is IllegalMove
        else:
            assert outcome is (None if role == "admin" else RoleNotAllowed), role
    with pytest.raises(ReasonRequired):
        check_move(move("ditolak", "koordinasi", "admin"))


@pytest.mark.parametrize("from_stage", STAGES)
def test_illegal_move_carries_the_stages_that_are_allowed_from_there(from_stage):
    allowed_here = {to for f, to in ALLOWED if f == from_stage}
    for to_stage in set(STAGES) - allowed_here:
        with pytest.raises(IllegalMove) as refused:
            check_move(move(from_stage, to_stage, "admin", note="alasan"))
        assert {str(stage) for stage in refused.value.allowed} == allowed_here
        assert all(isinstance(stage, Stage) for stage in refused.value.allowed)


def test_refusals_have_distinct_codes_and_share_a_base_class():
    assert {IllegalMove.code, RoleNotAllowed.code, ReasonRequired.code} == {
        "illegal_move",
        "role_not_allowed",
        "reason_required",
    }
    for refusal in (IllegalMove, RoleNotAllowed, ReasonRequired):
        assert issubclass(refusal, MoveRefused)


# -- reasons ---------------------------------------------------------------------------

BLANK_NOTES = [None, "", "   ", "\n\t "]


def _roles_that_may(from_stage: str, to_stage: str) -> list[str]:
    return [role for role in ROLES if role_may(role, from_stage, to_stage)]


@pytest.mark.parametrize(("from_stage", "to_stage"), sorted(ALLOWED & REASON_NEEDED))
@pytest.mark.parametrize("note", BLANK_NOTES)
def test_rejecting_or_returning_a_follow_up_needs_a_reason(from_stage, to_stage, note):
    for role in _roles_that_may(from_stage, to_stage):
        with pytest.raises(ReasonRequired) as refused:
            check_move(move(from_stage, to_stage, role, note=note))
        assert {str(stage) for stage in refused.value.allowed} == {
            to for f, to in ALLOWED if f == from_stage
        }
        check_move(move(from_stage, to_stage, role, note="Foto tidak sesuai lokasi"))


def test_every_stage_that_can_be_rejected_needs_a_reason_to_be():
    rejectable = {f for f, to in ALLOWED if to == "ditolak"}
    assert rejectable == {"menunggu", "koordinasi", "disposisi", "proses"}
    assert {(f, "ditolak") for f in rejectable} | {
        ("tindak_lanjut", "proses"),
        ("ditolak", "koordinasi"),
    } == (ALLOWED & REASON_NEEDED)


@pytest.mark.parametrize(("from_stage", "to_stage"), sorted(ALLOWED - REASON_NEEDED))
@pytest.mark.parametrize("note", BLANK_NOTES)
def test_other_moves_need_no_reason(from_stage, to_stage, note):
    roles = _roles_that_may(from_stage, to_stage)
    assert roles
    for role in roles:
        check_move(move(from_stage, to_stage, role, note=note))
