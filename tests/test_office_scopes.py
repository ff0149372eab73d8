"""Every token belongs to one office and sees and moves only its office's reports
(DESIGN.md, Offices): a report of another office answers like an unknown number, never
appears in a list, and nothing changes or is sent. Old tokens without an office are
refused with how to re-issue them."""

import hashlib
from datetime import datetime

import pytest
from sqlmodel import Session
from test_api import API, MISSING, REPORTER, UNKNOWN_NUMBER, Api, Outbox, report_body, stored

from conftest import make_token, move_through
from store import offices, reports
from store.clock import utcnow
from store.models import ApiToken

# A second office of each role: its token must not see the HOME_OFFICE's reports.
OTHER_OFFICE = {
    "kelurahan": "Kapuk",
    "skpd": "Suku Dinas Bina Marga Jakarta Timur",
    "channel": "LAPOR! 1708",
}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def api(client, store):
    return Api(client, store)


def disposed_report(api: Api) -> str:
    """A report filed by JAKI in Kramat (jalan_rusak), disposed to Suku Dinas Bina Marga
    Jakarta Pusat: within the HOME_OFFICE of every role."""
    number = api.file(role="channel", reporter=REPORTER)["number"]
    move_through(api.store, number, "koordinasi", "disposisi")
    return number


def not_found_body(client, token: str) -> dict:
    return client.get(f"{API}/reports/{UNKNOWN_NUMBER}", headers=bearer(token)).get_json()


@pytest.mark.parametrize("role", ["kelurahan", "skpd", "channel"])
def test_each_office_reads_and_lists_its_own_reports(api, client, role):
    number = disposed_report(api)
    token = api.token(role)
    assert client.get(f"{API}/reports/{number}", headers=bearer(token)).status_code == 200
    listed = client.get(f"{API}/reports", headers=bearer(token)).get_json()["items"]
    assert [item["number"] for item in listed] == [number]


@pytest.mark.parametrize("role", ["kelurahan", "skpd", "channel"])
def test_another_offices_report_is_404_like_an_unknown_number_and_never_listed(
    api, client, store, role
):
    number = disposed_report(api)
    other = make_token(store, role, office=OTHER_OFFICE[role], name="other")
    read = client.get(f"{API}/reports/{number}", headers=bearer(other))
    assert read.status_code == 404
    unknown = not_found_body(client, other)
    assert read.get_json() == {
        "error": {
            **unknown["error"],
            "message": unknown["error"]["message"].replace(UNKNOWN_NUMBER, number),
        }
    }
    listed = client.get(f"{API}/reports", headers=bearer(other)).get_json()
    assert listed == {"items": [], "next_cursor": None}
    filtered = client.get(
        f"{API}/reports", headers=bearer(other), query_string={"kelurahan": "Kramat"}
    )
    assert filtered.get_json()["items"] == []


@pytest.mark.parametrize(
    ("role", "to"),
    [("kelurahan", "proses"), ("skpd", "proses"), ("channel", "proses")],
)
def test_another_offices_report_cannot_be_moved_and_nothing_is_sent(api, client, store, role, to):
    number = disposed_report(api)
    before = stored(store, number)
    watch = Outbox(store)
    other = make_token(store, role, office=OTHER_OFFICE[role], name="other")
    moved = client.post(
        f"{API}/reports/{number}/transitions",
        headers=bearer(other),
        json={"to": to, "note": "dicoba"},
    )
    assert moved.status_code == 404
    assert moved.get_json()["error"]["code"] == "not_found"
    assert stored(store, number) == before
    assert watch.new() == []


def test_a_kelurahan_moves_a_report_located_in_it(api, store):
    number = api.file(reporter=REPORTER)["number"]
    watch = Outbox(store)
    assert api.move(number, "koordinasi", role="kelurahan").status_code == 200
    assert [note.payload["stage"] for note in watch.new()] == ["koordinasi"]


def test_an_skpd_moves_only_what_was_disposed_to_it(api, store):
    number = disposed_report(api)
    assert api.move(number, "proses", role="skpd").status_code == 200
    timur = make_token(store, "skpd", office=OTHER_OFFICE["skpd"], name="timur")
    elsewhere = api.client.post(
        f"{API}/reports/{number}/transitions",
        headers=bearer(timur),
        json={"to": "tindak_lanjut", "note": "selesai"},
    )
    assert elsewhere.status_code == 404


def test_a_channel_files_as_itself_when_it_names_no_channel(api, store):
    report = api.file(role="channel", channel=MISSING)
    assert report["channel"] == "JAKI"


def test_a_channel_may_not_file_as_another_channel(api, store):
    response = api.post("/reports", report_body(channel="LAPOR! 1708"), role="channel")
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "channel"
    assert store(reports.count_reports) == 0


@pytest.mark.parametrize("role", ["admin", "channel"])
def test_an_unknown_channel_name_is_refused(api, store, role):
    response = api.post("/reports", report_body(channel="kanal-ngawur"), role=role)
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "channel"
    assert store(reports.count_reports) == 0


def test_an_admin_files_for_a_named_channel_in_any_case(api):
    assert api.file(channel="lapor! 1708")["channel"] == "LAPOR! 1708"


def _old_token(role: str, token: str, *, session: Session) -> None:
    """A token as issued before offices existed (migration 0017 left it unbound)."""
    session.add(
        ApiToken(
            name=f"old-{role}",
            role=role,
            token_hash=hashlib.sha256(token.encode()).hexdigest(),
            created_at=datetime(2026, 11, 1, tzinfo=utcnow().tzinfo),
        )
    )


@pytest.mark.parametrize("role", ["kelurahan", "skpd", "channel"])
def test_an_unbound_old_token_is_refused_with_how_to_reissue_it(api, client, store, role):
    number = api.file()["number"]
    token = f"crm_{role}_old-token-from-before-offices"
    store(_old_token, role, token)
    for response in [
        client.get(f"{API}/reports", headers=bearer(token)),
        client.get(f"{API}/reports/{number}", headers=bearer(token)),
        client.post(
            f"{API}/reports/{number}/transitions", headers=bearer(token), json={"to": "koordinasi"}
        ),
        client.post(f"{API}/reports", headers=bearer(token), json=report_body()),
    ]:
        assert response.status_code == 403
        error = response.get_json()["error"]
        assert error["code"] == "token_unbound"
        assert f"crm token create --role {role} --office" in error["message"]
    assert stored(store, number).stage == "menunggu"


def test_an_unbound_channel_key_is_refused_by_open311_too(client, store):
    token = "crm_channel_old-token-from-before-offices"
    store(_old_token, "channel", token)
    answer = client.post(
        "/open311/v2/requests.json",
        data={
            "api_key": token,
            "service_code": "sampah",
            "description": "Sampah menumpuk di gang",
            "address_string": "Kramat",
            "attribute[kelurahan]": "Kramat",
        },
    )
    assert answer.status_code == 403
    assert "--office" in answer.get_json()[0]["description"]


def cli(app, *args: str):
    return app.test_cli_runner().invoke(args=["crm", *args])


def test_the_cli_binds_a_kelurahan_token_by_postal_code_and_lists_its_office(app):
    result = cli(app, "token", "create", "--role", "kelurahan", "--office", "10450")
    assert result.exit_code == 0, result.output
    assert "of Kramat" in result.output
    assert "\tKramat\t" in cli(app, "token", "list").output


def test_the_cli_lists_the_candidates_of_an_ambiguous_kelurahan(app):
    result = cli(app, "token", "create", "--role", "kelurahan", "--office", "kampung")
    assert result.exit_code != 0
    assert "Kampung Melayu" in result.output and "Kampung Bali" in result.output


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["--role", "skpd"], "give --office"),
        (["--role", "skpd", "--office", "Dinas Entah"], "no skpd office"),
        (["--role", "channel", "--office", "kanal-ngawur"], "no channel office"),
        (["--role", "kelurahan", "--office", "JAKI"], "no single kelurahan"),
        (["--role", "admin", "--office", "Kramat"], "citywide"),
        (["--role", "facilitator", "--office", "JAKI"], "citywide"),
    ],
)
def test_the_cli_refuses_a_token_without_its_office_or_with_a_wrong_one(app, store, args, problem):
    result = cli(app, "token", "create", *args)
    assert result.exit_code != 0
    assert problem in result.output
    assert "UNBOUND" not in cli(app, "token", "list").output


def test_citywide_roles_see_every_office(api, store):
    kramat = api.file()["number"]
    kapuk = api.file(kelurahan="Kapuk")["number"]
    for role in ["admin", "facilitator"]:
        listed = api.get("/reports", role=role).get_json()["items"]
        assert {item["number"] for item in listed} == {kramat, kapuk}


@pytest.mark.parametrize("channel", offices.CHANNELS)
def test_every_channel_files_under_its_own_name(api, store, channel):
    token = make_token(store, "channel", office=channel, name="kanal")
    response = api.client.post(
        f"{API}/reports", headers=bearer(token), json=report_body(channel=MISSING)
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["channel"] == channel


def test_the_cli_binds_a_kelurahan_by_its_id_and_takes_no_wildcard(app):
    result = cli(app, "token", "create", "--role", "kelurahan", "--office", "25329")
    assert result.exit_code == 0, result.output
    assert "of Kramat" in result.output
    result = cli(app, "token", "create", "--role", "skpd", "--office", "Suku Dinas %")
    assert result.exit_code != 0 and "no skpd office" in result.output


def test_a_channel_name_too_long_for_a_report_is_refused(app):
    result = cli(app, "office", "add", "--kind", "channel", "--name", "Kanal " + "x" * 30)
    assert result.exit_code != 0 and "at most 32" in result.output
