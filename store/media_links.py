"""Links to photos in the media store that open for a while, given only to those who may
see the photo: the office handling the report, facilitators, admins. A link names the
photo and its expiry and carries an HMAC of both, so it cannot be stretched or pointed
at another photo; it needs no login, as a facilitator opens it from WhatsApp."""

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from urllib.parse import urlencode

MEDIA_PATH = "/media"
_EXPIRY = re.compile(r"[0-9]{1,12}")  # ASCII digits: "²" is a digit to str.isdigit


class LinkCheck(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    ALTERED = "altered"


@dataclass(frozen=True)
class Link:
    url: str
    expires_at: datetime


@dataclass(frozen=True)
class MediaLinks:
    secret: str
    base_url: str  # PUBLIC_BASE_URL: where officers and facilitators reach this service
    lifetime: timedelta

    def link(self, media_id: int, *, now: datetime) -> Link:
        expires = int((now + self.lifetime).timestamp())
        query = urlencode({"expires": expires, "signature": self._signature(media_id, expires)})
        return Link(
            url=f"{self.base_url}{MEDIA_PATH}/{media_id}?{query}",
            expires_at=datetime.fromtimestamp(expires, UTC),
        )

    def check(self, media_id: int, expires: str, signature: str, *, now: datetime) -> LinkCheck:
        if not _EXPIRY.fullmatch(expires):
            return LinkCheck.ALTERED
        expected = self._signature(media_id, int(expires))
        if not hmac.compare_digest(expected.encode(), signature.encode()):
            return LinkCheck.ALTERED
        if now.timestamp() >= int(expires):
            return LinkCheck.EXPIRED
        return LinkCheck.VALID

    def _signature(self, media_id: int, expires: int) -> str:
        digest = hmac.new(
            self.secret.encode(), f"media:{media_id}:{expires}".encode(), hashlib.sha256
        ).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
