"""The menu, the language switch, and ratings of closed reports."""

from handlers.turn import Turn
from store import contacts, ratings
from store.drafts import DraftState


def show_menu(turn: Turn, *, draft: DraftState | None) -> None:
    """The numbered menu; during a report, a menu without numbers (they would answer
    the report's question), which the caller asks again after it."""
    if draft is None:
        turn.greet("menu", turn.contact.profile_name)
    else:
        turn.greet("menu_during_report", turn.contact.profile_name)


def switch_language(turn: Turn, language: str) -> None:
    contacts.set_language(turn.contact.id, language, chosen=True, session=turn.session)
    turn.switch_language(language)
    turn.say("language_set")


def forget_rating(turn: Turn) -> None:
    contacts.clear_awaited_rating(turn.contact.id, session=turn.session)


def record_rating(turn: Turn, report_id: int, score: int) -> None:
    number = ratings.rate_report(
        report_id, turn.contact.id, score, session=turn.session, now=turn.now
    )
    turn.say("rating_thanks", number=number, score=score)


def set_notifications(turn: Turn, *, paused: bool) -> None:
    contacts.set_notifications_paused(turn.contact.id, paused, session=turn.session)
    turn.say("notifications_paused" if paused else "notifications_resumed")
