"""The officer / channel API (`/api/v1`, bearer tokens per role). Its bodies and query
strings are declared in bot/api_models.py, which validate them (bot/api_spec.py) and
from which the OpenAPI document is derived."""

from datetime import UTC, datetime
from functools import wraps

from flask import Blueprint, current_app, jsonify, request
from spectree import Response

from bot import api_models, api_spec, database, idempotency
from bot.api_models import (
    Error,
    NewReport,
    OpenAPIDocument,
    Report,
    ReportPage,
    ReportQuery,
    Transition,
    TransitionForm,
)
from bot.api_spec import spec
from bot.auth import current_token, requires_role
from bot.errors import InvalidRequest, api_error
from bot.media import ResultPhoto, keep_photos, media_links, result_photos
from handlers.cleaning import printable_json
from handlers.texts import Texts
from store import media, numbers, offices, publication, reports, stages
from store.clock import utcnow
from store.stages import Role, Stage

bp = Blueprint("api", __name__, url_prefix="/api/v1")

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
FORM_ROOM = 64 * 1024  # a multipart move's fields and part headers, beside its photos
FORM_PARTS = 20
UPLOADERS = frozenset({Role.KELURAHAN, Role.SKPD, Role.ADMIN})  # who moves to tindak_lanjut
# Who gets links to a report's photos: the office handling it (its token reaches only its
# own reports), facilitators and admins; not a channel, which filed it.
SEES_PHOTOS = frozenset({Role.KELURAHAN, Role.SKPD, Role.FACILITATOR, Role.ADMIN})

UNAUTHORIZED = (Error, "Missing, unknown or revoked bearer token")
FORBIDDEN = (
    Error,
    "The token's role may not do this, or the token (kelurahan, skpd, channel) belongs to "
    "no office and must be re-issued (error.code token_unbound)",
)
NUMBER = {
    "number": "Report number, e.g. CRM-26-000123-3 (spaces, dashes, case and the CRM prefix "
    "are forgiven)"
}


@bp.errorhandler(idempotency.KeyRefused)
def _key_refused(problem: idempotency.KeyRefused):
    return api_error(problem.status, problem.code, str(problem))


@bp.get("/openapi.json")
@spec.validate(
    resp=Response(HTTP_200=(OpenAPIDocument, "OpenAPI document")),
    security={},
    operation_id="openapi",
)
def openapi():
    """This document"""
    return jsonify(api_spec.document())


@bp.post("/reports")
@requires_role(Role.CHANNEL, Role.ADMIN)
@spec.validate(
    json=NewReport,
    headers=api_models.FilingHeaders,
    resp=Response(
        HTTP_201=(Report, "The report, in stage menunggu"),
        HTTP_400=(
            Error,
            "The body is not a JSON object (or nests more than 16 deep), or the "
            "Idempotency-Key is malformed",
        ),
        HTTP_401=UNAUTHORIZED,
        HTTP_403=FORBIDDEN,
        HTTP_422=(
            Error,
            "A field is missing, invalid or unknown, or the Idempotency-Key was used for "
            "another body",
        ),
    ),
    operation_id="createReport",
)
def create_report():
    """Create a report from another channel (roles channel, admin)"""
    body: NewReport = request.context.json
    filed = idempotency.file_report_once(
        _new_report(body), token_id=current_token().id, fields=printable_json(request.json)
    )
    response = jsonify(report_json(filed.report))
    if filed.replayed:
        response.headers[idempotency.REPLAYED_HEADER] = "true"
    return response, 201


@bp.get("/reports/<number>")
@requires_role(*Role)
@spec.validate(
    resp=Response(
        HTTP_200=(Report, "The report"),
        HTTP_400=(Error, "Not a valid report number (check digit)"),
        HTTP_401=UNAUTHORIZED,
        HTTP_403=FORBIDDEN,
        HTTP_404=(Error, "No such report, or none of the token's office"),
    ),
    path_parameter_descriptions=NUMBER,
    operation_id="getReport",
)
def get_report(number: str):
    """One report with its history"""
    view = reports.find_report(
        _digits(number), session=database.session(), scope=current_token().scope
    )
    if view is None:
        return api_error(404, "not_found", f"no report {number}")
    return jsonify(report_json(view))


@bp.get("/reports")
@requires_role(*Role)
@spec.validate(
    query=ReportQuery,
    resp=Response(
        HTTP_200=(ReportPage, "One page"),
        HTTP_401=UNAUTHORIZED,
        HTTP_403=FORBIDDEN,
        HTTP_422=(Error, "A filter is invalid or unknown"),
    ),
    operation_id="listReports",
)
def list_reports():
    """List reports: those back in proses after a return first (newest return first),
    then the others newest first; cursor pagination"""
    query: ReportQuery = request.context.query
    where = reports.ReportFilter(
        stage=query.stage,
        kelurahan_id=query.kelurahan.id if query.kelurahan else None,
        category=query.category,
        created_after=query.created_after,
        created_before=query.created_before,
        returned=query.returned == "true",
    )
    page = reports.list_reports(
        where,
        limit=query.limit,
        after=query.cursor,
        session=database.session(),
        scope=current_token().scope,
    )
    return jsonify(
        items=[report_json(view, detailed=False) for view in page.items],
        next_cursor=api_models.encode_cursor(page.next_cursor),
    )


def _room_for_photos(view):
    """A form of a role that may move to tindak_lanjut may carry photos: its request may
    be larger than any other (bot/__init__.py, MAX_REQUEST_BYTES), once its token is
    known and before the form is read. The token's read ends first: on SQLite it holds
    the database's one write lock, which no upload may keep while it arrives."""

    @wraps(view)
    def with_room(*args, **kwargs):
        if request.mimetype == api_spec.FORM_MEDIA and current_token().role in UPLOADERS:
            database.session().rollback()
            most = current_app.config["SETTINGS"].media_max_bytes
            request.max_content_length = api_models.MAX_RESULT_PHOTOS * most + FORM_ROOM
            request.max_form_memory_size = FORM_ROOM  # the fields: all but the photos
            request.max_form_parts = FORM_PARTS
        return view(*args, **kwargs)

    return with_room


@bp.post("/reports/<number>/transitions")
@requires_role(*Role)
@_room_for_photos
@spec.validate(
    json=Transition,
    form=TransitionForm,
    resp=Response(
        HTTP_200=(
            Report,
            "The report after the move; the reporter is notified. A move to validasi "
            "closes the report: the system's move to selesai follows",
        ),
        HTTP_400=(
            Error,
            "Malformed JSON (or nested more than 16 deep), neither JSON nor a multipart "
            "form, or an invalid report number",
        ),
        HTTP_401=UNAUTHORIZED,
        HTTP_403=(
            Error,
            "The token's role may not make this move, or the token must be re-issued for "
            "its office (token_unbound)",
        ),
        HTTP_404=(Error, "No such report"),
        HTTP_409=(
            Error,
            "The move is not allowed from the current stage; error.allowed lists the "
            "stages it may go to",
        ),
        HTTP_413=(Error, "A photo larger than MEDIA_MAX_BYTES, or a request beyond all of them"),
        HTTP_422=(
            Error,
            "Unknown stage or field, a rejection or return without a reason, a "
            "disposisi whose SKPD is unknown or cannot be proposed (error.field skpd), a "
            "move to tindak_lanjut without a photo (photo_required), a photo that is no "
            "JPEG or PNG (invalid_photo) or a photo with another move (error.field photo)",
        ),
        HTTP_503=(Error, "The media store cannot keep the photos now; nothing changed"),
    ),
    path_parameter_descriptions=NUMBER,
    operation_id="moveReport",
)
def transition(number: str):
    """Move a report to another stage

    As JSON, or as a multipart form whose `photo` parts show the finished work: a move
    to tindak_lanjut carries at least one. The photos are kept in the media store before
    the move's transaction begins (no lock waits on the store), so a committed move
    always has its photos; a refused one leaves photos nothing names, which no link
    reaches.
    """
    digits = _digits(number)
    move: Transition = request.context.json or request.context.form
    photos = _result_photos(move)
    try:
        keep_photos(photos)
    except media.MediaUnavailable:
        current_app.logger.exception("the media store refused the photos of a move")
        return api_error(503, "media_unavailable", "the photos cannot be kept now; try again")
    token = current_token()
    db = database.session()
    try:
        view = reports.officer_move(
            digits,
            move.to,
            role=token.role,
            actor_id=token.name,
            note=move.note,
            session=db,
            now=utcnow(),
            scope=token.scope,
            skpd=move.skpd,
            result_photos=tuple(photo for photo, _ in photos),
            result_place=move.place if isinstance(move, TransitionForm) else None,
        )
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
    db.commit()
    return jsonify(report_json(view))


def _result_photos(move: Transition) -> list[ResultPhoto]:
    """The form's `photo` parts as photos of the finished work (none for JSON), each a
    JPEG or PNG by its bytes, within MEDIA_MAX_BYTES."""
    if not isinstance(move, TransitionForm) or not move.photo:
        return []
    if move.to is not Stage.TINDAK_LANJUT:
        raise InvalidRequest(
            422, "invalid_field", "photo goes only with a move to tindak_lanjut", field="photo"
        )
    most = current_app.config["SETTINGS"].media_max_bytes
    try:
        return result_photos([part.read(most + 1) for part in move.photo])
    except media.UploadRefused as refusal:
        raise InvalidRequest(
            _STATUS_OF_UPLOAD_REFUSAL[refusal.code], refusal.code, str(refusal), field="photo"
        ) from None


def report_json(view: reports.ReportView, *, detailed: bool = True) -> dict:
    """A report as the API shows it (api_models.Report, ReportSummary); the reporter only
    to admins (DESIGN.md, Privacy). Lists show the summary: without photos and history."""
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
    """A photo (api_models.Photo), with a link that opens it for a while (bot/media.py)
    for the office handling the report, facilitators and admins."""
    link = None
    if photo.stored_key and current_token().role in SEES_PHOTOS:
        link = media_links().link(photo.id, now=utcnow())
    return {
        "id": photo.id,
        "kind": photo.kind,
        "added_later": photo.added_later,
        "url": link.url if link else publication.channels_own_link(photo),
        "expires_at": _iso(link.expires_at) if link else None,
    }


def _returned_json(returned: reports.Returned | None) -> dict | None:
    """Back in proses after a facilitator sent it back or its citizen reopened it."""
    if returned is None:
        return None
    return {"at": _iso(returned.at), "by": returned.by, "reason": returned.reason}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _digits(number: str) -> str:
    parsed = numbers.parse_number(number)
    if parsed is None or not parsed.valid:
        raise InvalidRequest(
            400, "invalid_number", f"{number!r} is not a valid report number (e.g. CRM-26-000123-3)"
        )
    return parsed.digits


def _channel(named: str | None) -> offices.OfficeInfo:
    """The channel office filing: a channel token's own (the body may only repeat it),
    or the one an admin names."""
    token = current_token()
    if token.role is Role.CHANNEL:
        if named and named.casefold() != token.office.name.casefold():
            raise InvalidRequest(
                422,
                "invalid_field",
                f"channel must be your own, {token.office.name}, or left out",
                field="channel",
            )
        return token.office
    if named is None:
        raise InvalidRequest(422, "missing_field", "channel is required", field="channel")
    try:
        return offices.find_office(named, offices.OfficeKind.CHANNEL, session=database.session())
    except offices.OfficeProblem:
        raise InvalidRequest(
            422,
            "invalid_field",
            f"unknown channel {named!r}: one of the channel offices (crm office list)",
            field="channel",
        ) from None


def _new_report(body: NewReport) -> reports.NewReport:
    channel = _channel(body.channel)
    location = body.location or api_models.NewLocation()
    reporter = body.reporter or api_models.NewReporter()
    return reports.NewReport(
        category=body.category,
        description=body.description,
        kelurahan=body.kelurahan,
        location_text=location.text,
        latitude=location.latitude,
        longitude=location.longitude,
        channel=channel.name,
        channel_office_id=channel.id,
        created_by=current_token().role,
        reporter_name=reporter.name,
        reporter_phone=reporter.phone,
        notify_reporter=reporter.phone is not None,
        public_consent=body.public_consent,
    )
