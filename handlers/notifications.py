"""What an outbox notification says: the free-form text, and the approved Content
template with its variables for when WhatsApp's 24-hour window is closed."""

from dataclasses import dataclass
from datetime import datetime

from handlers.texts import Texts
from store.stages import Stage

STAGE_UPDATE = "stage_update"
REPORT_CLOSED = "report_closed"
CONTENT_TEMPLATES = (STAGE_UPDATE, REPORT_CLOSED)


@dataclass(frozen=True)
class Rendered:
    body: str
    template: str  # which approved Content template carries the same news
    variables: dict[str, str]


def render(kind: str, payload: dict, language: str) -> Rendered:
    if kind != "stage_changed":
        raise ValueError(f"no text for notification kind {kind!r}")
    texts = Texts(language)
    stage = Stage(payload["stage"])
    at = datetime.fromisoformat(payload["at"])
    body = texts.say(
        f"notify_{stage}",
        number=payload["number"],
        stage=stage,
        at=at,
        note=payload.get("note"),
        from_stage=payload.get("from_stage"),
    )
    if stage is Stage.SELESAI:
        return Rendered(body, REPORT_CLOSED, {"1": payload["number"], "2": texts.wib(at)})
    variables = {
        "1": payload["number"],
        "2": texts.stage(stage),
        "3": texts.wib(at),
        "4": payload.get("note") or "-",
    }
    return Rendered(body, STAGE_UPDATE, variables)
