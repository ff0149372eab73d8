"""The OpenAPI 3.1 document at `/api/v1/openapi.json`, which spectree derives from the
models of bot/api_models.py, describes the API as it behaves: the same routes, every
status code the API answers with, and bodies of the documented shape (checked with
jsonschema-rs, schemathesis's validator)."""

import io
import re
from dataclasses import dataclass

import jsonschema_rs
import pytest

from conftest import make_token
from store import numbers, reports
from store.categories import CATEGORIES
from store.clock import utcnow
from store.stages import Role, Stage

API = "/api/v1"
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
STAGE_VALUES = [stage.value for stage in Stage]
NEW_REPORT = {
    "channel": "jaki",
    "category": "sampah",
    "description": "Sampah menumpuk di pinggir kali",
    "kelurahan": "Kramat",
    "location": {"text": "Jl. Kramat Raya", "latitude": -6.186, "longitude": 106.845},
    "reporter": {"name": "Siti Aminah", "phone": "0812-3456-7890"},
}


@pytest.fixture
def document(client) -> dict:
    response = client.get(API + "/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def resolve(document: dict, ref: str) -> dict:
    assert ref.startswith("#/"), ref
    node = document
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def schema_problems(value, schema: dict, document: dict) -> list[str]:
    """What in `value` does not fit `schema` (a schema of the document, whose references
    resolve in it), formats (date-time) included."""
    validator = jsonschema_rs.validator_for(
        {"components": document["components"], **schema}, validate_formats=True
    )
    return [f"{error.instance_path}: {error.message}" for error in validator.iter_errors(value)]


def request_schema(document: dict, path: str, media: str = "application/json") -> dict:
    return document["paths"][API + path]["post"]["requestBody"]["content"][media]["schema"]


# --- The document's structure -------------------------------------------------------------


def test_the_document_is_openapi_3_1_and_needs_no_token(document):
    assert re.fullmatch(r"3\.1\.\d+", document["openapi"])
    assert isinstance(document["info"]["title"], str) and document["info"]["title"]
    assert isinstance(document["info"]["version"], str)
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
    }
    assert document["security"] == [{"bearer": []}]
    assert document["paths"][API + "/openapi.json"]["get"]["security"] == []
    assert document["paths"][API + "/stats"]["get"]["security"] == []


def test_every_operation_has_an_id_and_described_responses(document):
    seen_ids = []
    for path, method, operation in operations(document):
        seen_ids.append(operation["operationId"])
        assert operation["summary"], (method, path)
        assert operation["responses"], (method, path)
        for status, response in operation["responses"].items():
            assert re.fullmatch(r"[1-5]\d\d", status), (method, path, status)
            assert response["description"], (method, path, status)
    assert len(seen_ids) == len(set(seen_ids))


def test_every_path_parameter_is_declared(document):
    for path, method, operation in operations(document):
        in_template = set(re.findall(r"{(\w+)}", path))
        declared = {
            parameter["name"]
            for parameter in operation.get("parameters", [])
            if parameter["in"] == "path"
        }
        assert declared == in_template, (method, path)
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path":
                assert parameter["required"] is True
                assert parameter["description"]


def test_every_reference_resolves(document):
    def refs(node):
        if isinstance(node, dict):
            if "$ref" in node:
                yield node["$ref"]
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    found = list(refs(document))
    assert found
    for ref in found:
        assert isinstance(resolve(document, ref), dict), ref


def test_enums_list_exactly_the_stages_and_categories(document):
    schemas = document["components"]["schemas"]
    stage = {"$ref": "#/components/schemas/Stage"}
    assert schemas["Stage"]["enum"] == STAGE_VALUES
    assert schemas["Report"]["properties"]["stage"] == stage
    assert schemas["Transition"]["properties"]["to"] == stage
    assert schemas["ErrorDetail"]["properties"]["allowed"]["anyOf"][0]["items"] == stage
    assert schemas["NewReport"]["properties"]["category"]["enum"] == list(CATEGORIES)
    listing = {p["name"]: p for p in document["paths"][API + "/reports"]["get"]["parameters"]}
    assert set(listing) == {
        "stage",
        "kelurahan",
        "category",
        "created_after",
        "created_before",
        "returned",
        "limit",
        "cursor",
    }
    assert stage in listing["stage"]["schema"]["anyOf"]
    assert listing["category"]["schema"]["anyOf"][0]["enum"] == list(CATEGORIES)


def _flask_path_to_openapi(rule: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)


def test_documented_operations_are_exactly_the_api_routes(app, document):
    routes = {
        (_flask_path_to_openapi(rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(API + "/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {(path, method) for path, method, _ in operations(document)}
    assert documented == routes


def test_request_examples_fit_the_documented_request_schemas(document):
    new_report = request_schema(document, "/reports")
    assert schema_problems(NEW_REPORT, new_report, document) == []
    assert schema_problems({**NEW_REPORT, "kelurahan": 25329}, new_report, document) == []
    assert schema_problems({"channel": "jaki"}, new_report, document) != []
    assert schema_problems({**NEW_REPORT, "reporter_phone": "0812"}, new_report, document) != []
    transition = request_schema(document, "/reports/{number}/transitions")
    assert schema_problems({"to": "ditolak", "note": "alasan"}, transition, document) == []
    assert schema_problems({"to": "dibatalkan"}, transition, document) != []


def test_a_move_is_documented_as_json_and_as_a_multipart_form_with_photos(document):
    operation = document["paths"][API + "/reports/{number}/transitions"]["post"]
    assert set(operation["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    form = resolve(
        document,
        request_schema(document, "/reports/{number}/transitions", "multipart/form-data")["$ref"],
    )
    assert {"to", "note", "skpd", "photo", "latitude", "longitude"} == set(form["properties"])
    assert form["properties"]["photo"]["type"] == "array"
    assert form["properties"]["photo"]["items"] == {"type": "string", "format": "binary"}
    # where the photos were taken, for the facilitator's distance from the pin
    latitude = form["properties"]["latitude"]["anyOf"][0]
    assert (latitude["type"], latitude["minimum"], latitude["maximum"]) == ("number", -90, 90)


# --- The document against real responses ------------------------------------------------


@dataclass
class Exchange:
    method: str
    path: str  # as the document names it
    status: int
    body: dict


def _exchanges(client, store) -> list[Exchange]:
    """One request for every status code each endpoint answers with."""
    made = {
        role: make_token(store, role, name=f"{role}-doc")
        for role in ["admin", "kelurahan", "facilitator", "channel"]
    }
    seen: list[Exchange] = []

    def call(method, path, url, *, role=None, **kwargs):
        headers = {"Authorization": f"Bearer {made[role]}"} if role else {}
        response = client.open(API + url, method=method, headers=headers, **kwargs)
        exchange = Exchange(method.lower(), API + path, response.status_code, response.get_json())
        seen.append(exchange)
        return response

    one, many = "/reports/{number}", "/reports/{number}/transitions"
    created = call("POST", "/reports", "/reports", role="channel", json=NEW_REPORT)
    number = created.get_json()["number"]
    rejected = call("POST", "/reports", "/reports", role="admin", json=NEW_REPORT)
    store(
        reports.move_report,
        rejected.get_json()["number"],
        Stage.DITOLAK,
        role=Role.ADMIN,
        actor_id="doc",
        note="Bukan wilayah DKI",
        now=utcnow(),
    )
    call("POST", "/reports", "/reports", json=NEW_REPORT)
    call("POST", "/reports", "/reports", role="kelurahan", json=NEW_REPORT)
    call("POST", "/reports", "/reports", role="admin", data="{", content_type="application/json")
    call("POST", "/reports", "/reports", role="admin", json={**NEW_REPORT, "kelurahan": "Duri"})
    call("POST", "/reports", "/reports", role="channel", json={**NEW_REPORT, "reporter_phone": "1"})

    call("GET", "/reports", "/reports", role="kelurahan", query_string={"limit": 1})
    call("GET", "/reports", "/reports", role="admin")
    call("GET", "/reports", "/reports")
    call("GET", "/reports", "/reports", role="kelurahan", query_string={"stage": "x"})
    call("GET", "/reports", "/reports", role="kelurahan", query_string={"status": "menunggu"})

    call("GET", one, f"/reports/{number}", role="facilitator")
    call("GET", one, f"/reports/{rejected.get_json()['number']}", role="admin")
    call("GET", one, f"/reports/{number[:-1]}{(int(number[-1]) + 1) % 10}", role="admin")
    call("GET", one, f"/reports/{number}")
    call("GET", one, f"/reports/{numbers.format_number(2026, 999999)}", role="admin")

    moves = f"/reports/{number}/transitions"
    call("POST", many, moves, role="kelurahan", json={"to": "koordinasi", "note": "diterima"})
    call("POST", many, moves, role="kelurahan", data="[", content_type="application/json")
    call("POST", many, "/reports/CRM-26-000001-0/transitions", role="admin", json={"to": "proses"})
    call("POST", many, moves, json={"to": "proses"})
    call("POST", many, moves, role="facilitator", json={"to": "proses"})
    call(
        "POST",
        many,
        f"/reports/{numbers.format_number(2026, 999999)}/transitions",
        role="admin",
        json={"to": "proses"},
    )
    call("POST", many, moves, role="admin", json={"to": "selesai"})
    call("POST", many, moves, role="admin", json={"to": "ditolak"})
    call("POST", many, moves, role="admin", json={"to": "dibatalkan"})
    photo = (io.BytesIO(b"\xff\xd8\xff"), "hasil.jpg", "image/jpeg")
    as_form = {"role": "admin", "content_type": "multipart/form-data"}
    call("POST", many, moves, data={"to": "proses", "photo": photo}, **as_form)
    call("POST", many, moves, data={"to": "ditolak"}, **as_form)

    call("GET", "/openapi.json", "/openapi.json")
    return seen


@pytest.fixture
def exchanges(client, store) -> list[Exchange]:
    return _exchanges(client, store)


def test_the_exchanges_cover_every_status_the_tests_observe(exchanges):
    statuses = {(e.method, e.path): set() for e in exchanges}
    for exchange in exchanges:
        statuses[(exchange.method, exchange.path)].add(exchange.status)
    assert statuses == {
        ("post", API + "/reports"): {201, 400, 401, 403, 422},
        ("get", API + "/reports"): {200, 401, 422},
        ("get", API + "/reports/{number}"): {200, 400, 401, 404},
        ("post", API + "/reports/{number}/transitions"): {200, 400, 401, 403, 404, 409, 422},
        ("get", API + "/openapi.json"): {200},
    }


def test_every_status_the_api_answers_with_is_documented(document, exchanges):
    undocumented = {
        (e.method, e.path, e.status)
        for e in exchanges
        if str(e.status) not in document["paths"][e.path][e.method]["responses"]
    }
    assert undocumented == set()


def test_every_response_body_fits_its_documented_schema(document, exchanges):
    problems = []
    for e in exchanges:
        response = document["paths"][e.path][e.method]["responses"][str(e.status)]
        schema = response["content"]["application/json"]["schema"]
        for problem in schema_problems(e.body, schema, document):
            problems.append(f"{e.method.upper()} {e.path} {e.status}: {problem}")
    assert problems == []


def test_the_schema_check_notices_a_wrong_body(document, exchanges):
    """The validator above is not a rubber stamp."""
    report_schema = {"$ref": "#/components/schemas/Report"}
    error_schema = {"$ref": "#/components/schemas/Error"}
    report = next(e.body for e in exchanges if e.status == 200 and "number" in e.body)
    assert schema_problems(report, report_schema, document) == []
    assert schema_problems({**report, "stage": "dibatalkan"}, report_schema, document)
    assert schema_problems({**report, "secret": 1}, report_schema, document)
    assert schema_problems(
        {k: v for k, v in report.items() if k != "number"}, report_schema, document
    )
    assert schema_problems({**report, "created_at": "kemarin"}, report_schema, document)
    conflict = next(e.body for e in exchanges if e.status == 409)
    assert schema_problems(conflict, error_schema, document) == []
    assert schema_problems({"error": {"code": "x"}}, error_schema, document)
    assert schema_problems(
        {"error": {**conflict["error"], "allowed": ["besok"]}}, error_schema, document
    )


def test_admins_get_the_documented_reporter_and_others_do_not(exchanges):
    admin_views = [
        e.body
        for e in exchanges
        if e.method == "post" and e.path == API + "/reports" and e.status == 201
    ]
    assert [view.get("reporter") for view in admin_views] == [
        None,  # filed by a channel token: not shown to it
        {"name": "Siti Aminah", "phone": "+6281234567890"},
    ]
