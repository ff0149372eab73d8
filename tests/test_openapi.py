"""The OpenAPI 3 document at `/api/v1/openapi.json` describes the API as it behaves:
the same routes, every status code the API answers with, and bodies of the documented shape.

Neither `openapi_spec_validator` nor `jsonschema` is installed, so the structure is checked
here and bodies are validated by `schema_problems`, a small validator for the parts of
OpenAPI 3.0 schemas the document uses."""

import re
from dataclasses import dataclass
from datetime import datetime

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


def _is_date_time(value: str) -> bool:
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


_TYPES = {
    "string": lambda value: isinstance(value, str),
    "integer": lambda value: isinstance(value, int) and not isinstance(value, bool),
    "number": lambda value: isinstance(value, int | float) and not isinstance(value, bool),
    "boolean": lambda value: isinstance(value, bool),
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
}


def schema_problems(value, schema: dict, document: dict, where: str = "$") -> list[str]:
    """What in `value` does not fit `schema` (an OpenAPI 3.0 schema object). Object keys
    the schema does not document are problems too: the document should show every field."""
    if "$ref" in schema:
        return schema_problems(value, resolve(document, schema["$ref"]), document, where)
    if value is None:
        return [] if schema.get("nullable") else [f"{where}: null, but not nullable"]
    if "oneOf" in schema:
        fits = [s for s in schema["oneOf"] if not schema_problems(value, s, document, where)]
        return [] if len(fits) == 1 else [f"{where}: fits {len(fits)} of oneOf"]
    kind = schema.get("type")
    if kind and not _TYPES[kind](value):
        return [f"{where}: {value!r} is not of type {kind}"]
    problems = []
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{where}: {value!r} not in {schema['enum']}")
    if schema.get("format") == "date-time" and not _is_date_time(value):
        problems.append(f"{where}: {value!r} is not a date-time")
    if "minimum" in schema and value < schema["minimum"]:
        problems.append(f"{where}: {value!r} below {schema['minimum']}")
    if "maximum" in schema and value > schema["maximum"]:
        problems.append(f"{where}: {value!r} above {schema['maximum']}")
    if "minLength" in schema and len(value) < schema["minLength"]:
        problems.append(f"{where}: shorter than {schema['minLength']}")
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        problems.append(f"{where}: longer than {schema['maxLength']}")
    if kind == "object":
        properties = schema.get("properties")
        for key in schema.get("required", []):
            if key not in value:
                problems.append(f"{where}: {key} is required")
        for key, item in value.items():
            if properties is None:
                continue
            if key not in properties:
                problems.append(f"{where}.{key}: not documented")
            else:
                problems += schema_problems(item, properties[key], document, f"{where}.{key}")
    if kind == "array" and "items" in schema:
        for index, item in enumerate(value):
            problems += schema_problems(item, schema["items"], document, f"{where}[{index}]")
    return problems


# --- The document's structure -------------------------------------------------------------


def test_the_document_is_openapi_3_0_and_needs_no_token(document):
    assert re.fullmatch(r"3\.0\.\d+", document["openapi"])
    assert isinstance(document["info"]["title"], str) and document["info"]["title"]
    assert isinstance(document["info"]["version"], str)
    assert document["servers"] == [{"url": API}]
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
    }
    assert document["security"] == [{"bearer": []}]
    assert document["paths"]["/openapi.json"]["get"]["security"] == []


def test_every_operation_has_an_id_and_described_responses(document):
    seen_ids = []
    for path, method, operation in operations(document):
        seen_ids.append(operation["operationId"])
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
    assert schemas["Report"]["properties"]["stage"]["enum"] == STAGE_VALUES
    assert schemas["Transition"]["properties"]["to"]["enum"] == STAGE_VALUES
    assert schemas["Error"]["properties"]["error"]["properties"]["allowed"]["items"]["enum"] == (
        STAGE_VALUES
    )
    assert schemas["NewReport"]["properties"]["category"]["enum"] == list(CATEGORIES)
    listing = {p["name"]: p for p in document["paths"]["/reports"]["get"]["parameters"]}
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
    assert listing["stage"]["schema"]["enum"] == STAGE_VALUES
    assert listing["category"]["schema"]["enum"] == list(CATEGORIES)


def _flask_path_to_openapi(rule: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.removeprefix(API))


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
    def request_schema(path, method):
        operation = document["paths"][path][method]
        return operation["requestBody"]["content"]["application/json"]["schema"]

    new_report = request_schema("/reports", "post")
    assert schema_problems(NEW_REPORT, new_report, document) == []
    assert schema_problems({**NEW_REPORT, "kelurahan": 25329}, new_report, document) == []
    assert schema_problems({"channel": "jaki"}, new_report, document) != []
    transition = request_schema("/reports/{number}/transitions", "post")
    assert schema_problems({"to": "ditolak", "note": "alasan"}, transition, document) == []
    assert schema_problems({"to": "dibatalkan"}, transition, document) != []


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
        seen.append(Exchange(method.lower(), path, response.status_code, response.get_json()))
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

    call("GET", "/reports", "/reports", role="kelurahan", query_string={"limit": 1})
    call("GET", "/reports", "/reports", role="admin")
    call("GET", "/reports", "/reports")
    call("GET", "/reports", "/reports", role="kelurahan", query_string={"stage": "x"})

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
        ("post", "/reports"): {201, 400, 401, 403, 422},
        ("get", "/reports"): {200, 401, 422},
        ("get", "/reports/{number}"): {200, 400, 401, 404},
        ("post", "/reports/{number}/transitions"): {200, 400, 401, 403, 404, 409, 422},
        ("get", "/openapi.json"): {200},
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
        e.body for e in exchanges if e.method == "post" and e.path == "/reports" and e.status == 201
    ]
    assert [view.get("reporter") for view in admin_views] == [
        None,  # filed by a channel token: not shown to it
        {"name": "Siti Aminah", "phone": "+6281234567890"},
    ]
