"""The publication rule (DESIGN.md, Privacy), in one place for every public surface:
Open311's requests and updates, and anything else anyone may read.

A report is public as its reporter was told it would be: the description, place and first
photo as filed, when they saw our WhatsApp summary say so or their channel says they
agreed. Otherwise only its stage, dates, category and kelurahan, with the coordinates
coarsened to about 100 m. What a citizen writes later (additions, reopen reasons) is for
the officers: the public sees the stage it led to. Officers' notes are published with
every phone-like number masked whole, and so is every public text.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from store.phones import mask_numbers
from store.photos import EXTERNAL
from store.reports import HistoryEntry, Photo, ReportView, StageUpdate
from store.stages import Role

# Three decimals of a degree: a grid of about 110 m by 110 m at Jakarta's latitude, enough
# to see the kelurahan and the street, not the house.
COARSE_DECIMALS = 3
# Whose notes are theirs to publish: the officers' and the system's, not the citizen's.
_CITIZEN_ROLES = {Role.CITIZEN.value}


@dataclass(frozen=True)
class Published:
    """What anyone may read of a report, besides its number, stage, dates, category and
    kelurahan: empty strings and None where nothing may be shown."""

    description: str
    address: str
    latitude: float | None
    longitude: float | None
    media_url: str


def published(report: ReportView) -> Published:
    if report.public_description is None:
        return Published(
            description="",
            address="",
            latitude=_coarse(report.latitude),
            longitude=_coarse(report.longitude),
            media_url="",
        )
    return Published(
        description=mask_numbers(report.public_description),
        address=mask_numbers(report.location_text or ""),
        latitude=report.latitude,
        longitude=report.longitude,
        media_url=_first_filed_photo(report),
    )


def public_note(entry: HistoryEntry | StageUpdate) -> str | None:
    """The note of a stage change as the public may read it: an officer's, masked; never
    what a citizen wrote (a reopen reason names people and says where they live)."""
    if not entry.note or entry.actor_role in _CITIZEN_ROLES:
        return None
    return mask_numbers(entry.note)


def latest_public_note(report: ReportView) -> str | None:
    """The note of the move that brought the report to its stage, when the public may
    read it: an older note would speak of another stage ("sudah ditambal" under a
    reopened report's Proses)."""
    return public_note(report.history[-1]) if report.history else None


def channels_own_link(photo: Photo) -> str | None:
    """A channel's own https link, as it gave it; never a Twilio URL, which opens only
    with the account's credentials (its photo has a link once the worker copied it)."""
    if photo.copy_state != EXTERNAL or not is_public_media_url(photo.url or ""):
        return None
    return photo.url


def is_public_media_url(url: str) -> bool:
    """Only https links are published (and accepted from channels): a `javascript:` or
    `data:` URL republished is a door into every client that renders it."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() == "https" and bool(parts.hostname)


def _first_filed_photo(report: ReportView) -> str:
    filed = [photo for photo in report.report_photos if not photo.added_later]
    if not filed or not is_public_media_url(filed[0].url):
        return ""
    return filed[0].url


def _coarse(degrees: float | None) -> float | None:
    return None if degrees is None else round(degrees, COARSE_DECIMALS)
