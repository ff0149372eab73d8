"""Open311 GeoReport v2: every endpoint in both formats, as the specification words it,
and an existing third-party client (georeport, from PyPI) talking to the real server."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from georeport import GeoReport
from sqlmodel import update

from conftest import make_token, move_through, proof_for
from store import outbox, reports
from store.clock import utcnow
from store.models import Report
from store.numbers import parse_number
from store.phones import MASKED_NUMBER
from store.stages import Role, Stage

V2 = "/open311/v2"
PHONE = "0812-3456-7890"


@pytest.fixture
def api_key(store):
    return make_token(store, Role.CHANNEL)


def post_request(client, key, fmt="json", **fields):
    form = {
        "api_key": key,
        "service_code": "jalan_rusak",
        "lat": "-6.1862",
        "long": "106.8341",
        "address_string": "Jl. Kramat Raya 10",
        "attribute[kelurahan]": "Kramat",
        "description": "Jalan berlubang besar di depan sekolah",
        **fields,
    }
    form = {key: value for key, value in form.items() if value is not None}
    return client.post(f"{V2}/requests.{fmt}", data=form)


def created_id(client, api_key, **fields) -> str:
    answer = post_request(client, api_key, **fields)
    assert answer.status_code == 201, answer.get_data(as_text=True)
    return answer.get_json()[0]["service_request_id"]


def test_service_list_in_json_and_xml(client):
    services = client.get(f"{V2}/services.json")
    assert services.content_type == "application/json; charset=utf-8"
    codes = [service["service_code"] for service in services.get_json()]
    assert "jalan_rusak" in codes and len(codes) == 9
    xml = client.get(f"{V2}/services.xml")
    assert xml.content_type == "text/xml; charset=utf-8"
    root = ET.fromstring(xml.get_data())
    assert root.tag == "services" and len(root.findall("service")) == 9
    assert root.find("service/metadata").text == "true"


def test_service_definition_asks_for_the_kelurahan(client):
    definition = client.get(f"{V2}/services/sampah.json").get_json()
    attribute = definition["attributes"][0]
    assert attribute["code"] == "kelurahan" and attribute["required"] == "true"
    xml = ET.fromstring(client.get(f"{V2}/services/sampah.xml").get_data())
    assert xml.find("attributes/attribute/code").text == "kelurahan"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_code_is_404_in_the_specs_error_format(client, fmt):
    answer = client.get(f"{V2}/services/no_such.{fmt}")
    assert answer.status_code == 404
    if fmt == "json":
        (error,) = answer.get_json()
        assert error["code"] == 404 and "no_such" in error["description"]
    else:
        root = ET.fromstring(answer.get_data())
        assert root.tag == "errors" and root.find("error/code").text == "404"


def test_post_creates_an_ordinary_report_and_answers_an_array(client, api_key, store):
    answer = post_request(client, api_key, phone=PHONE, first_name="Budi", last_name="S")
    assert answer.status_code == 201
    (created,) = answer.get_json()
    assert created["service_request_id"].startswith("CRM-") and "token" not in created

    report = store(reports.find_report, parse_number(created["service_request_id"]).digits)
    assert report.channel == "JAKI" and report.stage == "menunggu"  # the key's channel
    assert report.kelurahan == "Kramat" and report.reporter_phone == "+6281234567890"
    (note,) = store(outbox.notifications)
    assert note.payload["stage"] == "menunggu"  # the reporter gets its number by WhatsApp


def test_post_in_xml(client, api_key):
    answer = post_request(client, api_key, fmt="xml")
    root = ET.fromstring(answer.get_data())
    assert answer.status_code == 201 and root.tag == "service_requests"
    assert root.find("request/service_request_id").text.startswith("CRM-")


@pytest.mark.parametrize(
    "fields, status",
    [
        ({"api_key": ""}, 403),
        ({"api_key": "not-a-token"}, 403),
        ({"service_code": None}, 400),
        ({"service_code": "no_such"}, 404),
        ({"lat": None, "long": None, "address_string": None}, 400),
        ({"lat": "north", "long": "east"}, 400),
        ({"lat": "91", "long": "0"}, 400),
        ({"attribute[kelurahan]": None, "address_string": "Jl. Entah"}, 400),
        ({"description": "x" * 4001}, 400),
        ({"phone": "halo"}, 400),
        ({"jurisdiction_id": "sfgov.org"}, 404),
    ],
)
def test_bad_posts_are_refused_with_the_specs_codes_and_change_nothing(
    client, api_key, store, fields, status
):
    answer = post_request(client, api_key, **fields)
    assert answer.status_code == status
    assert answer.get_json()[0]["code"] == status
    assert store(reports.count_reports) == 0


def test_a_kelurahan_named_in_the_address_is_enough(client, api_key):
    assert (
        post_request(
            client,
            api_key,
            **{"attribute[kelurahan]": None, "address_string": "Jl. Salemba, Kenari"},
        ).status_code
        == 201
    )


def test_a_staff_token_is_not_an_api_key(client, store):
    kelurahan_token = make_token(store, Role.KELURAHAN)
    assert post_request(client, kelurahan_token).status_code == 403


def test_phone_numbers_written_in_a_request_or_its_notes_are_masked_for_anyone(
    client, api_key, store
):
    number = created_id(
        client,
        api_key,
        description="Jalan berlubang, hubungi saya di 0812-3456-7890",
        address_string="Jl. Kramat Raya 10, rumah Bu Siti 0812-9999-0000",
        **{"attribute[public_consent]": "true"},
    )
    move_through(store, number, "koordinasi", note="Hubungi Pak RT di +62 813 1111 2222")

    (request,) = client.get(f"{V2}/requests/{number}.json").get_json()
    updates = client.get(f"{V2}/servicerequestupdates.json").get_data(as_text=True)

    assert request["description"] == f"Jalan berlubang, hubungi saya di {MASKED_NUMBER}"
    assert request["address"] == f"Jl. Kramat Raya 10, rumah Bu Siti {MASKED_NUMBER}"
    assert request["status_notes"] == f"Koordinasi: Hubungi Pak RT di {MASKED_NUMBER}"
    assert "3456" not in updates and "1111" not in updates and MASKED_NUMBER in updates


def test_one_request_maps_stage_to_status_with_notes_and_no_personal_data(client, api_key, store):
    number = created_id(
        client, api_key, phone=PHONE, first_name="Budi", **{"attribute[public_consent]": "true"}
    )
    for stage in ("koordinasi", "proses", "tindak_lanjut"):
        store(
            reports.move_report,
            number,
            Stage(stage),
            role=Role.ADMIN,
            actor_id="t",
            note="Sudah ditambal" if stage == "tindak_lanjut" else None,
            now=utcnow(),
            result_photos=proof_for(stage),
        )
    answer = client.get(f"{V2}/requests/{number}.json")
    (request,) = answer.get_json()
    assert request["status"] == "open"
    assert request["status_notes"] == "Tindak lanjut: Sudah ditambal"
    assert request["expected_datetime"].endswith("Z")
    assert request["requested_datetime"].endswith("Z") and request["lat"] == -6.1862
    assert request["zipcode"] == "10450" and request["service_code"] == "jalan_rusak"
    body = answer.get_data(as_text=True)
    assert "Budi" not in body and "7890" not in body
    store(
        reports.move_report,
        number,
        Stage.VALIDASI,
        role=Role.ADMIN,
        actor_id="t",
        note=None,
        now=utcnow(),
    )
    store(
        reports.move_report,
        number,
        Stage.SELESAI,
        role=Role.ADMIN,
        actor_id="t",
        note=None,
        now=utcnow(),
    )
    xml = ET.fromstring(client.get(f"{V2}/requests/{number}.xml").get_data())
    assert xml.find("request/status").text == "closed"


def test_unknown_or_mistyped_request_ids_are_404(client):
    assert client.get(f"{V2}/requests/CRM-26-999999-4.json").status_code == 404
    assert client.get(f"{V2}/requests/CRM-26-999999-5.json").status_code == 404
    assert client.get(f"{V2}/requests/hello.xml").status_code == 404


def test_list_filters_by_ids_code_status_and_dates(client, api_key, store):
    start = datetime(2026, 5, 1, 3, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        old = created_id(client, api_key)
        clock.shift(timedelta(days=100))
        recent = created_id(client, api_key, service_code="sampah")
        closed = created_id(client, api_key)
        store(
            reports.move_report,
            closed,
            Stage.DITOLAK,
            role=Role.ADMIN,
            actor_id="t",
            note="Bukan di DKI",
            now=utcnow(),
        )

        def listed(query: str) -> list[str]:
            answer = client.get(f"{V2}/requests.json?{query}")
            assert answer.status_code == 200, answer.get_data(as_text=True)
            return [request["service_request_id"] for request in answer.get_json()]

        assert set(listed("")) == {recent, closed}  # the last 90 days by default
        assert set(listed(f"service_request_id={old},{recent}")) == {old, recent}
        assert listed("service_code=sampah") == [recent]
        assert listed("status=closed") == [closed]
        assert set(listed("status=open,closed")) == {recent, closed}
        assert listed("start_date=2026-05-01T00:00:00Z&end_date=2026-05-02T00:00:00%2B07:00") == [
            old
        ]
    for bad in [
        "start_date=yesterday",
        "start_date=2026-05-01T00:00:00",
        "start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",
        "status=pending",
    ]:
        assert client.get(f"{V2}/requests.json?{bad}").status_code == 400, bad
    assert client.get(f"{V2}/requests.json?service_code=no_such").status_code == 404


def test_tokens_are_never_issued_so_any_token_is_unknown(client):
    answer = client.get(f"{V2}/tokens/abc.json")
    assert answer.status_code == 404 and answer.get_json()[0]["code"] == 404


def test_discovery_document(client):
    document = client.get(f"{V2}/discovery.json").get_json()
    (endpoint,) = document["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert "text/xml; charset=utf-8" in endpoint["formats"]
    assert ET.fromstring(client.get(f"{V2}/discovery.xml").get_data()).tag == "discovery"


def test_service_request_updates_follow_every_stage(client, api_key, store):
    number = created_id(client, api_key)
    store(
        reports.move_report,
        number,
        Stage.KOORDINASI,
        role=Role.ADMIN,
        actor_id="t",
        note="Diterima",
        now=utcnow(),
    )
    updates = client.get(f"{V2}/servicerequestupdates.json").get_json()
    mine = [update for update in updates if update["service_request_id"] == number]
    assert [update["external_status_code"] for update in mine] == ["menunggu", "koordinasi"]
    assert mine[-1]["description"] == "Koordinasi: Diterima" and mine[-1]["status"] == "open"
    xml = ET.fromstring(client.get(f"{V2}/servicerequestupdates.xml").get_data())
    assert xml.tag == "service_request_updates" and xml.find("request_update/update_id") is not None


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_third_party_open311_client_reads_everything(served, store, fmt):
    app = served["app"]
    key = make_token(store, Role.CHANNEL, name="client")
    number = created_id(app.test_client(), key)
    client = GeoReport(served["base"] + V2, jurisdiction="jakarta.go.id", output_format=fmt)
    services = client.get_service_list()
    assert len(services) == 9
    definition = client.get_service_definition("jalan_rusak")
    assert definition["service_code"] == "jalan_rusak"
    listed = client.get_service_requests(service_code="jalan_rusak", status="open")
    listed = listed if isinstance(listed, list) else [listed]  # xmltodict gives one as a dict
    assert [request["service_request_id"] for request in listed] == [number]
    one = client.get_service_request(number)
    assert one["status"] == "open" and one["service_code"] == "jalan_rusak"


def test_a_report_stored_holding_a_noncharacter_still_gives_parseable_xml(client, api_key, store):
    """A row written before input was cleaned: one of them made the whole list unreadable."""
    number = created_id(client, api_key, **{"attribute[public_consent]": "true"})

    def hold_a_noncharacter(*, session):
        session.exec(
            update(Report)
            .where(Report.number == number)
            .values(
                public_description="Jalan\uffff berlubang\ufdd0 besar", location_text="Jl.\x0b X"
            )
        )

    store(hold_a_noncharacter)
    for path in (f"{V2}/requests.xml", f"{V2}/requests/{number}.xml"):
        answer = client.get(path)
        assert answer.status_code == 200
        (request,) = ET.fromstring(answer.get_data(as_text=True)).iter("request")
        assert request.findtext("description") == "Jalan berlubang besar"
        assert request.findtext("address") == "Jl. X"


def test_noncharacters_in_a_post_are_dropped_before_they_are_stored(client, api_key, store):
    number = created_id(
        client, api_key, description="Jalan\uffff berlubang\U0001fffe besar sekali\ufdef"
    )
    digits = parse_number(number).digits
    assert store(reports.find_report, digits).description == "Jalan berlubang besar sekali"


def test_control_characters_in_a_post_are_dropped_not_a_500(client, api_key, store):
    number = created_id(client, api_key, description="Jalan\x00 berlubang besar sekali")
    assert store(reports.find_report, parse_number(number).digits).description == (
        "Jalan berlubang besar sekali"
    )


@pytest.mark.parametrize(
    "query",
    [
        "start_date=0001-01-01T00:00:00%2B14:00",  # year 0 in UTC (found by the fuzz test)
        "end_date=9999-12-31T23:59:00-14:00",  # year 10000 in UTC
        "start_date=9999-12-20T00:00:00Z",  # its default end, 90 days on
        "end_date=0001-01-02T00:00:00Z",  # its default start, 90 days back
    ],
)
def test_a_window_outside_the_years_a_date_holds_is_refused_not_a_500(client, query):
    answer = client.get(f"{V2}/requests.json?{query}")
    assert answer.status_code == 400
    assert "years 1 to 9999" in answer.get_json()[0]["description"]
