"""store/areas.py: a location pin to its kelurahan, from the polygons in store/data."""

import hashlib
import math
import re
import subprocess
import sys
from importlib import resources

import pytest
import shapely

from store import areas, places
from store.areas import NEAR_EDGE_M, NEAREST_WITHIN_M, Placement, kelurahan_at


def names(place: areas.PinPlace) -> list[tuple[str, str]]:
    return [(kel.name, kel.kecamatan) for kel in place.candidates]


# store/data/README.md's checked points, and what the polygons give for them.
@pytest.mark.parametrize(
    ("latitude", "longitude", "placement", "expected"),
    [
        pytest.param(-6.1754, 106.8272, Placement.INSIDE, [("Gambir", "Gambir")], id="Monas"),
        # Gondangdia's edge is 60 m away: more than 50 m, so Menteng alone.
        pytest.param(
            -6.1950, 106.8230, Placement.INSIDE, [("Menteng", "Menteng")], id="Bundaran HI"
        ),
        # Kebon Baru's edge is 16 m away: both, the one the pin is in first.
        pytest.param(
            -6.2263,
            106.8583,
            Placement.NEAR_EDGE,
            [("Tebet Timur", "Tebet"), ("Kebon Baru", "Tebet")],
            id="Stasiun Tebet",
        ),
        pytest.param(
            -6.1352,
            106.8133,
            Placement.INSIDE,
            [("Pinangsia", "Taman Sari")],
            id="Museum Fatahillah",
        ),
        pytest.param(
            -6.2100, 106.8502, Placement.INSIDE, [("Manggarai", "Tebet")], id="Stasiun Manggarai"
        ),
        pytest.param(
            -5.7457,
            106.6137,
            Placement.INSIDE,
            [("Pulau Panggang", "Kepulauan Seribu Utara")],
            id="Pulau Pramuka",
        ),
        pytest.param(-6.595, 106.806, Placement.OUTSIDE_DKI, [], id="Bogor"),
        pytest.param(-6.9175, 107.6191, Placement.OUTSIDE_DKI, [], id="Bandung"),
        # Java Sea, 11 km from the nearest island of Kepulauan Seribu.
        pytest.param(-5.95, 106.95, Placement.OUTSIDE_DKI, [], id="sea north of Jakarta"),
    ],
)
def test_the_checked_points_are_in_their_kelurahan(latitude, longitude, placement, expected):
    place = kelurahan_at(latitude, longitude)
    assert (place.placement, names(place)) == (placement, expected)
    if placement is Placement.OUTSIDE_DKI:
        assert place.distance_m is None
    else:
        assert place.distance_m == 0


def test_a_pin_just_past_the_provinces_edge_is_in_the_nearest_kelurahan():
    """Cibubur's southern edge, 113 m north of the pin (the border with Depok)."""
    place = kelurahan_at(-6.367, 106.88)
    assert place.placement is Placement.NEAREST_WITHIN_300M
    assert names(place) == [("Cibubur", "Ciracas")]
    assert 100 < place.distance_m < NEAREST_WITHIN_M


def test_a_pin_in_a_sliver_between_neighbours_offers_both_the_nearest_first():
    place = kelurahan_at(-6.1907, 106.7246)
    assert place.placement is Placement.NEAR_EDGE
    assert names(place) == [
        ("Meruya Utara (Ilir)", "Kembangan"),
        ("Kembangan Selatan", "Kembangan"),
    ]
    assert 0 < place.distance_m < 1


def test_a_pin_where_two_polygons_overlap_offers_both_the_one_it_is_deeper_in_first():
    """2.1 m inside Pejagalan's edge, 0.2 m inside Kapuk Muara's."""
    place = kelurahan_at(-6.1228, 106.774)
    assert place.placement is Placement.NEAR_EDGE
    assert names(place) == [("Pejagalan", "Penjaringan"), ("Kapuk Muara", "Penjaringan")]
    assert place.distance_m == 0


@pytest.mark.parametrize(
    ("latitude", "longitude"), [(math.nan, 106.8), (-6.2, math.inf), (-91, 106.8), (-6.2, 181)]
)
def test_a_pin_that_is_no_place_on_earth_is_refused(latitude, longitude):
    with pytest.raises(ValueError, match="no place on Earth"):
        kelurahan_at(latitude, longitude)


def test_every_polygon_is_a_different_one_of_the_267_kelurahan():
    features = areas._features()
    found = areas._areas().kelurahan
    assert len(features) == len(found) == 267
    assert set(found) == set(places.all_kelurahan())
    for feature, kel in zip(features, found, strict=True):
        props = feature["properties"]
        assert props["kota"].endswith(kel.kota)
        assert areas._normalise(props["kecamatan"]) == areas._normalise(kel.kecamatan)


@pytest.mark.parametrize(
    ("polygon_name", "kelurahan_name"),
    [
        ("Harapan Mulia", "Harapan Mulya"),
        ("Tengah", "Kampung Tengah"),
        ("Pondok Ranggon", "Pondok Rangon"),
        ("Halim Perdana Kusuma", "Halim Perdana Kusumah"),
        ("Koja", "Koja (Utara, Selatan)"),
        ("Sukabumi Utara", "Sukabumi Utara (Ilir)"),
        ("Sukabumi Selatan", "Sukabumi Selatan (Udik)"),
    ],
)
def test_polygons_named_otherwise_find_their_kelurahan(polygon_name, kelurahan_name):
    by_polygon_name = {
        feature["properties"]["name"]: kel
        for feature, kel in zip(areas._features(), areas._areas().kelurahan, strict=True)
    }
    assert by_polygon_name[polygon_name].name == kelurahan_name


def test_a_point_in_each_polygon_finds_its_own_kelurahan_first():
    for feature, kel in zip(areas._features(), areas._areas().kelurahan, strict=True):
        point = shapely.geometry.shape(feature["geometry"]).point_on_surface()
        place = kelurahan_at(point.y, point.x)
        assert place.candidates[0] == kel, feature["properties"]
        assert place.placement in (Placement.INSIDE, Placement.NEAR_EDGE)


def test_near_edge_is_exactly_when_there_is_more_than_one_candidate():
    for latitude in (-6.30, -6.25, -6.20, -6.15):
        for step in range(200):
            place = kelurahan_at(latitude, 106.70 + step * 0.0013)
            assert (place.placement is Placement.NEAR_EDGE) == (len(place.candidates) > 1)
            assert len(set(place.candidates)) == len(place.candidates)
            if place.placement is Placement.NEAREST_WITHIN_300M:
                assert 0 < place.distance_m <= NEAREST_WITHIN_M
            if place.placement is Placement.NEAR_EDGE:
                assert place.distance_m <= NEAR_EDGE_M


def test_importing_the_module_neither_imports_shapely_nor_loads_the_polygons():
    code = (
        "import sys, store.areas; "
        "assert 'shapely' not in sys.modules and 'numpy' not in sys.modules; "
        "assert store.areas._areas.cache_info().currsize == 0"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_data_is_the_one_its_readme_describes_and_its_licence_is_beside_it():
    data = resources.files("store") / "data"
    readme = (data / "README.md").read_text("utf-8")
    digest = hashlib.sha256((data / "jakarta_kelurahan.geojson").read_bytes()).hexdigest()
    assert re.search(rf"sha256 `{digest}`", readme)
    licence = (data / "LICENSE-wilayah_boundaries.txt").read_text("utf-8")
    assert "Copyright (c) 2024 Cahya DSN" in licence
    assert "cahyadsn/wilayah_boundaries (© 2024–2025 Cahya DSN, MIT License)" in readme
