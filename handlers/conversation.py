"""Routing one incoming message to the flow that answers it."""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cached_property

from handlers import (
    additions,
    facilitator,
    intake,
    menu,
    office_member,
    questions,
    reopen,
    status,
    supervisor,
    vocabulary,
)
from handlers.message import IncomingMessage
from handlers.texts import Texts
from handlers.turn import Limits, Turn
from handlers.understanding.emergency import Emergency, emergency_in
from handlers.understanding.reading import ASK_AGAIN_AFTER, Intent, Reading, read
from store import contacts, drafts, inbound, ratings, reports
from store.drafts import DraftState
from store.media_links import MediaLinks
from store.sql import AnySession
from store.stages import REOPEN_WINDOW

ONE_MINUTE = timedelta(minutes=1)
# A long message within this time of a report's closing is likelier about that report
# than a new problem: the week in which the reporter may reopen it.
ABOUT_THE_LAST_REPORT = REOPEN_WINDOW
DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Outcome:
    contact_id: int
    replies: list[str]
    contact_noted_at: object = None  # see ContactInfo.noted_at


def respond(
    message: IncomingMessage,
    *,
    session: AnySession,
    now: datetime,
    limits: Limits = DEFAULT_LIMITS,
    links: MediaLinks | None = None,
    sent_at: datetime | None = None,
) -> Outcome:
    """Answer one message; every change goes into `session`, committed by the caller.
    `links` sign the links to photos that a facilitator's LIHAT shows (none without).
    `now` is when the message reached us; `sent_at`, when what it queues goes out, if
    later (a message kept during an outage, replayed: Turn.sends_at)."""
    contact = contacts.touch_contact(message.sender, message.profile_name, session=session, now=now)
    turn = Turn(
        message=message,
        contact=contact,
        session=session,
        now=now,
        texts=Texts(contact.language),
        limits=limits,
        links=links,
        sent_at=sent_at,
    )
    _route(turn)
    return Outcome(contact_id=contact.id, replies=turn.replies, contact_noted_at=contact.noted_at)


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
    emergency = emergency_in(turn.message.text)
    if emergency is not None:
        _warn_of(turn, emergency)
        return
    over = _messages_over_the_limit(turn)
    if over == 1:
        turn.say("too_many_messages")
    if over:
        return  # after the notice, silence: every answer is billed
    draft, expired = _live_draft(turn)
    offered = additions.take_offer(turn) if draft is None else None  # none beside a draft
    followed = draft is None and _follow_language(turn)
    if draft is None and offered is not None:
        if additions.answer_offer(turn, offered):
            return
        turn.unanswered_offer = offered
    _answer(turn, draft, told_what_to_do=expired)
    if followed:  # after the answer, in the language they now write
        turn.say("language_followed")


def _warn_of(turn: Turn, emergency: Emergency) -> None:
    """An emergency, before anything else and whatever the limits: the numbers to call
    now, in the language it was told in (unless the citizen chose one); then the report
    in progress asked again, or the offer to report the aftermath. The message is kept
    (as every message is), and never taken as the answer to a report's question."""
    if not turn.contact.language_chosen and emergency.language != turn.texts.language:
        turn.switch_language(emergency.language)
    draft, _ = _draft_of(turn)  # an expired one is discarded, and said so, by the next message
    turn.say("emergency", kinds=emergency.kinds, in_report=draft is not None)
    _then_ask(turn, draft)


def _answer(turn: Turn, draft: DraftState | None, *, told_what_to_do: bool = False) -> None:
    """Read the message in its context, then do what it asks. `told_what_to_do`: the
    replies so far already say it (a draft expired), so a message not understood needs
    no more."""
    context = TurnContext(turn, draft, told_what_to_do=told_what_to_do)
    reading = read(turn.message, context)
    awaited = context.rating_awaited and draft is None
    if awaited and reading.intent not in _KEEP_THE_RATING_AWAITED:
        menu.forget_rating(turn)  # a rating right after Selesai is only the very next answer
    if reading.menu_first:
        menu.show_menu(turn, draft=None)
    ACTIONS[reading.intent](turn, draft, reading, context)
    if reading.intent in ASK_AGAIN_AFTER:
        _then_ask(turn, draft)


def _messages_over_the_limit(turn: Turn) -> int:
    """Which message over the per-minute limit this one is: 0 within it (or a
    facilitator clearing their queue), 1 for the first over it, which is told to wait,
    2 and on for the ones after, which get no answer. Every message counts, answered or
    not, so a phone gets at most the limit and the notice answered in any minute, however
    fast it sends."""
    limit = turn.limits.messages_per_minute
    if limit is None:
        return 0
    recent = inbound.count_since(turn.contact.id, turn.now - ONE_MINUTE, session=turn.session)
    if recent < limit or turn.facilitator is not None:
        return 0
    return recent - limit + 1


def _draft_of(turn: Turn) -> tuple[DraftState | None, bool]:
    """The report in progress, unless it was left for more than 24 hours; whether it was."""
    draft = drafts.load_draft(turn.contact.id, session=turn.session)
    if draft is not None and draft.is_expired(turn.now):
        return None, True
    return draft, False


def _live_draft(turn: Turn) -> tuple[DraftState | None, bool]:
    """The report in progress; one left for more than 24 hours is discarded, and said so."""
    draft, expired = _draft_of(turn)
    if expired:
        drafts.discard_draft(turn.contact.id, session=turn.session)
        turn.say("draft_expired")
    return draft, expired


def _then_ask(turn: Turn, draft: DraftState | None) -> None:
    if draft is not None:
        intake.prompt(turn, draft)


class TurnContext:
    """The reading's context for one turn, each fact read from the store only when a rule
    of the table asks for it (most messages need none of them)."""

    def __init__(self, turn: Turn, draft: DraftState | None, *, told_what_to_do: bool):
        self._turn = turn
        self.step = None if draft is None else draft.step
        self.first_contact = turn.contact.is_new
        self.told_what_to_do = told_what_to_do
        self.rating_awaited = turn.contact.awaiting_rating_for is not None

    @cached_property
    def rated_report(self) -> int | None:
        """The report a rating is for: the one awaiting it, else one closed this week."""
        turn = self._turn
        if turn.contact.awaiting_rating_for is not None:
            return turn.contact.awaiting_rating_for
        since = turn.now - ratings.RATING_WINDOW
        return ratings.report_open_to_rating(
            turn.contact.id, closed_since=since, session=turn.session
        )

    @property
    def rating_open(self) -> bool:
        return self.rated_report is not None

    @property
    def facilitator(self) -> bool:
        return self._turn.facilitator is not None

    @property
    def office_member(self) -> bool:
        return self._turn.office_member is not None

    @property
    def supervisor(self) -> bool:
        return self._turn.supervisor is not None

    @property
    def staff(self) -> bool:
        return self._turn.staff_roles.staff

    @cached_property
    def recent_report_categories(self) -> frozenset[str]:
        turn = self._turn
        since = turn.now - ABOUT_THE_LAST_REPORT
        return reports.recent_report_categories(
            turn.contact.id, closed_since=since, session=turn.session
        )

    @cached_property
    def just_filed(self) -> reports.ReportView | None:
        return additions.report_just_filed(self._turn)

    @property
    def report_just_filed(self) -> bool:
        return self.just_filed is not None

    @cached_property
    def has_reports(self) -> bool:
        return status.has_reports(self._turn)


Action = Callable[[Turn, DraftState | None, Reading, TurnContext], None]


def _rate(turn: Turn, draft, reading: Reading, context: TurnContext) -> None:
    menu.record_rating(turn, context.rated_report, reading.slots["score"])


def _report(turn: Turn, draft, reading: Reading, context: TurnContext) -> None:
    intake.start(turn, told=reading.slots["told"], welcome=context.first_contact)


def _resume_report(turn: Turn, draft, reading: Reading, context: TurnContext) -> None:
    intake.start(turn)


def _say(template: str, **values) -> Action:
    return lambda turn, draft, reading, context: turn.say(template, **values)


def _with_turn(action: Callable[[Turn], None]) -> Action:
    return lambda turn, draft, reading, context: action(turn)


def _media_alone(turn: Turn, draft, reading: Reading, context: TurnContext) -> None:
    media = turn.message.media
    if not all(item.is_sticker for item in media):
        turn.say("media_not_supported", voice_note=any(item.is_voice_note for item in media))
    elif not (context.told_what_to_do or context.first_contact):
        turn.say("acknowledged")  # a sticker is a "👍" or a thank-you, not a photo


ACTIONS: dict[Intent, Action] = {
    Intent.RATE: _rate,
    Intent.THANK_BEFORE_RATING: _say("you_are_welcome", rating_open=True),
    Intent.QUESTION: lambda turn, draft, reading, context: questions.answer(
        turn, reading.slots["question"]
    ),
    Intent.CHOOSE_LANGUAGE: lambda turn, draft, reading, context: menu.switch_language(
        turn, reading.slots["language"]
    ),
    Intent.SET_NOTIFICATIONS: lambda turn, draft, reading, context: menu.set_notifications(
        turn, paused=reading.slots["paused"]
    ),
    Intent.CANCEL: lambda turn, draft, reading, context: intake.cancel(turn, draft),
    Intent.EMPTY: _say("empty_message"),
    Intent.FACILITATOR_COMMAND: _with_turn(facilitator.handle),
    Intent.FACILITATOR_MENU: _with_turn(facilitator.show_menu),
    Intent.OFFICE_COMMAND: _with_turn(office_member.handle),
    Intent.SUPERVISOR_COMMAND: _with_turn(supervisor.handle),
    Intent.SUPERVISOR_MENU: _with_turn(supervisor.show_menu),
    Intent.REOPEN: _with_turn(reopen.handle),
    # back after hours, a bare "ya" must not send a summary unseen: the question follows
    Intent.MENU: lambda turn, draft, reading, context: menu.show_menu(turn, draft=draft),
    Intent.RESUME_REPORT: _resume_report,
    Intent.MY_REPORTS: _with_turn(status.my_reports),
    Intent.STATUS: lambda turn, draft, reading, context: status.show_status(
        turn, turn.message.answer
    ),
    Intent.ASK_FOR_NUMBER: _with_turn(status.ask_for_number),
    Intent.GUIDE: _say("guide"),
    Intent.THANKS: _say("you_are_welcome", rating_open=False),
    Intent.ANSWER: lambda turn, draft, reading, context: intake.continue_draft(turn, draft),
    Intent.REPORT: _report,
    Intent.ADD_PHOTOS: lambda turn, draft, reading, context: additions.add_photos(
        turn, context.just_filed
    ),
    Intent.MEDIA_ALONE: _media_alone,
    Intent.ACKNOWLEDGE: _say("acknowledged"),
    Intent.OFFER_DETAIL: lambda turn, draft, reading, context: additions.offer_detail(
        turn, context.just_filed
    ),
    Intent.NOT_UNDERSTOOD: _say("unknown_command"),
    Intent.NOTHING: lambda turn, draft, reading, context: None,
}
_KEEP_THE_RATING_AWAITED = {Intent.RATE, Intent.THANK_BEFORE_RATING}
