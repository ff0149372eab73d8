"""A reporter who disputes a closed report reopens it within 7 days:
`BUKA <number> <reason>` (DESIGN.md: the citizen may create and reopen)."""

from handlers import vocabulary
from handlers.turn import Turn
from store import numbers, reports, stages
from store.stages import Role, Stage

VERBS = {"BUKA", "REOPEN"}
# Said with a report number only, and not asking: "tolong dibuka lagi CRM-…"; not
# "dibuka jam berapa?" nor "dibuka kapan laporan CRM-…?".
VERBS_WITH_A_NUMBER = {"DIBUKA", "BUKAKAN"}
# Between the verb and the number: "buka lagi pak CRM-…", "buka kembali laporan saya CRM-…".
_BEFORE_THE_NUMBER = {"LAGI", "KEMBALI", "AGAIN", "LAPORAN", "LAPORANNYA", "REPORT", "NOMOR"}
_BEFORE_THE_NUMBER |= {"NO", "SAYA", "SY", "KAMI", "MY"} | vocabulary.COURTESIES
_QUESTION_WORDS = vocabulary.QUESTION_STARTS | vocabulary.ASKING | vocabulary.ASKING_WHEN


def is_command(command: str) -> bool:
    """`command` is the message without the courtesies around it (`IncomingMessage.answer`)."""
    verb = command.split(" ", 1)[0]
    return verb in VERBS or (
        verb in VERBS_WITH_A_NUMBER
        and _QUESTION_WORDS.isdisjoint(command.split())
        and numbers.find_number(command, with_prefix=True) is not None
    )


def _after_the_verb(text: str) -> str:
    """ "Mas, tolong buka lagi laporan saya CRM-… masih rusak" → "CRM-… masih rusak"."""
    words = text.split()
    while words and _plain(words[0]) in vocabulary.COURTESIES:
        words.pop(0)
    words = words[1:]
    while words and _plain(words[0]) in _BEFORE_THE_NUMBER:
        words.pop(0)
    return " ".join(words)


def _plain(word: str) -> str:
    return word.upper().strip(",.:;!")


def handle(turn: Turn) -> None:
    rest = _after_the_verb(turn.message.plain_text)  # without the sign-off: "… masih rusak pak"
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
