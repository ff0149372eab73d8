"""What a message means: one ordered table of intents, read top to bottom, the first that
fits wins. Its input is the message and an explicit context (the question awaiting an
answer, a rating awaited, staff, office member or citizen, a report just filed…); its output a
`Reading`, an intent and its slots. No store, no Flask: the handlers act on the reading.

The order is the design. Emergencies are read before this table, before any limit
(`emergency.py`). Then what is understood everywhere: a rating awaited, a question, a
language, notifications, a cancel, the menu; so that a report's free-text answer never
swallows a command or a question. Then, in a report, the few unmistakable requests that
leave its question to be asked again, and the answer last; outside one, what starts a
report, then the requests, the last of which is "not understood".

Facts that need the store are the context's to give, read only when their rule is
reached (`Context` is a protocol: the conversation gives them lazily, tests as values).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from handlers import vocabulary
from handlers.message import IncomingMessage
from handlers.understanding import (
    category,
    facilitator_command,
    office_command,
    reopening,
    requests,
    status_request,
    story,
    supervisor_command,
)
from handlers.understanding.questions import question_in
from handlers.understanding.rating import named_score_in, rating_in

# Days after Selesai, a score alone that is no menu number ("1"–"4" are the menu's).
SCORE_ALONE_LATER = {"5"}


class Intent(StrEnum):
    RATE = "rate"  # slots: score
    THANK_BEFORE_RATING = "thank_before_rating"
    QUESTION = "question"  # slots: question
    CHOOSE_LANGUAGE = "choose_language"  # slots: language
    SET_NOTIFICATIONS = "set_notifications"  # slots: paused
    CANCEL = "cancel"
    EMPTY = "empty"
    FACILITATOR_COMMAND = "facilitator_command"
    FACILITATOR_MENU = "facilitator_menu"
    OFFICE_COMMAND = "office_command"  # a kelurahan's or an SKPD's staff member's
    SUPERVISOR_COMMAND = "supervisor_command"
    SUPERVISOR_MENU = "supervisor_menu"
    REOPEN = "reopen"
    MENU = "menu"
    RESUME_REPORT = "resume_report"
    MY_REPORTS = "my_reports"
    STATUS = "status"
    ASK_FOR_NUMBER = "ask_for_number"
    GUIDE = "guide"
    THANKS = "thanks"
    ANSWER = "answer"  # the answer to the report's question
    REPORT = "report"  # slots: told (the problem told already, or None)
    ADD_PHOTOS = "add_photos"  # to the report just filed
    MEDIA_ALONE = "media_alone"
    ACKNOWLEDGE = "acknowledge"
    OFFER_DETAIL = "offer_detail"  # of the report just filed
    NOT_UNDERSTOOD = "not_understood"
    NOTHING = "nothing"  # the replies already say what to do


# During a report, these are answered and its question is asked again.
ASK_AGAIN_AFTER = frozenset(
    {
        Intent.QUESTION,
        Intent.CHOOSE_LANGUAGE,
        Intent.SET_NOTIFICATIONS,
        Intent.EMPTY,
        Intent.FACILITATOR_COMMAND,
        Intent.OFFICE_COMMAND,
        Intent.SUPERVISOR_COMMAND,
        Intent.MENU,
        Intent.MY_REPORTS,
        Intent.STATUS,
        Intent.ASK_FOR_NUMBER,
        Intent.GUIDE,
        Intent.THANKS,
    }
)


class Context(Protocol):
    """What the meaning of a message depends on besides its words."""

    @property
    def step(self) -> str | None:
        """The report's question awaiting an answer; None outside a report."""

    @property
    def first_contact(self) -> bool: ...

    @property
    def told_what_to_do(self) -> bool:
        """The replies so far already say it (a report in progress expired)."""

    @property
    def rating_awaited(self) -> bool:
        """A report was closed and its rating is asked for by the very next answer."""

    @property
    def rating_open(self) -> bool:
        """The citizen's latest closed report, closed within a week, is not rated."""

    @property
    def facilitator(self) -> bool: ...

    @property
    def supervisor(self) -> bool: ...

    @property
    def staff(self) -> bool: ...

    @property
    def office_member(self) -> bool:
        """The sender is a kelurahan's or an SKPD's staff member: their commands are
        theirs, everything else is read as a citizen's."""

    @property
    def recent_report_categories(self) -> frozenset[str]:
        """The categories of their reports still on their way or closed within the week
        they may reopen them: what a long message of theirs may be about. Empty: none."""

    @property
    def report_just_filed(self) -> bool:
        """A report of theirs filed within the hour and still open."""

    @property
    def has_reports(self) -> bool: ...


@dataclass(frozen=True)
class Reading:
    intent: Intent
    slots: dict = field(default_factory=dict)
    # A first message that is no report is answered after the menu.
    menu_first: bool = False


Slots = dict | None
Match = Callable[[IncomingMessage, Context], Slots]


@dataclass(frozen=True)
class Rule:
    intent: Intent
    match: Match


def _when(test: Callable[[IncomingMessage, Context], bool]) -> Match:
    return lambda message, context: {} if test(message, context) else None


def _rating(message: IncomingMessage, context: Context) -> Slots:
    """Awaited right after Selesai, any score ("5 ya pak", in a sentence that thanks);
    later in its week, a score said to be one ("bintang lima") or a 5 alone: a
    sentence with thanks and a number is then more likely news ("makasih pak, lampu
    di RT 3 mati lagi")."""
    if context.step is not None:
        return None
    if context.rating_awaited:
        score = rating_in(message.answer) or rating_in(message.text)
    else:
        alone = message.answer in SCORE_ALONE_LATER
        score = int(message.answer) if alone else named_score_in(message.text)
        score = score if score is not None and context.rating_open else None
    return None if score is None else {"score": score}


def _question(message: IncomingMessage, context: Context) -> Slots:
    question = question_in(message.text)
    return None if question is None else {"question": question}


def _language(message: IncomingMessage, context: Context) -> Slots:
    if message.answer in vocabulary.TO_ENGLISH:
        return {"language": "en"}
    if message.answer in vocabulary.TO_INDONESIAN:
        return {"language": "id"}
    return None


def _notifications(message: IncomingMessage, context: Context) -> Slots:
    if message.answer in vocabulary.PAUSE or message.answer in vocabulary.RESUME:
        return {"paused": message.answer in vocabulary.PAUSE}
    return None


def _facilitator_command(message: IncomingMessage, context: Context) -> bool:
    """Also during their own report, when it names a report ("Lihat, jalan …" is none);
    the context's facilitator last: it is a look-up. Read before the questions the
    service answers: her "TANYA 2 siapa yang menangani ini?" is for the supervisors."""
    command = message.answer
    return (
        facilitator_command.is_command(command)
        and (context.step is None or facilitator_command.names_a_report(command))
        and context.facilitator
    )


def _office_command(message: IncomingMessage, context: Context) -> bool:
    """As a facilitator's command (`_facilitator_command`), for an office member."""
    command = message.answer
    return (
        office_command.is_command(command)
        and (context.step is None or office_command.names_a_report(command))
        and context.office_member
    )


def _supervisor_command(message: IncomingMessage, context: Context) -> bool:
    """As a facilitator's: the words first, the look-up last; a citizen's "jawab …" is
    read as it always was."""
    command = message.answer
    return (
        supervisor_command.is_command(command)
        and (context.step is None or supervisor_command.names_a_report(command))
        and context.supervisor
    )


def _not_a_number(words: set[str]) -> Callable[[IncomingMessage, Context], bool]:
    """A word of a request, not a digit alone: "3" answers the report's question."""
    return lambda message, context: message.answer in words and not message.answer.isdecimal()


def _told(message: IncomingMessage) -> str | None:
    return message.text if story.tells_a_problem(message) else None


def _report_with_attachment(message: IncomingMessage, context: Context) -> Slots:
    if not requests.starts_with_attachment(message):
        return None
    return {"told": _told(message)}


def _story(message: IncomingMessage, context: Context) -> Slots:
    """A long message that tells a problem, from a citizen, not staff. With a report of
    theirs in play, only a problem of another kind: "masih berlubang pak, motor jatuh
    lagi" is about the road they reported, "lampu di depan pasar mati" is a new report."""
    if not requests.tells_at_length(message) or context.staff:
        return None
    if recent := context.recent_report_categories:
        guess = category.guess_category(message.text)
        if guess is None or guess.category in recent:
            return None
    return {"told": message.text}


def _another_problem(message: IncomingMessage, context: Context) -> Slots:
    """ "ada masalah lain, lampu jalan mati di gang 5"."""
    command = message.answer
    if not vocabulary.says_another_problem(command) or requests.asks_about_earlier_reports(message):
        return None
    return {"told": _told(message)}


def _told_what_to_do(context: Context) -> bool:
    """A first message gets the menu, which says it."""
    return context.told_what_to_do or context.first_contact


def _thanks(message: IncomingMessage, context: Context) -> bool:
    return vocabulary.is_a_thank_you(message.command) and not _told_what_to_do(context)


EVERYWHERE = (
    Rule(Intent.RATE, _rating),
    Rule(
        Intent.THANK_BEFORE_RATING,
        _when(
            lambda m, c: (
                c.step is None and vocabulary.is_a_thank_you(m.command) and c.rating_awaited
            )
        ),
    ),
    Rule(Intent.FACILITATOR_COMMAND, _when(_facilitator_command)),
    Rule(Intent.SUPERVISOR_COMMAND, _when(_supervisor_command)),
    Rule(Intent.OFFICE_COMMAND, _when(_office_command)),
    Rule(Intent.QUESTION, _question),
    Rule(Intent.CHOOSE_LANGUAGE, _language),
    Rule(Intent.SET_NOTIFICATIONS, _notifications),
    Rule(Intent.CANCEL, _when(lambda m, c: m.answer in vocabulary.CANCEL)),
    Rule(Intent.EMPTY, _when(lambda m, c: m.is_empty)),
    Rule(
        Intent.FACILITATOR_MENU,
        _when(lambda m, c: c.step is None and requests.asks_for_the_menu(m) and c.facilitator),
    ),
    Rule(
        Intent.SUPERVISOR_MENU,
        _when(lambda m, c: c.step is None and requests.asks_for_the_menu(m) and c.supervisor),
    ),
    Rule(Intent.REOPEN, _when(lambda m, c: c.step is None and reopening.is_command(m.answer))),
    Rule(Intent.MENU, _when(lambda m, c: requests.asks_for_the_menu(m))),
)

IN_A_REPORT = (
    Rule(Intent.RESUME_REPORT, _when(lambda m, c: m.answer in vocabulary.RESUME_REPORT)),
    Rule(Intent.MY_REPORTS, _when(_not_a_number(vocabulary.MY_REPORTS))),
    Rule(Intent.STATUS, _when(lambda m, c: status_request.names_a_number(m.answer))),
    Rule(Intent.ASK_FOR_NUMBER, _when(_not_a_number(vocabulary.STATUS))),
    Rule(Intent.GUIDE, _when(_not_a_number(vocabulary.GUIDE))),
    Rule(
        Intent.MY_REPORTS,  # "laporan saya gimana?", "status laporan saya"
        _when(
            lambda m, c: requests.asks_after_own_reports(
                m.answer, asking=vocabulary.ASKING_AFTER | {"STATUS"}
            )
        ),
    ),
    Rule(
        Intent.THANKS,  # not "ya, terima kasih" at the summary
        _when(
            lambda m, c: vocabulary.is_a_thank_you(m.command) and not vocabulary.is_a_yes(m.answer)
        ),
    ),
    Rule(Intent.ANSWER, _when(lambda m, c: True)),
)

OUTSIDE_A_REPORT = (
    Rule(Intent.REPORT, lambda m, c: {"told": None} if m.answer in vocabulary.REPORT else None),
    Rule(
        Intent.ADD_PHOTOS,
        _when(lambda m, c: not c.first_contact and requests.photos_only(m) and c.report_just_filed),
    ),
    Rule(Intent.REPORT, _report_with_attachment),
    Rule(Intent.REPORT, _story),
    Rule(  # "saya mau lapor": no menu before
        Intent.REPORT,
        lambda m, c: (
            {"told": None}
            if requests.wishes_to_report(m) and not requests.media_without_words(m)
            else None
        ),
    ),
    Rule(Intent.REPORT, _another_problem),
)

# Outside a report, what a message that starts none asks for (a first one after the menu).
REQUESTS = (
    Rule(Intent.MEDIA_ALONE, _when(lambda m, c: requests.media_without_words(m))),
    Rule(Intent.ASK_FOR_NUMBER, _when(lambda m, c: m.answer in vocabulary.STATUS)),
    Rule(Intent.MY_REPORTS, _when(lambda m, c: m.answer in vocabulary.MY_REPORTS)),
    Rule(Intent.GUIDE, _when(lambda m, c: m.answer in vocabulary.GUIDE)),
    Rule(Intent.THANKS, _when(_thanks)),  # not to a first "🙏": the menu says it
    Rule(Intent.STATUS, _when(lambda m, c: status_request.looks_like_status_request(m))),
    Rule(  # "saya sudah lapor 3 hari lalu", "laporan saya gimana?"
        Intent.MY_REPORTS, _when(lambda m, c: requests.asks_about_earlier_reports(m))
    ),
    Rule(  # "what is the status of my report?" (a wish to report was read before)
        Intent.ASK_FOR_NUMBER,
        _when(lambda m, c: requests.short_with(m.answer, vocabulary.STATUS_WORDS)),
    ),
    Rule(  # "ok", "siap pak, ditunggu", or a YA sent twice
        Intent.ACKNOWLEDGE,
        _when(lambda m, c: requests.acknowledges(m.answer) and not _told_what_to_do(c)),
    ),
    Rule(Intent.FACILITATOR_MENU, _when(lambda m, c: c.facilitator)),
    Rule(Intent.SUPERVISOR_MENU, _when(lambda m, c: c.supervisor)),
    Rule(  # "lubangnya ada tiga", just after filing
        Intent.OFFER_DETAIL,
        _when(lambda m, c: requests.tells_a_detail(m) and c.report_just_filed),
    ),
    Rule(  # "kapan diperbaiki pak?": the answer is in their reports
        Intent.MY_REPORTS,
        _when(lambda m, c: requests.asks_after_progress(m) and c.has_reports),
    ),
    Rule(  # "maaf baru kirim fotonya", "bukan": nothing to do
        Intent.ACKNOWLEDGE,
        _when(lambda m, c: requests.asks_nothing(m.answer) and not _told_what_to_do(c)),
    ),
    Rule(Intent.NOT_UNDERSTOOD, _when(lambda m, c: not _told_what_to_do(c))),
    Rule(Intent.NOTHING, _when(lambda m, c: True)),
)


def read(message: IncomingMessage, context: Context) -> Reading:
    """The first intent of the table that fits the message in its context."""
    if context.step is not None:
        rule, slots = _first(message, context, EVERYWHERE + IN_A_REPORT)
        return Reading(rule.intent, slots)
    rule, slots = _first(message, context, EVERYWHERE + OUTSIDE_A_REPORT + REQUESTS)
    a_request = any(rule is request for request in REQUESTS)
    return Reading(rule.intent, slots, menu_first=a_request and context.first_contact)


def _first(message: IncomingMessage, context: Context, rules: Iterable[Rule]) -> tuple[Rule, dict]:
    for rule in rules:
        slots = rule.match(message, context)
        if slots is not None:
            return rule, slots
    raise AssertionError("the table ends with a rule that always fits")
