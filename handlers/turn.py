"""One message being answered: who sent it, in which language, and the replies so far."""

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from handlers import vocabulary
from handlers.message import IncomingMessage
from handlers.texts import Texts
from store import staff
from store.contacts import ContactInfo
from store.media_links import MediaLinks
from store.offers import Offered
from store.sql import AnySession
from store.staff import StaffInfo


@dataclass(frozen=True)
class Limits:
    """Per-phone limits (they hold across processes: they count stored rows); None: no
    per-minute limit."""

    messages_per_minute: int | None = 20
    reports_per_day: int = 10


@dataclass
class Turn:
    message: IncomingMessage
    contact: ContactInfo
    session: AnySession
    now: datetime
    texts: Texts
    limits: Limits = field(default_factory=Limits)
    links: MediaLinks | None = None  # to photos, for facilitators
    replies: list[str] = field(default_factory=list)
    # A detail offered before, which this message did not answer: told in two messages
    # ("lubangnya ada tiga", "dalam sekali"), the next offer holds both.
    unanswered_offer: Offered | None = None
    # When what this turn queues goes out: `now`, but for a message kept during an
    # outage, whose `now` is when it reached us, the replay's time (handlers/once.py).
    sent_at: datetime | None = None

    @property
    def sends_at(self) -> datetime:
        """When replies, notifications and the links in them are sent: the time of the
        outbox rows this turn queues, and from which links to photos expire."""
        return self.sent_at or self.now

    @cached_property
    def staff_roles(self) -> staff.Roles:
        """What the sender is among the staff; looked up only for the messages whose
        answer depends on it, once for every role."""
        return staff.roles_by_phone(self.contact.phone, session=self.session)

    @property
    def facilitator(self) -> StaffInfo | None:
        """The sender as an active TA Fasilitator, or None."""
        return self.staff_roles.facilitator

    @property
    def office_member(self) -> staff.Member | None:
        """The sender as a kelurahan's or an SKPD's active staff member, or None."""
        return self.staff_roles.member

    @property
    def supervisor(self) -> StaffInfo | None:
        """The sender as an active supervisor (Biro Pemerintahan), or None."""
        return self.staff_roles.supervisor

    @cached_property
    def greeted_with_salam(self) -> bool:
        return vocabulary.says_salam(self.message.command)

    def greet(self, template: str, name: str | None) -> None:
        """A reply that opens with a greeting (templates/*/hello.txt): "Waalaikumsalam"
        to a salam, else "Halo"."""
        self.say(template, name=name, salam=self.greeted_with_salam)

    def say(self, template: str, **context) -> None:
        self.replies.append(self.texts.say(template, **context))

    def say_at(self, position: int, template: str, **context) -> None:
        """A reply placed before those said since `position` (`len(replies)` then)."""
        self.replies.insert(position, self.texts.say(template, **context))

    def switch_language(self, language: str) -> None:
        self.texts = Texts(language)
