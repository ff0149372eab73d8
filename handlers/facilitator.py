"""A TA Fasilitator's whole job by WhatsApp: the queue, a report's details with its
photos and the criteria of its category, a question to the supervisors (TANYA),
validating a follow-up (which closes the report) or sending it back with a reason.
Which command a message is, is read by handlers/understanding/facilitator_command.py.

A report is named by its number or by its position in her latest ANTRIAN (`LIHAT 1`):
the position is turned into that report's number first, and the command then does
exactly what it does with the number, whose reply names the report."""

from dataclasses import dataclass

from handlers import staff_reports
from handlers.turn import Turn
from handlers.understanding.facilitator_command import verb_of
from store import (
    areas,
    criteria,
    numbers,
    outbox,
    photos,
    publication,
    reports,
    staff_questions,
    validations,
)
from store.stages import Role, Stage

# Photos LIHAT sends as WhatsApp media, of the report and of its finished work each;
# more are listed as links. WhatsApp carries one media per message.
PHOTOS_SENT = 3


def handle(turn: Turn) -> None:
    verb = verb_of(turn.message.answer)  # "tolong lihat …", "Pak, lihat …"
    asked = turn.message.plain_sentence if verb == "TANYA" else turn.message.plain_text
    _, _, rest = asked.partition(" ")
    if verb == "ANTRIAN":
        show_queue(turn)
        return
    number, remainder = staff_reports.named_report(
        turn, verb, rest, staff_id=turn.facilitator.id, texts="fac"
    )
    if number is None:
        return
    if verb == "LIHAT":
        _view(turn, number)
    elif verb == "VALIDASI":
        _validate(turn, number, note=remainder)
    elif verb == "TANYA":
        _ask(turn, number, question=remainder)
    else:
        _send_back(turn, number, reason=remainder)


def show_menu(turn: Turn) -> None:
    turn.greet("fac_menu", turn.facilitator.name)


def show_queue(turn: Turn) -> None:
    """The queue, its first staff_reports.QUEUE_SHOWN numbered from 1; the numbering is kept, for
    `LIHAT 1` and the like to name what she saw (store/validations.py)."""
    items, total = validations.queue_of(
        turn.facilitator.id, session=turn.session, limit=staff_reports.QUEUE_SHOWN
    )
    validations.remember_queue_shown(
        turn.facilitator.id,
        [item.report_id for item in items],
        session=turn.session,
        now=turn.now,
    )
    turn.say("fac_queue", items=items, total=total, now=turn.now)


def _find(turn: Turn, number: numbers.ParsedNumber) -> reports.ReportView | None:
    report = reports.find_report(number.digits, session=turn.session)
    if report is None:
        turn.say("fac_not_found", number=number.display)
    return report


@dataclass(frozen=True)
class PhotoLine:
    url: str | None  # None: not kept yet (a citizen's photo the worker has yet to copy)
    lost: bool = False  # gone from Twilio before it could be copied
    signed: bool = False  # a link of ours, which expires (store/media_links.py)
    sent: bool = False  # sent as a photo after the reply (outbox.PHOTO)


def _view(turn: Turn, number: numbers.ParsedNumber) -> None:
    """A report's details: its photos, the problem ("before") and the finished work of
    its last follow-up ("after"), the first PHOTOS_SENT of each sent as photos after the
    reply and the others linked; how far from the report's pin the work was
    photographed, when both places are known; what a valid follow-up of its category
    shows; and the questions asked about it and their answers."""
    report = _find(turn, number)
    if report is None:
        return
    follow_ups = [entry.note for entry in report.history if entry.to_stage is Stage.TINDAK_LANJUT]
    before = _photo_lines(turn, report, report.report_photos, "before")
    after = _photo_lines(turn, report, report.result_photos, "after")
    turn.say(
        "fac_view",
        report=report,
        before=before,
        after=after,
        links_expire_at=turn.sends_at + turn.links.lifetime
        if any(line.signed and not line.sent for line in before + after)
        else None,
        follow_up_note=follow_ups[-1] if follow_ups else None,
        distance_m=_distance_of_work(report),
        criteria=criteria.criteria_of(report.category, session=turn.session).text,
        exchanges=staff_questions.exchanges_of(report.id, session=turn.session),
        validation=validations.open_validation_of(report.id, session=turn.session),
    )


def _photo_lines(
    turn: Turn, report: reports.ReportView, shown: tuple[reports.Photo, ...], which: str
) -> list[PhotoLine]:
    """A line per photo; the first PHOTOS_SENT in the media store are queued as photos,
    through signed links Twilio fetches (store/media_links.py), each captioned with
    which it is. A channel's own link stays a link: it is not ours to send."""
    lines = [_photo_line(turn, photo) for photo in shown]
    sent = [index for index, line in enumerate(lines) if line.signed][:PHOTOS_SENT]
    for position, index in enumerate(sent, start=1):
        payload = {
            "number": report.number,
            "which": which,
            "index": position,
            "of": len(sent),
            "url": lines[index].url,
        }
        outbox.enqueue(
            turn.contact.id,
            outbox.PHOTO,
            payload,
            report_id=report.id,
            session=turn.session,
            now=turn.sends_at,
        )
        lines[index] = PhotoLine(lines[index].url, signed=True, sent=True)
    return lines


def _photo_line(turn: Turn, photo: reports.Photo) -> PhotoLine:
    if photo.stored_key and turn.links:
        return PhotoLine(turn.links.link(photo.id, now=turn.sends_at).url, signed=True)
    if (own := publication.channels_own_link(photo)) is not None:
        return PhotoLine(own)
    return PhotoLine(None, lost=photo.copy_state == photos.LOST)


def _distance_of_work(report: reports.ReportView) -> int | None:
    """Metres from the report's pin to where its finished work was photographed; None
    unless the citizen sent a pin and the officer said where the photos were taken."""
    place = next((photo.place for photo in report.result_photos if photo.place), None)
    if report.latitude is None or place is None:
        return None
    return round(areas.metres_between((report.latitude, report.longitude), place))


def _ask(turn: Turn, number: numbers.ParsedNumber, *, question: str) -> None:
    """Her question about a report, to every active supervisor; kept in the report's
    staff history (LIHAT's "Tanya-jawab")."""
    if not question.strip():
        turn.say("fac_question_required", number=number.display)
        return
    report = _find(turn, number)
    if report is None:
        return
    told = staff_questions.ask(
        report, turn.facilitator, question.strip(), session=turn.session, now=turn.sends_at
    )
    turn.say("fac_question_sent", number=report.number, supervisors=told)


def _in_follow_up(turn: Turn, number: numbers.ParsedNumber) -> reports.ReportView | None:
    report = _find(turn, number)
    if report is not None and report.stage is not Stage.TINDAK_LANJUT:
        turn.say("fac_not_in_followup", number=report.number, stage=report.stage)
        return None
    return report


def _validate(turn: Turn, number: numbers.ParsedNumber, *, note: str) -> None:
    report = _in_follow_up(turn, number)
    if report is None:
        return
    taken_from = validations.take_over(report.id, turn.facilitator.id, session=turn.session)
    reports.officer_move(
        number.digits,
        Stage.VALIDASI,
        role=Role.FACILITATOR,
        actor_id=f"facilitator:{turn.facilitator.id}",
        note=note or None,
        session=turn.session,
        now=turn.now,
        queued_at=turn.sends_at,
    )
    turn.say(
        "fac_validated",
        number=report.number,
        reporter_told=staff_reports.reporter_told(turn, report),
        taken_from=taken_from,
    )


def _send_back(turn: Turn, number: numbers.ParsedNumber, *, reason: str) -> None:
    if not reason.strip():
        turn.say("fac_reason_required", number=number.display)
        return
    report = _in_follow_up(turn, number)
    if report is None:
        return
    taken_from = validations.take_over(report.id, turn.facilitator.id, session=turn.session)
    reports.move_report(
        number.digits,
        Stage.PROSES,
        role=Role.FACILITATOR,
        actor_id=f"facilitator:{turn.facilitator.id}",
        note=reason,
        session=turn.session,
        now=turn.now,
        queued_at=turn.sends_at,
    )
    turn.say(
        "fac_returned",
        number=report.number,
        reason=reason,
        reporter_told=staff_reports.reporter_told(turn, report),
        taken_from=taken_from,
    )
