"""Offices as data: the seeded kelurahan, SKPD, Biro and channels, the default table of
which SKPD handles which category, and the operator's `crm office` commands."""

import pytest

from store import offices, places
from store.categories import CATEGORIES
from store.offices import OfficeKind


def cli(app, *args: str):
    return app.test_cli_runner().invoke(args=["crm", "office", *args])


def test_every_kelurahan_has_one_office(store):
    kelurahan = store(offices.list_offices, OfficeKind.KELURAHAN)
    assert len(kelurahan) == len(places.all_kelurahan()) == 267
    assert {office.kelurahan_id for office in kelurahan} == {
        kel.id for kel in places.all_kelurahan()
    }


def test_the_thirteen_channels_and_the_biro_are_offices(store):
    assert [office.name for office in store(offices.list_offices, OfficeKind.CHANNEL)] == sorted(
        offices.CHANNELS
    )
    assert len(offices.CHANNELS) == 13
    (biro,) = store(offices.list_offices, OfficeKind.BIRO)
    assert biro.name == "Biro Pemerintahan"


@pytest.mark.parametrize(
    ("category", "kota", "expected"),
    [
        ("jalan_rusak", "Jakarta Timur", "Suku Dinas Bina Marga Jakarta Timur"),
        ("penerangan_jalan", "Jakarta Pusat", "Suku Dinas Bina Marga Jakarta Pusat"),
        ("banjir", "Jakarta Utara", "Suku Dinas Sumber Daya Air Jakarta Utara"),
        ("saluran_air", "Kepulauan Seribu", "Suku Dinas Sumber Daya Air Kepulauan Seribu"),
        ("sampah", "Jakarta Barat", "Suku Dinas Lingkungan Hidup Jakarta Barat"),
        (
            "pohon_tumbang",
            "Jakarta Selatan",
            "Suku Dinas Pertamanan dan Hutan Kota Jakarta Selatan",
        ),
        ("parkir_liar", "Jakarta Pusat", "Suku Dinas Perhubungan Jakarta Pusat"),
        (
            "fasilitas_umum",
            "Jakarta Timur",
            "Suku Dinas Cipta Karya, Tata Ruang dan Pertanahan Jakarta Timur",
        ),
    ],
)
def test_the_default_table_proposes_the_agency_of_each_category(store, category, kota, expected):
    assert store(offices.proposed_skpd, category, kota).name == expected


def test_lainnya_has_no_default_skpd_and_satpol_pp_no_default_category(store):
    assert all(store(offices.proposed_skpd, "lainnya", kota) is None for kota in offices.kotas())
    satpol = store(
        offices.find_office, "Suku Dinas Satuan Polisi Pamong Praja Jakarta Pusat", OfficeKind.SKPD
    )
    assert satpol.categories == ()


def test_every_category_but_lainnya_has_an_skpd_in_every_kota(store):
    for kota in offices.kotas():
        for category in CATEGORIES[:-1]:
            assert store(offices.proposed_skpd, category, kota) is not None, (category, kota)


def test_a_kelurahan_office_is_found_by_name_postal_code_or_id(store):
    kramat = places.match_kelurahan("Kramat").chosen
    by_name = store(offices.find_office, "Kramat", OfficeKind.KELURAHAN)
    assert by_name.kelurahan_id == kramat.id
    assert store(offices.find_office, kramat.postal_code, OfficeKind.KELURAHAN) == by_name
    assert store(offices.find_office, str(by_name.id), OfficeKind.KELURAHAN) == by_name


def test_an_ambiguous_kelurahan_lists_its_candidates(store):
    with pytest.raises(offices.OfficeProblem) as problem:
        store(offices.find_office, "kampung", OfficeKind.KELURAHAN)
    assert "Kampung Melayu" in str(problem.value)
    assert len(problem.value.candidates) == 4


def test_the_cli_lists_offices_of_one_kind(app):
    result = cli(app, "list", "--kind", "channel")
    assert result.exit_code == 0, result.output
    assert len(result.output.splitlines()) == 13
    assert "JAKI" in result.output


def test_the_cli_adds_an_skpd_with_categories_and_changes_them(app, store):
    cli(app, "categories", "Suku Dinas Lingkungan Hidup Jakarta Pusat", "--remove", "sampah")
    result = cli(
        app,
        "add",
        "--kind",
        "skpd",
        "--name",
        "Unit Pengelola Sampah Jakarta Pusat",
        "--kota",
        "Jakarta Pusat",
        "--category",
        "sampah",
    )
    assert result.exit_code == 0, result.output
    proposed = store(offices.proposed_skpd, "sampah", "Jakarta Pusat")
    assert proposed.name == "Unit Pengelola Sampah Jakarta Pusat"
    result = cli(app, "categories", proposed.name, "--remove", "sampah", "--add", "lainnya")
    assert result.exit_code == 0, result.output
    assert store(offices.proposed_skpd, "sampah", "Jakarta Pusat") is None
    assert store(offices.proposed_skpd, "lainnya", "Jakarta Pusat").id == proposed.id


def test_the_cli_refuses_a_second_skpd_for_a_category_in_one_kota(app):
    result = cli(
        app,
        "categories",
        "Suku Dinas Satuan Polisi Pamong Praja Jakarta Timur",
        "--add",
        "jalan_rusak",
    )
    assert result.exit_code != 0
    assert "Suku Dinas Bina Marga Jakarta Timur handles jalan_rusak" in result.output


def test_the_cli_refuses_an_skpd_without_a_known_kota(app):
    result = cli(app, "add", "--kind", "skpd", "--name", "Suku Dinas X", "--kota", "Bandung")
    assert result.exit_code != 0
    assert "Jakarta Timur" in result.output


def test_migration_0017_gives_a_report_disposed_before_the_skpd_of_its_category(tmp_path):
    from sqlalchemy import text
    from test_app import EARLIER_ROWS

    from store.db import make_engine, upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        upgrade(engine, "0016")
        with engine.begin() as connection:
            for row in EARLIER_ROWS:
                connection.execute(text(row))
            connection.execute(
                text(
                    "INSERT INTO stage_change"
                    " (report_id, seq, from_stage, to_stage, actor_role, at)"
                    " VALUES (1, 1, 'menunggu', 'disposisi', 'admin', '2026-12-01 11:00:00')"
                )
            )
        upgrade(engine)
        with engine.connect() as connection:
            skpd = connection.execute(
                text("SELECT office.name FROM report JOIN office ON office.id = skpd_office_id")
            ).scalar()
    finally:
        engine.dispose()
    assert skpd == "Suku Dinas Bina Marga Jakarta Pusat"
