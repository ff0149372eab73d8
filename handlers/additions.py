"""What a citizen sends soon after filing a report, added to it: photos ("maaf tadi lupa
fotonya") and details ("lubangnya ada tiga, dalam sekali"). Before, a photo began a new
report and a detail was "not understood": the citizen told the problem twice or gave up,
and the officers' report lacked what was sent. Each answer says how to make a new report
instead, for the citizen who meant another problem."""

from datetime import timedelta

from handlers import story, vocabulary
from handlers.intake import MAX_PHOTOS
from handlers.story import MAX_DESCRIPTION_CHARS
from handlers.turn import Turn
from store import reports
from store.reports import Photo, ReportView
from store.stages import CLOSED_STAGES

# Long enough to find the photo in the gallery or think of what was left out; after
# that, a message is as likely about a new problem.
WINDOW = timedelta(hours=1)
# The description with every addition, so that a flood of messages cannot grow it freely.
MAX_DESCRIPTION_WITH_ADDITIONS = 4 * MAX_DESCRIPTION_CHARS


def report_for_photos(turn: Turn) -> ReportView | None:
    """The report just filed, when the message is photos whose caption tells no new
    problem ("Lampu jalan mati di gang 3" or "ini masalah lain" start a new report)."""
    message = turn.message
    only_photos = bool(message.media) and all(item.is_photo for item in message.media)
    if not only_photos or message.location is not None or story.tells_a_problem(message):
        return None
    if not vocabulary.ANOTHER_PROBLEM.isdisjoint(story.words_of(message.command)):
        return None
    return _report_just_filed(turn)


def add_photos(turn: Turn, report: ReportView) -> None:
    """Keep the photos the report has room for, and say which report has them."""
    room = max(MAX_PHOTOS - len(report.photos), 0)
    sent = [Photo(url=item.url, content_type=item.content_type) for item in turn.message.media]
    reports.add_photos(report.id, sent[:room], session=turn.session)
    turn.say(
        "photos_added",
        number=report.number,
        added=len(sent[:room]),
        left_out=len(sent[room:]),
        count=len(report.photos) + len(sent[:room]),
        limit=MAX_PHOTOS,
    )


def report_for_detail(turn: Turn) -> ReportView | None:
    """The report just filed, when the message, text alone, tells something of it."""
    if turn.message.has_attachment or not story.tells_something(turn.message):
        return None
    return _report_just_filed(turn)


def add_detail(turn: Turn, report: ReportView) -> None:
    """Add the text to the report's description, marked as added and when; unless it is
    too long, or the description has grown as long as it may."""
    text = turn.message.text
    if len(text) > MAX_DESCRIPTION_CHARS:
        turn.say("description_too_long", maximum=MAX_DESCRIPTION_CHARS, length=len(text))
        return
    addition = turn.texts.say("description_addition", text=text, at=turn.now)  # as they write
    if len(report.description) + len(addition) > MAX_DESCRIPTION_WITH_ADDITIONS:
        turn.say("detail_not_added", number=report.number)
        return
    reports.add_to_description(report.id, addition, session=turn.session)
    turn.say("detail_added", number=report.number)


def _report_just_filed(turn: Turn) -> ReportView | None:
    """The citizen's newest report, when filed within the `WINDOW` and still open."""
    report = reports.newest_report_of_contact(turn.contact.id, session=turn.session)
    if report is None or report.stage in CLOSED_STAGES or turn.now - report.created_at > WINDOW:
        return None
    return report
