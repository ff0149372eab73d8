"""The officer API fuzzed from its own OpenAPI document (schemathesis): for every operation,
generated requests, valid and invalid, with an admin, channel, officer or no token, never
get a 5xx, and every answer matches the document (a documented status code, its content
type and its body schema).

The schema is loaded from the running app (`GET /api/v1/openapi.json`), so it is the
document clients see. The store holds a few reports first, so that some requests name
real report numbers, and some bodies name a real kelurahan, so that some reports get
filed. Schemathesis never sends lone surrogates (JSON may escape them: "\\ud800") and
rarely reaches the ends of the calendar or of the database's integers, so some requests
carry such values on purpose."""

import base64
import json
from datetime import datetime, timedelta, timezone

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from conftest import make_token, png, refresh_figures
from store import reports, tokens
from store.clock import utcnow
from store.places import match_kelurahan
from store.stages import Role

API = "/api/v1"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
MULTIPART = "multipart/form-data"
# Every operation of the document (test_every_operation_is_fuzzed), a move also as a form
# with photos; None: the media type the document gives first, or none.
OPERATIONS = [
    ("GET", API + "/openapi.json", None),
    ("POST", API + "/reports", None),
    ("GET", API + "/reports", None),
    ("GET", API + "/reports/{number}", None),
    ("POST", API + "/reports/{number}/transitions", "application/json"),
    ("POST", API + "/reports/{number}/transitions", MULTIPART),
    ("GET", API + "/stats", None),
]
# Tokens are sent by the test, so the schema's bearer scheme is not generated (nor left out).
CONFIG = schemathesis.Config.from_dict({"generation": {"with-security-parameters": False}})
TOKEN_ROLES = [Role.ADMIN, Role.ADMIN, Role.ADMIN, Role.CHANNEL, Role.KELURAHAN, None]
KELURAHAN_AS_TYPED = ["Kramat", "kapuk", "10450", 25329, "25329"]  # name, postal code, id
EXAMPLES_PER_MODE = 40  # positive and negative: up to 80 requests per operation and database

_OFFSETS = st.integers(-(24 * 60 - 1), 24 * 60 - 1).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
_MOMENTS = st.one_of(
    st.datetimes(max_value=datetime(1, 1, 2), timezones=_OFFSETS),
    st.datetimes(min_value=datetime(9999, 12, 30), timezones=_OFFSETS),
    st.datetimes(timezones=_OFFSETS),
)
_CURSORS = st.builds(
    lambda moment, report_id: base64.urlsafe_b64encode(
        f"{moment.isoformat()}|{report_id}".encode()
    ).decode(),
    _MOMENTS,
    st.one_of(st.integers(), st.integers(min_value=2**31 - 2, max_value=2**64)),
)
_PERIODS = st.builds(  # /stats: YYYY or YYYY-MM, at and beyond the ends of the calendar
    lambda year, month: f"{year:04d}" if month is None else f"{year:04d}-{month:02d}",
    st.one_of(st.integers(0, 2), st.integers(9998, 10000), st.integers(0, 10000)),
    st.none() | st.integers(0, 13),
)
QUERY_EDGES = {
    "created_after": _MOMENTS.map(datetime.isoformat),
    "created_before": _MOMENTS.map(datetime.isoformat),
    "cursor": _CURSORS,
    "from": _PERIODS,
    "to": _PERIODS,
}
LONE_SURROGATE_TEXT = st.tuples(
    st.text(max_size=12), st.integers(0xD800, 0xDFFF).map(chr), st.text(max_size=12)
).map("".join)


def _fill(store) -> list[str]:
    """A few reports, one of them with a reporter (admins see the reporter)."""
    numbers = []
    for index, (category, kelurahan) in enumerate(
        [("sampah", "Kramat"), ("banjir", "Kapuk"), ("jalan_rusak", "Gambir")]
    ):
        new = reports.NewReport(
            category=category,
            description=f"Laporan uji nomor {index}: perlu ditangani segera",
            kelurahan=match_kelurahan(kelurahan).chosen,
            channel="JAKI",
            reporter_name="Siti Aminah" if index == 0 else None,
            reporter_phone="+6281234567890" if index == 0 else None,
        )
        numbers.append(store(reports.create_report, new, now=utcnow()).number)
    return numbers


def _numbers_as_typed(number: str) -> list[str]:
    """A real number, and the forms the document says are forgiven."""
    return [number, number.lower(), number.removeprefix("CRM-"), number.replace("-", " ")]


def _with_kelurahan(drawn):
    """Most generated kelurahan match none; a real one sometimes, so that reports get filed."""
    case, kelurahan = drawn
    if kelurahan is not None and isinstance(case.body, dict):
        case.body["kelurahan"] = kelurahan
    return case


def _string_places(value):
    """(container, key) of every string inside a JSON value."""
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in items:
        if isinstance(item, str):
            yield value, key
        elif isinstance(item, dict | list):
            yield from _string_places(item)


@st.composite
def _at_the_edges(draw, case, query_names: set[str]):
    """Now and then: extreme times and cursors in the query, a lone surrogate in the body,
    a real photo in a move's form (generated bytes are never one)."""
    if draw(st.integers(0, 3)) != 3:  # not 0: Hypothesis favours the simplest value
        return case
    for name in sorted(query_names & QUERY_EDGES.keys()):
        if draw(st.booleans()):
            case.query = {**(case.query or {}), name: draw(QUERY_EDGES[name])}
    if case.media_type == MULTIPART and isinstance(case.body, dict) and draw(st.booleans()):
        case.body["photo"] = [png(*draw(st.tuples(*[st.integers(0, 255)] * 3)))]  # a real one
    if isinstance(case.body, dict | list) and case.media_type != MULTIPART:
        places = list(_string_places(case.body))
        if places:
            container, key = draw(st.sampled_from(places))
            container[key] = draw(LONE_SURROGATE_TEXT)
    return case


def test_every_operation_is_fuzzed(client):
    document = client.get(API + "/openapi.json").get_json()
    documented = {
        (method.upper(), path) for path, item in document["paths"].items() for method in item
    }
    assert {(method, path) for method, path, _ in OPERATIONS} == documented
    moves = document["paths"][API + "/reports/{number}/transitions"]["post"]["requestBody"]
    assert MULTIPART in moves["content"]


# A generated form the app refuses before reading it whole (a field over its limit: 413)
# leaves the test client's own spooled copy of the body unclosed: the client's, not ours.
@pytest.mark.filterwarnings(
    "ignore:Exception ignored in.*(SpooledTemporaryFile|_io.FileIO):"
    "pytest.PytestUnraisableExceptionWarning"
)
@pytest.mark.parametrize(
    ("method", "path", "media_type"),
    OPERATIONS,
    ids=[f"{m} {p.removeprefix(API)}" + (f" {t}" if t else "") for m, p, t in OPERATIONS],
)
def test_the_api_answers_generated_requests_as_documented(app, store, method, path, media_type):
    schema = schemathesis.openapi.from_wsgi(API + "/openapi.json", app, config=CONFIG)
    operation = schema[path][method]
    bearer = {
        role: make_token(store, role, name=f"fuzz-{role}") for role in set(TOKEN_ROLES) - {None}
    }
    real_numbers = [form for number in _fill(store) for form in _numbers_as_typed(number)]
    refresh_figures(app)  # as the worker does at start; before it, /stats is 503 by design
    query_names = {parameter.name for parameter in operation.query}

    def cases(mode: GenerationMode):
        generated = operation.as_strategy(mode, media_type=media_type)
        if "{number}" in path:
            generated = st.one_of(
                st.sampled_from(real_numbers).flatmap(
                    lambda number: operation.as_strategy(
                        mode, path_parameters={"number": number}, media_type=media_type
                    )
                ),
                generated,
            )
        if (method, path) == ("POST", API + "/reports"):
            generated = st.tuples(generated, st.sampled_from([None, *KELURAHAN_AS_TYPED])).map(
                _with_kelurahan
            )
        return generated.flatmap(lambda case: _at_the_edges(case, query_names))

    modes = [GenerationMode.POSITIVE]
    if operation.body or query_names:
        modes.append(GenerationMode.NEGATIVE)  # a path's number is any string: nothing to break
    for mode in modes:

        @settings(
            max_examples=EXAMPLES_PER_MODE,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        )
        @given(case=cases(mode), role=st.sampled_from(TOKEN_ROLES))
        def answered_as_documented(case, role):
            headers = {"Authorization": f"Bearer {bearer[role]}"} if role else {}
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS, headers=headers)

        answered_as_documented()


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


# What the fuzzer found answered with a 500, now refused as documented.
FOUND_IN_QUERIES = {
    "created_after-before-year-1-in-utc": {"created_after": "0001-01-01T00:00:00+01:00"},
    "created_before-after-year-9999-in-utc": {"created_before": "9999-12-31T23:59:59-01:00"},
    "cursor-before-year-1-in-utc": {"cursor": _cursor("0001-01-01T00:00:00+05:00|1")},
    "cursor-id-beyond-sql-integer": {"cursor": _cursor(f"2026-01-01T00:00:00+00:00|{2**31}")},
    "cursor-id-beyond-64-bits": {"cursor": _cursor(f"2026-01-01T00:00:00+00:00|{2**64}")},
}
_NEW = {"channel": "JAKI", "category": "sampah", "kelurahan": "Kramat"}
FOUND_IN_BODIES = {  # json.dumps escapes the lone surrogate: "\\ud800"
    "in-description": ("/reports", {**_NEW, "description": "Sampah \ud800 menumpuk di kali"}),
    "in-reporter-name": (
        "/reports",
        {**_NEW, "description": "Sampah menumpuk di kali", "reporter": {"name": "Siti \udc00"}},
    ),
    "in-note": ("/reports/{number}/transitions", {"to": "koordinasi", "note": "Diterima \ud83d"}),
}


def _admin(store) -> dict[str, str]:
    token = store(tokens.create_token, "found", Role.ADMIN, now=utcnow())[1]
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("query", FOUND_IN_QUERIES.values(), ids=FOUND_IN_QUERIES.keys())
def test_times_and_cursors_beyond_the_store_are_refused(client, store, query):
    response = client.get(API + "/reports", query_string=query, headers=_admin(store))
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.get_json()["error"]["code"] == "invalid_field"


@pytest.mark.parametrize(("path", "body"), FOUND_IN_BODIES.values(), ids=FOUND_IN_BODIES.keys())
def test_a_lone_surrogate_in_a_body_is_removed_before_it_reaches_the_database(
    client, store, path, body
):
    number, admin = _fill(store)[0], _admin(store)
    response = client.post(
        API + path.replace("{number}", number),
        data=json.dumps(body),
        content_type="application/json",
        headers=admin,
    )
    assert response.status_code in (200, 201), response.get_data(as_text=True)
    answered = response.get_data(as_text=True)
    assert "\\ud8" not in answered and "\\udc" not in answered  # escaped, were it there
    listed = client.get(API + "/reports", headers=admin).get_json()["items"]
    assert len(listed) == 3 + (path == "/reports")
