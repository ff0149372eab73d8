"""Routing one incoming message to the flow that answers it."""

from dataclasses import dataclass, replace
from datetime import datetime

from sqlmodel import Session

from handlers import facilitator, intake, menu, status, vocabulary
from handlers.message import IncomingMessage
from handlers.texts import Texts
from handlers.turn import Turn
from store import contacts, drafts, staff


@dataclass(frozen=True)
class Outcome:
    contact_id: int
    replies: list[str]


def respond(message: IncomingMessage, *, session: Session, now: datetime) -> Outcome:
    """Answer one message; every change goes into `session`, committed by the caller."""
    contact = contacts.touch_contact(message.sender, message.profile_name, session=session, now=now)
    if contact.is_new and vocabulary.looks_english(message.command):
        contacts.set_language(contact.id, "en", session=session)
        contact = replace(contact, language="en")
    turn = Turn(
        message=message,
        contact=contact,
        session=session,
        now=now,
        texts=Texts(contact.language),
        facilitator=staff.active_facilitator_by_phone(contact.phone, session=session),
    )
    _route(turn)
    return Outcome(contact_id=contact.id, replies=turn.replies)


def _route(turn: Turn) -> None:
    draft = drafts.load_draft(turn.contact.id, session=turn.session)
    if draft is not None and draft.is_expired(turn.now):
        drafts.discard_draft(turn.contact.id, session=turn.session)
        turn.say("draft_expired")
        draft = None
    command = turn.message.command

    if command in vocabulary.TO_ENGLISH or command in vocabulary.TO_INDONESIAN:
        menu.switch_language(turn, "en" if command in vocabulary.TO_ENGLISH else "id")
        if draft is not None:
            intake.prompt(turn, draft)
    elif command in vocabulary.CANCEL:
        intake.cancel(turn, draft)
    elif turn.message.is_empty:
        turn.say("empty_message")
        if draft is not None:
            intake.prompt(turn, draft)
    elif (
        turn.facilitator
        and draft is None
        and (command in vocabulary.MENU or facilitator.is_command(command))
    ):
        _route_facilitator(turn, command)
    elif command in vocabulary.MENU:
        menu.show_menu(turn, has_draft=draft is not None)
    elif draft is None and _is_rating(turn, command):
        menu.record_rating(turn, int(command))
    elif turn.contact.is_new:
        menu.show_menu(turn, has_draft=False)
        _route_without_draft(turn, command, first_contact=True)
    elif draft is not None and command in vocabulary.RESUME_REPORT:
        intake.start(turn)
    elif draft is not None:
        intake.continue_draft(turn, draft)
    else:
        _route_without_draft(turn, command)


def _route_facilitator(turn: Turn, command: str) -> None:
    if command in vocabulary.MENU:
        facilitator.show_menu(turn)
    else:
        facilitator.handle(turn)


def _is_rating(turn: Turn, command: str) -> bool:
    """A bare 1–5 right after a "report completed" notification rates that report."""
    return turn.contact.awaiting_rating_for is not None and command in {"1", "2", "3", "4", "5"}


def _route_without_draft(turn: Turn, command: str, *, first_contact: bool = False) -> None:
    if command in vocabulary.REPORT or turn.message.media or turn.message.location:
        intake.start(turn)
    elif command in vocabulary.STATUS:
        turn.say("status_ask_number")
    elif command in vocabulary.MY_REPORTS:
        status.my_reports(turn)
    elif command in vocabulary.GUIDE:
        turn.say("guide")
    elif status.looks_like_status_request(command):
        status.show_status(turn, command)
    elif turn.facilitator:
        facilitator.show_menu(turn)
    elif not first_contact:
        turn.say("unknown_command")
