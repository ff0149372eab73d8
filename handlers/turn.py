"""One message being answered: who sent it, in which language, and the replies so far."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from handlers.message import IncomingMessage
from handlers.texts import Texts
from store.contacts import ContactInfo
from store.staff import StaffInfo


@dataclass(frozen=True)
class Limits:
    """Per-phone limits (they hold across processes: they count stored rows)."""

    messages_per_minute: int = 20
    reports_per_day: int = 10


@dataclass
class Turn:
    message: IncomingMessage
    contact: ContactInfo
    session: Session
    now: datetime
    texts: Texts
    facilitator: StaffInfo | None = None  # set when the sender is an active TA Fasilitator
    limits: Limits = field(default_factory=Limits)
    replies: list[str] = field(default_factory=list)

    def say(self, template: str, **context) -> None:
        self.replies.append(self.texts.say(template, **context))

    def switch_language(self, language: str) -> None:
        self.texts = Texts(language)
