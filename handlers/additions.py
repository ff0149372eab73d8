"""What a citizen sends soon after filing a report, for that report: photos ("maaf tadi
lupa fotonya"), added to it, and details ("lubangnya ada tiga, dalam sekali"), which they
are asked whether to add (a text may as well be a new problem, a question or chit-chat,
and an addition stays in the description the officers read). Before, a photo began a new
report and a detail was "not understood": the citizen told the problem twice or gave up,
and the officers' report lacked what was sent."""

from datetime import timedelta

from handlers import intake, vocabulary
from handlers.intake import MAX_PHOTOS
from handlers.turn import Turn
from handlers.understanding import story
from handlers.understanding.story import MAX_STORY_CHARS
from store import offers, reports
from store.reports import Photo, ReportView
from store.stages import CLOSED_STAGES

# Long enough to find the photo in the gallery or think of what was left out; after
# that, a message is as likely about a new problem.
WINDOW = timedelta(hours=1)
MAX_ADDITION_CHARS = 1000
# The description with every addition, so that a flood of messages cannot grow it freely;
# a story may fill what a report holds (MAX_STORY_CHARS): room for three more details.
MAX_DESCRIPTION_WITH_ADDITIONS = MAX_STORY_CHARS + 3 * MAX_ADDITION_CHARS


def add_photos(turn: Turn, report: ReportView) -> None:
    """Keep the photos the report has room for, and say which report has them."""
    room = max(MAX_PHOTOS - len(report.report_photos), 0)
    sent = [
        Photo(url=item.url, content_type=item.content_type, at_twilio=True)
        for item in turn.message.media
    ]
    reports.add_photos(report.id, sent[:room], session=turn.session, now=turn.now)
    turn.say(
        "photos_added",
        number=report.number,
        added=len(sent[:room]),
        left_out=len(sent[room:]),
        count=len(report.report_photos) + len(sent[:room]),
        limit=MAX_PHOTOS,
    )


def offer_detail(turn: Turn, report: ReportView) -> None:
    """Ask whether the message is more about `report` (with the detail offered just
    before, when it went unanswered); the next message answers."""
    text = turn.message.text
    earlier = turn.unanswered_offer
    if earlier is not None and earlier.report_id == report.id:
        text = f"{earlier.text}\n{text}"
    if len(text) > MAX_ADDITION_CHARS:
        turn.say(
            "detail_too_long", number=report.number, maximum=MAX_ADDITION_CHARS, length=len(text)
        )
        return
    offers.offer(turn.contact.id, report.id, text, session=turn.session, now=turn.now)
    turn.say("addition_offered", number=report.number)


def take_offer(turn: Turn) -> offers.Offered | None:
    """The detail this message may answer, offered within the `WINDOW`; read (and so
    withdrawn) on every message, as only the very next one may accept it."""
    offered = offers.take_offer(turn.contact.id, session=turn.session)
    if offered is None or turn.now - offered.offered_at > WINDOW:
        return None
    return offered


def answer_offer(turn: Turn, offered: offers.Offered) -> bool:
    """YA adds the detail, LAPOR makes it a new report's story, a no leaves it; whether
    the message was one of these (others are answered as if no offer was made)."""
    answer = turn.message.answer
    if vocabulary.says_another_problem(answer):  # "bukan, ini masalah lain: lampu mati …"
        tells_its_own = story.tells_a_problem(
            turn.message, besides=vocabulary.SAYING_ANOTHER_PROBLEM
        )
        told = turn.message.text if tells_its_own else offered.text
        intake.start(turn, told=told)
    elif _says_yes(answer):
        _add_detail(turn, offered)
    elif answer in vocabulary.REPORT_AGAIN:
        intake.start(turn, told=offered.text)
    elif answer in vocabulary.NO or answer.split()[:1] == ["BUKAN"]:
        turn.say("addition_declined")
    else:
        return False
    return True


def _says_yes(answer: str) -> bool:
    """YA, or a sentence opening with it: "iya betul, itu buat laporan tadi"."""
    words = answer.split()
    return vocabulary.is_a_yes(answer) or (
        vocabulary.opens_with_a_yes(words) and vocabulary.NO.isdisjoint(words)
    )


def _add_detail(turn: Turn, offered: offers.Offered) -> None:
    """Add the text to the report's description, marked as added and when, unless the
    description has grown as long as it may."""
    number, stage = reports.number_and_stage(offered.report_id, session=turn.session)
    if stage in CLOSED_STAGES:
        turn.say("detail_report_closed", number=number)
        return
    addition = turn.texts.say("description_addition", text=offered.text, at=offered.offered_at)
    added = reports.add_to_description(
        offered.report_id, addition, longest=MAX_DESCRIPTION_WITH_ADDITIONS, session=turn.session
    )
    turn.say("detail_added" if added else "detail_not_added", number=number)


def report_just_filed(turn: Turn) -> ReportView | None:
    """The citizen's newest report, when filed within the `WINDOW` and still open."""
    report = reports.newest_report_of_contact(turn.contact.id, session=turn.session)
    if report is None or report.stage in CLOSED_STAGES or turn.now - report.created_at > WINDOW:
        return None
    return report
