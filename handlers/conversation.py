"""Routing one incoming message to the flow that answers it."""

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from handlers import facilitator, intake, menu, reopen, status, vocabulary
from handlers.message import IncomingMessage
from handlers.texts import Texts
from handlers.turn import Limits, Turn
from store import contacts, drafts, inbound, reports
from store.drafts import DraftState
from store.sql import AnySession
from store.stages import REOPEN_WINDOW

ONE_MINUTE = timedelta(minutes=1)
MAX_WORDS_OF_A_REQUEST = 10
DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Outcome:
    contact_id: int
    replies: list[str]


def respond(
    message: IncomingMessage, *, session: AnySession, now: datetime, limits: Limits = DEFAULT_LIMITS
) -> Outcome:
    """Answer one message; every change goes into `session`, committed by the caller."""
    contact = contacts.touch_contact(message.sender, message.profile_name, session=session, now=now)
    turn = Turn(
        message=message,
        contact=contact,
        session=session,
        now=now,
        texts=Texts(contact.language),
        limits=limits,
    )
    _route(turn)
    return Outcome(contact_id=contact.id, replies=turn.replies)


def _follow_language(turn: Turn) -> bool:
    """Switch to the language the citizen writes in (see `_language_written`); whether a
    known citizen's changed, who is then told how to go back (a first answer's menu
    already says it). Not asked during a report: its answers are for the officers."""
    contact = turn.contact
    language = _language_written(contact, turn.message.command)
    if language == contact.language:
        return False
    contacts.set_language(contact.id, language, session=turn.session)
    turn.contact = replace(contact, language=language)
    turn.switch_language(language)
    return not contact.is_new


def _language_written(contact: contacts.ContactInfo, command: str) -> str:
    """Answer in the language the citizen writes: a first message that looks English is
    answered in English; later, a message that leaves no doubt switches either way,
    unless they chose one (ENGLISH, BAHASA), which is kept."""
    if contact.language_chosen:
        return contact.language
    if contact.is_new:
        return "en" if vocabulary.looks_english(command) else contact.language
    return vocabulary.clearly_written_in(command) or contact.language


def _route(turn: Turn) -> None:
    if _too_many_messages(turn):
        turn.say("too_many_messages")
        return
    draft = _live_draft(turn)
    followed = draft is None and _follow_language(turn)
    _answer(turn, draft)
    if followed:  # after the answer, in the language they now write
        turn.say("language_followed")


def _answer(turn: Turn, draft: DraftState | None) -> None:
    command = turn.message.command
    if turn.contact.awaiting_rating_for is not None and draft is None:
        if menu.rating_in(command) is not None:
            menu.record_rating(turn, menu.rating_in(command))
            return
        menu.forget_rating(turn)  # a rating is only the very next answer

    if command in vocabulary.TO_ENGLISH or command in vocabulary.TO_INDONESIAN:
        menu.switch_language(turn, "en" if command in vocabulary.TO_ENGLISH else "id")
        _then_ask(turn, draft)
    elif command in vocabulary.PAUSE or command in vocabulary.RESUME:
        menu.set_notifications(turn, paused=command in vocabulary.PAUSE)
        _then_ask(turn, draft)
    elif command in vocabulary.CANCEL:
        intake.cancel(turn, draft)
    elif turn.message.is_empty:
        turn.say("empty_message")
        _then_ask(turn, draft)
    elif (
        facilitator.is_command(command)
        and (draft is None or facilitator.names_a_report(command))
        and turn.facilitator  # last: it is a query, needed only for these commands
    ):
        facilitator.handle(turn)  # also during their own report: "Lihat, jalan …" is not one
        _then_ask(turn, draft)
    elif draft is None and command in vocabulary.MENU and turn.facilitator:
        facilitator.show_menu(turn)
    elif draft is None and reopen.is_command(command):
        reopen.handle(turn)
    elif command in vocabulary.MENU:
        menu.show_menu(turn, draft=draft)
    elif draft is not None:
        _route_in_draft(turn, draft, command)
    elif turn.contact.is_new:
        menu.show_menu(turn, draft=None)
        _route_without_draft(turn, command, first_contact=True)
    else:
        _route_without_draft(turn, command)


def _too_many_messages(turn: Turn) -> bool:
    """Over the per-minute limit, unless a facilitator clearing their queue."""
    limit = turn.limits.messages_per_minute
    if limit is None:
        return False
    recent = inbound.count_since(turn.contact.id, turn.now - ONE_MINUTE, session=turn.session)
    return recent >= limit and turn.facilitator is None


def _live_draft(turn: Turn) -> DraftState | None:
    """The report in progress, unless it was left for more than 24 hours."""
    draft = drafts.load_draft(turn.contact.id, session=turn.session)
    if draft is not None and draft.is_expired(turn.now):
        drafts.discard_draft(turn.contact.id, session=turn.session)
        turn.say("draft_expired")
        return None
    return draft


def _then_ask(turn: Turn, draft: DraftState | None) -> None:
    if draft is not None:
        intake.prompt(turn, draft)


def _route_in_draft(turn: Turn, draft: DraftState, command: str) -> None:
    """Answers to the current question, except unmistakable commands, which are answered
    and followed by the question again."""
    if command in vocabulary.RESUME_REPORT:
        intake.start(turn)
    elif command in vocabulary.MY_REPORTS and not command.isdecimal():  # "3" answers the step
        status.my_reports(turn)
        intake.prompt(turn, draft)
    elif status.named_number(command) is not None:
        status.show_status(turn, command)
        intake.prompt(turn, draft)
    elif command in vocabulary.STATUS and not command.isdecimal():
        turn.say("status_ask_number")  # the number, sent next on its own, is answered too
        intake.prompt(turn, draft)
    elif command in vocabulary.GUIDE and not command.isdecimal():
        turn.say("guide")
        intake.prompt(turn, draft)
    else:
        intake.continue_draft(turn, draft)


def _short_with(command: str, *keywords) -> bool:
    """A short message with a word of each of these sets in it: a request in a sentence
    (a long one is more likely a report's story told up front)."""
    words = re.findall(r"\w+", command)
    return len(words) <= MAX_WORDS_OF_A_REQUEST and all(
        not set(among).isdisjoint(words) for among in keywords
    )


def _tells_a_story(turn: Turn, command: str) -> bool:
    """The problem told up front, to keep as a new report's description: a long message
    (requests are short, see `_short_with`) that asks after no report, from a citizen
    with none on its way or just closed (a long reply would be about that one)."""
    words = re.findall(r"\w+", command)
    return (
        len(words) > MAX_WORDS_OF_A_REQUEST
        and intake.can_describe(turn.message.text)
        and not _asks_after_a_report(set(words))
        and not reports.has_recent_report(
            turn.contact.id, closed_since=turn.now - REOPEN_WINDOW, session=turn.session
        )
    )


def _caption_told(turn: Turn, command: str) -> str | None:
    text = turn.message.text
    told = intake.can_describe(text) and not status.looks_like_status_request(command)
    return text if told else None


def _asks_after_a_report(words: set[str]) -> bool:
    """A "status", or an earlier report ("laporan saya sudah seminggu belum …") in a message
    that does not say it is reporting ("saya mau melaporkan …, sudah dua minggu"). Not
    "cek": "mohon cek saluran yang mampet …" asks for a look at the problem."""
    if "STATUS" in words:
        return True
    reporting = not words.isdisjoint(vocabulary.REPORT_WORDS) or all(
        not words.isdisjoint(among) for among in vocabulary.WISH_TO_REPORT
    )
    return (
        not reporting
        and not words.isdisjoint(vocabulary.ABOUT_REPORTS)
        and not words.isdisjoint(vocabulary.EARLIER_WORDS)
    )


def _route_without_draft(turn: Turn, command: str, *, first_contact: bool = False) -> None:
    if command in vocabulary.REPORT:
        intake.start(turn)
    elif intake.can_start_with(turn):  # a photo or a pin, its caption perhaps the problem
        intake.start(turn, story=_caption_told(turn, command))
    elif turn.message.media and not turn.message.text:
        turn.say("media_not_supported")
    elif command in vocabulary.STATUS:
        turn.say("status_ask_number")
    elif command in vocabulary.MY_REPORTS:
        status.my_reports(turn)
    elif command in vocabulary.GUIDE:
        turn.say("guide")
    elif status.looks_like_status_request(command):
        status.show_status(turn, command)
    elif _short_with(command, vocabulary.ABOUT_REPORTS, vocabulary.EARLIER_WORDS):
        status.my_reports(turn)  # "saya sudah lapor 3 hari lalu", "laporan saya belum ditangani"
    elif _short_with(command, vocabulary.STATUS_WORDS) and not _short_with(
        command,
        vocabulary.REPORT_WORDS,
        vocabulary.WISHES,  # "saya mau lapor, tolong cek …"
    ):
        turn.say("status_ask_number")  # "what is the status of my report?"
    elif _short_with(command, vocabulary.REPORT_WORDS) or _short_with(  # "saya mau lapor"
        command, *vocabulary.WISH_TO_REPORT
    ):
        intake.start(turn)
    elif turn.facilitator:
        facilitator.show_menu(turn)
    elif _tells_a_story(turn, command):
        intake.start(turn, story=turn.message.text)
    elif not first_contact:
        turn.say("unknown_command")
