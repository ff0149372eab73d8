"""The guided report conversation: category, description, location, kelurahan, photos,
confirmation (where a part may be corrected: asked again, then the summary). One question
at a time; the draft is saved after every answer.

Photos and a location pin are kept whenever they arrive, whatever the question."""

import re
from collections.abc import Callable
from dataclasses import replace
from enum import StrEnum

from handlers import vocabulary
from handlers.message import Location
from handlers.turn import Turn
from handlers.understanding import requests, story
from handlers.understanding.category import guess_category
from handlers.understanding.story import MIN_DESCRIPTION_CHARS
from store import areas, categories, drafts, places, reports, sla
from store.clock import JAKARTA
from store.drafts import DraftState
from store.stages import Role

MIN_ADDRESS_CHARS = 5
MAX_ADDRESS_CHARS = 300
MAX_PHOTOS = 5
# In a draft's data while the question was last asked after a photo sent without
# words: the next such photo only asks for the answer.
_ASKED_AFTER_AN_ATTACHMENT = "asked_after_an_attachment"


class Step(StrEnum):
    CATEGORY = "category"
    DESCRIPTION = "description"
    LOCATION = "location"
    KELURAHAN = "kelurahan"
    PHOTOS = "photos"
    CONFIRM = "confirm"
    CHANGE = "change"  # which part of the summary to correct
    SUBMITTED = "submitted"  # the draft became a report and is gone


# The parts a citizen may correct at the summary, in the order the change question lists.
CHANGEABLE = (Step.CATEGORY, Step.DESCRIPTION, Step.LOCATION, Step.KELURAHAN, Step.PHOTOS)


def choice_number(text: str) -> int | None:
    """A short number typed as a choice ("2", "2."), in ASCII digits only."""
    match = re.fullmatch(r"([0-9]{1,3})[.)]?", text.strip())
    return int(match.group(1)) if match else None


def start(turn: Turn, *, told: str | None = None, welcome: bool = False) -> None:
    """Begin a report, or go on with the one in progress. `told`: the problem told before
    any question (see handlers/understanding/story.py), kept as the description for the citizen to
    confirm; `welcome`: greet a first message."""
    existing = drafts.load_draft(turn.contact.id, session=turn.session)
    if welcome:
        turn.greet("welcome", turn.contact.profile_name)
    if existing is None and _reached_daily_limit(turn):
        return
    if existing is None and told:
        told = story.without_greeting(told)
    draft = existing or DraftState(step=Step.CATEGORY, data={})
    kept = _keep_attachments(turn, draft)
    if existing is not None:
        turn.say("draft_resumed")
        prompt(turn, draft)
    else:
        if kept["photos_added"] or kept["location"] or told or kept["pin_outside"]:
            turn.say("report_started_with", story=bool(told), **kept)
        elif kept["photos_refused"] or kept["voice_notes"]:
            turn.say("attachment_kept", **kept)  # "saya mau lapor …" with a video: not kept
        if told:
            _take_story(turn, draft, told)
        else:  # "saya ingin melaporkan kerusakan jalan": its kind, not yet the story
            _guess_category(draft, turn.message.text)
        _advance(turn, draft, Step.CATEGORY)
    _save(turn, draft)


def _take_story(turn: Turn, draft: DraftState, told: str) -> None:
    """The problem told as the description, whatever its length (trimmed only past
    what a report holds, saying exactly where), and its category when the story says
    it clearly (`guess_category`), which the summary shows for the citizen to confirm."""
    kept = story.kept_story(told)
    if kept != told:
        turn.say(
            "story_trimmed", length=len(told), kept=len(kept), last_words=story.last_words(kept)
        )
    draft.data["description"] = kept
    if "category" not in draft.data:
        _guess_category(draft, kept)
    elif draft.data.get("changing"):  # a story replaced: its category is no longer a guess
        draft.data.pop("category_guessed", None)


def _guess_category(draft: DraftState, text: str) -> None:
    guess = guess_category(text)
    if guess is not None:
        draft.data["category"] = guess.category
        draft.data["category_guessed"] = True


def cancel(turn: Turn, draft: DraftState | None) -> None:
    """BATAL discards the report in progress; while correcting a part of its summary,
    only the correction."""
    if draft is None:
        turn.say("nothing_to_cancel")
    elif changing(draft):
        back_to_summary(turn, draft)
    else:
        drafts.discard_draft(turn.contact.id, session=turn.session)
        turn.say("report_cancelled")


def prompt(turn: Turn, draft: DraftState) -> None:
    """Ask the question of the draft's current step; or of an earlier part left without
    an answer since (a second pin, on a border, replaced the kelurahan a first gave)."""
    step = Step(draft.step)
    missing = _first_unanswered(draft)
    if missing is not None and _order(missing) < _order(step):  # then back here
        if step in _WALK and step is not Step.CONFIRM:
            draft.data.setdefault("resume_at", step)
        draft.data["changing"] = True
        draft.step = step = missing
    if step is Step.KELURAHAN and _suggested(draft):
        _offer_kelurahan(turn, draft)
        return
    turn.say(
        f"ask_{step}",
        categories=categories.CATEGORIES,
        limit=MAX_PHOTOS,
        count=len(draft.data.get("photos", [])),
        told=draft.data.get("description"),
        draft=_summary(draft) if step is Step.CONFIRM else None,
    )


def continue_draft(turn: Turn, draft: DraftState) -> None:
    kept = _keep_attachments(turn, draft)
    step = Step(draft.step)
    has_attachment = turn.message.has_attachment
    asked_after_an_attachment = draft.data.pop(_ASKED_AFTER_AN_ATTACHMENT, False)
    if kept["pin_outside"]:
        turn.say("attachment_kept", **kept)
        prompt(turn, draft)
    elif step in (Step.LOCATION, Step.KELURAHAN) and turn.message.location is not None:
        _on_location(turn, draft)  # a pin sent for the kelurahan tells it
    elif has_attachment and step is Step.PHOTOS:  # with a photo, the summary: more may follow
        then_summary = kept["photos_added"] > 0
        turn.say(
            "photos_kept", count=len(draft.data["photos"]), summary_follows=then_summary, **kept
        )
        if then_summary:
            _advance(turn, draft, Step.CONFIRM)
    elif _photos_alone(turn) and step is Step.CONFIRM:  # more of them: one short line each
        turn.say("photos_kept", count=len(draft.data["photos"]), at_summary=True, **kept)
    elif has_attachment and story.says_something(turn.message):  # not "ini fotonya pak"
        turn.say("attachment_kept", **kept)
        _STEPS[step](turn, draft)
    elif has_attachment:  # four photos sent at once: the question once, not four times
        turn.say("attachment_kept", answer_above=asked_after_an_attachment, **kept)
        if not asked_after_an_attachment:
            prompt(turn, draft)
        draft.data[_ASKED_AFTER_AN_ATTACHMENT] = True
    elif not change_during_a_change(turn, draft) and not correction_on_the_way(turn, draft):
        _STEPS[step](turn, draft)
    _save(turn, draft)


def _photos_alone(turn: Turn) -> bool:
    """Photos with no pin and a caption that says nothing ("ini fotonya")."""
    return requests.media_without_words(turn.message) and turn.message.location is None


def _keep_attachments(turn: Turn, draft: DraftState) -> dict:
    """Keep the message's photos (up to the limit) and location pin; say what was kept."""
    photos = draft.data.setdefault("photos", [])
    added = refused = voice_notes = over_limit = 0
    for item in turn.message.media:
        if item.is_voice_note:
            voice_notes += 1  # told to type instead
        elif not item.is_photo:
            refused += 1
        elif len(photos) >= MAX_PHOTOS:
            over_limit += 1
        else:
            photos.append({"url": item.url, "content_type": item.content_type})
            added += 1
    pin = turn.message.location
    pin_outside = pin is not None and not _keep_pin(draft, pin)
    return {
        "pin_outside": pin_outside,
        "photos_added": added,
        "photos_refused": refused,
        "voice_notes": voice_notes,
        "photos_over_limit": over_limit,
        "location": pin is not None and not pin_outside,
        "limit": MAX_PHOTOS,
    }


def _keep_pin(draft: DraftState, pin: Location) -> bool:
    """Keep a pin in DKI Jakarta as the report's place, with the kelurahan its polygons
    give (near an edge, those to choose from), unless the citizen typed one and the pin
    came unasked (not for the place or kelurahan question); whether it was in DKI
    Jakarta (CRM's area). Sent for the kelurahan, it keeps the words of the address
    typed before (officers read its landmarks) and adds where it is exactly."""
    step = Step(draft.step)
    try:
        place = areas.kelurahan_at(pin.latitude, pin.longitude)
    except ValueError:  # no place on Earth
        return False
    if place.placement is areas.Placement.OUTSIDE_DKI:
        return False
    typed = draft.data.get("location")
    keeps_the_words = step is Step.KELURAHAN and typed and typed["latitude"] is None
    draft.data["location"] = {
        "latitude": pin.latitude,
        "longitude": pin.longitude,
        "text": typed["text"] if keeps_the_words else pin.describe(),
    }
    asked = step in (Step.LOCATION, Step.KELURAHAN)
    if "kelurahan_id" in draft.data and not draft.data.get("kelurahan_from_pin") and not asked:
        return True  # typed: the citizen knows best
    _forget_suggestions(draft)
    draft.data.pop("kelurahan_id", None)
    if len(place.candidates) == 1:
        draft.data["kelurahan_id"] = place.candidates[0].id
        draft.data["kelurahan_from_pin"] = True
    else:
        draft.data["suggestions"] = [kel.id for kel in place.candidates]
        draft.data["suggested_for_pin"] = True
    return True


def _on_category(turn: Turn, draft: DraftState) -> None:
    chosen = _category_from(turn)
    if chosen is not None:
        draft.data["category"] = chosen
        draft.data.pop("category_guessed", None)
        _advance(turn, draft, Step.DESCRIPTION)
    elif story.tells_a_problem(turn.message):
        _add_to_description(turn, draft)
        if draft.data.get("changing"):
            prompt(turn, draft)  # the category asked again: the change is not made yet
        else:
            _advance(turn, draft, Step.CATEGORY)  # on, when the story says its category
    else:
        turn.say("category_not_understood", categories=categories.CATEGORIES)


def _choice(turn: Turn) -> tuple[int | None, str]:
    """The number of a choice ("2", "nomor 2", "2 pak") and the words after it ("2 sampah")."""
    words = turn.message.answer.replace(".", " ").split()
    while len(words) > 1 and words[0] in vocabulary.CHOICE_WORDS:
        words = words[1:]  # "pilih nomor 2"
    number = choice_number(words[0]) if words else None
    return number, " ".join(words[1:] if number is not None else words)


def _category_from(turn: Turn) -> str | None:
    """By its number, alone, after "nomor" or before its own name ("1 jalan rusak"; not
    "3 hari sampah numpuk", which tells the problem), or by its name."""
    number, named = _choice(turn)
    if number is None:
        return _category_named(turn, named)
    chosen = categories.category_by_choice(number)
    return chosen if not named or _category_named(turn, named) == chosen else None


def _category_named(turn: Turn, wanted: str) -> str | None:
    wanted = wanted.casefold()
    for code in categories.CATEGORIES:
        if wanted in {code.replace("_", " "), turn.texts.category(code).casefold()}:
            return code
    return None


def _add_to_description(turn: Turn, draft: DraftState) -> None:
    """The problem told in answer to the category question, after what was told before."""
    earlier = draft.data.get("description")
    turn.say("story_kept", added=earlier is not None)
    _take_story(turn, draft, "\n".join(filter(None, [earlier, turn.message.text])))


def _on_description(turn: Turn, draft: DraftState) -> None:
    """A description; or, to the one told before the questions, a yes, a yes and more
    (added to it), or a short answer that is no description ("bukan"), which asks again."""
    text = turn.message.text
    told = draft.data.get("description")
    if told and vocabulary.is_a_yes(turn.message.answer):
        _advance(turn, draft, Step.LOCATION)
    elif told and _says_yes_and_more(turn):  # "Betul, lubangnya sedalam 30 cm"
        _keep_description(turn, draft, f"{told}\n{text}")
    elif told and not story.tells_a_problem(turn.message):
        prompt(turn, draft)
    else:
        _keep_description(turn, draft, text)


def _says_yes_and_more(turn: Turn) -> bool:
    opens = vocabulary.opens_with_a_yes(turn.message.answer.split())
    return opens and story.says_something(turn.message)


def _keep_description(turn: Turn, draft: DraftState, text: str) -> None:
    if sum(char.isalnum() for char in text) < MIN_DESCRIPTION_CHARS:
        turn.say("description_too_short", minimum=MIN_DESCRIPTION_CHARS)
    else:
        _take_story(turn, draft, text)
        _advance(turn, draft, Step.LOCATION)


def _on_location(turn: Turn, draft: DraftState) -> None:
    """A pin, or a typed address; not a question ("gmn caranya kirim lokasi?") nor
    "sebentar ya pak, saya cari dulu", which officers would get as the address. A pin
    whose kelurahan the polygons give is answered with it, unless the summary says it."""
    if turn.message.location is not None and _photo_question_next(draft):
        kelurahan = places.kelurahan_by_id(draft.data["kelurahan_id"])
        turn.say("pin_placed", kelurahan=kelurahan)
    if turn.message.location is None:
        text = turn.message.text
        if not vocabulary.names_a_place(turn.message.command):
            if story.asks(turn.message):
                turn.say("address_how")
                return
            if vocabulary.asks_to_wait(turn.message.command):
                turn.say("address_awaited")
                return
        if sum(char.isalnum() for char in text) < MIN_ADDRESS_CHARS:
            turn.say("address_too_short")
            return
        if len(text) > MAX_ADDRESS_CHARS:
            turn.say("address_too_long", maximum=MAX_ADDRESS_CHARS)
            return
        draft.data["location"] = {"latitude": None, "longitude": None, "text": text}
        if draft.data.pop("kelurahan_from_pin", False):  # that place's, not this one's
            draft.data.pop("kelurahan_id", None)
    _advance(turn, draft, Step.KELURAHAN)


def _on_kelurahan(turn: Turn, draft: DraftState) -> None:
    text = turn.message.text
    suggestions = _suggested(draft)
    number, named = _choice(turn)  # "2", "nomor 2", "2 pak"
    if number is not None and not named and suggestions:
        if 1 <= number <= len(suggestions):
            _choose_kelurahan(turn, draft, suggestions[number - 1])
        else:
            _offer_kelurahan(turn, draft, missed=number)
        return
    match = places.match_kelurahan(turn.message.answer)  # "kramat pak" is Kramat
    also_meant = places.also_meant(match.chosen, turn.message.answer) if match.chosen else ()
    if match.chosen is not None and not also_meant:
        _choose_kelurahan(turn, draft, match.chosen)
    elif match.suggestions or also_meant:  # a kecamatan's, or "Menteng" (Atas? Dalam?)
        _forget_suggestions(draft)
        chosen = (match.chosen,) if match.chosen else ()
        draft.data["suggestions"] = [kel.id for kel in chosen + also_meant + match.suggestions]
        draft.data["suggested_for_kecamatan"] = match.kecamatan
        _offer_kelurahan(turn, draft)
    elif suggestions:  # "ga tau bu, pokoknya deket stasiun": the list stays, and a pin helps
        _offer_kelurahan(turn, draft, unsure=True)
    else:
        code = re.sub(r"\D", "", text)[:5]  # "kode pos 99999": the code alone
        turn.say("kelurahan_not_found", typed=text[:60], code=code, why=_why_not_found(turn))


def _why_not_found(turn: Turn) -> str:
    """What the answer that names no kelurahan was, for the reply to say what to type."""
    typed = turn.message.text
    if vocabulary.says_not_knowing(turn.message.command):
        return "not_known"
    if turn.message.answer in vocabulary.SKIP:
        return "skipped"  # the kelurahan is what sends the report to its officers
    if places.names_a_city(typed):
        return "city"
    return "postal_code" if re.fullmatch(r"\D*\d{5}", typed.strip()) else "name"


def _offer_kelurahan(
    turn: Turn, draft: DraftState, *, missed: int | None = None, unsure: bool = False
) -> None:
    """The kelurahan suggested, by number (those of a kecamatan typed, saying so);
    `unsure`: the answer chose none of them, and a pin would tell."""
    turn.say(
        "ask_kelurahan_choice",
        suggestions=_suggested(draft),
        kecamatan=draft.data.get("suggested_for_kecamatan"),
        from_pin=draft.data.get("suggested_for_pin", False),
        missed=missed,
        unsure=unsure,
    )


def _choose_kelurahan(turn: Turn, draft: DraftState, kelurahan: places.Kelurahan) -> None:
    _forget_suggestions(draft)
    draft.data.pop("kelurahan_from_pin", None)
    draft.data["kelurahan_id"] = kelurahan.id
    _advance(turn, draft, Step.PHOTOS)


def _suggested(draft: DraftState) -> list[places.Kelurahan]:
    return [places.kelurahan_by_id(kel_id) for kel_id in draft.data.get("suggestions", [])]


def _forget_suggestions(draft: DraftState) -> None:
    draft.data.pop("suggestions", None)
    draft.data.pop("suggested_for_kecamatan", None)
    draft.data.pop("suggested_for_pin", None)


def _on_photos(turn: Turn, draft: DraftState) -> None:
    command = turn.message.answer
    if (
        command in vocabulary.SKIP
        or command in vocabulary.DONE
        or vocabulary.declines_photos(command)
        or vocabulary.is_a_yes(command)  # "udeh itu aje", "ok cukup"
    ):
        _advance(turn, draft, Step.CONFIRM)
    else:
        turn.say("photos_not_understood")


def _on_confirm(turn: Turn, draft: DraftState) -> None:
    """YA sends the report; "kelurahannya salah", "ganti kategori" ask that part again
    ("ubah kelurahan jadi Cikini" takes the new one), "ubah" asks which part."""
    answer = turn.message.answer
    if vocabulary.is_a_yes(answer):
        _submit(turn, draft)
    elif (part := _part_to_change(turn)) is not None:
        _change(turn, draft, part)
    elif _wants_a_change(turn):
        _advance(turn, draft, Step.CHANGE)
    elif _names_a_kelurahan_over_the_pins(turn, draft):
        draft.data["changing"] = True  # the summary again, once it is chosen
        draft.step = Step.KELURAHAN
        _on_kelurahan(turn, draft)  # "Menteng": which one?
    else:
        turn.say("confirm_not_understood")


def _photo_question_next(draft: DraftState) -> bool:
    """The pin gave the kelurahan and the photo question, not the summary, comes next."""
    return (
        bool(draft.data.get("kelurahan_from_pin"))
        and not draft.data.get("changing")
        and not draft.data.get("photos")
    )


def _names_a_kelurahan_over_the_pins(turn: Turn, draft: DraftState) -> bool:
    """At a summary whose kelurahan came from the pin (it says "ketik nama kelurahannya"
    if it is wrong), a kelurahan's name typed instead of YA."""
    if not draft.data.get("kelurahan_from_pin"):
        return False
    return places.match_kelurahan(turn.message.answer).chosen is not None


def _submit(turn: Turn, draft: DraftState) -> None:
    if _reached_daily_limit(turn):
        return
    report = reports.create_report(
        _new_report(turn, draft), session=turn.session, now=turn.now, queued_at=turn.sends_at
    )
    drafts.discard_draft(turn.contact.id, session=turn.session)
    draft.step = Step.SUBMITTED
    turn.say("report_created", report=report)


def _on_change(turn: Turn, draft: DraftState) -> None:
    """The part to correct, by its number in the list or its name; YA: none after all."""
    number, _ = _choice(turn)
    part = _part_named(turn)
    if number is not None and 1 <= number <= len(CHANGEABLE):
        part = CHANGEABLE[number - 1]
    if part is not None:
        _change(turn, draft, part)
    elif vocabulary.is_a_yes(turn.message.answer):
        _advance(turn, draft, Step.CONFIRM)
    else:
        turn.say("change_not_understood")


def changing(draft: DraftState) -> bool:
    """Whether the citizen is correcting a part of the summary (a question asked again
    for it, or which part to correct)."""
    return bool(draft.data.get("changing")) or Step(draft.step) is Step.CHANGE


def back_to_summary(turn: Turn, draft: DraftState) -> None:
    """A cancel word while correcting ends the correction, not the report: back to the
    summary, or to the question a correction on the way interrupted."""
    draft.data.pop("changing", None)
    if "photos_before_change" in draft.data:
        draft.data["photos"] = draft.data.pop("photos_before_change")
    turn.say("change_cancelled")
    _advance(turn, draft, Step(draft.data.pop("resume_at", Step.CONFIRM)))
    _save(turn, draft)


def _part_to_change(turn: Turn) -> Step | None:
    """The part a message at the summary asks to correct: named with a change word, or
    without a yes ("lokasinya", "kelurahannya salah"; not "ya lokasinya sudah benar"), or
    by number after UBAH ("ubah 4")."""
    words = turn.message.answer.split()
    if len(words) == 2 and words[0] in vocabulary.CHANGE and (number := choice_number(words[1])):
        return CHANGEABLE[number - 1] if 1 <= number <= len(CHANGEABLE) else None
    part = _part_named(turn)
    if part is None:
        return None
    said = story.words_of(turn.message.command)  # with its "ya"
    affirmed = vocabulary.opens_with_a_yes(said) or not vocabulary.AS_IT_IS.isdisjoint(said)
    return part if _wants_a_change(turn) or not affirmed else None


def _part_named(turn: Turn) -> Step | None:
    words = set(story.words_of(turn.message.answer))
    return next((step for step in CHANGEABLE if words & vocabulary.PARTS[step]), None)


def _wants_a_change(turn: Turn) -> bool:
    return not vocabulary.CHANGE.isdisjoint(story.words_of(turn.message.answer))


_NEW_VALUE = re.compile(
    r"\b(?:jadi|menjadi|harusnya|seharusnya|sebenarnya|yang benar|should be|to)\b[\s:]*(.+)$",
    re.IGNORECASE,
)


def _change(turn: Turn, draft: DraftState, part: Step) -> None:
    """Ask that part's question again, its answer leading back to the summary; or, when
    the message gave the new value ("ubah kelurahan jadi Cikini"), take it as that
    answer. Photos are sent again, the earlier ones kept aside until then."""
    draft.data["changing"] = True
    draft.step = part
    if part is Step.PHOTOS:  # kept aside, for a correction called off
        draft.data["photos_before_change"] = draft.data.get("photos", [])
        draft.data["photos"] = []
    new_value = _NEW_VALUE.search(turn.message.text)
    if new_value and part is not Step.PHOTOS:
        typed = replace(turn.message, body=new_value.group(1), media=(), location=None)
        was, said = draft.data.get(_ANSWERED_AS[part]), len(turn.replies)
        _STEPS[part](replace(turn, message=typed), draft)  # the same replies and session
        if draft.data.get(_ANSWERED_AS[part]) != was:  # taken: said before what follows
            turn.say_at(said, "part_changed", part=part.value)
    else:
        prompt(turn, draft)


# What each part of the walk keeps, once answered.
_ANSWERED_AS = {
    Step.CATEGORY: "category",
    Step.DESCRIPTION: "description",
    Step.LOCATION: "location",
    Step.KELURAHAN: "kelurahan_id",
}


def _first_unanswered(draft: DraftState) -> Step | None:
    return next((step for step, key in _ANSWERED_AS.items() if key not in draft.data), None)


def _order(step: Step) -> int:
    """Where a step comes in the walk; the summary and the change question last."""
    return _WALK.index(step) if step in _WALK else len(_WALK)


# The questions before the summary, where a correction goes back and then on.
_ON_THE_WAY = (*_ANSWERED_AS, Step.PHOTOS)


def correction_on_the_way(turn: Turn, draft: DraftState) -> bool:
    """Before the summary, "ganti kategori", "salah kategori pak, harusnya saluran air" or
    "alamatnya salah" goes back to that part answered earlier (taking the new value when
    the message gives it), then on to the question it interrupted; the current question's
    own part is asked again. "eh salah, harusnya saluran air" finds the part by its value;
    "ralat pak" asks which part. Never taken as the current question's answer; whether it
    was a correction."""
    step = Step(draft.step)
    if draft.data.get("changing") or step not in _ON_THE_WAY or not _wants_a_change(turn):
        return False
    part = _part_named(turn)
    value = requests.corrected_value(turn.message) if part is None else None
    if value is not None:  # "eh salah, harusnya saluran air": the part by its value
        part = _part_given(turn, value)
        if part is None:
            turn.say("correction_which_part")
            prompt(turn, draft)
            return True
    if part is step:
        prompt(turn, draft)
        return True
    if part not in _ANSWERED_AS or _ANSWERED_AS[part] not in draft.data:
        return False
    draft.data["resume_at"] = step
    _change(turn, draft, part)
    return True


def _part_given(turn: Turn, value: str) -> Step | None:
    """The part a correction's value belongs to: a category's name or a kelurahan's."""
    if value and _category_named(turn, value) is not None:
        return Step.CATEGORY
    if value and places.match_kelurahan(value).chosen is not None:
        return Step.KELURAHAN
    return None


def change_during_a_change(turn: Turn, draft: DraftState) -> bool:
    """While a part is asked again, "kategori salah" or UBAH goes to that part or the
    list instead of being taken as this part's answer; whether it did."""
    if not draft.data.get("changing") or Step(draft.step) is Step.CHANGE:
        return False
    part = _part_named(turn) if _wants_a_change(turn) else None
    if part is not None:
        _change(turn, draft, part)
    elif turn.message.answer in vocabulary.CHANGE:
        _advance(turn, draft, Step.CHANGE)
    else:
        return False
    return True


def _reached_daily_limit(turn: Turn) -> bool:
    """A phone may file `reports_per_day` reports per WIB day; say so when it has."""
    today = sla.start_of_day(turn.now.astimezone(JAKARTA).date())
    made = reports.count_reports_of_contact_since(turn.contact.id, today, session=turn.session)
    if made < turn.limits.reports_per_day:
        return False
    turn.say("too_many_reports", limit=turn.limits.reports_per_day)
    return True


def _new_report(turn: Turn, draft: DraftState) -> reports.NewReport:
    location = draft.data["location"]
    return reports.NewReport(
        category=draft.data["category"],
        description=draft.data["description"],
        kelurahan=places.kelurahan_by_id(draft.data["kelurahan_id"]),
        location_text=location["text"],
        latitude=location["latitude"],
        longitude=location["longitude"],
        photos=tuple(
            reports.Photo(**photo, at_twilio=True) for photo in draft.data.get("photos", [])
        ),
        channel="whatsapp",
        created_by=Role.CITIZEN,
        reporter_contact_id=turn.contact.id,
        reporter_name=turn.contact.profile_name,
        reporter_phone=turn.contact.phone,
        public_consent=True,  # the summary they answered YA to says what becomes public
    )


def _advance(turn: Turn, draft: DraftState, step: Step) -> None:
    """Go to `step`, skipping each question whose answer came before it was asked
    (`_KNOWN_BEFORE_ASKED`); back to the summary after a part corrected there, or to the
    question a correction on the way interrupted."""
    if draft.data.pop("changing", False):
        step = Step(draft.data.pop("resume_at", Step.CONFIRM))
        draft.data.pop("photos_before_change", None)
    while step in _WALK and _KNOWN_BEFORE_ASKED[step](draft.data):
        step = _WALK[_WALK.index(step) + 1]
    draft.step = step
    prompt(turn, draft)


# The questions of a report in order, each skipped when its answer came before it was
# asked: a story that says its category, a pin (its kelurahan too), a photo.
_WALK = (Step.CATEGORY, Step.DESCRIPTION, Step.LOCATION, Step.KELURAHAN, Step.PHOTOS, Step.CONFIRM)
_KNOWN_BEFORE_ASKED = {
    Step.CATEGORY: lambda data: "category" in data,
    # a story whose category it did not say may be no problem: confirmed before going on
    Step.DESCRIPTION: lambda data: bool(data.get("description") and data.get("category_guessed")),
    Step.LOCATION: lambda data: bool(data.get("location")),
    Step.KELURAHAN: lambda data: "kelurahan_id" in data,
    Step.PHOTOS: lambda data: bool(data.get("photos")),
    Step.CONFIRM: lambda data: False,
}


def _summary(draft: DraftState) -> dict:
    return {
        "category": draft.data["category"],
        "category_guessed": draft.data.get("category_guessed", False),
        "kelurahan_from_pin": draft.data.get("kelurahan_from_pin", False),
        "description": draft.data["description"],
        "location": draft.data["location"]["text"],
        "kelurahan": places.kelurahan_by_id(draft.data["kelurahan_id"]),
        "photos": len(draft.data.get("photos", [])),
    }


def _save(turn: Turn, draft: DraftState) -> None:
    if draft.step != Step.SUBMITTED:
        drafts.save_draft(turn.contact.id, draft, session=turn.session, now=turn.now)


_STEPS: dict[Step, Callable[[Turn, DraftState], None]] = {
    Step.CATEGORY: _on_category,
    Step.DESCRIPTION: _on_description,
    Step.LOCATION: _on_location,
    Step.KELURAHAN: _on_kelurahan,
    Step.PHOTOS: _on_photos,
    Step.CONFIRM: _on_confirm,
    Step.CHANGE: _on_change,
}
