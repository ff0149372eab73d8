"""A supervisor (Biro Pemerintahan) by WhatsApp: `JAWAB <number> <answer>` answers the
latest open question a facilitator asked about that report (TANYA), and the answer goes
to her. Which command a message is, is read by
handlers/understanding/supervisor_command.py."""

from handlers.turn import Turn
from store import numbers, reports, staff_questions


def handle(turn: Turn) -> None:
    _, _, rest = turn.message.plain_sentence.partition(" ")  # an answer keeps its marks
    number, answer = numbers.split_leading_number(rest)
    if number is None or not number.valid:
        turn.say("sup_number_required", typed=number.display if number else None)
        return
    if not answer.strip():
        turn.say("sup_answer_required", number=number.display)
        return
    report = reports.find_report(number.digits, session=turn.session)
    answered = (
        staff_questions.answer_latest(
            report, turn.supervisor, answer.strip(), session=turn.session, now=turn.sends_at
        )
        if report is not None
        else None
    )
    if answered is None:
        turn.say("sup_nothing_asked", number=number.display, found=report is not None)
        return
    turn.say(
        "sup_answered",
        number=report.number,
        facilitator=answered.facilitator,
        question=answered.question,
        still_waiting=answered.still_waiting,
    )


def show_menu(turn: Turn) -> None:
    turn.greet("sup_menu", turn.supervisor.name)
