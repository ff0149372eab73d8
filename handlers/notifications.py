"""What an outbox notification says: the free-form text, and the approved Content
template with its variables for when WhatsApp's 24-hour window is closed."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from handlers.texts import WHATSAPP_BODY_LIMIT, Texts, split_for_whatsapp
from store.outbox import (
    CUTOFF_LIST,
    DELAYED_REPLY,
    FACILITATOR_DIGEST,
    NEW_WORK,
    OFFICE_DEADLINE,
    OFFICE_NEW_REPORT,
    OFFICE_RETURNED,
    PHOTO,
    RATINGS_SUMMARY,
    SLA_ALERT,
    STAFF_ANSWER,
    STAFF_HELD,
    STAFF_QUESTION,
    STAGE_CHANGED,
    SUPERVISOR_DIGEST,
)
from store.stages import Stage

# The approved Content templates an operator configures (docs/notifications.md lists their texts).
STAGE_UPDATE = "stage_update"
REPORT_CLOSED = "report_closed"
STAFF_ALERT = "staff_alert"
OFFICE_REPORT = "office_report"
CONTENT_TEMPLATES = (
    NEW_WORK,
    STAFF_HELD,
    DELAYED_REPLY,
    STAGE_UPDATE,
    REPORT_CLOSED,
    STAFF_ALERT,
    FACILITATOR_DIGEST,
    SUPERVISOR_DIGEST,
    CUTOFF_LIST,
    OFFICE_REPORT,
    OFFICE_RETURNED,
    RATINGS_SUMMARY,
    STAFF_QUESTION,
    STAFF_ANSWER,
)
LISTED = 10  # numbers shown per list in a digest; the counts say how many in all
NOTE_IN_BODY = 1000
NOTE_IN_TEMPLATE = 200
DELAYED_APOLOGY_ROOM = 100  # templates/*/notify_delayed_reply.txt's first lines


@dataclass(frozen=True)
class Rendered:
    body: str
    template: str  # which approved Content template carries the same news
    variables: dict[str, str]
    media_url: str | None = None  # a photo sent with the body (PHOTO)


def render(kind: str, payload: dict, language: str) -> Rendered:
    try:
        renderer = _RENDERERS[kind]
    except KeyError:
        raise ValueError(f"no text for notification kind {kind!r}") from None
    return renderer(payload, Texts(language))


def _shortened(text: str | None, limit: int) -> str | None:
    """Officers' notes can be long: a WhatsApp message holds 1,600 characters and a
    template variable should be one short line."""
    if not text or len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def _stage_changed(payload: dict, texts: Texts) -> Rendered:
    stage = Stage(payload["stage"])
    at = datetime.fromisoformat(payload["at"])
    body = texts.say(
        f"notify_{stage}",
        number=payload["number"],
        stage=stage,
        at=at,
        note=_shortened(payload.get("note"), NOTE_IN_BODY),
        from_stage=payload.get("from_stage"),
        skpd=payload.get("skpd"),
    )
    if stage is Stage.SELESAI:
        return Rendered(body, REPORT_CLOSED, {"1": payload["number"], "2": texts.wib(at)})
    variables = {
        "1": payload["number"],
        "2": texts.stage(stage),
        "3": texts.wib(at),
        "4": _shortened(" ".join((payload.get("note") or "-").split()), NOTE_IN_TEMPLATE),
    }
    return Rendered(body, STAGE_UPDATE, variables)


def _sla_alert(payload: dict, texts: Texts) -> Rendered:
    """One missed rule, or (`alerts`) all that one scan found for this person."""
    if "alerts" in payload:
        return _sla_alerts(payload["alerts"], texts)
    due_at = datetime.fromisoformat(payload["due_at"])
    body = texts.say(
        "staff_sla_alert",
        number=payload["number"],
        breach=payload["breach"],
        due_at=due_at,
        facilitator=payload.get("facilitator"),
    )
    variables = {
        "1": payload["number"],
        "2": texts.breach(payload["breach"]),
        "3": texts.wib(due_at),
    }
    return Rendered(body, STAFF_ALERT, variables)


def _sla_alerts(alerts: list[dict], texts: Texts) -> Rendered:
    listed = [
        {**alert, "due_at": datetime.fromisoformat(alert["due_at"])} for alert in alerts[:LISTED]
    ]
    body = texts.say("staff_sla_alerts", alerts=listed, total=len(alerts))
    first = listed[0]
    variables = {
        "1": first["number"],
        "2": texts.say("staff_sla_alerts_more", breach=first["breach"], more=len(alerts) - 1),
        "3": texts.wib(first["due_at"]),
    }
    return Rendered(body, STAFF_ALERT, variables)


def _facilitator_digest(payload: dict, texts: Texts) -> Rendered:
    body = texts.say("staff_facilitator_digest", listed=LISTED, **payload)
    variables = {
        "1": str(payload["total"]),
        "2": str(len(payload["due_today"])),
        "3": str(len(payload["overdue"])),
    }
    return Rendered(body, FACILITATOR_DIGEST, variables)


def _supervisor_digest(payload: dict, texts: Texts) -> Rendered:
    body = texts.say("staff_supervisor_digest", listed=LISTED, **payload)
    variables = {
        "1": str(len(payload["overdue"])),
        "2": str(len(payload["daily_target_missed"])),
        "3": str(len(payload["kelurahan_late"])),
        "4": str(len(payload["follow_up_7d"])),
    }
    return Rendered(body, SUPERVISOR_DIGEST, variables)


def _cutoff_list(payload: dict, texts: Texts) -> Rendered:
    body = texts.say("staff_cutoff_list", listed=LISTED, **payload)
    return Rendered(body, CUTOFF_LIST, {"1": payload["month"], "2": str(len(payload["numbers"]))})


def _ratings_summary(payload: dict, texts: Texts) -> Rendered:
    """Last month's ratings: a supervisor's per facilitator and per office, a facilitator's
    her own; both with the latest comments."""
    body = _shortened(
        texts.say("staff_ratings_summary", listed=LISTED, **payload), WHATSAPP_BODY_LIMIT
    )
    variables = {"1": payload["month"], "2": str(payload["ratings"]), "3": f"{payload['mean']:.2f}"}
    return Rendered(body, RATINGS_SUMMARY, variables)


def _new_work(payload: dict, texts: Texts) -> Rendered:
    """A report entered the facilitator's queue."""
    item = _new_work_item(payload)
    body = texts.say("staff_new_work", **item)
    variables = {
        "1": item["number"],
        "2": texts.category(item["category"]),
        "3": item["kelurahan"],
        "4": texts.wib(item["due_at"]),
    }
    return Rendered(body, NEW_WORK, variables)


def _new_work_item(payload: dict) -> dict:
    return {
        **payload,
        "due_at": datetime.fromisoformat(payload["due_at"]),
        "daily_target_at": datetime.fromisoformat(payload["daily_target_at"]),
    }


def _office_new_report(payload: dict, texts: Texts) -> Rendered:
    """A report new to an office member's office: filed in its area, or disposed to it."""
    due_at = datetime.fromisoformat(payload["due_at"])
    body = texts.say(
        "staff_office_new_report",
        **{**payload, "note": _shortened(payload.get("note"), NOTE_IN_BODY), "due_at": due_at},
    )
    variables = {
        "1": payload["number"],
        "2": texts.category(payload["category"]),
        "3": payload["kelurahan"],
        "4": texts.wib(due_at),
    }
    return Rendered(body, OFFICE_REPORT, variables)


def _office_returned(payload: dict, texts: Texts) -> Rendered:
    """A report sent back to an office member's office, and why."""
    due_at = datetime.fromisoformat(payload["due_at"])
    reason = payload.get("reason")
    body = texts.say(
        "staff_office_returned",
        **{**payload, "reason": _shortened(reason, NOTE_IN_BODY), "due_at": due_at},
    )
    variables = {
        "1": payload["number"],
        "2": _shortened(" ".join((reason or "-").split()), NOTE_IN_TEMPLATE),
        "3": texts.wib(due_at),
    }
    return Rendered(body, OFFICE_RETURNED, variables)


def _office_deadline(payload: dict, texts: Texts) -> Rendered:
    """An office's rules warned of or missed, as one scan found them; outside the
    24-hour window, the staff alert's template carries the first."""
    alerts = [
        {**alert, "due_at": datetime.fromisoformat(alert["due_at"])} for alert in payload["alerts"]
    ]
    body = texts.say("staff_office_deadline", alerts=alerts, listed=LISTED)
    first = alerts[0]
    missed = texts.breach(first["breach"])
    if len(alerts) > 1:
        missed = texts.say("staff_sla_alerts_more", breach=first["breach"], more=len(alerts) - 1)
    variables = {"1": first["number"], "2": missed, "3": texts.wib(first["due_at"])}
    return Rendered(body, STAFF_ALERT, variables)


def _staff_held(payload: dict, texts: Texts) -> Rendered:
    """What waited for one staff phone through quiet hours, as one message: new work
    and missed deadlines listed, anything else (digests) after them as it would read."""
    new_work, alerts, others = [], [], []
    for item in payload["items"]:
        kind, inner = item["kind"], item["payload"]
        if kind == NEW_WORK:
            new_work.append(_new_work_item(inner))
        elif kind == SLA_ALERT:
            for alert in inner.get("alerts", [inner]):
                alerts.append({**alert, "due_at": datetime.fromisoformat(alert["due_at"])})
        else:
            others.append(render(kind, inner, texts.language).body)
    body = _shortened(
        texts.say(
            "staff_held",
            new_work=new_work,
            alerts=alerts,
            others=others,
            total=len(payload["items"]),
            listed=LISTED,
        ),
        WHATSAPP_BODY_LIMIT,
    )
    first = (new_work or alerts or [{"number": "-"}])[0]["number"]
    return Rendered(body, STAFF_HELD, {"1": str(len(payload["items"])), "2": first})


def delayed_reply_payloads(replies: list[str]) -> list[dict]:
    """The answer to a message kept in the spool, as the payloads of as few DELAYED_REPLY
    notifications as hold it with the apology (an ANTRIAN of twenty is two messages
    live), the first starting with the apology."""
    room = WHATSAPP_BODY_LIMIT - DELAYED_APOLOGY_ROOM
    parts: list[list[str]] = [[]]
    packed = 0  # the last part's length, each text followed by a blank line
    for text in split_for_whatsapp(replies, room):
        if parts[-1] and packed + len(text) > room:
            parts.append([])
            packed = 0
        parts[-1].append(text)
        packed += len(text) + 2
    return [{"texts": texts, "continued": index > 0} for index, texts in enumerate(parts)]


def _delayed_reply(payload: dict, texts: Texts) -> Rendered:
    """The answer to a message that waited in the spool during a database outage."""
    body = _shortened(
        texts.say(
            "notify_delayed_reply",
            texts_=payload["texts"],
            continued=payload.get("continued", False),  # rows queued before parts: False
        ),
        WHATSAPP_BODY_LIMIT,
    )
    first = " ".join((payload["texts"][0] if payload["texts"] else "-").split())
    return Rendered(body, DELAYED_REPLY, {"1": _shortened(first, NOTE_IN_TEMPLATE)})


def _photo(payload: dict, texts: Texts) -> Rendered:
    """A photo a facilitator's LIHAT sends her, its caption saying which. No template
    carries it: it answers her message, inside the 24-hour window that message opened."""
    body = texts.say("fac_photo", **payload)
    return Rendered(body, PHOTO, {}, media_url=payload["url"])


def _staff_question(payload: dict, texts: Texts) -> Rendered:
    """A facilitator's TANYA, to a supervisor."""
    body = texts.say("staff_question", **payload)
    variables = {
        "1": payload["number"],
        "2": payload["facilitator"],
        "3": _shortened(" ".join(payload["question"].split()), NOTE_IN_TEMPLATE),
    }
    return Rendered(_shortened(body, WHATSAPP_BODY_LIMIT), STAFF_QUESTION, variables)


def _staff_answer(payload: dict, texts: Texts) -> Rendered:
    """A supervisor's JAWAB, to the facilitator who asked."""
    body = texts.say("staff_answer", **payload)
    variables = {
        "1": payload["number"],
        "2": payload["supervisor"],
        "3": _shortened(" ".join(payload["answer"].split()), NOTE_IN_TEMPLATE),
    }
    return Rendered(_shortened(body, WHATSAPP_BODY_LIMIT), STAFF_ANSWER, variables)


_RENDERERS: dict[str, Callable[[dict, Texts], Rendered]] = {
    DELAYED_REPLY: _delayed_reply,
    STAGE_CHANGED: _stage_changed,
    SLA_ALERT: _sla_alert,
    FACILITATOR_DIGEST: _facilitator_digest,
    SUPERVISOR_DIGEST: _supervisor_digest,
    CUTOFF_LIST: _cutoff_list,
    RATINGS_SUMMARY: _ratings_summary,
    NEW_WORK: _new_work,
    STAFF_HELD: _staff_held,
    OFFICE_NEW_REPORT: _office_new_report,
    OFFICE_RETURNED: _office_returned,
    OFFICE_DEADLINE: _office_deadline,
    PHOTO: _photo,
    STAFF_QUESTION: _staff_question,
    STAFF_ANSWER: _staff_answer,
}
