"""Report status by number, and a citizen's own reports: the answers. What a message
asks is read by handlers/understanding/status_request.py."""

from handlers.turn import Turn
from handlers.understanding import status_request
from store import numbers, reports

MY_REPORTS_LIMIT = 10


def show_status(turn: Turn, command: str) -> None:
    typed = status_request.after_status_word(command)
    if not typed:
        ask_for_number(turn)
        return
    parsed = numbers.parse_number(typed, short_form=True) or numbers.find_number(
        typed, with_prefix=True, short_form=True
    )  # "cek status laporan CRM-26-000123-3"
    if parsed is None and status_request.names_own_reports(typed):
        my_reports(turn)  # "cek laporan", "status laporan saya"
        return
    if parsed is None:
        turn.say("status_not_a_number", typed=typed[:40])
        return
    if not parsed.valid:
        turn.say("status_invalid_number", typed=parsed.display)
        return
    report = reports.find_report(parsed.digits, session=turn.session)
    if report is None:
        turn.say("status_not_found", number=parsed.display)
    elif report.reporter_contact_id == turn.contact.id:
        turn.say("status_owner", report=report)
    else:
        turn.say("status_public", report=reports.public_view(report))


def has_reports(turn: Turn) -> bool:
    return reports.count_reports_of_contact(turn.contact.id, session=turn.session) > 0


def ask_for_number(turn: Turn) -> None:
    """A status asked without a number: the citizen's own reports when they have any
    (their numbers and stages, which is what they are after), else how to ask."""
    if has_reports(turn):
        my_reports(turn)
    else:
        turn.say("status_ask_number")


def my_reports(turn: Turn) -> None:
    mine = reports.reports_of_contact(turn.contact.id, session=turn.session, limit=MY_REPORTS_LIMIT)
    total = (
        reports.count_reports_of_contact(turn.contact.id, session=turn.session)
        if len(mine) == MY_REPORTS_LIMIT
        else len(mine)
    )
    turn.say("my_reports", reports=mine, total=total)
