"""The shared state machine of DESIGN.md: stages, allowed moves and who may make them.

Pure rules, no database: `check_move` says whether one move is allowed and why not.
"""

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum


class Stage(StrEnum):
    MENUNGGU = "menunggu"
    KOORDINASI = "koordinasi"
    DISPOSISI = "disposisi"
    DITOLAK = "ditolak"
    PROSES = "proses"
    TINDAK_LANJUT = "tindak_lanjut"
    VALIDASI = "validasi"
    SELESAI = "selesai"


class Role(StrEnum):
    CITIZEN = "citizen"
    KELURAHAN = "kelurahan"
    SKPD = "skpd"
    FACILITATOR = "facilitator"
    ADMIN = "admin"
    CHANNEL = "channel"
    SYSTEM = "system"  # the store itself: closes a report once a facilitator validated it


INITIAL_STAGE = Stage.MENUNGGU
CLOSED_STAGES = (Stage.SELESAI, Stage.DITOLAK)  # the end of the road (a selesai one may reopen)
OPEN_STAGES = tuple(stage for stage in Stage if stage not in CLOSED_STAGES)
REOPEN_WINDOW = timedelta(days=7)

ALLOWED_MOVES: dict[Stage, frozenset[Stage]] = {
    Stage.MENUNGGU: frozenset({Stage.KOORDINASI, Stage.DITOLAK}),
    Stage.KOORDINASI: frozenset({Stage.PROSES, Stage.DISPOSISI, Stage.DITOLAK}),
    Stage.DISPOSISI: frozenset({Stage.PROSES, Stage.DITOLAK}),
    Stage.PROSES: frozenset({Stage.TINDAK_LANJUT, Stage.DITOLAK}),
    Stage.TINDAK_LANJUT: frozenset({Stage.VALIDASI, Stage.PROSES}),
    Stage.VALIDASI: frozenset({Stage.SELESAI}),
    Stage.SELESAI: frozenset({Stage.PROSES}),
    Stage.DITOLAK: frozenset({Stage.KOORDINASI}),  # an admin corrects a wrong rejection
}

# Which stages each role may move a report *out of*; admin may make any allowed move.
_ROLE_FROM_STAGES: dict[Role, frozenset[Stage]] = {
    Role.KELURAHAN: frozenset({Stage.MENUNGGU, Stage.KOORDINASI, Stage.PROSES}),
    Role.SKPD: frozenset({Stage.DISPOSISI, Stage.PROSES}),
    Role.FACILITATOR: frozenset({Stage.TINDAK_LANJUT}),
    Role.ADMIN: frozenset(Stage),  # the only one who may take a report out of ditolak
    Role.CITIZEN: frozenset({Stage.SELESAI}),
    Role.CHANNEL: frozenset(),
    Role.SYSTEM: frozenset({Stage.VALIDASI}),
}

# Moves that must carry a reason: a rejection, a follow-up sent back by a facilitator,
# and an admin's correction of a rejection.
_REASON_REQUIRED = {(from_, Stage.DITOLAK) for from_ in Stage} | {
    (Stage.TINDAK_LANJUT, Stage.PROSES),
    (Stage.DITOLAK, Stage.KOORDINASI),
}


class MoveRefused(Exception):
    """A move that is not allowed; `code` tells callers which kind of refusal it is."""

    code = "refused"

    def __init__(self, message: str, *, allowed: frozenset[Stage] = frozenset()):
        super().__init__(message)
        self.allowed = allowed


class IllegalMove(MoveRefused):
    code = "illegal_move"


class RoleNotAllowed(MoveRefused):
    code = "role_not_allowed"


class ReasonRequired(MoveRefused):
    code = "reason_required"


class ProofRequired(MoveRefused):
    """A follow-up is validated from its photos: the move to tindak_lanjut carries one."""

    code = "photo_required"


@dataclass(frozen=True)
class Move:
    from_stage: Stage
    to_stage: Stage
    role: Role
    note: str | None
    disposed: bool = False  # the report was forwarded to an SKPD: its proses is the SKPD's
    photos: int = 0  # photos of the finished work sent with the move


def role_may_move(role: Role, from_stage: Stage, to_stage: Stage, *, disposed: bool) -> bool:
    """DESIGN.md, "Who may make a move". A kelurahan takes or rejects what waits in
    menunggu, and carries on in proses with a report it handles itself (never disposed):
    the paper's "diproses langsung oleh kelurahan"."""
    if from_stage not in _ROLE_FROM_STAGES[role]:
        return False
    if role is Role.KELURAHAN and from_stage is Stage.PROSES:
        return not disposed
    return True


def requires_reason(from_stage: Stage, to_stage: Stage) -> bool:
    return (from_stage, to_stage) in _REASON_REQUIRED


def check_move(move: Move) -> None:
    """Raise `MoveRefused` (a subclass naming why) unless `move` may be made."""
    allowed = ALLOWED_MOVES[move.from_stage]
    if move.to_stage not in allowed:
        raise IllegalMove(f"cannot move from {move.from_stage} to {move.to_stage}", allowed=allowed)
    if not role_may_move(move.role, move.from_stage, move.to_stage, disposed=move.disposed):
        raise RoleNotAllowed(
            f"role {move.role} may not move a report from {move.from_stage} to {move.to_stage}",
            allowed=allowed,
        )
    if requires_reason(move.from_stage, move.to_stage) and not (move.note or "").strip():
        raise ReasonRequired(
            f"moving from {move.from_stage} to {move.to_stage} needs a reason", allowed=allowed
        )
    if move.to_stage is Stage.TINDAK_LANJUT and move.photos < 1:
        raise ProofRequired(
            "a move to tindak_lanjut needs at least one photo of the finished work",
            allowed=allowed,
        )
