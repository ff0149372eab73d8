"""A kelurahan's or an SKPD's staff member at work by WhatsApp: their office's open
reports (ANTRIAN), one of them (LIHAT), and its moves, with the rules and object checks
of the API (store/reports.officer_move with their office's Scope, as its token has):
TERIMA (a kelurahan takes a report into koordinasi, an SKPD a disposisi into proses),
TOLAK with a reason, TERUSKAN to an SKPD (a disposisi), PROSES, and SELESAI with a
photo of the finished work (tindak_lanjut, which the facilitators validate). Which
command a message is, is read by handlers/understanding/office_command.py.

A report outside their office gets the answer an unknown number gets: numbers cannot be
probed. A report is named by its number or its position in their latest ANTRIAN."""

from handlers import staff_reports
from handlers.turn import Turn
from handlers.understanding.office_command import verb_of
from store import numbers, office_members, reports, stages, validations
from store.offices import OfficeKind
from store.stages import Role, Stage

# TERIMA is the first step of each office's part of the paper's path.
ACCEPTED = {OfficeKind.KELURAHAN: Stage.KOORDINASI, OfficeKind.SKPD: Stage.PROSES}
MOVES = {
    "TOLAK": Stage.DITOLAK,
    "TERUSKAN": Stage.DISPOSISI,
    "PROSES": Stage.PROSES,
    "SELESAI": Stage.TINDAK_LANJUT,
}


def handle(turn: Turn) -> None:
    verb = verb_of(turn.message.answer)
    _, _, rest = turn.message.plain_text.partition(" ")
    if verb == "ANTRIAN":
        show_queue(turn)
        return
    number, remainder = staff_reports.named_report(
        turn, verb, rest, staff_id=turn.office_member.id, texts="office"
    )
    if number is None:
        return
    if verb == "LIHAT":
        _view(turn, number)
    else:
        _move(turn, verb, number, remainder.strip())


def show_queue(turn: Turn) -> None:
    """The office's reports before tindak_lanjut, oldest first, numbered from 1; the
    numbering is kept, for `TERIMA 1` and the like (store/validations.py)."""
    member = turn.office_member
    items, total = office_members.open_reports(
        member.scope, limit=staff_reports.QUEUE_SHOWN, session=turn.session
    )
    validations.remember_queue_shown(
        member.id, [item.id for item in items], session=turn.session, now=turn.now
    )
    turn.say("office_queue", office=member.office.name, items=items, total=total)


def _find(turn: Turn, number: numbers.ParsedNumber) -> reports.ReportView | None:
    report = reports.find_report(
        number.digits, session=turn.session, scope=turn.office_member.scope
    )
    if report is None:
        turn.say("office_not_found", number=number.display)
    return report


def _view(turn: Turn, number: numbers.ParsedNumber) -> None:
    """What the office's token sees of a report, without the reporter's name or phone."""
    report = _find(turn, number)
    if report is not None:
        turn.say("office_view", report=report)


def _move(turn: Turn, verb: str, number: numbers.ParsedNumber, remainder: str) -> None:
    """The move the verb asks for, refused as the API refuses it; what a message lacks
    (a reason, an SKPD, a photo) is asked for before anything is tried."""
    member = turn.office_member
    if verb == "TOLAK" and not remainder:
        turn.say("office_reason_required", number=number.display)
        return
    photos = tuple(
        reports.Photo(url=item.url, content_type=item.content_type, at_twilio=True)
        for item in turn.message.media
        if item.is_photo
    )
    if verb == "SELESAI" and not photos:
        turn.say("office_photo_required", number=number.display)
        return
    to_stage = ACCEPTED[member.office.kind] if verb == "TERIMA" else MOVES[verb]
    try:
        view = reports.officer_move(
            number.digits,
            to_stage,
            role=Role(member.office.kind.value),
            actor_id=f"office:{member.id}",
            note=None if verb == "TERUSKAN" else remainder or None,
            session=turn.session,
            now=turn.now,
            scope=member.scope,
            skpd=remainder if verb == "TERUSKAN" else None,
            result_photos=photos if verb == "SELESAI" else (),
            queued_at=turn.sends_at,
        )
    except reports.UnknownReport:
        turn.say("office_not_found", number=number.display)
        return
    except stages.MoveRefused as refusal:
        _refused(turn, verb, number, refusal, typed=remainder)
        return
    turn.say(
        "office_moved",
        number=view.number,
        stage=view.stage,
        skpd=view.skpd if to_stage is Stage.DISPOSISI else None,
        photos=len(photos) if to_stage is Stage.TINDAK_LANJUT else 0,
        reporter_told=staff_reports.reporter_told(turn, view),
    )


def _refused(
    turn: Turn,
    verb: str,
    number: numbers.ParsedNumber,
    refusal: stages.MoveRefused,
    *,
    typed: str,
) -> None:
    """Why nothing changed: an SKPD that cannot be found, or a move its stage or the
    office's part does not allow (said with the stage the report is in)."""
    if isinstance(refusal, reports.UnknownSkpd | reports.SkpdRequired):
        turn.say("office_skpd_unknown", number=number.display, typed=typed or None)
        return
    report = _find(turn, number)
    if report is not None:
        turn.say("office_refused", command=verb, number=report.number, stage=report.stage)
