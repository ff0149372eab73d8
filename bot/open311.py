"""Open311 GeoReport v2 at `/open311/v2`: the standard door for the other CRM channels
and for civic apps, in XML (the spec's required format) and JSON.

Services are our categories; a request is an ordinary report (same numbers, stages and
notifications). Our eight stages map to the spec's open/closed, with the CRM stage label
and the latest officer's note in `status_notes`. FixMyStreet's `servicerequestupdates`
lets a client follow every stage change. What of a report is shown follows the
publication rule (store/publication.py): a channel says its reporter agreed to publish
the description, place and photo with `attribute[public_consent]=true`.
"""

import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from flask import Blueprint, Response, current_app, json, request
from werkzeug.exceptions import HTTPException

from bot import database, idempotency
from handlers.cleaning import printable
from handlers.texts import Texts
from store import numbers, places, publication, reports, tokens, validations
from store.categories import CATEGORIES
from store.clock import utcnow
from store.phones import to_e164
from store.stages import CLOSED_STAGES, Role, Stage

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")

JURISDICTION = "jakarta.go.id"
DEFAULT_WINDOW = timedelta(days=90)
MAX_REQUESTS = 1000
MAX_DESCRIPTION = 4000
CONSENT_ATTRIBUTE = "public_consent"
FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# XML element of each item in a list, by the list's name (the spec's "Spark convention").
_ITEM = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "service_request_updates": "request_update",
}


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status


@bp.errorhandler(Open311Error)
def _error(problem: Open311Error):
    return _answer(
        "errors", [{"code": problem.status, "description": str(problem)}], status=problem.status
    )


@bp.errorhandler(429)
def _too_many(problem: HTTPException):
    """The public rate limit (bot/ratelimit.py) in the spec's error format; the limiter
    adds Retry-After."""
    description = f"too many requests ({problem.description}); slow down"
    return _answer("errors", [{"code": 429, "description": description}], status=429)


@bp.get("/discovery.<fmt>")
def discovery(fmt: str):
    _check_format(fmt)
    base = current_app.config["SETTINGS"].public_base_url + bp.url_prefix
    document = {
        "changeset": "2026-11-28T00:00:00Z",
        "contact": "Cepat Respon Masyarakat, Pemprov DKI Jakarta",
        "key_service": "API keys are channel tokens: flask --app bot crm token create "
        "--role channel --office NAME",
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": base,
                "changeset": "2026-11-28T00:00:00Z",
                "type": "production",
                "formats": list(FORMATS.values()),
            }
        ],
    }
    return _answer("discovery", document, fmt=fmt)


@bp.get("/services.<fmt>")
def services(fmt: str):
    _check_format(fmt)
    _check_jurisdiction()
    labels = Texts("id")
    return _answer(
        "services",
        [
            {
                "service_code": code,
                "service_name": labels.category(code),
                "description": f"Laporan {labels.category(code).lower()} di DKI Jakarta",
                "metadata": "true",
                "type": "realtime",
                "keywords": code.replace("_", ","),
                "group": "CRM",
            }
            for code in CATEGORIES
        ],
        fmt=fmt,
    )


@bp.get("/services/<service_code>.<fmt>")
def service_definition(service_code: str, fmt: str):
    _check_format(fmt)
    _check_jurisdiction()
    if service_code not in CATEGORIES:
        raise Open311Error(404, f"unknown service_code {service_code}")
    return _answer(
        "service_definition",
        {
            "service_code": service_code,
            "attributes": [
                {
                    "variable": "true",
                    "code": "kelurahan",
                    "datatype": "string",
                    "required": "true",
                    "datatype_description": "Nama kelurahan di DKI Jakarta atau kode posnya",
                    "order": 1,
                    "description": "Kelurahan lokasi masalah",
                },
                {
                    "variable": "true",
                    "code": CONSENT_ATTRIBUTE,
                    "datatype": "singlevaluelist",
                    "required": "false",
                    "datatype_description": "true bila pelapor setuju uraian, lokasi, dan "
                    "foto pertamanya ditampilkan untuk umum; selain itu hanya tahap, tanggal, "
                    "kategori, dan kelurahan",
                    "order": 2,
                    "description": "Pelapor setuju laporannya ditampilkan untuk umum",
                    "values": [
                        {"key": "true", "name": "Setuju"},
                        {"key": "false", "name": "Tidak"},
                    ],
                },
            ],
        },
        fmt=fmt,
    )


@bp.post("/requests.<fmt>")
def create_request(fmt: str):
    _check_format(fmt)
    form = {printable(name): printable(value) for name, value in request.form.items()}
    _check_jurisdiction(form)
    token = _check_api_key(form.get("api_key", ""))
    new = _new_report(form)
    if token.office is not None:  # a channel token files as its channel
        new = replace(new, channel=token.office.name, channel_office_id=token.office.id)
    try:
        filed = idempotency.file_report_once(new, token_id=token.id, fields=form)
    except idempotency.KeyRefused as refused:
        raise Open311Error(refused.status, str(refused)) from refused
    notice = "Nomor laporan dikirim ke WhatsApp pelapor." if new.reporter_phone else ""
    response = _answer(
        "service_requests",
        [{"service_request_id": filed.report.number, "service_notice": notice, "account_id": ""}],
        fmt=fmt,
        status=201,
    )
    if filed.replayed:
        response.headers[idempotency.REPLAYED_HEADER] = "true"
    return response


@bp.get("/requests.<fmt>")
def list_requests(fmt: str):
    _check_format(fmt)
    args = request.args
    _check_jurisdiction(args)
    db = database.reader()
    ids = _list(args.get("service_request_id"))
    if ids:
        found = reports.search_reports(
            numbers_digits=[_digits(number) for number in ids], limit=MAX_REQUESTS, session=db
        )
    else:
        start, end = _window(args.get("start_date"), args.get("end_date"))
        found = reports.search_reports(
            categories=_service_codes(args.get("service_code")),
            stages=_stages(args.get("status")),
            created_after=start,
            created_before=end,
            limit=MAX_REQUESTS,
            session=db,
        )
    return _answer("service_requests", [_request_json(view) for view in found], fmt=fmt)


@bp.get("/requests/<service_request_id>.<fmt>")
def get_request(service_request_id: str, fmt: str):
    _check_format(fmt)
    _check_jurisdiction()
    view = reports.find_report(_digits(service_request_id), session=database.reader())
    if view is None:
        raise Open311Error(404, f"unknown service_request_id {service_request_id}")
    return _answer("service_requests", [_request_json(view)], fmt=fmt)


@bp.get("/tokens/<token>.<fmt>")
def token(token: str, fmt: str):
    """We answer POST with the service_request_id at once, so no token is ever issued."""
    _check_format(fmt)
    _check_jurisdiction()
    raise Open311Error(404, f"unknown token {token}")


@bp.get("/servicerequestupdates.<fmt>")
def request_updates(fmt: str):
    _check_format(fmt)
    _check_jurisdiction()
    start, end = _window(request.args.get("start_date"), request.args.get("end_date"))
    labels = Texts("id")
    updates = reports.stage_updates(
        after=start, before=end, limit=MAX_REQUESTS, session=database.reader()
    )
    return _answer(
        "service_request_updates",
        [
            {
                "update_id": str(update.id),
                "service_request_id": update.number,
                "status": "closed" if update.to_stage in CLOSED_STAGES else "open",
                "updated_datetime": _w3(update.at),
                "description": _status_notes(
                    labels.stage(update.to_stage), publication.public_note(update)
                ),
                "media_url": "",
                "external_status_code": update.to_stage.value,
            }
            for update in updates
        ],
        fmt=fmt,
    )


def _request_json(view: reports.ReportView) -> dict:
    """A report as an Open311 request: what the publication rule lets anyone read."""
    labels = Texts("id")
    kelurahan = places.kelurahan_by_id(view.kelurahan_id)
    shown = publication.published(view)
    expected = None
    if view.stage is Stage.TINDAK_LANJUT:
        clock = validations.open_validation_of(view.id, session=database.reader())
        expected = clock.due_at if clock else None
    return {
        "service_request_id": view.number,
        "status": "closed" if view.stage in CLOSED_STAGES else "open",
        "status_notes": _status_notes(
            labels.stage(view.stage), publication.latest_public_note(view)
        ),
        "service_name": labels.category(view.category),
        "service_code": view.category,
        "description": shown.description,
        "agency_responsible": view.skpd
        or f"Kelurahan {view.kelurahan}, Kecamatan {view.kecamatan}",
        "service_notice": "",
        "requested_datetime": _w3(view.created_at),
        "updated_datetime": _w3(view.stage_changed_at),
        "expected_datetime": _w3(expected) if expected else "",
        "address": shown.address,
        "address_id": "",
        "zipcode": kelurahan.postal_code if kelurahan else "",
        "lat": shown.latitude if shown.latitude is not None else "",
        "long": shown.longitude if shown.longitude is not None else "",
        "media_url": shown.media_url,
    }


def _status_notes(label: str, public_note: str | None) -> str:
    return f"{label}: {public_note}" if public_note else label


def _w3(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- input --------------------------------------------------------------------------------


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise Open311Error(404, f"unknown format .{fmt}; use .xml or .json")


def _check_jurisdiction(values=None) -> None:
    given = (values if values is not None else request.args).get("jurisdiction_id", "")
    if given and given != JURISDICTION:
        raise Open311Error(404, f"unknown jurisdiction_id {given}; this is {JURISDICTION}")


def _check_api_key(api_key: str) -> tokens.TokenInfo:
    found = tokens.authenticate(api_key, session=database.session()) if api_key else None
    if found is None or found.role not in (Role.CHANNEL, Role.ADMIN):
        raise Open311Error(403, "api_key missing or invalid: use a channel token")
    if found.unbound:
        raise Open311Error(403, tokens.reissue_hint(found))
    return found


def _list(raw: str | None) -> list[str]:
    return [part.strip() for part in (raw or "").split(",") if part.strip()]


def _digits(number: str) -> str:
    parsed = numbers.parse_number(number)
    if parsed is None or not parsed.valid:
        raise Open311Error(404, f"unknown service_request_id {number}")
    return parsed.digits


def _service_codes(raw: str | None) -> list[str] | None:
    codes = _list(raw)
    unknown = [code for code in codes if code not in CATEGORIES]
    if unknown:
        raise Open311Error(404, f"unknown service_code {', '.join(unknown)}")
    return codes or None


def _stages(raw: str | None) -> list[Stage] | None:
    statuses = _list(raw)
    if any(status not in ("open", "closed") for status in statuses):
        raise Open311Error(400, "status is open, closed, or both comma-separated")
    if not statuses or set(statuses) == {"open", "closed"}:
        return None
    if statuses == ["closed"]:
        return list(CLOSED_STAGES)
    return [stage for stage in Stage if stage not in CLOSED_STAGES]


def _w3_datetime(raw: str, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(
            400, f"{name} must be a W3C date-time, e.g. 2026-01-01T00:00:00Z"
        ) from None
    if moment.tzinfo is None:
        raise Open311Error(400, f"{name} must carry a time zone (e.g. Z or +07:00)")
    return moment


def _window(start_raw: str | None, end_raw: str | None) -> tuple[datetime, datetime]:
    """The spec's default: the last 90 days; a given range may not exceed 90 days. In
    UTC, as the store keeps it: a moment whose window leaves the years a datetime can
    hold (0001-01-01T00:00+14:00 is in year 0 in UTC) is refused, not a 500."""
    end = _w3_datetime(end_raw, "end_date") if end_raw else None
    start = _w3_datetime(start_raw, "start_date") if start_raw else None
    if start and end and end - start > DEFAULT_WINDOW:
        raise Open311Error(400, "start_date to end_date may not span more than 90 days")
    if start and end and end < start:
        raise Open311Error(400, "end_date is before start_date")
    try:
        end = end or ((start + DEFAULT_WINDOW) if start else utcnow())
        start = start or end - DEFAULT_WINDOW
        return start.astimezone(UTC), end.astimezone(UTC)
    except OverflowError:
        raise Open311Error(
            400, "start_date and end_date must lie within the years 1 to 9999"
        ) from None


def _new_report(form: dict[str, str]) -> reports.NewReport:
    code = form.get("service_code", "")
    if not code:
        raise Open311Error(400, "service_code is required")
    if code not in CATEGORIES:
        raise Open311Error(404, f"unknown service_code {code}")
    latitude, longitude = _coordinates(form)
    address = (form.get("address_string") or form.get("address_id") or "").strip()
    if latitude is None and not address:
        raise Open311Error(400, "a location is required: lat and long, or address_string")
    description = (form.get("description") or "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise Open311Error(400, f"description is longer than {MAX_DESCRIPTION} characters")
    if len(description) < 10:
        raise Open311Error(400, "description needs at least 10 characters")
    phone_raw = (form.get("phone") or "").strip()
    phone = to_e164(phone_raw) if phone_raw else None
    if phone_raw and phone is None:
        raise Open311Error(400, "phone is not a phone number")
    name = " ".join(part for part in (form.get("first_name"), form.get("last_name")) if part)
    media_url = form.get("media_url", "").strip()
    if media_url and not publication.is_public_media_url(media_url):
        raise Open311Error(400, "media_url must be an https:// URL")
    return reports.NewReport(
        category=code,
        description=description,
        kelurahan=_kelurahan(form, address),
        location_text=address[:500] or None,
        latitude=latitude,
        longitude=longitude,
        photos=(reports.Photo(media_url),) if media_url else (),
        channel="open311",
        created_by=Role.CHANNEL,
        reporter_name=name[:200] or None,
        reporter_phone=phone,
        notify_reporter=phone is not None,
        public_consent=_consented(form),
    )


def _consented(form) -> bool:
    raw = (form.get(f"attribute[{CONSENT_ATTRIBUTE}]") or "").strip().lower()
    if raw not in ("", "true", "false"):
        raise Open311Error(400, f"attribute[{CONSENT_ATTRIBUTE}] is true or false")
    return raw == "true"


def _coordinates(form) -> tuple[float | None, float | None]:
    lat, long = form.get("lat", "").strip(), form.get("long", "").strip()
    if not lat and not long:
        return None, None
    try:
        latitude, longitude = float(lat), float(long)
    except ValueError:
        raise Open311Error(400, "lat and long must be decimal degrees (WGS84)") from None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise Open311Error(400, "lat and long are out of range")
    return latitude, longitude


def _kelurahan(form, address: str) -> places.Kelurahan:
    """The required attribute[kelurahan]; or a kelurahan named in the address."""
    typed = (form.get("attribute[kelurahan]") or "").strip()
    match = places.match_kelurahan(typed) if typed else None
    if match is None:
        match = next(
            (
                places.Match(chosen=kel)
                for kel in places.all_kelurahan()
                if kel.name.lower() in address.lower()
            ),
            None,
        )
    if match is None or match.chosen is None:
        suggestions = ", ".join(kel.name for kel in (match.suggestions if match else ()))
        raise Open311Error(
            400,
            "attribute[kelurahan] is required: the kelurahan's name or "
            f"postal code{f' (did you mean {suggestions}?)' if suggestions else ''}",
        )
    return match.chosen


# --- output -------------------------------------------------------------------------------


def _answer(root: str, data, *, fmt: str | None = None, status: int = 200) -> Response:
    fmt = fmt or _requested_format()
    if fmt not in FORMATS:
        fmt = "json"
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False)
    else:
        element = _xml(root, data)
        body = ET.tostring(element, encoding="unicode", xml_declaration=True)
    return Response(body, status=status, content_type=FORMATS[fmt])


def _requested_format() -> str:
    path = request.path
    return path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else "json"


def _xml(name: str, value) -> ET.Element:
    element = ET.Element(name)
    if isinstance(value, dict):
        for key, child in value.items():
            element.append(_xml(key, child))
    elif isinstance(value, list):
        for child in value:
            element.append(_xml(_ITEM.get(name, "item"), child))
    elif value is not None:
        element.text = printable(str(value))  # also of rows stored before input was cleaned
    return element
