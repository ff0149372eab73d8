"""The menu and the language switch."""

from handlers.turn import Turn
from store import contacts


def show_menu(turn: Turn, *, has_draft: bool) -> None:
    turn.say("menu", name=turn.contact.profile_name, has_draft=has_draft)


def switch_language(turn: Turn, language: str) -> None:
    contacts.set_language(turn.contact.id, language, session=turn.session)
    turn.switch_language(language)
    turn.say("language_set")
