"""Report status by number, and a citizen's own reports."""

from handlers import vocabulary
from handlers.turn import Turn
from store import numbers, reports

MY_REPORTS_LIMIT = 10


def looks_like_status_request(command: str) -> bool:
    """`STATUS …`, `CEK …`, or something shaped like a report number on its own."""
    return (
        command.startswith(vocabulary.STATUS_PREFIXES) or numbers.parse_number(command) is not None
    )


def _strip_status_word(command: str) -> str:
    for prefix in vocabulary.STATUS_PREFIXES:
        if command.startswith(prefix):
            return command[len(prefix) :]
    return command


def show_status(turn: Turn, command: str) -> None:
    typed = _strip_status_word(command)
    parsed = numbers.parse_number(typed)
    if parsed is None:
        turn.say("status_not_a_number", typed=typed[:40])
        return
    if not parsed.valid:
        turn.say("status_invalid_number", typed=typed[:40])
        return
    report = reports.find_report(parsed.digits, session=turn.session)
    if report is None:
        turn.say("status_not_found", number=parsed.display)
    elif report.reporter_contact_id == turn.contact.id:
        turn.say("status_owner", report=report)
    else:
        turn.say("status_public", report=reports.public_view(report))


def my_reports(turn: Turn) -> None:
    mine = reports.reports_of_contact(turn.contact.id, session=turn.session, limit=MY_REPORTS_LIMIT)
    total = (
        reports.count_reports_of_contact(turn.contact.id, session=turn.session)
        if len(mine) == MY_REPORTS_LIMIT
        else len(mine)
    )
    turn.say("my_reports", reports=mine, total=total)
