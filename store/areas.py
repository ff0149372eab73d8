"""Which kelurahan a location pin falls in, from the polygons of DKI Jakarta's 267 kelurahan
(store/data/jakarta_kelurahan.geojson; its source, licence and limits: store/data/README.md).

The polygons' edges are not exact (neighbours overlap a little and leave slivers between
them), so a pin is placed as the data's README says: in one kelurahan and 50 m or more from
any other, that one; in two, or within 50 m of another's edge, each of them for the citizen
to choose; in none, the nearest within 300 m (and any other within 50 m); else outside DKI
Jakarta.

Distances are in metres on a local equirectangular projection centred on Jakarta (x east,
y north, longitude scaled by the cosine of 6.2° S), fine at this latitude: from the
northernmost islands to the southern edge (5.2°–6.4° S) its east-west scale is off by less
than 0.2 %, half a metre in the 300 m this module ever measures.

The polygons, their index and their kelurahan are loaded on the first look-up (some 25 ms),
and shapely and numpy imported then (some 90 ms): importing this module imports neither.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from store import places

if TYPE_CHECKING:
    import numpy as np
    import shapely

NEAR_EDGE_M = 50.0
"""A pin this close to another kelurahan's edge may be in either: the citizen chooses."""
NEAREST_WITHIN_M = 300.0
"""A pin in no polygon is in the nearest kelurahan this close; farther, outside Jakarta."""

_DATA = "data/jakarta_kelurahan.geojson"
_EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)
_ORIGIN_LAT, _ORIGIN_LON = -6.2, 106.85  # Jakarta's centre, near Manggarai
_M_PER_DEG_LAT = math.radians(1) * _EARTH_RADIUS_M
_M_PER_DEG_LON = _M_PER_DEG_LAT * math.cos(math.radians(_ORIGIN_LAT))
# Names spelt differently in the polygons and in `areaid` differ by a letter or a word
# ("Harapan Mulia"/"Harapan Mulya", "Tengah"/"Kampung Tengah"), within one kecamatan.
_SAME_NAME_SCORE = 85


class Placement(StrEnum):
    INSIDE = "inside"
    """In one kelurahan, 50 m or more from any other: its one candidate."""
    NEAR_EDGE = "near_edge"
    """In two kelurahan, or within 50 m of another's edge: two or more candidates."""
    NEAREST_WITHIN_300M = "nearest_within_300m"
    """In none (a sliver, or just past the province's edge): the nearest, within 300 m."""
    OUTSIDE_DKI = "outside_dki"
    """No kelurahan within 300 m: no candidate."""


@dataclass(frozen=True)
class PinPlace:
    """Where a pin is. One candidate: that kelurahan. Two or more (`NEAR_EDGE`): ask the
    citizen which, most likely first (the one the pin is deepest in, then the nearest).
    None: outside DKI Jakarta. `distance_m`: from the pin to the first candidate's
    polygon, 0 inside it; None outside."""

    placement: Placement
    candidates: tuple[places.Kelurahan, ...]
    distance_m: float | None


def metres_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The great-circle distance between two (latitude, longitude) in WGS84 degrees:
    a report's pin and where the photo of its finished work was taken, which may be
    anywhere (haversine, not this module's projection, which is for Jakarta alone)."""
    (lat1, lon1), (lat2, lon2) = ((math.radians(x), math.radians(y)) for x, y in (a, b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * _EARTH_RADIUS_M * math.asin(math.sqrt(h))


def kelurahan_at(latitude: float, longitude: float) -> PinPlace:
    """The kelurahan of a pin in WGS84 degrees (a WhatsApp location's Latitude and
    Longitude). ValueError for a latitude or longitude that is no place on Earth."""
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValueError(f"no place on Earth: latitude {latitude}, longitude {longitude}")
    import numpy as np  # on first use, as in _areas()
    import shapely

    areas = _areas()
    x, y = _project(longitude, latitude)
    pin = shapely.Point(x, y)
    near = areas.tree.query(pin, predicate="dwithin", distance=NEAREST_WITHIN_M)
    if near.size == 0:
        return PinPlace(Placement.OUTSIDE_DKI, (), None)
    distances = shapely.distance(areas.polygons[near], pin)
    inside = near[distances == 0]
    if inside.size:
        # Deepest first: the farther a pin is from its polygon's edge, the surer.
        depths = shapely.distance(areas.boundaries[inside], pin)
        ranked = [int(i) for i in inside[np.argsort(-depths, kind="stable")]]
    else:
        ranked = [int(near[np.argmin(distances)])]
    closest = np.argsort(distances, kind="stable")
    ranked += [
        int(near[k])
        for k in closest
        if 0 < distances[k] <= NEAR_EDGE_M and int(near[k]) not in ranked
    ]
    candidates = tuple(areas.kelurahan[i] for i in ranked)
    distance = 0.0 if inside.size else float(distances.min())
    if len(candidates) > 1:
        return PinPlace(Placement.NEAR_EDGE, candidates, distance)
    if inside.size:
        return PinPlace(Placement.INSIDE, candidates, distance)
    return PinPlace(Placement.NEAREST_WITHIN_300M, candidates, distance)


def outlines() -> tuple[tuple[places.Kelurahan, shapely.Geometry], ...]:
    """Each kelurahan with its polygon in metres east (x) and north (y) of Jakarta's
    centre, as the look-ups use them: for drawing the map (bot/kelurahan_map.py)."""
    areas = _areas()
    return tuple(zip(areas.kelurahan, areas.polygons, strict=True))


@dataclass(frozen=True)
class _Areas:
    kelurahan: tuple[places.Kelurahan, ...]
    """Each polygon's kelurahan, in the order of the file's features."""
    polygons: np.ndarray
    """Projected to metres, prepared for the look-ups."""
    boundaries: np.ndarray
    tree: shapely.STRtree


@cache
def _areas() -> _Areas:
    # Imported here, not with the module: some 60 ms and 10,000 objects for the garbage
    # collector in every process that imports store, whether it places pins or not.
    import numpy as np
    import shapely

    features = _features()
    polygons = np.array(
        [
            shapely.transform(shapely.geometry.shape(feature["geometry"]), _project_array)
            for feature in features
        ]
    )
    shapely.prepare(polygons)
    return _Areas(
        kelurahan=_kelurahan_of(features),
        polygons=polygons,
        boundaries=shapely.boundary(polygons),
        tree=shapely.STRtree(polygons),
    )


def _features() -> list[dict]:
    text = resources.files("store").joinpath(_DATA).read_text("utf-8")
    return json.loads(text)["features"]


def _project(longitude: float, latitude: float) -> tuple[float, float]:
    return (
        (longitude - _ORIGIN_LON) * _M_PER_DEG_LON,
        (latitude - _ORIGIN_LAT) * _M_PER_DEG_LAT,
    )


def _project_array(coordinates: np.ndarray) -> np.ndarray:
    """GeoJSON's [longitude, latitude] pairs to metres east and north of the origin."""
    return (coordinates - (_ORIGIN_LON, _ORIGIN_LAT)) * (_M_PER_DEG_LON, _M_PER_DEG_LAT)


def _kelurahan_of(features: list[dict]) -> tuple[places.Kelurahan, ...]:
    """Each feature's kelurahan in `store.places`, by name within its kecamatan: the
    same name once normalised ("Pal Merah"/"Palmerah", "Koja (Utara, Selatan)"/"Koja"),
    else the closest of that kecamatan's kelurahan still unclaimed ("Pondok Ranggon"/
    "Pondok Rangon"). ValueError when one has no kelurahan, or two have the same."""
    by_kecamatan: dict[str, dict[str, places.Kelurahan]] = {}
    for kel in places.all_kelurahan():
        by_kecamatan.setdefault(_normalise(kel.kecamatan), {})[_normalise(kel.name)] = kel
    found: list[places.Kelurahan | None] = []
    for feature in features:
        props = feature["properties"]
        found.append(
            by_kecamatan.get(_normalise(props["kecamatan"]), {}).get(_normalise(props["name"]))
        )
    claimed = set(found)
    for index, feature in enumerate(features):
        if found[index] is not None:
            continue
        props = feature["properties"]
        unclaimed = {
            name: kel
            for name, kel in by_kecamatan.get(_normalise(props["kecamatan"]), {}).items()
            if kel not in claimed
        }
        best = process.extractOne(
            _normalise(props["name"]),
            list(unclaimed),
            scorer=fuzz.WRatio,
            score_cutoff=_SAME_NAME_SCORE,
        )
        if best is None:
            raise ValueError(f"no kelurahan for {props['code']} {props['name']}")
        found[index] = unclaimed[best[0]]
        claimed.add(found[index])
    if len(set(found)) != len(found):
        raise ValueError("two polygons for one kelurahan")
    return tuple(kel for kel in found if kel is not None)


def _normalise(name: str) -> str:
    """Lower case ASCII letters and digits only, without a bracketed aside: "Kramat Jati"
    and "Kramatjati" alike, "Sukabumi Utara (Ilir)" as "sukabumiutara"."""
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]", "", re.sub(r"\(.*?\)", "", name))
