"""Routing one incoming message to the flow that answers it."""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from handlers import (
    additions,
    facilitator,
    intake,
    menu,
    questions,
    reopen,
    status,
    story,
    vocabulary,
)
from handlers.message import IncomingMessage
from handlers.texts import Texts
from handlers.turn import Limits, Turn
from handlers.understanding.emergency import Emergency, emergency_in
from handlers.understanding.questions import question_in
from handlers.understanding.rating import rating_in
from store import contacts, drafts, inbound, reports, staff
from store.drafts import DraftState
from store.media_links import MediaLinks
from store.sql import AnySession
from store.stages import REOPEN_WINDOW

ONE_MINUTE = timedelta(minutes=1)
# A long message within this time of a report's closing is likelier about that report
# than a new problem: the week in which the reporter may reopen it.
ABOUT_THE_LAST_REPORT = REOPEN_WINDOW
MAX_WORDS_OF_A_REQUEST = 10
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
) -> Outcome:
    """Answer one message; every change goes into `session`, committed by the caller.
    `links` sign the links to photos that a facilitator's LIHAT shows (none without)."""
    contact = contacts.touch_contact(message.sender, message.profile_name, session=session, now=now)
    turn = Turn(
        message=message,
        contact=contact,
        session=session,
        now=now,
        texts=Texts(contact.language),
        limits=limits,
        links=links,
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
    draft = drafts.load_draft(turn.contact.id, session=turn.session)
    if draft is not None and draft.is_expired(turn.now):
        draft = None  # (discarded, and said so, by the next message)
    turn.say("emergency", kinds=emergency.kinds, in_report=draft is not None)
    _then_ask(turn, draft)


def _answer(turn: Turn, draft: DraftState | None, *, told_what_to_do: bool = False) -> None:
    """`told_what_to_do`: the replies so far already say it (a draft expired), so a
    message not understood needs no more."""
    command = turn.message.answer
    if turn.contact.awaiting_rating_for is not None and draft is None:
        # the score alone once courtesies are set aside ("5 ya pak"), or in a sentence
        score = rating_in(turn.message.answer) or rating_in(turn.message.text)
        if score is not None:
            menu.record_rating(turn, score)
            return
        if vocabulary.is_a_thank_you(turn.message.command):  # the rating may follow
            turn.say("you_are_welcome", rating_open=True)
            return
        menu.forget_rating(turn)  # a rating is only the very next answer

    question = question_in(turn.message.text)
    if question is not None:  # at any step: never a report's answer
        questions.answer(turn, question)
        _then_ask(turn, draft)
        return
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
    elif _asks_for_the_menu(turn, command) and draft is None and turn.facilitator:
        facilitator.show_menu(turn)
    elif draft is None and reopen.is_command(command):
        reopen.handle(turn)
    elif _asks_for_the_menu(turn, command):
        menu.show_menu(turn, draft=draft)
        _then_ask(turn, draft)  # back after hours, a bare "ya" must not send a summary unseen
    elif draft is not None:
        _route_in_draft(turn, draft, command)
    else:
        _route_without_draft(turn, command, told_what_to_do=told_what_to_do)


def _asks_for_the_menu(turn: Turn, command: str) -> bool:
    """MENU, or greetings; not a photo's caption ("Assalamualaikum"): the photo counts."""
    asked = command in vocabulary.MENU or vocabulary.is_a_greeting(command)
    return asked and not turn.message.has_attachment


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


def _live_draft(turn: Turn) -> tuple[DraftState | None, bool]:
    """The report in progress, unless it was left for more than 24 hours; whether it was."""
    draft = drafts.load_draft(turn.contact.id, session=turn.session)
    if draft is not None and draft.is_expired(turn.now):
        drafts.discard_draft(turn.contact.id, session=turn.session)
        turn.say("draft_expired")
        return None, True
    return draft, False


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
        status.ask_for_number(turn)  # the number, sent next on its own, is answered too
        intake.prompt(turn, draft)
    elif command in vocabulary.GUIDE and not command.isdecimal():
        turn.say("guide")
        intake.prompt(turn, draft)
    elif _asks_after_own_reports(command, asking=vocabulary.ASKING_AFTER | {"STATUS"}):
        status.my_reports(turn)  # "laporan saya gimana?", "status laporan saya"
        intake.prompt(turn, draft)
    elif vocabulary.is_a_thank_you(turn.message.command) and not vocabulary.is_a_yes(command):
        turn.say("you_are_welcome", rating_open=False)  # not "ya, terima kasih" at the summary
        intake.prompt(turn, draft)
    else:
        intake.continue_draft(turn, draft)


def _short_with(command: str, *keywords) -> bool:
    """A short message with a word of each of these sets in it: a request in a sentence
    (a long one is more likely a report's story told up front)."""
    words = story.words_of(command)
    return len(words) <= MAX_WORDS_OF_A_REQUEST and all(
        not set(among).isdisjoint(words) for among in keywords
    )


def _asks_after_own_reports(command: str, *, asking: frozenset[str]) -> bool:
    """A short question about one's reports: "laporan saya gimana?", "saya lupa nomor
    laporannya"; not "bagaimana cara lapor?", which wants to report."""
    return _short_with(command, vocabulary.REPORT_NOUNS, asking, vocabulary.OWNERS)


def _told_with_attachment(turn: Turn) -> str | None:
    """A photo's caption that tells the problem."""
    return turn.message.text if story.tells_a_problem(turn.message) else None


def _told_at_length(turn: Turn, command: str) -> str | None:
    """A long message (requests are short, see `_short_with`) that tells a problem, from a
    citizen, not staff, with no report on its way or just closed (a long reply would be
    about that one)."""
    text = turn.message.text
    if len(story.words_of(command)) <= MAX_WORDS_OF_A_REQUEST:
        return None
    if not story.tells_a_problem(turn.message):
        return None
    if staff.is_active_staff(turn.contact.phone, session=turn.session):
        return None
    since = turn.now - ABOUT_THE_LAST_REPORT
    if reports.has_recent_report(turn.contact.id, closed_since=since, session=turn.session):
        return None
    return text


def _route_without_draft(turn: Turn, command: str, *, told_what_to_do: bool = False) -> None:
    """A message outside a report: photos for the one just filed; one that starts a
    report, greeting a first message itself; or, after the menu for a first message, a
    request (or a detail of the report just filed)."""
    first_contact = turn.contact.is_new
    if command in vocabulary.REPORT:
        intake.start(turn, welcome=first_contact)
    elif not first_contact and (report := additions.report_for_photos(turn)) is not None:
        additions.add_photos(turn, report)
    elif intake.can_start_with(turn):
        intake.start(turn, told=_told_with_attachment(turn), welcome=first_contact)
    elif (told := _told_at_length(turn, command)) is not None:
        intake.start(turn, told=told, welcome=first_contact)
    elif _wishes_to_report(command) and not _media_without_words(turn):
        intake.start(turn, welcome=first_contact)  # "saya mau lapor": no menu before
    elif vocabulary.says_another_problem(command) and not _asks_about_earlier_reports(command):
        told = turn.message.text if story.tells_a_problem(turn.message) else None
        intake.start(turn, told=told)  # "ada masalah lain, lampu jalan mati di gang 5"
    else:
        if first_contact:
            menu.show_menu(turn, draft=None)
        _answer_request(turn, command, told_what_to_do=told_what_to_do or first_contact)


def _wishes_to_report(command: str) -> bool:
    """A wish to report ("saya mau lapor", "how do I report?"): short, with a report
    word, not about reports already made ("saya sudah lapor 3 hari lalu", "laporan saya
    gimana?"), and not a status request unless it says the wish too ("saya mau lapor,
    tolong cek …")."""
    says_report = _short_with(command, vocabulary.REPORT_WORDS) or _short_with(
        command, *vocabulary.WISH_TO_REPORT
    )
    return (
        says_report
        and not _asks_about_earlier_reports(command)
        and (
            not _short_with(command, vocabulary.STATUS_WORDS)
            or _short_with(command, vocabulary.REPORT_WORDS, vocabulary.WISHES)
        )
    )


def _asks_about_earlier_reports(command: str) -> bool:
    return (
        status.looks_like_status_request(command)
        or _short_with(command, vocabulary.ABOUT_REPORTS, vocabulary.EARLIER_WORDS)
        or _asks_after_own_reports(command, asking=vocabulary.ASKING_AFTER)
    )


def _acknowledges(command: str) -> bool:
    return command in vocabulary.YES or vocabulary.is_an_acknowledgement(command)


def _asks_after_progress(turn: Turn, command: str) -> bool:
    """A question, "kira-kira kapan ya", or "kok belum ada kabar ya": each is answered
    by their reports."""
    return (
        story.asks(turn.message)
        or vocabulary.asks_when(command)
        or _short_with(command, vocabulary.ASKING_FOR_NEWS)
    )


def _asks_nothing(command: str) -> bool:
    return set(story.words_of(command)) <= vocabulary.NOTHING_ASKED


def _media_without_words(turn: Turn) -> bool:
    """A voice note, a video, a photo with "ini fotonya pak": nothing to read."""
    return bool(turn.message.media) and not story.says_something(turn.message)


def _answer_media_alone(turn: Turn, *, told_what_to_do: bool) -> None:
    media = turn.message.media
    if not all(item.is_sticker for item in media):
        turn.say("media_not_supported", voice_note=any(item.is_voice_note for item in media))
    elif not told_what_to_do:
        turn.say("acknowledged")  # a sticker is a "👍" or a thank-you, not a photo


def _answer_request(turn: Turn, command: str, *, told_what_to_do: bool) -> None:
    if _media_without_words(turn):
        _answer_media_alone(turn, told_what_to_do=told_what_to_do)
    elif command in vocabulary.STATUS:
        status.ask_for_number(turn)
    elif command in vocabulary.MY_REPORTS:
        status.my_reports(turn)
    elif command in vocabulary.GUIDE:
        turn.say("guide")
    elif vocabulary.is_a_thank_you(turn.message.command) and not told_what_to_do:
        turn.say("you_are_welcome", rating_open=False)  # not to a first "🙏": the menu is said
    elif status.looks_like_status_request(command):
        status.show_status(turn, command)
    elif _asks_about_earlier_reports(command):
        status.my_reports(turn)  # "saya sudah lapor 3 hari lalu", "laporan saya gimana?"
    elif _short_with(command, vocabulary.STATUS_WORDS):  # a wish to report was read before
        status.ask_for_number(turn)  # "what is the status of my report?"
    elif _acknowledges(command) and not told_what_to_do:
        turn.say("acknowledged")  # "ok", "siap pak, ditunggu", or a YA sent twice
    elif turn.facilitator:
        facilitator.show_menu(turn)
    elif (report := additions.report_for_detail(turn)) is not None:
        additions.offer_detail(turn, report)  # "lubangnya ada tiga", just after filing
    elif _asks_after_progress(turn, command) and status.has_reports(turn):
        status.my_reports(turn)  # "kapan diperbaiki pak?": the answer is in their reports
    elif _asks_nothing(command) and not told_what_to_do:
        turn.say("acknowledged")  # "maaf baru kirim fotonya", "bukan": nothing to do
    elif not told_what_to_do:
        turn.say("unknown_command")
