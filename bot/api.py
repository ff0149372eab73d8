"""The officer / channel API (`/api/v1`, JSON, bearer tokens per role)."""

import base64
import binascii
import re
from datetime import UTC, datetime

from flask import Blueprint, current_app, jsonify, request

from bot import database, idempotency
from bot.auth import current_token, requires_role
from bot.errors import api_error
from bot.media import ResultPhoto, keep_photos, media_links, result_photos
from bot.openapi import openapi_document
from handlers.cleaning import NestedTooDeep, printable_json
from handlers.texts import Texts
from store import media, numbers, offices, places, publication, reports, stages
from store.categories import CATEGORIES
from store.clock import utcnow
from store.phones import to_e164
from store.stages import Role, Stage

bp = Blueprint("api", __name__, url_prefix="/api/v1")

DEFAULT_PAGE, MAX_PAGE = 50, 200
MAX_DESCRIPTION = 2000
MAX_ID = 2**31 - 1  # report ids are SQL INTEGER
MAX_NOTE = 1000  # notes reach the citizen's WhatsApp, where a message holds 1,600 characters
MAX_RESULT_PHOTOS = 5  # photos of the finished work with one move to tindak_lanjut
FORM_ROOM = 64 * 1024  # a multipart move's fields and part headers, beside its photos
# Who gets links to a report's photos: the office handling it (its token reaches only its
# own reports), facilitators and admins; not a channel, which filed it.
SEES_PHOTOS = frozenset({Role.KELURAHAN, Role.SKPD, Role.FACILITATOR, Role.ADMIN})
_ASCII_DIGITS = re.compile(r"[0-9]+")
_STATUS_OF_REFUSAL = {
    "illegal_move": 409,
    "role_not_allowed": 403,
    "reason_required": 422,
    "skpd_required": 422,
    "unknown_skpd": 422,
    "photo_required": 422,
}
_FIELD_OF_REFUSAL = {
    "reason_required": "note",
    "skpd_required": "skpd",
    "unknown_skpd": "skpd",
    "photo_required": "photo",
}
_STATUS_OF_UPLOAD_REFUSAL = {"invalid_photo": 422, "photo_too_large": 413}


class InvalidRequest(Exception):
    def __init__(self, status: int, code: str, message: str, **details):
        super().__init__(message)
        self.status, self.code, self.details = status, code, details


@bp.errorhandler(InvalidRequest)
def _invalid(problem: InvalidRequest):
    return api_error(problem.status, problem.code, str(problem), **problem.details)


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


@bp.errorhandler(idempotency.KeyRefused)
def _key_refused(problem: idempotency.KeyRefused):
    return api_error(problem.status, problem.code, str(problem))


@bp.post("/reports")
@requires_role(Role.CHANNEL, Role.ADMIN)
def create_report():
    body = _json_object()
    filed = idempotency.file_report_once(
        _new_report(body), token_id=current_token().id, fields=body
    )
    response = jsonify(report_json(filed.report))
    if filed.replayed:
        response.headers[idempotency.REPLAYED_HEADER] = "true"
    return response, 201


@bp.get("/reports/<number>")
@requires_role(*Role)
def get_report(number: str):
    view = reports.find_report(
        _digits(number), session=database.session(), scope=current_token().scope
    )
    if view is None:
        return api_error(404, "not_found", f"no report {number}")
    return jsonify(report_json(view))


@bp.get("/reports")
@requires_role(*Role)
def list_reports():
    args = request.args
    where = reports.ReportFilter(
        stage=_enum(Stage, args.get("stage"), "stage"),
        kelurahan_id=_kelurahan_filter(args.get("kelurahan")),
        category=_choice(args.get("category"), CATEGORIES, "category"),
        created_after=_datetime(args.get("created_after"), "created_after"),
        created_before=_datetime(args.get("created_before"), "created_before"),
        returned=_boolean(args.get("returned"), "returned"),
    )
    page = reports.list_reports(
        where,
        limit=_limit(args.get("limit")),
        after=_cursor(args.get("cursor")),
        session=database.session(),
        scope=current_token().scope,
    )
    return jsonify(
        items=[report_json(view, detailed=False) for view in page.items],
        next_cursor=_encode_cursor(page.next_cursor),
    )


@bp.post("/reports/<number>/transitions")
@requires_role(*Role)
def transition(number: str):
    """A move, as JSON or as multipart/form-data; a move to tindak_lanjut is the latter,
    with the photos of the finished work in `photo` parts. The photos are kept in the
    media store before the move commits, so a committed move always has its photos."""
    digits = _digits(number)
    body, uploads = _move_request()
    to_stage = _enum(Stage, body.get("to"), "to", required=True)
    note = _text_field(body, "note", maximum=MAX_NOTE) or None
    skpd = _skpd_field(body, to_stage)
    photos = _result_photos(uploads, to_stage)
    token = current_token()
    db = database.session()
    try:
        view = reports.officer_move(
            digits,
            to_stage,
            role=token.role,
            actor_id=token.name,
            note=note,
            session=db,
            now=utcnow(),
            scope=token.scope,
            skpd=skpd,
            result_photos=tuple(photo for photo, _ in photos),
        )
        keep_photos(photos)
    except reports.UnknownReport:
        db.rollback()
        return api_error(404, "not_found", f"no report {number}")
    except stages.MoveRefused as refusal:
        db.rollback()
        field = _FIELD_OF_REFUSAL.get(refusal.code)
        return api_error(
            _STATUS_OF_REFUSAL[refusal.code],
            refusal.code,
            str(refusal),
            allowed=sorted(refusal.allowed),
            **({"field": field} if field else {}),
        )
    except media.MediaUnavailable:
        db.rollback()
        current_app.logger.exception("the media store refused the photos of %s", view.number)
        return api_error(503, "media_unavailable", "the photos cannot be kept now; try again")
    db.commit()
    return jsonify(report_json(view))


def _move_request() -> tuple[dict, list[bytes]]:
    """The move's fields, and the bytes of its `photo` parts when it comes as
    multipart/form-data (only then may the request be larger than other requests)."""
    if request.mimetype != "multipart/form-data":
        return _json_object(), []
    most = current_app.config["SETTINGS"].media_max_bytes
    request.max_content_length = MAX_RESULT_PHOTOS * most + FORM_ROOM
    files = request.files.getlist("photo")
    if len(files) > MAX_RESULT_PHOTOS:
        raise InvalidRequest(
            422, "invalid_field", f"at most {MAX_RESULT_PHOTOS} photos", field="photo"
        )
    body = printable_json({name: request.form.get(name) for name in request.form})
    return body, [file.read(most + 1) for file in files]


def _result_photos(uploads: list[bytes], to_stage: Stage) -> list[ResultPhoto]:
    if uploads and to_stage is not Stage.TINDAK_LANJUT:
        raise InvalidRequest(
            422, "invalid_field", "photo goes only with a move to tindak_lanjut", field="photo"
        )
    try:
        return result_photos(uploads)
    except media.UploadRefused as refusal:
        raise InvalidRequest(
            _STATUS_OF_UPLOAD_REFUSAL[refusal.code], refusal.code, str(refusal), field="photo"
        ) from None


def report_json(view: reports.ReportView, *, detailed: bool = True) -> dict:
    """A report as the API shows it; the reporter only to admins (DESIGN.md, Privacy).
    Lists show the summary: without photos and history."""
    labels = Texts("id")
    shown = {
        "number": view.number,
        "channel": view.channel,
        "category": view.category,
        "description": view.description,
        "location": {
            "text": view.location_text,
            "latitude": view.latitude,
            "longitude": view.longitude,
        },
        "kelurahan": {
            "id": view.kelurahan_id,
            "name": view.kelurahan,
            "kecamatan": view.kecamatan,
            "kota": view.kota,
        },
        "stage": view.stage.value,
        "stage_label": labels.stage(view.stage),
        "skpd": None if view.skpd is None else {"id": view.skpd_office_id, "name": view.skpd},
        "stage_changed_at": _iso(view.stage_changed_at),
        "created_at": _iso(view.created_at),
        "returned": _returned_json(view.returned),
    }
    if detailed:
        shown["photos"] = [_photo_json(photo) for photo in view.photos]
        shown["history"] = [
            {
                "from": entry.from_stage.value if entry.from_stage else None,
                "to": entry.to_stage.value,
                "actor_role": entry.actor_role,
                "note": entry.note,
                "at": _iso(entry.at),
            }
            for entry in view.history
        ]
    if current_token().role is Role.ADMIN:
        shown["reporter"] = {"name": view.reporter_name, "phone": view.reporter_phone}
    return shown


def _photo_json(photo: reports.Photo) -> dict:
    """A photo, with a link that opens it for a while (bot/media.py) for the office
    handling the report, facilitators and admins; a channel's own link as it gave it."""
    link = None
    if photo.stored_key and current_token().role in SEES_PHOTOS:
        link = media_links().link(photo.id, now=utcnow())
    return {
        "id": photo.id,
        "kind": photo.kind,
        "added_later": photo.added_later,
        "url": link.url if link else _outside_link(photo),
        "expires_at": _iso(link.expires_at) if link else None,
    }


def _outside_link(photo: reports.Photo) -> str | None:
    """A channel's own https link, as it gave it; not a Twilio URL, which opens only
    with the account's credentials (its photo has a link once the worker copied it)."""
    twilio = current_app.config["SETTINGS"].twilio_api_base_url
    outside = photo.url and not photo.url.startswith(twilio)
    return photo.url if outside and publication.is_public_media_url(photo.url) else None


def _returned_json(returned: reports.Returned | None) -> dict | None:
    """Back in proses after a facilitator sent it back or its citizen reopened it."""
    if returned is None:
        return None
    return {"at": _iso(returned.at), "by": returned.by, "reason": returned.reason}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _json_object() -> dict:
    """The body as a JSON object, every string in it cleaned (handlers/cleaning.py)."""
    if not request.is_json:
        raise InvalidRequest(
            400, "malformed_json", "send the body as JSON, with Content-Type: application/json"
        )
    try:
        body = printable_json(request.get_json(silent=True))
    except (RecursionError, NestedTooDeep):
        raise InvalidRequest(400, "malformed_json", "the body is nested too deeply") from None
    if not isinstance(body, dict):
        raise InvalidRequest(400, "malformed_json", "the body must be a JSON object")
    return body


def _digits(number: str) -> str:
    parsed = numbers.parse_number(number)
    if parsed is None or not parsed.valid:
        raise InvalidRequest(
            400, "invalid_number", f"{number!r} is not a valid report number (e.g. CRM-26-000123-3)"
        )
    return parsed.digits


def _enum(kind, raw, field: str, *, required: bool = False):
    if raw in (None, ""):
        if required:
            raise InvalidRequest(422, "missing_field", f"{field} is required", field=field)
        return None
    try:
        return kind(raw)
    except (ValueError, TypeError):
        raise InvalidRequest(
            422,
            "invalid_field",
            f"{field} must be one of {', '.join(item.value for item in kind)}",
            field=field,
        ) from None


def _choice(raw, allowed, field: str):
    if raw in (None, ""):
        return None
    if raw not in allowed:
        raise InvalidRequest(
            422, "invalid_field", f"{field} must be one of {', '.join(allowed)}", field=field
        )
    return raw


def _datetime(raw, field: str) -> datetime | None:
    if raw in (None, ""):
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)  # the store's form; years 1 and 9999 may not fit in UTC
    except (ValueError, OverflowError):
        raise InvalidRequest(
            422,
            "invalid_field",
            f"{field} must be an ISO 8601 date-time, in UTC between the years 1 and 9999",
            field=field,
        ) from None


def _boolean(raw, field: str) -> bool:
    if raw in (None, "", "false"):
        return False
    if raw != "true":
        raise InvalidRequest(422, "invalid_field", f"{field} must be true or false", field=field)
    return True


def _limit(raw) -> int:
    if raw in (None, ""):
        return DEFAULT_PAGE
    if not _ASCII_DIGITS.fullmatch(raw) or not 1 <= int(raw) <= MAX_PAGE:
        raise InvalidRequest(422, "invalid_field", f"limit must be 1 to {MAX_PAGE}", field="limit")
    return int(raw)


RETURNED_PART = "returned"  # a cursor among the returned reports, keyed on their return


def _encode_cursor(cursor: reports.Cursor | None) -> str | None:
    if cursor is None:
        return None
    fields = [RETURNED_PART] if cursor.returned else []
    fields += [cursor.moment.isoformat(), str(cursor.id)]
    return base64.urlsafe_b64encode("|".join(fields).encode()).decode()


def _cursor(raw) -> reports.Cursor | None:
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
    except (ValueError, OverflowError, UnicodeDecodeError, binascii.Error):
        raise InvalidRequest(
            422, "invalid_field", "cursor is not one this API gave out", field="cursor"
        ) from None


def _kelurahan_filter(raw) -> int | None:
    if raw in (None, ""):
        return None
    return _kelurahan(raw, "kelurahan").id


def _kelurahan(raw, field: str) -> places.Kelurahan:
    if isinstance(raw, int) or (isinstance(raw, str) and _ASCII_DIGITS.fullmatch(raw)):
        found = places.kelurahan_by_id(int(raw))  # ids and postal codes never overlap
        if found:
            return found
    if raw is None or raw == "":
        raise InvalidRequest(422, "missing_field", f"{field} is required", field=field)
    if not isinstance(raw, str | int):
        raise InvalidRequest(
            422, "invalid_field", f"{field} must be a name, postal code or id", field=field
        )
    match = places.match_kelurahan(str(raw))
    if match.chosen is None:
        raise InvalidRequest(
            422,
            "unknown_kelurahan",
            f"no single kelurahan matches {raw!r}",
            field=field,
            suggestions=[kel.name for kel in match.suggestions],
        )
    return match.chosen


def _skpd_field(body: dict, to_stage: Stage) -> str | int | None:
    """The SKPD a disposisi names (office name or id); None: the store proposes one."""
    raw = body.get("skpd")
    if raw in (None, ""):
        return None
    if to_stage is not Stage.DISPOSISI:
        raise InvalidRequest(
            422, "invalid_field", "skpd goes only with a move to disposisi", field="skpd"
        )
    if isinstance(raw, int) and not isinstance(raw, bool) and 0 < raw <= MAX_ID:
        return raw
    if isinstance(raw, str) and len(raw) <= 150:
        return raw
    raise InvalidRequest(422, "invalid_field", "skpd must be an office name or id", field="skpd")


def _channel(body: dict) -> offices.OfficeInfo:
    """The channel office filing: a channel token's own (the body may only repeat it),
    or the one an admin names."""
    token = current_token()
    named = _text_field(
        body,
        "channel",
        required=token.role is not Role.CHANNEL,
        maximum=offices.CHANNEL_NAME_LONGEST,
    )
    if token.role is Role.CHANNEL:
        if named and named.casefold() != token.office.name.casefold():
            raise InvalidRequest(
                422,
                "invalid_field",
                f"channel must be your own, {token.office.name}, or left out",
                field="channel",
            )
        return token.office
    try:
        return offices.find_office(named, offices.OfficeKind.CHANNEL, session=database.session())
    except offices.OfficeProblem:
        raise InvalidRequest(
            422,
            "invalid_field",
            f"unknown channel {named!r}: one of the channel offices (crm office list)",
            field="channel",
        ) from None


def _new_report(body: dict) -> reports.NewReport:
    channel = _channel(body)
    category = _choice(body.get("category"), CATEGORIES, "category")
    if category is None:
        raise InvalidRequest(422, "missing_field", "category is required", field="category")
    description = _text_field(body, "description", required=True, maximum=MAX_DESCRIPTION)
    if len(description) < 10:
        raise InvalidRequest(
            422, "invalid_field", "description needs at least 10 characters", field="description"
        )
    kelurahan = _kelurahan(body.get("kelurahan"), "kelurahan")
    location = body.get("location") or {}
    if not isinstance(location, dict):
        raise InvalidRequest(422, "invalid_field", "location must be an object", field="location")
    latitude, longitude = _coordinates(location)
    reporter = body.get("reporter") or {}
    if not isinstance(reporter, dict):
        raise InvalidRequest(422, "invalid_field", "reporter must be an object", field="reporter")
    phone, name = _reporter(reporter)
    return reports.NewReport(
        category=category,
        description=description,
        kelurahan=kelurahan,
        location_text=_text_field(location, "text", maximum=500) or None,
        latitude=latitude,
        longitude=longitude,
        channel=channel.name,
        channel_office_id=channel.id,
        created_by=current_token().role,
        reporter_name=name,
        reporter_phone=phone,
        notify_reporter=phone is not None,
        public_consent=_consent(body.get("public_consent", False)),
    )


def _consent(raw) -> bool:
    """Whether the channel's reporter agreed that the description and place be public
    (store/publication.py); a JSON boolean, false when left out."""
    if not isinstance(raw, bool):
        raise InvalidRequest(
            422, "invalid_field", "public_consent must be true or false", field="public_consent"
        )
    return raw


def _text_field(body: dict, field: str, *, required: bool = False, maximum: int) -> str:
    value = body.get(field)
    if not required and (value is None or (isinstance(value, str) and not value.strip())):
        return ""
    if not isinstance(value, str) or not value.strip():
        raise InvalidRequest(
            422,
            "missing_field" if value in (None, "") else "invalid_field",
            f"{field} must be a non-empty string",
            field=field,
        )
    if len(value) > maximum:
        raise InvalidRequest(422, "invalid_field", f"{field} is longer than {maximum}", field=field)
    return value.strip()


def _coordinates(location: dict) -> tuple[float | None, float | None]:
    latitude, longitude = location.get("latitude"), location.get("longitude")
    if latitude is None and longitude is None:
        return None, None
    valid = all(
        isinstance(value, int | float) and not isinstance(value, bool)
        for value in (latitude, longitude)
    )
    if not valid or not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise InvalidRequest(
            422,
            "invalid_field",
            "latitude and longitude must be numbers in range, given together",
            field="location",
        )
    return float(latitude), float(longitude)


def _reporter(reporter: dict) -> tuple[str | None, str | None]:
    name = _text_field(reporter, "name", maximum=200) or None
    raw_phone = reporter.get("phone")
    if raw_phone in (None, ""):
        return None, name
    phone = to_e164(raw_phone) if isinstance(raw_phone, str) else None
    if phone is None:
        raise InvalidRequest(
            422, "invalid_field", "reporter.phone is not a phone number", field="reporter.phone"
        )
    return phone, name
