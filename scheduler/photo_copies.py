"""Citizens' photos copied from Twilio into the media store, by the worker (never by the
webhook, which must answer Twilio within seconds): Twilio deletes its media, and the
report's evidence must outlive it. Only URLs of the configured Twilio API are fetched,
with the account's credentials; any other URL (a channel's own link) is never fetched,
so that neither the credentials nor a request can be sent where a sender points."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import SplitResult, urlsplit

import requests

from store import photos
from store.media import MediaStore, MediaUnavailable, StoredPhoto, image_type, key_of
from store.sql import AnySession

logger = logging.getLogger("crm.photos")

BATCH_SIZE = 10
FETCH_TIMEOUT_SECONDS = 10
MAX_REDIRECTS = 3
# Long enough for a whole batch of fetches that time out; a photo whose worker died is
# taken again after it.
LEASE = timedelta(minutes=10)
# After the n-th failed attempt the next one waits RETRY_DELAYS[n - 1]; after the last,
# the photo is lost. Twilio keeps media until the account deletes them, so a day of
# outage costs nothing.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
# Twilio's 404 means deleted, unless the media is not quite there yet: a couple of tries.
ATTEMPTS_WHEN_GONE = 3
_DEFAULT_PORTS = {"http": 80, "https": 443}


class Failure(StrEnum):
    TRANSIENT = "transient"  # network, 5xx, 429 or any other answer: try again later
    GONE = "gone"  # 404 or 410: deleted at Twilio
    REFUSED = "refused"  # not an image, or too large: never kept


@dataclass(frozen=True)
class Fetched:
    """An image and its type as its bytes tell it, or why there is none."""

    data: bytes = b""
    content_type: str = ""
    failure: Failure | None = None
    reason: str = ""


class TwilioMedia:
    """Media of the Twilio account at `api_base_url`, fetched with its credentials (when
    there are none, as in development, nothing is fetched)."""

    def __init__(
        self,
        *,
        api_base_url: str,
        account_sid: str | None,
        auth_token: str,
        max_bytes: int,
    ):
        self._base = urlsplit(api_base_url.rstrip("/"))
        self.url_prefix = api_base_url.rstrip("/") + "/"
        self._credentials = (account_sid, auth_token) if account_sid else None
        self._max_bytes = max_bytes

    @property
    def has_credentials(self) -> bool:
        return self._credentials is not None

    def is_twilio_url(self, url: str) -> bool:
        """Whether `url` is under the Twilio API: same scheme, host and port, no user
        part, and under its path. By parsing, never by a string's start, which a URL like
        `https://api.twilio.com.example.net/…` or `https://api.twilio.com@example.net/…`
        would pass."""
        try:
            parts = urlsplit(url)
            same_origin = _origin(parts) == _origin(self._base)
        except ValueError:  # a port that is not a number
            return False
        return (
            same_origin and parts.username is None and parts.path.startswith(self._base.path + "/")
        )

    def fetch(self, url: str) -> Fetched:
        """The image at `url`, following redirects. requests sends the Authorization
        header only to the host it was meant for: Twilio's redirect to its storage host
        gets none."""
        with requests.Session() as http:
            http.max_redirects = MAX_REDIRECTS
            try:
                with http.get(
                    url, auth=self._credentials, timeout=FETCH_TIMEOUT_SECONDS, stream=True
                ) as answer:
                    return self._read(answer)
            except requests.RequestException as problem:
                return Fetched(failure=Failure.TRANSIENT, reason=type(problem).__name__)

    def _read(self, answer: requests.Response) -> Fetched:
        if answer.status_code in (404, 410):
            return Fetched(failure=Failure.GONE, reason=f"HTTP {answer.status_code}")
        if answer.status_code != 200:
            return Fetched(failure=Failure.TRANSIENT, reason=f"HTTP {answer.status_code}")
        data = self._at_most_max_bytes(answer)
        if data is None:
            return Fetched(failure=Failure.REFUSED, reason=f"over {self._max_bytes} bytes")
        content_type = image_type(data)
        if content_type is None:
            return Fetched(failure=Failure.REFUSED, reason="not a JPEG, PNG or WebP image")
        return Fetched(data=data, content_type=content_type)

    def _at_most_max_bytes(self, answer: requests.Response) -> bytes | None:
        """The body, or None as soon as it is larger than allowed (not read further)."""
        declared = answer.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self._max_bytes:
            return None
        body = bytearray()
        for chunk in answer.iter_content(chunk_size=64 * 1024):
            body += chunk
            if len(body) > self._max_bytes:
                return None
        return bytes(body)


def _origin(parts: SplitResult) -> tuple[str, str | None, int | None]:
    scheme = parts.scheme.lower()
    return scheme, parts.hostname, parts.port or _DEFAULT_PORTS.get(scheme)


def copy_due_photos(
    media: TwilioMedia, store: MediaStore, *, session: AnySession, now: datetime
) -> int:
    """Copy the photos due (a batch); the number copied. Each photo's outcome is
    committed on its own, so a worker that stops loses at most the one in hand."""
    if not media.has_credentials:
        logger.debug("no Twilio credentials: Twilio's photos stay pending, uncopied")
    due = photos.claim_due_copies(
        limit=BATCH_SIZE,
        lease=LEASE,
        leaving_urls_under=None if media.has_credentials else media.url_prefix,
        session=session,
        now=now,
    )
    session.commit()
    copied = 0
    for photo in due:
        copied += _copy(photo, media, store, session=session, now=now)
        session.commit()
    return copied


def _copy(
    photo: photos.DueCopy,
    media: TwilioMedia,
    store: MediaStore,
    *,
    session: AnySession,
    now: datetime,
) -> bool:
    if not media.is_twilio_url(photo.url):
        # Received by WhatsApp, yet not Twilio's: never fetched, neither credentials nor
        # a request go where a sender points (TWILIO_API_BASE_URL changed?).
        photos.mark_lost(photo.media_id, session=session)
        logger.warning(
            "photo %d of report %d is not under TWILIO_API_BASE_URL: lost",
            photo.media_id,
            photo.report_id,
        )
        return False
    if not media.has_credentials:
        return False  # due again when its lease ends: perhaps with credentials then
    fetched = media.fetch(photo.url)
    if fetched.failure is not None:
        _record_failure(photo, fetched, session=session, now=now)
        return False
    stored = StoredPhoto(key_of(fetched.data, fetched.content_type), fetched.content_type)
    try:
        store.put(stored.key, fetched.data, stored.content_type)
    except MediaUnavailable:
        logger.exception(
            "photo %d of report %d: the media store cannot keep it", photo.media_id, photo.report_id
        )
        _record_failure(
            photo,
            Fetched(failure=Failure.TRANSIENT, reason="media store unavailable"),
            session=session,
            now=now,
        )
        return False
    return photos.mark_copied(photo.media_id, stored, session=session)


def _record_failure(
    photo: photos.DueCopy, fetched: Fetched, *, session: AnySession, now: datetime
) -> None:
    attempts = photo.attempts + 1
    allowed = ATTEMPTS_WHEN_GONE if fetched.failure is Failure.GONE else len(RETRY_DELAYS) + 1
    if fetched.failure is Failure.REFUSED or attempts >= allowed:
        photos.mark_lost(photo.media_id, session=session)
        logger.warning(
            "photo %d of report %d lost after %d attempts: %s",
            photo.media_id,
            photo.report_id,
            attempts,
            fetched.reason,
        )
        return
    photos.retry_copy_later(photo.media_id, at=now + RETRY_DELAYS[attempts - 1], session=session)
    logger.info(
        "photo %d of report %d not copied (%s); attempt %d of %d",
        photo.media_id,
        photo.report_id,
        fetched.reason,
        attempts,
        allowed,
    )
