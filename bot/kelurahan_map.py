"""The map of DKI Jakarta's 267 kelurahan drawn as SVG on the server: no tiles, no script,
no CDN, readable on a phone (the public dashboard's map).

The mainland's 261 kelurahan are drawn from the polygons the store carries (store/areas.py,
their licence in store/data/), simplified to SIMPLIFY_M and scaled to METRES_PER_UNIT. The
six of Kepulauan Seribu are islands 20 to 110 km out at sea, too small to see at that
scale: they are drawn as a row of cells in a box above the mainland, north, where they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from store import areas, places

SIMPLIFY_M = 60.0
"""Corners closer than this to the simplified edge are dropped: invisible at phone width,
and the mainland's paths shrink from 280 KB of coordinates to some 35 KB."""
METRES_PER_UNIT = 50.0
MARGIN = 10  # units around the mainland
ISLANDS = "Kepulauan Seribu"
CELL, CELL_GAP = 28, 4  # an island kelurahan's cell, in units


@dataclass(frozen=True)
class Area:
    """One kelurahan as drawn: an SVG path (`d`) in the map's view box."""

    kelurahan: places.Kelurahan
    path: str


@dataclass(frozen=True)
class Map:
    width: int
    height: int
    areas: tuple[Area, ...]
    """Mainland first, then the islands' cells, each kelurahan once."""
    islands_box: tuple[int, int, int, int]
    """x, y, width, height of the box holding Kepulauan Seribu's cells."""

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


@cache
def jakarta() -> Map:
    """The map, built on first use (shapely and the polygons load then, some 150 ms)."""
    import shapely

    outlines = areas.outlines()
    mainland = [(kel, shape) for kel, shape in outlines if kel.kota != ISLANDS]
    islands = sorted((kel for kel, _ in outlines if kel.kota == ISLANDS), key=lambda k: k.name)
    left, bottom, right, top = shapely.total_bounds([shape for _, shape in mainland])
    box = (MARGIN, MARGIN, CELL_GAP + len(islands) * (CELL + CELL_GAP), CELL + 2 * CELL_GAP)
    mainland_top = box[1] + box[3] + MARGIN

    def to_units(x: float, y: float) -> tuple[int, int]:
        """Metres (y north) to the view box's units (y down), whole units."""
        return (
            round((x - left) / METRES_PER_UNIT) + MARGIN,
            round((top - y) / METRES_PER_UNIT) + mainland_top,
        )

    drawn = [
        Area(kel, _path(shapely.simplify(shape, SIMPLIFY_M), to_units)) for kel, shape in mainland
    ]
    drawn += [
        Area(kel, _cell(box[0] + CELL_GAP + index * (CELL + CELL_GAP), box[1] + CELL_GAP))
        for index, kel in enumerate(islands)
    ]
    width, height = to_units(right, bottom)
    return Map(width + MARGIN, height + MARGIN, tuple(drawn), box)


def _path(shape, to_units) -> str:
    """SVG path data of a polygon or multipolygon: each ring a closed subpath, holes
    included (the path is filled even-odd)."""
    parts = getattr(shape, "geoms", (shape,))
    rings = [ring for polygon in parts for ring in (polygon.exterior, *polygon.interiors)]
    return "".join(_ring(ring.coords, to_units) for ring in rings)


def _ring(coordinates, to_units) -> str:
    points: list[tuple[int, int]] = []
    for x, y in coordinates[:-1]:  # a ring repeats its first point last: Z closes it
        point = to_units(x, y)
        if not points or point != points[-1]:
            points.append(point)
    if len(points) < 3:
        return ""  # an islet smaller than a unit
    first, *rest = points
    return f"M{first[0]} {first[1]}" + "".join(f"L{x} {y}" for x, y in rest) + "Z"


def _cell(x: int, y: int) -> str:
    return f"M{x} {y}h{CELL}v{CELL}h-{CELL}Z"


MEASURES = ("reports", "still_open", "resolution_rate")
"""What the map can be shaded by (`?peta=`): each a figure of store/breakdowns.Count."""
SHADES = 5


@dataclass(frozen=True)
class Shade:
    """One class of the legend: kelurahan whose measure is at most `high`, drawn in the
    palette's colour `index` (0 lightest … SHADES - 1 darkest)."""

    index: int
    high: float


def shades(values: list[float]) -> list[Shade]:
    """Up to SHADES classes of `values` (the kelurahan with reports), each holding about
    as many kelurahan: quantiles, so that a few large ones do not leave the rest one
    colour. Fewer classes (many equal values) spread over the whole palette."""
    ordered = sorted(values)
    if not ordered:
        return []
    count = len(ordered)
    highs = sorted({ordered[count * k // SHADES] for k in range(1, SHADES)} - {ordered[-1]})
    highs.append(ordered[-1])
    if len(highs) == 1:
        return [Shade(SHADES // 2, highs[0])]
    return [
        Shade(round(rank * (SHADES - 1) / (len(highs) - 1)), high)
        for rank, high in enumerate(highs)
    ]


def shade_of(value: float, classes: list[Shade]) -> int:
    """The colour of `value`: that of the first class whose upper bound holds it."""
    return next((shade.index for shade in classes if value <= shade.high), classes[-1].index)
