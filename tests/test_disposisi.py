"""A disposisi names its SKPD (DESIGN.md, Offices): given by the kelurahan, or proposed
for the report's category and kota; the citizen's message, the history, the API and
Open311 name it."""

import pytest
from sqlalchemy import text
from test_api import API, REPORTER, Api, Outbox, stored

from conftest import make_token, move_through
from handlers.notifications import render
from store import numbers, offices, outbox
from store.offices import OfficeKind

V2 = "/open311/v2"


@pytest.fixture
def api(client, store):
    return Api(client, store)


def in_koordinasi(api: Api, **changes) -> str:
    number = api.file(reporter=REPORTER, **changes)["number"]
    move_through(api.store, number, "koordinasi")
    return number


def _history_offices(number: str, *, session) -> list[tuple]:
    return (
        session.connection()
        .execute(
            text(
                "SELECT stage_change.to_stage, actor.name, skpd.name FROM stage_change"
                " JOIN report ON report.id = stage_change.report_id"
                " LEFT JOIN office actor ON actor.id = stage_change.actor_office_id"
                " LEFT JOIN office skpd ON skpd.id = stage_change.skpd_office_id"
                " WHERE report.number_digits = :digits ORDER BY stage_change.seq"
            ),
            {"digits": numbers.canonical_digits(number)},
        )
        .all()
    )


@pytest.mark.parametrize(
    ("category", "kelurahan", "expected"),
    [
        ("jalan_rusak", "Kramat", "Suku Dinas Bina Marga Jakarta Pusat"),
        ("sampah", "Kapuk", "Suku Dinas Lingkungan Hidup Jakarta Barat"),
        ("banjir", "Kampung Melayu", "Suku Dinas Sumber Daya Air Jakarta Timur"),
    ],
)
def test_a_disposisi_without_an_skpd_goes_to_the_one_for_its_category_and_kota(
    api, store, category, kelurahan, expected
):
    number = in_koordinasi(api, category=category, kelurahan=kelurahan)
    lurah = make_token(store, "kelurahan", office=kelurahan, name="lurah")
    watch = Outbox(store)
    moved = api.client.post(
        f"{API}/reports/{number}/transitions",
        headers={"Authorization": f"Bearer {lurah}"},
        json={"to": "disposisi"},
    )
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["skpd"]["name"] == expected
    (note,) = watch.new()
    assert note.payload["skpd"] == expected
    assert store(_history_offices, number)[-1] == ("disposisi", kelurahan, expected)


def test_the_kelurahan_may_name_another_skpd_by_name_or_id(api, store):
    satpol = store(
        offices.find_office, "Suku Dinas Satuan Polisi Pamong Praja Jakarta Pusat", OfficeKind.SKPD
    )
    by_name = in_koordinasi(api)
    moved = api.post(
        f"/reports/{by_name}/transitions",
        {"to": "disposisi", "skpd": satpol.name.lower()},
        role="kelurahan",
    )
    assert moved.get_json()["skpd"] == {"id": satpol.id, "name": satpol.name}
    by_id = in_koordinasi(api)
    moved = api.post(
        f"/reports/{by_id}/transitions", {"to": "disposisi", "skpd": satpol.id}, role="kelurahan"
    )
    assert moved.get_json()["skpd"]["name"] == satpol.name


def test_lainnya_needs_the_skpd_named_and_nothing_changes_without_it(api, store):
    number = in_koordinasi(api, category="lainnya")
    before = stored(store, number)
    watch = Outbox(store)
    refused = api.move(number, "disposisi", role="kelurahan")
    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert error["code"] == "skpd_required" and error["field"] == "skpd"
    assert stored(store, number) == before and watch.new() == []


@pytest.mark.parametrize("skpd", ["Dinas Entah", "Kramat", 999999])
def test_an_unknown_skpd_is_refused(api, store, skpd):
    number = in_koordinasi(api)
    refused = api.post(
        f"/reports/{number}/transitions", {"to": "disposisi", "skpd": skpd}, role="kelurahan"
    )
    assert refused.status_code == 422
    assert refused.get_json()["error"]["field"] == "skpd"
    assert stored(store, number).stage == "koordinasi"


def test_skpd_goes_only_with_a_disposisi(api):
    number = in_koordinasi(api)
    refused = api.post(
        f"/reports/{number}/transitions",
        {"to": "proses", "skpd": "Suku Dinas Bina Marga Jakarta Pusat"},
        role="kelurahan",
    )
    assert refused.status_code == 422 and refused.get_json()["error"]["field"] == "skpd"


def test_the_citizens_message_names_the_agency(whatsapp, store):
    number = whatsapp.file_report()
    move_through(store, number, "koordinasi", "disposisi")
    (note,) = [note for note in store(outbox.notifications) if note.payload["stage"] == "disposisi"]
    body = render(note.kind, note.payload, "id").body
    assert "diteruskan ke *Suku Dinas Bina Marga Jakarta Pusat*" in body
    assert (
        "forwarded to *Suku Dinas Bina Marga Jakarta Pusat*"
        in render(note.kind, note.payload, "en").body
    )


def test_open311_names_the_skpd_once_disposed(api, client, store):
    number = in_koordinasi(api)
    (before,) = client.get(f"{V2}/requests/{number}.json").get_json()
    assert before["agency_responsible"].startswith("Kelurahan Kramat")
    api.move(number, "disposisi", role="kelurahan")
    (after,) = client.get(f"{V2}/requests/{number}.json").get_json()
    assert after["agency_responsible"] == "Suku Dinas Bina Marga Jakarta Pusat"


def test_the_api_shows_no_skpd_before_a_disposisi(api):
    report = api.file()
    assert report["skpd"] is None
    listed = api.get("/reports").get_json()["items"]
    assert listed[0]["skpd"] is None
