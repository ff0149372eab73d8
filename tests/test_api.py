"""The officer / channel API `/api/v1`: bearer tokens, filing reports from other channels,
reading and listing them, and moving them through the stages of DESIGN.md."""

import base64
import hashlib
import io
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from conftest import make_token, move_form, move_through
from store import numbers, outbox, reports, tokens
from store.clock import utcnow
from store.places import match_kelurahan
from store.reports import STAGE_CHANGED
from store.stages import Stage

API = "/api/v1"
TOKEN_ROLES = ["kelurahan", "skpd", "facilitator", "admin", "channel"]
STAGES = [
    "menunggu",
    "koordinasi",
    "disposisi",
    "ditolak",
    "proses",
    "tindak_lanjut",
    "validasi",
    "selesai",
]
# DESIGN.md, "Allowed moves", written out again so that the code is checked against the design.
ALLOWED_MOVES = {
    "menunggu": {"koordinasi", "ditolak"},
    "koordinasi": {"proses", "disposisi", "ditolak"},
    "disposisi": {"proses", "ditolak"},
    "proses": {"tindak_lanjut", "ditolak"},
    "tindak_lanjut": {"validasi", "proses"},
    "validasi": {"selesai"},
    "selesai": {"proses"},
    "ditolak": {"koordinasi"},
}
# How an admin walks a fresh report (in menunggu) into each stage.
ROUTE_TO = {
    "menunggu": [],
    "koordinasi": ["koordinasi"],
    "disposisi": ["koordinasi", "disposisi"],
    "ditolak": ["ditolak"],
    "proses": ["koordinasi", "disposisi", "proses"],
    "tindak_lanjut": ["koordinasi", "disposisi", "proses", "tindak_lanjut"],
    "validasi": ["koordinasi", "disposisi", "proses", "tindak_lanjut", "validasi"],
    "selesai": ["koordinasi", "disposisi", "proses", "tindak_lanjut", "validasi", "selesai"],
}
REPORTER_NAME = "Siti Aminah"
REPORTER_PHONE = "+6281234567890"
REPORTER = {"name": REPORTER_NAME, "phone": "0812-3456-7890"}
NUMBER_FORMAT = re.compile(r"^CRM-\d{2}-\d{6,7}-\d$")
UNKNOWN_NUMBER = numbers.format_number(2026, 999999)
MISSING = object()


def role_may_make(role: str, from_stage: str, to_stage: str) -> bool:
    """DESIGN.md, "Who may make a move" (for an allowed move)."""
    if role == "admin":
        return True
    if role == "kelurahan":  # ROUTE_TO disposes of a report before proses: not the kelurahan's
        return from_stage in ("menunggu", "koordinasi")
    if role == "skpd":
        return from_stage in {"disposisi", "proses"}
    if role == "facilitator":
        return from_stage == "tindak_lanjut"
    return False


def expected_status(role: str, from_stage: str, to_stage: str) -> int:
    """For a report in Kramat walked by ROUTE_TO, and each role's HOME_OFFICE."""
    if role == "skpd" and "disposisi" not in ROUTE_TO[from_stage]:
        return 404  # never disposed to this SKPD: not its report, as if none
    if to_stage not in ALLOWED_MOVES[from_stage]:
        return 409
    return 200 if role_may_make(role, from_stage, to_stage) else 403


def report_body(**changes) -> dict:
    """A valid POST /reports body; a change to MISSING leaves that field out."""
    body = {
        "channel": "JAKI",
        "category": "jalan_rusak",
        "description": "Jalan berlubang besar di depan SDN 01",
        "kelurahan": "Kramat",
        "location": {"text": "Jl. Kramat Raya No. 10", "latitude": -6.186, "longitude": 106.845},
    }
    body.update(changes)
    return {key: value for key, value in body.items() if value is not MISSING}


class Api:
    """The API through the Flask test client, with one token per role made on first use."""

    def __init__(self, client, store):
        self.client, self.store = client, store
        self._tokens: dict[str, str] = {}

    def token(self, role: str) -> str:
        if role not in self._tokens:
            self._tokens[role] = make_token(self.store, role, name=f"{role}-test")
        return self._tokens[role]

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(role)}"}

    def get(self, path: str, *, role: str = "admin", **kwargs):
        return self.client.get(API + path, headers=self.headers(role), **kwargs)

    def post(self, path: str, body=None, *, role: str = "admin", **kwargs):
        if body is not None:
            kwargs["json"] = body
        return self.client.post(API + path, headers=self.headers(role), **kwargs)

    def file(self, *, role: str = "admin", **changes) -> dict:
        response = self.post("/reports", report_body(**changes), role=role)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def move(self, number: str, to: str, *, role: str = "admin", note: str | None = None):
        """A move as an officer sends it: to tindak_lanjut, with a photo of the work."""
        path = f"/reports/{number}/transitions"
        if to == "tindak_lanjut":
            form = move_form(to, note)
            return self.post(path, role=role, data=form, content_type="multipart/form-data")
        return self.post(path, {"to": to} if note is None else {"to": to, "note": note}, role=role)


@pytest.fixture
def api(client, store):
    return Api(client, store)


class Outbox:
    """The notifications written since this object was made, or since the last `new()`."""

    def __init__(self, store):
        self.store = store
        self.seen = max((note.id for note in store(outbox.notifications)), default=0)

    def new(self) -> list[outbox.NotificationInfo]:
        fresh = self.store(outbox.notifications, after_id=self.seen)
        if fresh:
            self.seen = fresh[-1].id
        return fresh


def stored(store, number: str) -> reports.ReportView:
    """The report as the store has it, read beside the API."""
    return store(reports.find_report, numbers.canonical_digits(number))


def report_in(api: Api, stage: str) -> str:
    """A fresh report with a reporter contact, walked into `stage` by an admin."""
    number = api.file(reporter=REPORTER)["number"]
    move_through(api.store, number, *ROUTE_TO[stage], note="disiapkan")
    return number


def error_of(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"}, body
    assert isinstance(body["error"]["code"], str) and body["error"]["code"]
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


def cli(app, *args: str):
    return app.test_cli_runner().invoke(args=["crm", *args])


def cli_token(app, role: str, name: str, *office: str) -> str:
    result = cli(app, "token", "create", "--role", role, "--name", name, *office)
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


# --- Bearer tokens ------------------------------------------------------------------------


def _every_endpoint() -> list[tuple[str, str, dict | None]]:
    number = numbers.format_number(2026, 1)
    return [
        ("GET", "/reports", None),
        ("GET", f"/reports/{number}", None),
        ("POST", "/reports", report_body()),
        ("POST", f"/reports/{number}/transitions", {"to": "koordinasi"}),
    ]


def assert_unauthorized(response) -> None:
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert error_of(response)["code"] == "unauthorized"


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer    ",
        "Basic YWRtaW46YWRtaW4=",
        "Token crm_admin_abcdef",
        "Bearer crm_admin_this-token-was-never-made",
    ],
    ids=["none", "empty", "scheme-only", "blank-token", "basic", "other-scheme", "unknown"],
)
def test_every_endpoint_refuses_a_missing_malformed_or_unknown_token(client, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    for method, path, body in _every_endpoint():
        response = client.open(API + path, method=method, headers=headers, json=body)
        assert_unauthorized(response)


def test_a_refused_token_changes_nothing(client, store):
    client.post(API + "/reports", json=report_body(reporter=REPORTER))
    assert store(reports.count_reports) == 0
    assert store(outbox.notifications) == []


def test_a_token_revoked_in_the_store_is_refused(api, client, store):
    token = api.token("channel")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(API + "/reports", headers=headers).status_code == 200
    assert store(tokens.revoke_token, "channel-test", now=utcnow()) == 1
    assert_unauthorized(client.get(API + "/reports", headers=headers))


def test_a_token_created_on_the_cli_works_for_its_role_only(app, client):
    token = cli_token(app, "kelurahan", "kel-kramat", "--office", "Kramat")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(API + "/reports", headers=headers).status_code == 200
    assert client.post(API + "/reports", headers=headers, json=report_body()).status_code == 403


def _token_rows(*, session) -> list[tuple]:
    return [tuple(row) for row in session.connection().execute(text("SELECT * FROM api_token"))]


def test_the_cli_keeps_only_a_hash_of_the_token(app, store):
    token = cli_token(
        app, "skpd", "sudin-bina-marga", "--office", "Suku Dinas Bina Marga Jakarta Pusat"
    )
    listing = cli(app, "token", "list")
    assert "sudin-bina-marga" in listing.output and "skpd" in listing.output
    assert token not in listing.output
    (row,) = store(_token_rows)
    assert hashlib.sha256(token.encode()).hexdigest() in row
    assert not any(token in str(value) for value in row)


def test_a_token_revoked_on_the_cli_is_refused(app, client):
    token = cli_token(app, "kelurahan", "kel-kramat", "--office", "10450")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(API + "/reports", headers=headers).status_code == 200
    result = cli(app, "token", "revoke", "kel-kramat")
    assert result.exit_code == 0, result.output
    assert_unauthorized(client.get(API + "/reports", headers=headers))
    for method, path, body in _every_endpoint():
        assert_unauthorized(client.open(API + path, method=method, headers=headers, json=body))


def test_revoking_an_unknown_token_on_the_cli_is_an_error(app):
    result = cli(app, "token", "revoke", "nobody")
    assert result.exit_code != 0
    assert "nobody" in result.output


# --- POST /reports ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["channel", "admin"])
def test_channel_and_admin_file_a_report_that_waits_in_menunggu(api, store, role):
    response = api.post("/reports", report_body(), role=role)
    assert response.status_code == 201
    report = response.get_json()
    assert NUMBER_FORMAT.match(report["number"])
    assert numbers.parse_number(report["number"]).valid
    assert report["stage"] == "menunggu" and report["stage_label"] == "Menunggu"
    assert report["channel"] == "JAKI" and report["category"] == "jalan_rusak"
    assert report["kelurahan"]["name"] == "Kramat"
    assert report["location"] == {
        "text": "Jl. Kramat Raya No. 10",
        "latitude": -6.186,
        "longitude": 106.845,
    }
    assert report["created_at"].endswith("Z")
    assert [(entry["from"], entry["to"]) for entry in report["history"]] == [(None, "menunggu")]
    kept = stored(store, report["number"])
    assert kept.stage is Stage.MENUNGGU and len(kept.history) == 1


def test_report_numbers_are_distinct_and_sequential(api):
    first, second = (api.file()["number"] for _ in range(2))
    assert first != second
    assert int(numbers.canonical_digits(second)[2:-1]) == (
        int(numbers.canonical_digits(first)[2:-1]) + 1
    )


@pytest.mark.parametrize("role", ["kelurahan", "skpd", "facilitator"])
def test_officers_may_not_file_reports(api, store, role):
    response = api.post("/reports", report_body(reporter=REPORTER), role=role)
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"
    assert store(reports.count_reports) == 0


@pytest.mark.parametrize(
    "phone",
    [
        "0812-3456-7890",
        "+62 812 3456 7890",
        "6281234567890",
        "whatsapp:+6281234567890",
        "(0812) 3456 7890",
    ],
)
def test_a_reporter_with_a_phone_in_any_format_is_told_the_number_once(api, store, phone):
    watch = Outbox(store)
    report = api.file(role="channel", reporter={"name": REPORTER_NAME, "phone": phone})
    (note,) = watch.new()
    assert note.contact_id == stored(store, report["number"]).reporter_contact_id
    assert note.kind == STAGE_CHANGED
    assert note.payload["stage"] == "menunggu"
    assert note.payload["number"] == report["number"]
    admin_view = api.get(f"/reports/{report['number']}").get_json()
    assert admin_view["reporter"] == {"name": REPORTER_NAME, "phone": REPORTER_PHONE}


def test_one_reporter_in_two_formats_is_one_contact(api, store):
    first = api.file(reporter={"phone": "0812-3456-7890"})["number"]
    second = api.file(reporter={"phone": "+62 812 3456 7890"})["number"]
    contact = stored(store, first).reporter_contact_id
    assert contact is not None and stored(store, second).reporter_contact_id == contact
    assert len(store(outbox.notifications, contact_id=contact)) == 2


@pytest.mark.parametrize("reporter", [MISSING, {}, {"name": REPORTER_NAME}, {"phone": ""}])
def test_a_report_without_a_reporter_phone_notifies_nobody(api, store, reporter):
    api.file(reporter=reporter)
    assert store(outbox.notifications) == []


@pytest.mark.parametrize(
    "kelurahan",
    ["Kramat", "kel. kramat", "10450", 25329],
    ids=["name", "name-with-prefix", "postal-code", "id"],
)
def test_kelurahan_is_given_by_name_postal_code_or_id(api, kelurahan):
    report = api.file(kelurahan=kelurahan)
    assert report["kelurahan"] == {
        "id": 25329,
        "name": "Kramat",
        "kecamatan": "Senen",
        "kota": "Jakarta Pusat",
    }


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"channel": MISSING}, "channel"),
        ({"channel": ""}, "channel"),
        ({"channel": "x" * 33}, "channel"),
        ({"category": MISSING}, "category"),
        ({"category": "gempa_bumi"}, "category"),
        ({"description": MISSING}, "description"),
        ({"description": "rusak"}, "description"),
        ({"description": "   rusak      "}, "description"),
        ({"description": 12345678901}, "description"),
        ({"kelurahan": MISSING}, "kelurahan"),
        ({"kelurahan": "Atlantis Raya"}, "kelurahan"),
        ({"kelurahan": ["Kramat"]}, "kelurahan"),
        ({"location": {"latitude": -6.2}}, "location"),
        ({"location": {"latitude": 95.0, "longitude": 106.8}}, "location.latitude"),
        ({"location": {"latitude": -6.2, "longitude": 181}}, "location.longitude"),
        ({"location": {"latitude": "-6.2", "longitude": "106.8"}}, "location.latitude"),
        ({"location": {"latitude": True, "longitude": 106.8}}, "location.latitude"),
        ({"location": "Jl. Kramat Raya"}, "location"),
        ({"reporter": {"phone": "12345"}}, "reporter.phone"),
        ({"reporter": {"phone": "nomor saya"}}, "reporter.phone"),
        ({"reporter": {"phone": 81234567890}}, "reporter.phone"),
        ({"reporter": "Siti"}, "reporter"),
    ],
)
def test_an_invalid_report_is_422_naming_the_field_and_nothing_is_filed(api, store, changes, field):
    response = api.post("/reports", report_body(**{"reporter": REPORTER, **changes}))
    assert response.status_code == 422
    assert error_of(response)["field"] == field
    assert store(reports.count_reports) == 0
    assert store(outbox.notifications) == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reporter_phone": "0812-3456-7890"}, "reporter_phone"),
        ({"location": {"lat": -6.2, "longitude": 106.8}}, "location.lat"),
        ({"reporter": {"name": "Siti", "email": "siti@example.org"}}, "reporter.email"),
    ],
    ids=["top-level", "in-location", "in-reporter"],
)
def test_an_unknown_field_is_422_naming_it_with_its_path_and_nothing_is_filed(
    api, store, changes, field
):
    response = api.post("/reports", report_body(**changes), role="channel")
    assert response.status_code == 422
    error = error_of(response)
    assert (error["code"], error["field"]) == ("unknown_field", field)
    assert store(reports.count_reports) == 0
    assert store(outbox.notifications) == []


def test_an_ambiguous_kelurahan_is_422_with_suggestions(api, store):
    response = api.post("/reports", report_body(kelurahan="Duri"))
    assert response.status_code == 422
    error = error_of(response)
    assert error["field"] == "kelurahan"
    assert {"Duri Kepa", "Duri Kosambi", "Duri Pulo", "Duri Selatan"} <= set(error["suggestions"])
    assert store(reports.count_reports) == 0


@pytest.mark.parametrize(
    "send",
    [
        {"data": "{not json", "content_type": "application/json"},
        {"data": json.dumps([report_body()]), "content_type": "application/json"},
        {"data": json.dumps("a report"), "content_type": "application/json"},
        {"data": json.dumps(report_body())},
        {"data": "", "content_type": "application/json"},
    ],
    ids=["malformed", "array", "string", "no-content-type", "empty"],
)
def test_a_body_that_is_not_a_json_object_is_400(api, store, send):
    response = api.post("/reports", **send)
    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_json"
    assert store(reports.count_reports) == 0
    if "content_type" not in send:
        assert "Content-Type: application/json" in error_of(response)["message"]


# --- GET /reports/<number> ----------------------------------------------------------------


def test_a_report_is_shown_with_its_history(api):
    number = api.file(role="channel")["number"]
    api.move(number, "koordinasi", role="kelurahan", note="Diterima kelurahan")
    response = api.get(f"/reports/{number}", role="facilitator")
    assert response.status_code == 200
    report = response.get_json()
    assert report["number"] == number and report["stage"] == "koordinasi"
    assert [(entry["from"], entry["to"], entry["actor_role"]) for entry in report["history"]] == [
        (None, "menunggu", "channel"),
        ("menunggu", "koordinasi", "kelurahan"),
    ]
    assert report["history"][1]["note"] == "Diterima kelurahan"
    assert all(entry["at"].endswith("Z") for entry in report["history"])


def test_a_report_number_is_found_however_it_is_typed(api):
    number = api.file()["number"]
    digits = numbers.canonical_digits(number)
    for typed in [number.lower(), digits, f"CRM{digits}"]:
        response = api.get(f"/reports/{typed}", role="kelurahan")
        assert response.status_code == 200, typed
        assert response.get_json()["number"] == number


def test_an_unknown_report_is_404(api):
    assert numbers.parse_number(UNKNOWN_NUMBER).valid
    response = api.get(f"/reports/{UNKNOWN_NUMBER}", role="kelurahan")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


@pytest.mark.parametrize("typed", ["CRM-26-000001-0", "CRM-26-000010-1", "jalan-rusak", "123"])
def test_a_number_whose_check_digit_fails_or_that_is_no_number_is_400(api, typed):
    parsed = numbers.parse_number(typed)
    assert parsed is None or not parsed.valid
    api.file()
    response = api.get(f"/reports/{typed}")
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_number"


def test_only_admins_see_the_reporter(api):
    number = report_in(api, "disposisi")  # so that every role's office sees it
    admin_view = api.get(f"/reports/{number}").get_json()
    assert admin_view["reporter"] == {"name": REPORTER_NAME, "phone": REPORTER_PHONE}
    assert api.get("/reports").get_json()["items"][0]["reporter"]["phone"] == REPORTER_PHONE
    for role in ["kelurahan", "skpd", "facilitator", "channel"]:
        assert "reporter" not in api.get(f"/reports/{number}", role=role).get_json()
        assert "reporter" not in api.get("/reports", role=role).get_json()["items"][0]


# A move each role may make, from a stage an admin walks the report to first.
MOVE_OF_ROLE = {
    "kelurahan": ("menunggu", "koordinasi"),
    "skpd": ("disposisi", "proses"),
    "facilitator": ("tindak_lanjut", "validasi"),
    "channel": ("menunggu", "koordinasi"),  # refused: channels move nothing
}


@pytest.mark.parametrize("role", ["kelurahan", "skpd", "facilitator", "channel"])
def test_no_other_role_sees_the_reporters_phone_or_name_anywhere(api, role):
    from_stage, to_stage = MOVE_OF_ROLE[role]
    number = report_in(api, from_stage)
    responses = [
        api.get(f"/reports/{number}", role=role),
        api.get("/reports", role=role),
        api.get("/reports", role=role, query_string={"stage": from_stage}),
        api.move(number, to_stage, role=role, note="dicek"),
        api.move(number, "selesai", role=role, note="dicek"),
    ]
    assert responses[3].status_code == (403 if role == "channel" else 200)
    for response in responses:
        text = response.get_data(as_text=True)
        for private in ["81234567890", "812-3456", "Siti", "Aminah"]:
            assert private not in text, (response.request.path, private)


# --- GET /reports -------------------------------------------------------------------------


def numbers_of(page) -> list[str]:
    return [item["number"] for item in page.get_json()["items"]]


def walk_pages(api: Api, *, limit: int, role: str = "kelurahan", between=None, **filters):
    """Every page of the listing; `between()` runs after each page fetch."""
    seen, cursor = [], None
    while True:
        query = {"limit": limit, **filters}
        if cursor:
            query["cursor"] = cursor
        response = api.get("/reports", role=role, query_string=query)
        assert response.status_code == 200, response.get_json()
        page = response.get_json()
        assert len(page["items"]) <= limit
        seen.extend(item["number"] for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return seen
        if between:
            between()


def test_listing_walks_every_report_once_newest_first(api):
    filed = [api.file(role="channel")["number"] for _ in range(23)]
    first = api.get("/reports", role="kelurahan", query_string={"limit": 5}).get_json()
    assert len(first["items"]) == 5 and first["next_cursor"]
    assert walk_pages(api, limit=5) == list(reversed(filed))


def test_listing_is_stable_while_new_reports_arrive(api):
    filed = [api.file(role="channel")["number"] for _ in range(23)]
    arrived = []
    seen = walk_pages(
        api, limit=5, between=lambda: arrived.append(api.file(role="channel")["number"])
    )
    assert len(arrived) == 4
    assert seen == list(reversed(filed))
    assert not set(arrived) & set(seen)


def test_listing_defaults_to_a_page_of_fifty_at_most(api):
    for _ in range(3):
        api.file()
    page = api.get("/reports", role="kelurahan").get_json()
    assert len(page["items"]) == 3 and page["next_cursor"] is None


def test_listing_a_page_that_ends_exactly_at_the_last_report_has_no_next_cursor(api):
    filed = [api.file()["number"] for _ in range(4)]
    first = api.get("/reports", query_string={"limit": 2}).get_json()
    second = api.get("/reports", query_string={"limit": 2, "cursor": first["next_cursor"]})
    assert second.get_json()["next_cursor"] is None
    assert numbers_of(second) == list(reversed(filed))[2:]


def test_listing_filters_by_stage_kelurahan_and_category(api, store):
    kramat_road = api.file(kelurahan="Kramat", category="jalan_rusak")["number"]
    kramat_rubbish = api.file(kelurahan="Kramat", category="sampah")["number"]
    kapuk_rubbish = api.file(kelurahan="Kapuk", category="sampah")["number"]
    move_through(store, kramat_rubbish, "koordinasi", note="disiapkan")

    def listed(**query):
        response = api.get("/reports", query_string=query)
        assert response.status_code == 200, response.get_json()
        return numbers_of(response)

    assert listed(stage="koordinasi") == [kramat_rubbish]
    assert listed(stage="menunggu") == [kapuk_rubbish, kramat_road]
    assert listed(category="sampah") == [kapuk_rubbish, kramat_rubbish]
    assert listed(kelurahan="Kramat") == [kramat_rubbish, kramat_road]
    assert listed(kelurahan="11720") == [kapuk_rubbish]
    assert listed(kelurahan="Kramat", category="sampah", stage="koordinasi") == [kramat_rubbish]
    assert listed(stage="selesai") == []


def test_listing_filters_by_kelurahan_id(api):
    kramat = api.file(kelurahan="Kramat")["number"]
    api.file(kelurahan="Kapuk")
    response = api.get("/reports", role="kelurahan", query_string={"kelurahan": "25329"})
    assert response.status_code == 200, response.get_json()
    assert numbers_of(response) == [kramat]


def _file_at(store, moment: datetime) -> str:
    new = reports.NewReport(
        category="banjir",
        description="Banjir setinggi lutut di gang",
        kelurahan=match_kelurahan("Kramat").chosen,
        channel="jaki",
    )
    return store(reports.create_report, new, now=moment).number


def test_listing_filters_by_creation_time_given_in_utc_or_with_an_offset(api, store):
    march = [_file_at(store, datetime(2026, 3, day, 3, 0, tzinfo=UTC)) for day in (1, 2, 3)]

    def listed(**query):
        response = api.get("/reports", role="facilitator", query_string=query)
        assert response.status_code == 200, response.get_json()
        return numbers_of(response)

    assert listed(created_after="2026-03-01T12:00:00Z") == [march[2], march[1]]
    assert listed(created_before="2026-03-02T12:00:00Z") == [march[1], march[0]]
    assert listed(created_after="2026-03-01T12:00:00Z", created_before="2026-03-02T12:00:00Z") == [
        march[1]
    ]
    # 2 March 12:00 WIB is 05:00 UTC: after the second report, before the third.
    assert listed(created_after="2026-03-02T12:00:00+07:00") == [march[2]]
    assert listed(created_before="2026-02-28T00:00:00Z") == []


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        pytest.param({"stage": "dibatalkan"}, "stage", id="unknown-stage"),
        pytest.param({"category": "gempa_bumi"}, "category", id="unknown-category"),
        pytest.param({"kelurahan": "Duri"}, "kelurahan", id="ambiguous-kelurahan"),
        pytest.param({"kelurahan": "Atlantis Raya"}, "kelurahan", id="unknown-kelurahan"),
        pytest.param({"created_after": "kemarin"}, "created_after", id="after-not-a-date"),
        pytest.param(
            {"created_before": "2026-13-01T00:00:00Z"}, "created_before", id="before-month-13"
        ),
        pytest.param({"limit": "0"}, "limit", id="limit-0"),
        pytest.param({"limit": "201"}, "limit", id="limit-201"),
        pytest.param({"limit": "-5"}, "limit", id="limit-negative"),
        pytest.param({"limit": "lima"}, "limit", id="limit-words"),
        pytest.param({"cursor": "not-a-cursor"}, "cursor", id="cursor-not-base64"),
        pytest.param({"cursor": _cursor("yesterday|5")}, "cursor", id="cursor-bad-time"),
        pytest.param(
            {"cursor": _cursor("2026-03-01T00:00:00+00:00")}, "cursor", id="cursor-without-id"
        ),
        pytest.param(
            {"cursor": _cursor("2026-03-01T00:00:00|5")}, "cursor", id="cursor-without-zone"
        ),
    ],
)
def test_an_invalid_filter_is_422_naming_it(api, query, field):
    api.file()
    response = api.get("/reports", role="kelurahan", query_string=query)
    assert response.status_code == 422
    assert error_of(response)["field"] == field


def test_an_unknown_filter_is_422_naming_it(api):
    api.file()
    response = api.get("/reports", role="kelurahan", query_string={"status": "menunggu"})
    assert response.status_code == 422
    error = error_of(response)
    assert (error["code"], error["field"]) == ("unknown_field", "status")


# --- POST /reports/<number>/transitions -------------------------------------------------


@pytest.mark.parametrize("role", TOKEN_ROLES)
def test_every_move_by_every_role_is_accepted_or_refused_as_design_md_says(api, store, role):
    """For each (from, to) pair, a fresh report in `from` and one attempt by `role`:
    200 when the role may make the allowed move, 409 listing the allowed stages when the
    move is not allowed at all, 403 when it is allowed but not for this role."""
    problems = []
    for from_stage in STAGES:
        for to_stage in STAGES:
            number = report_in(api, from_stage)
            before = stored(store, number)
            watch = Outbox(store)
            response = api.move(number, to_stage, role=role, note="alasan")
            after = stored(store, number)
            new_notes = watch.new()
            case = f"{role}: {from_stage} -> {to_stage}"
            expected = expected_status(role, from_stage, to_stage)
            if response.status_code != expected:
                problems.append(f"{case}: {response.status_code}, expected {expected}")
                continue
            if expected == 200:
                moves = [(role, to_stage, "alasan")]
                if to_stage == "validasi":  # a validation closes the report at once
                    moves.append(("system", "selesai", None))
                shown = response.get_json()
                assert shown["stage"] == after.stage == moves[-1][1], case
                assert [
                    (entry["actor_role"], entry["to"], entry["note"])
                    for entry in shown["history"][-len(moves) :]
                ] == moves, case
                assert len(after.history) == len(before.history) + len(moves), case
                assert [(n.contact_id, n.kind, n.payload["stage"]) for n in new_notes] == [
                    (before.reporter_contact_id, STAGE_CHANGED, stage) for _, stage, _ in moves
                ], case
                assert new_notes[0].payload["from_stage"] == from_stage, case
                continue
            if expected == 409:
                assert error_of(response)["allowed"] == sorted(ALLOWED_MOVES[from_stage]), case
            assert after.stage == before.stage, case
            assert after.history == before.history, case
            assert new_notes == [], case
    assert problems == []


def test_a_report_travels_every_stage_with_the_right_roles_and_one_notification_each(api, store):
    number = api.file(role="channel", reporter=REPORTER)["number"]
    contact = stored(store, number).reporter_contact_id
    journey = [
        ("kelurahan", "koordinasi", None),
        ("kelurahan", "disposisi", "Diteruskan ke Sudin Bina Marga"),
        ("skpd", "proses", None),
        ("skpd", "tindak_lanjut", "Lubang sudah ditambal"),
        ("facilitator", "proses", "Foto bukti belum ada"),
        ("skpd", "tindak_lanjut", "Foto bukti dilampirkan"),
        ("facilitator", "validasi", None),
        ("system", "selesai", None),  # a validation closes the report at once
    ]
    for role, to_stage, note in journey[:-1]:
        response = api.move(number, to_stage, role=role, note=note)
        assert response.status_code == 200, (role, to_stage, response.get_json())
    history = api.get(f"/reports/{number}").get_json()["history"]
    assert [(entry["actor_role"], entry["to"], entry["note"]) for entry in history[1:]] == journey
    notes = store(outbox.notifications, contact_id=contact)
    assert [note.payload["stage"] for note in notes] == [
        "menunggu",
        *(stage for _, stage, _ in journey),
    ]


def assert_nothing_changed(store, number: str, before: reports.ReportView, watch: Outbox):
    after = stored(store, number)
    assert after.stage == before.stage
    assert after.history == before.history
    assert watch.new() == []


@pytest.mark.parametrize(
    ("from_stage", "role", "body", "code"),
    [
        ("menunggu", "admin", {"to": "ditolak"}, "reason_required"),
        ("menunggu", "admin", {"to": "ditolak", "note": "   "}, "reason_required"),
        ("koordinasi", "kelurahan", {"to": "ditolak", "note": ""}, "reason_required"),
        ("tindak_lanjut", "facilitator", {"to": "proses"}, "reason_required"),
        ("tindak_lanjut", "facilitator", {"to": "proses", "note": "\n"}, "reason_required"),
        ("menunggu", "admin", {"to": "dibatalkan", "note": "alasan"}, "invalid_field"),
        ("menunggu", "admin", {"to": "KOORDINASI"}, "invalid_field"),
        ("menunggu", "admin", {"note": "alasan"}, "missing_field"),
        ("menunggu", "admin", {"to": "koordinasi", "note": 5}, "invalid_field"),
    ],
    ids=[
        "ditolak-without-note",
        "ditolak-blank-note",
        "ditolak-empty-note",
        "return-without-note",
        "return-blank-note",
        "unknown-stage",
        "stage-in-capitals",
        "no-stage",
        "note-not-text",
    ],
)
def test_a_move_without_a_needed_reason_or_with_an_unknown_stage_is_422(
    api, store, from_stage, role, body, code
):
    number = report_in(api, from_stage)
    before, watch = stored(store, number), Outbox(store)
    response = api.post(f"/reports/{number}/transitions", body, role=role)
    assert response.status_code == 422
    assert error_of(response)["code"] == code
    assert_nothing_changed(store, number, before, watch)


@pytest.mark.parametrize(
    "send",
    [
        {"data": "{to: koordinasi", "content_type": "application/json"},
        {"data": json.dumps(["koordinasi"]), "content_type": "application/json"},
        {"data": json.dumps({"to": "koordinasi"})},
    ],
    ids=["malformed", "array", "no-content-type"],
)
def test_a_move_whose_body_is_not_a_json_object_is_400(api, store, send):
    number = report_in(api, "menunggu")
    before, watch = stored(store, number), Outbox(store)
    response = api.post(f"/reports/{number}/transitions", **send)
    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_json"
    assert_nothing_changed(store, number, before, watch)


def test_moving_an_unknown_report_is_404(api, store):
    api.file(reporter=REPORTER)
    watch = Outbox(store)
    response = api.move(UNKNOWN_NUMBER, "koordinasi", role="kelurahan")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    assert watch.new() == []


def test_moving_a_report_whose_check_digit_fails_is_400(api, store):
    number = report_in(api, "menunggu")
    before, watch = stored(store, number), Outbox(store)
    digits = numbers.canonical_digits(number)
    mistyped = digits[:-1] + str((int(digits[-1]) + 1) % 10)
    response = api.move(mistyped, "koordinasi", role="kelurahan")
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_number"
    assert_nothing_changed(store, number, before, watch)


def test_a_note_is_kept_without_surrounding_blanks(api):
    number = report_in(api, "menunggu")
    response = api.move(number, "ditolak", role="admin", note="  Bukan wilayah DKI \n")
    assert response.status_code == 200
    assert response.get_json()["history"][-1]["note"] == "Bukan wilayah DKI"


def test_ditolak_goes_nowhere_but_back_to_koordinasi_over_the_api(api):
    number = report_in(api, "ditolak")
    for to_stage in set(STAGES) - {"koordinasi"}:
        response = api.move(number, to_stage, role="admin", note="alasan")
        assert response.status_code == 409
        assert error_of(response)["allowed"] == ["koordinasi"]


def test_a_move_by_a_kelurahan_is_recorded_with_its_time_in_utc(api):
    number = report_in(api, "menunggu")
    start = datetime.now(UTC)
    shown = api.move(number, "koordinasi", role="kelurahan").get_json()
    moved_at = datetime.fromisoformat(shown["stage_changed_at"].replace("Z", "+00:00"))
    assert start - timedelta(seconds=1) <= moved_at <= datetime.now(UTC) + timedelta(seconds=1)
    assert shown["history"][-1]["at"] == shown["stage_changed_at"]


# --- hostile or careless input ---------------------------------------------------------


def test_a_note_too_long_for_whatsapp_is_refused_and_changes_nothing(api, store):
    number = api.file()["number"]
    response = api.move(number, "koordinasi", role="kelurahan", note="x" * 1001)
    assert response.status_code == 422 and error_of(response)["field"] == "note"
    assert api.get(f"/reports/{number}", role="admin").get_json()["stage"] == "menunggu"


def test_control_characters_are_stripped_not_a_500(api):
    created = api.file(
        description="Jalan\x00 berlubang\x07 besar sekali",
        reporter={"name": "Bu\x00di", "phone": "0812 9999 8888"},
    )
    assert created["description"] == "Jalan berlubang besar sekali"
    number = created["number"]
    moved = api.move(number, "koordinasi", role="kelurahan", note="Diterima\x00 kelurahan")
    assert moved.status_code == 200
    assert moved.get_json()["history"][-1]["note"] == "Diterima kelurahan"


def test_every_string_of_a_body_loses_what_xml_cannot_carry_nested_ones_too(api):
    created = api.file(
        description="Jalan\uffff berlubang\ufdd0 besar\U0001fffe sekali\ud800",
        location={"text": "Jl. Kramat\ufffe Raya 10\x0b"},
        reporter={"name": "Bu\uffffdi", "phone": "0812 9999 8888"},
    )
    assert created["description"] == "Jalan berlubang besar sekali"
    assert created["location"]["text"] == "Jl. Kramat Raya 10"
    assert created["reporter"]["name"] == "Budi"
    moved = api.move(created["number"], "koordinasi", role="kelurahan", note="Diterima\uffff")
    assert moved.get_json()["history"][-1]["note"] == "Diterima"


@pytest.mark.parametrize("depth", [20, 5_000])
def test_a_body_nested_deeper_than_any_of_ours_is_400_not_500(api, depth):
    nested = '{"a": ' * depth + "1" + "}" * depth
    response = api.post("/reports", data=nested, content_type="application/json")
    assert response.status_code == 400 and error_of(response)["code"] == "malformed_json"


@pytest.mark.parametrize("query", ["limit=²", "kelurahan=²", "limit=٣"])
def test_unicode_digits_in_filters_are_422_not_500(api, query):
    assert api.get(f"/reports?{query}", role="admin").status_code == 422


def test_a_missing_kelurahan_is_named_as_missing(api):
    response = api.post("/reports", report_body(kelurahan=MISSING), role="channel")
    assert response.status_code == 422 and error_of(response)["code"] == "missing_field"


def test_list_items_are_summaries_without_history(api):
    api.file()
    (item,) = api.get("/reports", role="admin").get_json()["items"]
    assert "history" not in item and "photos" not in item and item["stage"] == "menunggu"


def test_an_unknown_field_of_a_move_is_422_and_changes_nothing(api, store):
    number = report_in(api, "menunggu")
    before, watch = stored(store, number), Outbox(store)
    body = {"to": "koordinasi", "notes": "Diterima"}
    response = api.post(f"/reports/{number}/transitions", body, role="kelurahan")
    assert response.status_code == 422
    error = error_of(response)
    assert (error["code"], error["field"]) == ("unknown_field", "notes")
    assert_nothing_changed(store, number, before, watch)


def _photo(name: str) -> tuple[io.BytesIO, str, str]:
    return io.BytesIO(b"\xff\xd8\xff\xe0 not really a jpeg"), name, "image/jpeg"


def test_a_move_may_come_as_a_multipart_form_with_photos(api):
    number = report_in(api, "proses")
    form = {
        "to": "tindak_lanjut",
        "note": "  Lubang sudah ditambal ",
        "photo": [_photo("sebelum.jpg"), _photo("sesudah.jpg")],
    }
    response = api.post(f"/reports/{number}/transitions", data=form, role="skpd")
    assert response.status_code == 200, response.get_json()
    shown = response.get_json()
    assert shown["stage"] == "tindak_lanjut"
    assert shown["history"][-1]["note"] == "Lubang sudah ditambal"


def test_a_multipart_move_is_validated_like_a_json_one(api, store):
    number = report_in(api, "menunggu")
    before, watch = stored(store, number), Outbox(store)
    moves = f"/reports/{number}/transitions"
    forms = [
        {"to": "KOORDINASI"},
        {"note": "Diterima"},
        {"to": "ditolak", "note": " "},
        {"to": "koordinasi", "skpd": "Bina Marga"},
        {"to": "koordinasi", "foto": _photo("a.jpg")},
    ]
    refused = [
        api.post(moves, data=form, content_type="multipart/form-data", role="kelurahan")
        for form in forms
    ]
    assert [(r.status_code, error_of(r)["code"], error_of(r).get("field")) for r in refused] == [
        (422, "invalid_field", "to"),
        (422, "missing_field", "to"),
        (422, "reason_required", "note"),
        (422, "invalid_field", "skpd"),
        (422, "unknown_field", "foto"),
    ]
    assert_nothing_changed(store, number, before, watch)


def test_a_move_neither_json_nor_multipart_is_400(api, store):
    number = report_in(api, "menunggu")
    response = api.post(
        f"/reports/{number}/transitions",
        data={"to": "koordinasi"},
        content_type="application/x-www-form-urlencoded",
        role="kelurahan",
    )
    assert response.status_code == 400
    assert "multipart/form-data" in error_of(response)["message"]
