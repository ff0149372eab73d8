"""The menu, the language switch, and ratings of closed reports."""

from handlers.turn import Turn
from store import contacts, ratings


def show_menu(turn: Turn, *, has_draft: bool) -> None:
    turn.say("menu", name=turn.contact.profile_name, has_draft=has_draft)


def switch_language(turn: Turn, language: str) -> None:
    contacts.set_language(turn.contact.id, language, session=turn.session)
    turn.switch_language(language)
    turn.say("language_set")


def record_rating(turn: Turn, score: int) -> None:
    number = ratings.rate_report(
        turn.contact.awaiting_rating_for, turn.contact.id, score, session=turn.session, now=turn.now
    )
    turn.say("rating_thanks", number=number, score=score)
