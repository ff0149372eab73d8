"""The dashboard's map of the 267 kelurahan, drawn from the polygons the store carries
(bot/kelurahan_map.py): every kelurahan once, inside its view box, small enough for a
phone's page."""

import re

import pytest

from bot import kelurahan_map
from store import places

POINT = re.compile(r"[ML](\d+) (\d+)")


@pytest.fixture(scope="module")
def jakarta():
    return kelurahan_map.jakarta()


def test_every_kelurahan_is_drawn_once(jakarta):
    drawn = [area.kelurahan.id for area in jakarta.areas]
    assert len(drawn) == len(set(drawn)) == 267
    assert set(drawn) == {kel.id for kel in places.all_kelurahan()}


def test_every_path_is_closed_rings_of_whole_units_inside_the_view_box(jakarta):
    for area in jakarta.areas:
        assert re.fullmatch(r"(M\d+ \d+(L\d+ \d+)+Z|M\d+ \d+h\d+v\d+h-\d+Z)+", area.path), area
        for x, y in POINT.findall(area.path):
            assert 0 <= int(x) <= jakarta.width and 0 <= int(y) <= jakarta.height


def test_the_islands_are_six_cells_in_their_box_clear_of_the_mainland(jakarta):
    x, y, width, height = jakarta.islands_box
    islands = [a for a in jakarta.areas if a.kelurahan.kota == kelurahan_map.ISLANDS]
    assert len(islands) == 6
    for area in islands:
        for px, py in POINT.findall(area.path):
            assert x <= int(px) <= x + width and y <= int(py) <= y + height
    mainland_top = min(
        int(py)
        for area in jakarta.areas
        if area.kelurahan.kota != kelurahan_map.ISLANDS
        for px, py in POINT.findall(area.path)
        if int(px) <= x + width
    )
    assert mainland_top > y + height


def test_the_whole_map_weighs_under_40_kb(jakarta):
    assert sum(len(area.path) for area in jakarta.areas) < 40_000
    assert jakarta.view_box == f"0 0 {jakarta.width} {jakarta.height}"
