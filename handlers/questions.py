"""Answers to questions about the service (handlers/understanding/questions.py): that
CRM is no emergency line and which numbers are; who holds the citizen's newest report
now; how long reports of its category took over the last 90 days."""

from datetime import timedelta

from handlers.turn import Turn
from handlers.understanding import questions
from store import reports
from store.categories import CATEGORIES

RECENT = timedelta(days=90)


def answer(turn: Turn, question: str) -> None:
    if question == questions.EMERGENCY_LINE:
        turn.say("answer_emergency_line")
    elif question == questions.WHO_HANDLES:
        turn.say("answer_who_handles", report=_newest(turn))
    else:
        _how_long(turn)


def _newest(turn: Turn) -> reports.ReportView | None:
    return reports.newest_report_of_contact(turn.contact.id, session=turn.session)


def _how_long(turn: Turn) -> None:
    """For the category of the citizen's newest report, else for each category."""
    report = _newest(turn)
    categories = [report.category] if report else list(CATEGORIES)
    medians = {
        category: reports.median_days_to_close(
            category, since=turn.now - RECENT, session=turn.session
        )
        for category in categories
    }
    turn.say("answer_how_long", report=report, medians=medians)
