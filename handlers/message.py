"""What a citizen sent, as plain values (the web layer builds these from Twilio's form)."""

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property

from handlers import vocabulary
from handlers.understanding.words import in_known_forms
from store.phones import Sender, to_e164

_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff]")  # zero-width spaces and joiners


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float
    address: str | None = None
    label: str | None = None

    def describe(self) -> str:
        named = ", ".join(part for part in (self.label, self.address) if part)
        return named or f"{self.latitude:.5f}, {self.longitude:.5f}"


@dataclass(frozen=True)
class Media:
    url: str
    content_type: str | None = None

    @property
    def is_photo(self) -> bool:
        return (self.content_type or "").lower() in {"image/jpeg", "image/jpg", "image/png"}

    @property
    def is_sticker(self) -> bool:
        return (self.content_type or "").lower() == "image/webp"

    @property
    def is_voice_note(self) -> bool:
        return (self.content_type or "").lower().startswith("audio/")


@dataclass(frozen=True)
class IncomingMessage:
    sender: Sender
    body: str = ""
    profile_name: str | None = None
    media: tuple[Media, ...] = ()
    location: Location | None = None

    @cached_property
    def text(self) -> str:
        """The body with runs of whitespace collapsed."""
        return re.sub(r"\s+", " ", self.body).strip()

    @cached_property
    def command(self) -> str:
        """The body as a keyword: upper case, collapsed, without trailing punctuation;
        full-width letters (`ＢＡＴＡＬ`) read as plain ones and invisible characters
        some keyboards insert (a zero-width space after `BATAL`) left out; everyday and
        Betawi spellings as the word lists know them (`IYE` is `IYA`, `KAGAK` `GAK`),
        stretched letters shortened (`IYAAA`)."""
        plain = unicodedata.normalize("NFKC", _INVISIBLE.sub("", self.body))
        collapsed = re.sub(r"\s+", " ", plain).strip()
        return in_known_forms(re.sub(r"[\s.!?,]+$", "", collapsed.upper()))

    @cached_property
    def answer(self) -> str:
        """The command as a keyword, without the courtesies around it and the commas in
        it: `ya pak` is YA, `batal aja` BATAL, `Ya, kirim` YA KIRIM, `5 bintang, makasih
        pak` 5 BINTANG. What every choice and command is matched against."""
        words = re.sub(r"[,;!?]+", " ", self.command).split()
        start, end = vocabulary.courtesy_bounds([word.rstrip(".") for word in words])
        return " ".join(words[start:end]).rstrip(".")

    @cached_property
    def plain_text(self) -> str:
        """The text as typed, without the courtesies around it: what a facilitator's note
        or reason says ("tolong validasi CRM-… sudah dicek ya pak" notes "sudah dicek")."""
        return self.plain_sentence.rstrip(",.;:!? ")

    @cached_property
    def plain_sentence(self) -> str:
        """`plain_text` with the mark that ends it: a question asked or answered keeps its
        "?" ("TANYA 1 apakah sudah cukup?")."""
        words = self.text.split()
        plain = [word.upper().strip(",.;:!?") for word in words]
        start, end = vocabulary.courtesy_bounds(plain, vocabulary.SIGN_OFFS)
        return " ".join(words[start:end])

    @cached_property
    def typed_a_phone(self) -> bool:
        """The message, as a keyword, is a phone number ("0812 3456 7890"): digits that
        are not a report number."""
        return to_e164(self.answer) is not None

    @property
    def has_attachment(self) -> bool:
        return bool(self.media) or self.location is not None

    @property
    def is_empty(self) -> bool:
        return not self.text and not self.media and self.location is None
