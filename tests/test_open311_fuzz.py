"""Open311, the door anyone may knock at, fuzzed (hypothesis): whatever its paths,
parameters, forms and headers hold, as any text or any bytes, it never answers 5xx, and
every XML or JSON answer parses. Some values are the real ones (a channel's api_key, a
report's number, a service code, a kelurahan), so that some requests find reports, and
some file them; one stored report holds a noncharacter, as a row written before input
was cleaned may."""

import json
import xml.etree.ElementTree as ET
from urllib.parse import quote, quote_from_bytes

from hostile_text import FIELD_BYTES, WITH_A_RARE_CHARACTER
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import update

from conftest import make_token
from store.categories import CATEGORIES
from store.models import Report
from store.stages import Role

V2 = "/open311/v2"
EXAMPLES = 80
FORM = "application/x-www-form-urlencoded"
LIST_PARAMETERS = [
    "service_request_id",
    "service_code",
    "status",
    "start_date",
    "end_date",
]
POST_FIELDS = [
    "api_key",
    "service_code",
    "lat",
    "long",
    "address_string",
    "address_id",
    "attribute[kelurahan]",
    "description",
    "phone",
    "first_name",
    "last_name",
    "media_url",
]
PLAUSIBLE = [
    *CATEGORIES,
    "open",
    "closed",
    "open,closed",
    "jakarta.go.id",
    "2026-01-01T00:00:00Z",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-12:00",
    "-6.1862",
    "106.8341",
    "nan",
    "1e400",
    "Kramat",
    "10450",
    "0812-3456-7890",
    "Jalan berlubang besar di depan sekolah",
    "https://example.org/lubang.jpg",
]
_FORMAT = st.sampled_from(["json", "xml"])
FORMATS = st.one_of(_FORMAT, _FORMAT, _FORMAT, st.sampled_from(["html", "", "XML", "xml\x00"]))
A_REPORT = {
    "service_code": "jalan_rusak",
    "lat": "-6.1862",
    "long": "106.8341",
    "attribute[kelurahan]": "Kramat",
    "description": "Jalan berlubang besar di depan sekolah",
}


def _file_some_reports(client, api_key: str) -> list[str]:
    numbers = []
    for phone in ("0812-3456-7890", ""):
        answer = client.post(
            f"{V2}/requests.json", data={"api_key": api_key, **A_REPORT, "phone": phone}
        )
        numbers.append(answer.get_json()[0]["service_request_id"])
    return numbers


def _hold_a_noncharacter(number: str, *, session) -> None:
    session.exec(
        update(Report).where(Report.number == number).values(description="Jalan\uffff rusak")
    )


def _values(real: list[str]):
    """One parameter's value: a real one, a plausible one, or anything at all (bytes)."""
    known = st.sampled_from(real + PLAUSIBLE).map(str.encode)
    return st.one_of(
        known,
        known,
        WITH_A_RARE_CHARACTER.map(lambda text: text.encode("utf-8", "surrogatepass")),
        FIELD_BYTES,
    )


def _encoded(fields: dict[str, bytes]) -> bytes:
    return b"&".join(
        quote(key).encode() + b"=" + quote_from_bytes(value, safe="").encode()
        for key, value in fields.items()
    )


@st.composite
def _requests(draw, real: list[str]):
    """(method, path with its query, form body or None, headers)."""
    fmt = draw(FORMATS)
    real_segment = st.sampled_from(real[1:] + list(CATEGORIES))
    segment = draw(st.one_of(real_segment, real_segment, WITH_A_RARE_CHARACTER))
    segment = segment.encode("utf-8", "surrogatepass")
    where = draw(
        st.sampled_from(
            ["requests", "one request", "post", "updates", "services", "service", "discovery"]
        )
    )
    jurisdiction = st.one_of(st.just(b"jakarta.go.id"), _values(real))
    parameters = draw(st.dictionaries(st.sampled_from(LIST_PARAMETERS), _values(real)))
    if draw(st.integers(0, 3)) == 3:  # now and then; any other is a 404
        parameters["jurisdiction_id"] = draw(jurisdiction)
    query = _encoded(parameters)
    headers = {}
    if draw(st.booleans()):
        headers["Idempotency-Key"] = draw(
            st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=300)
        )
    path = {
        "requests": f"{V2}/requests.{quote(fmt)}",
        "one request": f"{V2}/requests/{quote_from_bytes(segment, safe='')}.{quote(fmt)}",
        "post": f"{V2}/requests.{quote(fmt)}",
        "updates": f"{V2}/servicerequestupdates.{quote(fmt)}",
        "services": f"{V2}/services.{quote(fmt)}",
        "service": f"{V2}/services/{quote_from_bytes(segment, safe='')}.{quote(fmt)}",
        "discovery": f"{V2}/discovery.{quote(fmt)}",
    }[where]
    if where != "post":
        return "GET", f"{path}?{query.decode()}", None, headers
    # A report as a channel files it, some fields changed, some added, some left out.
    fields = {"api_key": real[0], **A_REPORT}
    fields = {name: value.encode() for name, value in fields.items()}
    fields |= draw(st.dictionaries(st.sampled_from(POST_FIELDS), _values(real), max_size=3))
    if draw(st.integers(0, 3)) == 3:
        fields["jurisdiction_id"] = draw(jurisdiction)
    left_out = draw(st.sets(st.sampled_from(POST_FIELDS), max_size=2))
    form = _encoded({name: value for name, value in fields.items() if name not in left_out})
    return "POST", path, form, headers


def _parses(answer) -> None:
    if answer.mimetype == "text/xml":
        ET.fromstring(answer.get_data())
    elif answer.mimetype == "application/json":
        json.loads(answer.get_data())


def test_open311_answers_anything_without_a_5xx_in_xml_and_json_that_parse(client, store):
    api_key = make_token(store, Role.CHANNEL, name="fuzz-channel")
    numbers = _file_some_reports(client, api_key)
    store(_hold_a_noncharacter, numbers[0])
    real = [api_key, *numbers, ",".join(numbers), numbers[0].lower().replace("-", " ")]

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(request=_requests(real))
    def answered(request):
        method, path, form, headers = request
        answer = client.open(
            path,
            method=method,
            data=form,
            content_type=FORM if form is not None else None,
            headers=headers,
        )
        assert answer.status_code < 500, (request, answer.get_data(as_text=True)[:300])
        _parses(answer)

    answered()
