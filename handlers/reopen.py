"""A reporter who disputes a closed report reopens it within 7 days:
`BUKA <number> <reason>` (DESIGN.md: the citizen may create and reopen). Whether a
message asks it is read by handlers/understanding/reopening.py."""

from handlers.turn import Turn
from handlers.understanding.reopening import after_the_verb
from store import numbers, reports, stages
from store.stages import Role, Stage


def handle(turn: Turn) -> None:
    rest = after_the_verb(turn.message.plain_text)  # without the sign-off: "… masih rusak pak"
    number, reason = numbers.split_leading_number(rest)
    reason = reason.lstrip(",.:;- ")  # "CRM-…, lubangnya muncul lagi"
    if number is None:
        turn.say("reopen_usage")
        return
    if not number.valid:
        turn.say("status_invalid_number", typed=rest[:40])
        return
    report = reports.find_report(number.digits, session=turn.session)
    if report is None or report.reporter_contact_id != turn.contact.id:
        turn.say("reopen_not_yours", number=number.display)  # a stranger learns nothing
    elif report.stage is Stage.DITOLAK:
        turn.say("reopen_rejected", number=report.number)
    elif report.stage is not Stage.SELESAI:
        turn.say("reopen_not_closed", number=report.number, stage=report.stage)
    elif not reason.strip():
        turn.say("reopen_reason_required", number=report.number)
    else:
        _reopen(turn, report, reason)


def _reopen(turn: Turn, report: reports.ReportView, reason: str) -> None:
    try:
        reports.move_report(
            report.number,
            Stage.PROSES,
            role=Role.CITIZEN,
            actor_id=f"contact:{turn.contact.id}",
            note=reason,
            session=turn.session,
            now=turn.now,
        )
    except stages.RoleNotAllowed:
        turn.say("reopen_too_late", number=report.number)
        return
    turn.say("reopen_done", number=report.number)
