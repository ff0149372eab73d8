"""Photos sent just after filing a report ("maaf, tadi lupa fotonya"): added to that
report instead of starting a new one, which would leave the first without them and make
the citizen tell the same problem twice."""

from datetime import timedelta

from handlers import story
from handlers.intake import MAX_PHOTOS
from handlers.turn import Turn
from store import reports
from store.reports import Photo, ReportView
from store.stages import CLOSED_STAGES

# Long enough to find the photo in the gallery and send it; after that, photos more
# likely show a new problem.
WINDOW = timedelta(hours=1)


def report_for(turn: Turn) -> ReportView | None:
    """The report a message of photos is for: the citizen's newest, filed within the
    `WINDOW` and still open, when the caption tells no new problem."""
    message = turn.message
    only_photos = bool(message.media) and all(item.is_photo for item in message.media)
    if not only_photos or message.location is not None or story.tells_a_problem(message):
        return None
    report = reports.newest_report_of_contact(turn.contact.id, session=turn.session)
    if report is None or report.stage in CLOSED_STAGES or turn.now - report.created_at > WINDOW:
        return None
    return report


def add(turn: Turn, report: ReportView) -> None:
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
