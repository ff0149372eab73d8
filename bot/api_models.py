"""The bodies and query strings of `/api/v1`, declared once. Pydantic validates requests
with them (bot/api_spec.py maps its errors to ours) and spectree derives the OpenAPI
document from them. Request models refuse unknown fields (`extra="forbid"`); response
models too, so that a test notices an answer showing a field the document does not.

A validator that refuses raises `refusal(code, message)`: its code (`missing_field`,
`invalid_field`, `unknown_kelurahan`) and message reach the client as they are."""

import base64
import binascii
import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    RootModel,
    StrictBool,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError
from werkzeug.datastructures import FileStorage

from handlers.cleaning import printable_json
from store import offices, places, reports
from store.categories import CATEGORIES
from store.phones import to_e164
from store.stages import Stage

DEFAULT_PAGE, MAX_PAGE = 50, 200
MAX_DESCRIPTION = 2000
MIN_DESCRIPTION = 10
MAX_ID = 2**31 - 1  # report and office ids are SQL INTEGER
MAX_NOTE = 1000  # notes reach the citizen's WhatsApp, where a message holds 1,600 characters
MAX_SKPD_NAME = 150
MAX_RESULT_PHOTOS = 5  # photos of the finished work with one move to tindak_lanjut
_ASCII_DIGITS = re.compile(r"[0-9]+")
RETURNED_PART = "returned"  # a cursor among the returned reports, keyed on their return

Category = Literal[*CATEGORIES]


def refusal(code: str, message: str, **details) -> PydanticCustomError:
    """A validation error that reaches the client with this code and message; `details`
    (e.g. `suggestions`, or `field` for a rule across fields) go into its body."""
    return PydanticCustomError(code, "{message}", {"message": message, **details})


class Declared(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RequestBody(Declared):
    """A body whose every string, nested ones and keys too, lost the characters XML 1.0
    cannot carry before anything reads it (handlers/cleaning.py)."""

    @model_validator(mode="before")
    @classmethod
    def _printable(cls, data: Any) -> Any:
        return printable_json(data) if isinstance(data, dict) else data


# --- Fields ------------------------------------------------------------------------------


def _text(maximum: int, *, required: bool, minimum: int = 1):
    """A string of at most `maximum` characters, kept without surrounding blanks; left
    out, null or blank is None unless `required`."""

    def check(value: str | None, info) -> str | None:
        field = info.field_name
        if value is None or not value.strip():
            if not required:
                return None
            code = "missing_field" if value in (None, "") else "invalid_field"
            raise refusal(code, f"{field} must be a non-empty string")
        if len(value) > maximum:
            raise refusal("invalid_field", f"{field} is longer than {maximum}")
        if len(value.strip()) < minimum:
            raise refusal("invalid_field", f"{field} needs at least {minimum} characters")
        return value.strip()

    # Documented, not enforced: `check` refuses with the codes and messages of ours.
    limits = {"maxLength": maximum, **({"minLength": minimum} if required else {})}
    kind = str if required else str | None
    return Annotated[kind, Field(json_schema_extra=limits), AfterValidator(check)]


def _kelurahan(raw: Any) -> places.Kelurahan:
    """A kelurahan by name, postal code or id (ids and postal codes never overlap)."""
    if isinstance(raw, int) or (isinstance(raw, str) and _ASCII_DIGITS.fullmatch(raw)):
        found = places.kelurahan_by_id(int(raw))
        if found:
            return found
    if raw is None or raw == "":
        raise refusal("missing_field", "kelurahan is required")
    if not isinstance(raw, str | int) or isinstance(raw, bool):
        raise refusal("invalid_field", "kelurahan must be a name, postal code or id")
    match = places.match_kelurahan(str(raw))
    if match.chosen is None:
        raise refusal(
            "unknown_kelurahan",
            f"no single kelurahan matches {raw!r}",
            suggestions=[kelurahan.name for kelurahan in match.suggestions],
        )
    return match.chosen


KelurahanRef = Annotated[
    places.Kelurahan,
    PlainValidator(_kelurahan),
    WithJsonSchema(
        {
            "oneOf": [{"type": "string"}, {"type": "integer"}],
            "description": "Name, postal code or id",
        }
    ),
]


def _phone(raw: Any) -> str | None:
    if raw in (None, ""):
        return None
    phone = to_e164(raw) if isinstance(raw, str) else None
    if phone is None:
        raise refusal("invalid_field", "reporter.phone is not a phone number")
    return phone


Phone = Annotated[
    str | None,
    PlainValidator(_phone),
    WithJsonSchema(
        {
            "type": "string",
            "description": "Any format; the reporter is then told of every stage by WhatsApp",
        }
    ),
]


def _skpd(raw: Any) -> str | int | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, int) and not isinstance(raw, bool) and 0 < raw <= MAX_ID:
        return raw
    if isinstance(raw, str) and len(raw) <= MAX_SKPD_NAME:
        return raw
    raise refusal("invalid_field", "skpd must be an office name or id")


SkpdRef = Annotated[
    str | int | None,
    PlainValidator(_skpd),
    WithJsonSchema(
        {
            "oneOf": [
                {"type": "string", "maxLength": MAX_SKPD_NAME},
                {"type": "integer", "minimum": 1, "maximum": MAX_ID},
            ],
            "description": "With to=disposisi only: the SKPD (office name or id); left "
            "out, the one handling the report's category in its kota",
        }
    ),
]


def _moment(raw: Any) -> datetime | None:
    if raw in (None, ""):
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)  # the store's form; years 1 and 9999 may not fit in UTC
    except (ValueError, OverflowError, AttributeError):
        raise refusal(
            "invalid_field", "must be an ISO 8601 date-time, in UTC between the years 1 and 9999"
        ) from None


Moment = Annotated[
    datetime | None,
    PlainValidator(_moment),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


def _limit(raw: Any) -> int:
    if raw in (None, ""):
        return DEFAULT_PAGE
    if not (isinstance(raw, str) and _ASCII_DIGITS.fullmatch(raw)) or not 1 <= int(raw) <= MAX_PAGE:
        raise refusal("invalid_field", f"limit must be 1 to {MAX_PAGE}")
    return int(raw)


PageSize = Annotated[
    int,
    PlainValidator(_limit),
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": DEFAULT_PAGE}),
]


def encode_cursor(cursor: reports.Cursor | None) -> str | None:
    if cursor is None:
        return None
    fields = [RETURNED_PART] if cursor.returned else []
    fields += [cursor.moment.isoformat(), str(cursor.id)]
    return base64.urlsafe_b64encode("|".join(fields).encode()).decode()


def _cursor(raw: Any) -> reports.Cursor | None:
    """A cursor this API gave out: `<time>|<id>` in the plain list (as before returned
    reports came first), `returned|<time>|<id>` among the returned ones."""
    if raw in (None, ""):
        return None
    try:
        fields = base64.urlsafe_b64decode(raw.encode()).decode().split("|")
        returned = fields[0] == RETURNED_PART and len(fields) == 3
        created_at, report_id = fields[1:] if returned else fields
        moment = datetime.fromisoformat(created_at)
        if moment.tzinfo is None:
            raise ValueError("cursor time without a zone")
        if not _ASCII_DIGITS.fullmatch(report_id) or int(report_id) > MAX_ID:
            raise ValueError("cursor id out of the database's range")
        return reports.Cursor(returned, moment.astimezone(UTC), int(report_id))
    except (ValueError, OverflowError, UnicodeDecodeError, binascii.Error, AttributeError):
        raise refusal("invalid_field", "cursor is not one this API gave out") from None


Cursor = Annotated[
    reports.Cursor | None,
    PlainValidator(_cursor),
    WithJsonSchema({"type": "string", "description": "next_cursor of the previous page"}),
]


# --- Requests ----------------------------------------------------------------------------


class NewLocation(Declared):
    text: _text(500, required=False) = None
    latitude: Annotated[float, Field(strict=True, ge=-90, le=90)] | None = None
    longitude: Annotated[float, Field(strict=True, ge=-180, le=180)] | None = None

    @model_validator(mode="after")
    def _both_or_neither(self):
        if (self.latitude is None) != (self.longitude is None):
            raise refusal("invalid_field", "latitude and longitude must be given together")
        return self


class NewReporter(Declared):
    name: _text(200, required=False) = None
    phone: Phone = None


class NewReport(RequestBody):
    """What another channel files."""

    channel: _text(offices.CHANNEL_NAME_LONGEST, required=False) = Field(
        None,
        description="A channel office's name: required of admin tokens; a channel token "
        "files as its own office",
        examples=["JAKI"],
    )
    category: Category
    description: _text(MAX_DESCRIPTION, required=True, minimum=MIN_DESCRIPTION)
    kelurahan: KelurahanRef
    location: NewLocation | None = None
    reporter: NewReporter | None = None
    public_consent: StrictBool = Field(
        False,
        description="The reporter agreed that the description and place be public "
        "(Open311). Otherwise the public sees only the stage, dates, category and kelurahan.",
    )


class Transition(RequestBody):
    """A move of a report to another stage."""

    to: Stage
    note: _text(MAX_NOTE, required=False) = Field(
        None,
        description="Required for ditolak, for returning a follow-up (tindak_lanjut → "
        "proses) and for correcting a rejection (ditolak → koordinasi)",
    )
    skpd: SkpdRef = None

    @model_validator(mode="after")
    def _skpd_only_with_disposisi(self):
        if self.skpd is not None and self.to is not Stage.DISPOSISI:
            raise refusal("invalid_field", "skpd goes only with a move to disposisi", field="skpd")
        return self


def _as_list(files: Any) -> Any:
    """One file part arrives alone, several as a list."""
    return files if isinstance(files, list) else [files]


def _file_part(part: Any) -> FileStorage:
    if not isinstance(part, FileStorage):
        raise refusal("invalid_field", "photo must be a file part")
    return part


UploadedFile = Annotated[
    FileStorage,
    PlainValidator(_file_part),
    WithJsonSchema({"type": "string", "format": "binary"}),
]


class TransitionForm(Transition):
    """The same move as a form, with photos of the finished work for `tindak_lanjut`."""

    photo: Annotated[list[UploadedFile], BeforeValidator(_as_list)] = Field(
        default_factory=list,
        max_length=MAX_RESULT_PHOTOS,
        description="Photos of the finished work, one file part each: JPEG or PNG (by their "
        "bytes), each at most MEDIA_MAX_BYTES; a move to tindak_lanjut needs at least one, "
        "another move none",
    )
    latitude: Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)] | None = Field(
        None,
        description="Where the photos of the finished work were taken (WGS84 degrees), with "
        "longitude: the facilitator is shown its distance from the report's pin",
        examples=[-6.1862],
    )
    longitude: Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)] | None = Field(
        None, description="With latitude", examples=[106.8639]
    )

    @model_validator(mode="after")
    def _place_only_with_photos(self):
        if (self.latitude is None) != (self.longitude is None):
            raise refusal("invalid_field", "latitude and longitude must be given together")
        if self.latitude is not None and not self.photo:
            raise refusal(
                "invalid_field", "latitude and longitude go only with photos", field="latitude"
            )
        return self

    @property
    def place(self) -> tuple[float, float] | None:
        return None if self.latitude is None else (self.latitude, self.longitude)


def _empty_means_absent(query: Any) -> Any:
    """`?stage=` filters nothing, as if it were left out."""
    if isinstance(query, dict):
        return {name: value for name, value in query.items() if value != ""}
    return query


class ReportQuery(Declared):
    stage: Stage | None = None
    kelurahan: KelurahanRef | None = None
    category: Category | None = None
    created_after: Moment = None
    created_before: Moment = None
    returned: Literal["true", "false"] = Field(
        "false",
        description="true: only the reports back in proses after a return (sent back by "
        "a facilitator or reopened by their citizen), newest return first",
    )
    limit: PageSize = DEFAULT_PAGE
    cursor: Cursor = None

    _empty = model_validator(mode="before")(_empty_means_absent)


class FilingHeaders(BaseModel):
    """Every other header is let through; bot/idempotency.py checks this one (400)."""

    idempotency_key: str | None = Field(
        None,
        alias="Idempotency-Key",
        description="Any 1 to 255 visible ASCII characters, new for each report. A retry "
        "with the same key and body within 24 hours answers the report the first request "
        "filed (and the header Idempotent-Replayed: true) instead of filing it again.",
        json_schema_extra={"pattern": "^[!-~]{1,255}$"},
    )


class StatsQuery(Declared):
    by: Literal["year", "month"] = "year"
    from_: str | None = Field(None, alias="from", description="YYYY or YYYY-MM (WIB)")
    to: str | None = Field(None, description="YYYY or YYYY-MM, inclusive")


# --- Responses ---------------------------------------------------------------------------


class ErrorDetail(Declared):
    code: str
    message: str
    field: str | None = Field(None, description="The field at fault, with its path")
    allowed: list[Stage] | None = Field(None, description="The stages a refused move may go to")
    suggestions: list[str] | None = Field(None, description="Kelurahan a name may have meant")


class Error(Declared):
    error: ErrorDetail


class ShownLocation(Declared):
    text: str | None
    latitude: float | None
    longitude: float | None


class ShownKelurahan(Declared):
    id: int
    name: str
    kecamatan: str
    kota: str


class ShownSkpd(Declared):
    id: int
    name: str


class Returned(Declared):
    """While the report is in proses after a return: sent back from tindak_lanjut (by
    facilitator) or reopened from selesai (by citizen), when and why. Its follow-up rules
    count again from then."""

    at: datetime
    by: Literal["facilitator", "citizen"]
    reason: str | None


class ShownReporter(Declared):
    name: str | None
    phone: str | None


class ReportSummary(Declared):
    """A report as lists show it."""

    number: str = Field(examples=["CRM-26-000123-3"])
    channel: str
    category: Category
    description: str
    location: ShownLocation
    kelurahan: ShownKelurahan
    stage: Stage
    stage_label: str
    skpd: ShownSkpd | None = Field(description="The SKPD its last disposisi named; null before any")
    stage_changed_at: datetime
    created_at: datetime
    returned: Returned | None
    reporter: ShownReporter | None = Field(None, description="Admin tokens only")


class HistoryEntry(Declared):
    from_: Stage | None = Field(alias="from")
    to: Stage
    actor_role: str
    note: str | None
    at: datetime


class Photo(Declared):
    """A photo of the report ("report": the citizen's or channel's, before) or of its
    finished work ("result", after)."""

    id: int
    kind: Literal["report", "result"]
    added_later: bool = Field(description="Sent by the citizen after filing")
    url: str | None = Field(
        description="For the office handling the report, facilitators and admins: a link "
        "that opens the photo until expires_at (403 when altered, 410 once expired). A "
        "channel's own https link as it gave it. Null otherwise, and for a citizen's photo "
        "not yet copied from Twilio"
    )
    expires_at: datetime | None


class Report(ReportSummary):
    """A report with its photos and history."""

    photos: list[Photo]
    history: list[HistoryEntry]


class ReportPage(Declared):
    items: list[ReportSummary]
    next_cursor: str | None


class Period(Declared):
    period: str
    reports: int
    resolved: int
    rejected: int
    still_open: int
    resolution_rate: float
    mean_days: float | None
    median_days: float | None
    validations: int
    validations_within_72h: int
    validation_rate: float | None
    validations_within_daily_target: int = Field(
        description="Validated by 23:59 WIB of the day the follow-up came in"
    )
    daily_target_rate: float | None
    ratings: int = Field(description="The period's reports rated 1-5 by their reporters")
    rating_mean: float | None = Field(description="Their mean score; null without ratings")


class Stats(Declared):
    by: Literal["year", "month"]
    computed_at: datetime
    periods: list[Period]
    reports: int
    resolved: int
    rejected: int
    still_open: int
    weighted_rate: float | None = Field(
        description="Resolved over all reports, %; null without reports"
    )
    mean_of_rates: float | None = Field(
        description="Mean of the periods' rates, %; null without reports"
    )
    mean_days: float | None = Field(
        description="Mean days from filing to resolution, weighted by each period's resolved"
    )
    validation_rate: float | None = Field(description="Validations within 72 hours, %")
    daily_target_rate: float | None = Field(
        description="Validations by 23:59 WIB of the day the follow-up came in, %"
    )
    ratings: int = Field(description="Ratings of all the periods' reports")
    rating_mean: float | None = Field(description="Their mean score; null without ratings")
    generated_reports: int = Field(
        description="How many of the store's reports are sample data made by `crm generate`,"
        " not citizens' (0: none)"
    )


class OpenAPIDocument(RootModel[dict[str, Any]]):
    """This document."""
