"""The guided report conversation: category, description, location, kelurahan, photos,
confirmation. One question at a time; the draft is saved after every answer."""

from collections.abc import Callable

from handlers import vocabulary
from handlers.message import IncomingMessage
from handlers.turn import Turn
from store import categories, drafts, places, reports
from store.drafts import DraftState

MIN_DESCRIPTION_CHARS = 10  # letters or digits, so "🙂🙂🙂" or "....." is not a description
MAX_DESCRIPTION_CHARS = 1000
MIN_ADDRESS_CHARS = 5
MAX_ADDRESS_CHARS = 300
MAX_PHOTOS = 5

CATEGORY, DESCRIPTION, LOCATION, KELURAHAN, PHOTOS, CONFIRM, SUBMITTED = (
    "category",
    "description",
    "location",
    "kelurahan",
    "photos",
    "confirm",
    "submitted",
)


def start(turn: Turn) -> None:
    existing = drafts.load_draft(turn.contact.id, session=turn.session)
    if existing is not None:
        turn.say("draft_resumed")
        prompt(turn, existing)
        return
    draft = DraftState(step=CATEGORY)
    _keep_attachments(turn, draft)
    _save(turn, draft)
    if turn.message.location or turn.message.media:
        turn.say(
            "report_started_with_attachment",
            location=turn.message.location is not None,
            photos=len(draft.data.get("photos", [])),
        )
    prompt(turn, draft)


def cancel(turn: Turn, draft: DraftState | None) -> None:
    if draft is None:
        turn.say("nothing_to_cancel")
        return
    drafts.discard_draft(turn.contact.id, session=turn.session)
    turn.say("report_cancelled")


def prompt(turn: Turn, draft: DraftState) -> None:
    """Ask the question of the draft's current step."""
    if draft.step == CATEGORY:
        turn.say("ask_category", categories=categories.CATEGORIES)
    elif draft.step == DESCRIPTION:
        turn.say("ask_description")
    elif draft.step == LOCATION:
        turn.say("ask_location")
    elif draft.step == KELURAHAN:
        suggestions = _suggested(draft)
        turn.say(
            "ask_kelurahan_choice" if suggestions else "ask_kelurahan", suggestions=suggestions
        )
    elif draft.step == PHOTOS:
        turn.say("ask_photos", count=len(draft.data.get("photos", [])), limit=MAX_PHOTOS)
    elif draft.step == CONFIRM:
        turn.say("confirm_summary", draft=_summary(draft))


def continue_draft(turn: Turn, draft: DraftState) -> None:
    kept = _keep_attachments(turn, draft)
    answers_step = _answers_step_with_attachment(turn.message, draft.step)
    if (turn.message.media or turn.message.location) and not answers_step:
        turn.say("attachment_kept", **kept)
        if not turn.message.text:
            prompt(turn, draft)
    if turn.message.text or answers_step:
        _STEPS[draft.step](turn, draft)
    _save(turn, draft)


def _answers_step_with_attachment(message: IncomingMessage, step: str) -> bool:
    return (step == LOCATION and message.location is not None) or (
        step == PHOTOS and bool(message.media)
    )


def _keep_attachments(turn: Turn, draft: DraftState) -> dict:
    """Photos and a location pin are kept whatever the step; say what was kept."""
    message: IncomingMessage = turn.message
    photos = draft.data.setdefault("photos", [])
    added = refused = over_limit = 0
    for item in message.media:
        if not item.is_photo:
            refused += 1
        elif len(photos) >= MAX_PHOTOS:
            over_limit += 1
        else:
            photos.append({"url": item.url, "content_type": item.content_type})
            added += 1
    if message.location is not None:
        pin = message.location
        draft.data["location"] = {
            "latitude": pin.latitude,
            "longitude": pin.longitude,
            "text": pin.describe(),
        }
    return {
        "photos_added": added,
        "photos_refused": refused,
        "photos_over_limit": over_limit,
        "location": message.location is not None,
        "limit": MAX_PHOTOS,
    }


def _on_category(turn: Turn, draft: DraftState) -> None:
    chosen = _category_from(turn.message.text, turn)
    if chosen is None:
        turn.say("category_not_understood", categories=categories.CATEGORIES)
        return
    draft.data["category"] = chosen
    _advance(turn, draft, DESCRIPTION)


def _category_from(text: str, turn: Turn) -> str | None:
    if text.isdigit():
        return categories.category_by_choice(int(text))
    wanted = text.casefold()
    for code in categories.CATEGORIES:
        if wanted in {code.replace("_", " "), turn.texts.category(code).casefold()}:
            return code
    return None


def _on_description(turn: Turn, draft: DraftState) -> None:
    text = turn.message.text
    meaningful = sum(char.isalnum() for char in text)
    if meaningful < MIN_DESCRIPTION_CHARS:
        turn.say("description_too_short", minimum=MIN_DESCRIPTION_CHARS)
    elif len(text) > MAX_DESCRIPTION_CHARS:
        turn.say("description_too_long", maximum=MAX_DESCRIPTION_CHARS, length=len(text))
    else:
        draft.data["description"] = text
        _advance(turn, draft, LOCATION)


def _on_location(turn: Turn, draft: DraftState) -> None:
    if turn.message.location is None:
        text = turn.message.text
        if sum(char.isalnum() for char in text) < MIN_ADDRESS_CHARS:
            turn.say("address_too_short")
            return
        if len(text) > MAX_ADDRESS_CHARS:
            turn.say("address_too_long", maximum=MAX_ADDRESS_CHARS)
            return
        draft.data["location"] = {"latitude": None, "longitude": None, "text": text}
    _advance(turn, draft, KELURAHAN)


def _on_kelurahan(turn: Turn, draft: DraftState) -> None:
    text = turn.message.text
    suggestions = _suggested(draft)
    if text.isdigit() and len(text) < 3 and suggestions:
        index = int(text) - 1
        if 0 <= index < len(suggestions):
            _choose_kelurahan(turn, draft, suggestions[index])
        else:
            turn.say("ask_kelurahan_choice", suggestions=suggestions)
        return
    match = places.match_kelurahan(text)
    if match.chosen is not None:
        _choose_kelurahan(turn, draft, match.chosen)
    elif match.suggestions:
        draft.data["suggestions"] = [kel.id for kel in match.suggestions]
        turn.say("ask_kelurahan_choice", suggestions=match.suggestions)
    else:
        draft.data.pop("suggestions", None)
        turn.say("kelurahan_not_found", typed=text[:60])


def _choose_kelurahan(turn: Turn, draft: DraftState, kelurahan: places.Kelurahan) -> None:
    draft.data.pop("suggestions", None)
    draft.data["kelurahan_id"] = kelurahan.id
    _advance(turn, draft, PHOTOS)


def _suggested(draft: DraftState) -> list[places.Kelurahan]:
    return [
        places.kelurahan_by_id(kelurahan_id) for kelurahan_id in draft.data.get("suggestions", [])
    ]


def _on_photos(turn: Turn, draft: DraftState) -> None:
    command = turn.message.command
    if command in vocabulary.SKIP or command in vocabulary.DONE:
        _advance(turn, draft, CONFIRM)
    elif turn.message.media:
        turn.say(
            "photo_received",
            count=len(draft.data["photos"]),
            limit=MAX_PHOTOS,
            refused=not any(item.is_photo for item in turn.message.media),
        )
    else:
        turn.say("photos_not_understood")


def _on_confirm(turn: Turn, draft: DraftState) -> None:
    if turn.message.command not in vocabulary.YES:
        turn.say("confirm_not_understood")
        return
    report = reports.create_report(_new_report(turn, draft), session=turn.session, now=turn.now)
    drafts.discard_draft(turn.contact.id, session=turn.session)
    draft.step = SUBMITTED
    turn.say("report_created", report=report)


def _new_report(turn: Turn, draft: DraftState) -> reports.NewReport:
    location = draft.data["location"]
    return reports.NewReport(
        category=draft.data["category"],
        description=draft.data["description"],
        kelurahan=places.kelurahan_by_id(draft.data["kelurahan_id"]),
        location_text=location["text"],
        latitude=location["latitude"],
        longitude=location["longitude"],
        photos=tuple(reports.Photo(**photo) for photo in draft.data.get("photos", [])),
        channel="whatsapp",
        reporter_contact_id=turn.contact.id,
        reporter_name=turn.contact.profile_name,
        reporter_phone=turn.contact.phone,
    )


def _advance(turn: Turn, draft: DraftState, step: str) -> None:
    """Go to `step`, skipping the location question when a pin was already sent."""
    if step == LOCATION and draft.data.get("location"):
        step = KELURAHAN
    draft.step = step
    prompt(turn, draft)


def _summary(draft: DraftState) -> dict:
    return {
        "category": draft.data["category"],
        "description": draft.data["description"],
        "location": draft.data["location"]["text"],
        "kelurahan": places.kelurahan_by_id(draft.data["kelurahan_id"]),
        "photos": len(draft.data.get("photos", [])),
    }


def _save(turn: Turn, draft: DraftState) -> None:
    if draft.step != SUBMITTED:
        drafts.save_draft(turn.contact.id, draft, session=turn.session, now=turn.now)


_STEPS: dict[str, Callable[[Turn, DraftState], None]] = {
    CATEGORY: _on_category,
    DESCRIPTION: _on_description,
    LOCATION: _on_location,
    KELURAHAN: _on_kelurahan,
    PHOTOS: _on_photos,
    CONFIRM: _on_confirm,
}
