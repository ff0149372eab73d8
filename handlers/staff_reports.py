"""What the facilitators' and the office members' commands share: which report a command
names (`LIHAT CRM-26-000123-3`, `TERIMA 2`: its number, or its position in their latest
ANTRIAN, which store/validations.py keeps), said back when it names none; how long an
ANTRIAN is; whether the reporter hears of a move."""

from handlers.turn import Turn
from handlers.understanding.facilitator_command import split_leading_position
from store import contacts, numbers, reports, validations

QUEUE_SHOWN = 20  # an ANTRIAN's numbered items (positions are one or two digits)


def named_report(
    turn: Turn, verb: str, rest: str, *, staff_id: int, texts: str
) -> tuple[numbers.ParsedNumber | None, str]:
    """The valid number `rest` names and what follows it (a note, a reason); or None,
    once the sender was told why: no number (`<texts>_number_required`), a mistyped one
    (`<texts>_invalid_number`), a position beyond their latest ANTRIAN."""
    number, remainder = numbers.split_leading_number(rest)
    if number is None:
        position, remainder = split_leading_position(rest)
        if position is not None:
            return _at_position(turn, verb, position, staff_id), remainder
    if number is None:
        turn.say(f"{texts}_number_required", command=verb)
        return None, remainder
    if not number.valid:
        turn.say(f"{texts}_invalid_number", typed=number.display)
        return None, remainder
    return number, remainder


def _at_position(
    turn: Turn, verb: str, position: int, staff_id: int
) -> numbers.ParsedNumber | None:
    """The number of the report at `position` of their latest ANTRIAN, or None, said why:
    they have none yet, or it listed fewer."""
    found = validations.report_at_position(staff_id, position, session=turn.session)
    if found.number is None:
        turn.say(
            "fac_no_such_position",
            command=verb,
            position=position,
            shown=found.shown,
            shown_at=found.shown_at,
        )
        return None
    return numbers.parse_number(found.number)


def reporter_told(turn: Turn, report: reports.ReportView) -> bool:
    """Whether the reporter gets the news: not when the report came from a channel
    without a phone, nor on a phone that paused notifications (BERHENTI)."""
    return report.reporter_contact_id is not None and not contacts.notifications_paused(
        report.reporter_contact_id, session=turn.session
    )
