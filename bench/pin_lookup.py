"""A location pin to its kelurahan (store/areas.py): what importing the module costs, how
long the first look-up takes (it loads the polygons), and the time per look-up after.

    .venv/bin/python bench/pin_lookup.py [--lookups 20000] [--seed 1]

Import and first look-up are timed in fresh interpreters (five each, the median shown),
loading once more in this process with the modules imported. The look-ups: pins drawn
uniformly in mainland Jakarta's bounding box (inside, near an edge, in a sliver or outside
alike), each timed alone with perf_counter_ns, and the README's checked points.
"""

import argparse
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Mainland DKI Jakarta's bounding box, a little wider.
SOUTH, NORTH, WEST, EAST = -6.38, -6.08, 106.68, 106.98
CHECKED = {
    "Monas": (-6.1754, 106.8272),
    "Bundaran HI": (-6.1950, 106.8230),
    "Stasiun Tebet": (-6.2263, 106.8583),
    "Museum Fatahillah": (-6.1352, 106.8133),
    "Stasiun Manggarai": (-6.2100, 106.8502),
    "Pulau Pramuka": (-5.7457, 106.6137),
    "Bogor": (-6.595, 106.806),
    "Bandung": (-6.9175, 107.6191),
}
_FRESH = """
import gc, time
t0 = time.perf_counter()
import store.areas
t1 = time.perf_counter()
import shapely  # and numpy: what the first look-up imports
t2 = time.perf_counter()
store.areas.kelurahan_at(-6.1754, 106.8272)
t3 = time.perf_counter()
print(t1 - t0, t3 - t1, len(gc.get_objects()), t2 - t1, t3 - t2)
"""
_PLACES_ONLY = """
import gc, time
t0 = time.perf_counter()
import store.places
print(time.perf_counter() - t0, len(gc.get_objects()))
"""


def fresh(code: str) -> list[float]:
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True
    )
    return [float(value) for value in out.stdout.split()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lookups", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    places_runs = [fresh(_PLACES_ONLY) for _ in range(5)]
    runs = [fresh(_FRESH) for _ in range(5)]
    print("fresh interpreter, median of 5:")
    places_ms = statistics.median(run[0] for run in places_runs) * 1000
    print(f"  import store.places          {places_ms:7.1f} ms")
    print(f"  import store.areas           {statistics.median(r[0] for r in runs) * 1000:7.1f} ms")
    print(f"  first look-up (loads it all) {statistics.median(r[1] for r in runs) * 1000:7.1f} ms")
    print(f"    of which importing shapely {statistics.median(r[3] for r in runs) * 1000:7.1f} ms")
    print(f"    and loading the polygons   {statistics.median(r[4] for r in runs) * 1000:7.1f} ms")
    places_objects = int(statistics.median(run[1] for run in places_runs))
    areas_objects = int(statistics.median(run[2] for run in runs))
    print(
        f"  objects: {places_objects:,} after importing store.places, "
        f"{areas_objects:,} after the first look-up"
    )

    from store import areas

    areas.kelurahan_at(-6.1754, 106.8272)
    started = time.perf_counter()
    areas._areas.cache_clear()
    areas._areas()
    reload_ms = (time.perf_counter() - started) * 1000
    print(f"  loading again, modules already imported: {reload_ms:.1f} ms")

    rng = random.Random(args.seed)
    pins = [(rng.uniform(SOUTH, NORTH), rng.uniform(WEST, EAST)) for _ in range(args.lookups)]
    times: dict[str, list[int]] = {}
    for latitude, longitude in pins:
        started_ns = time.perf_counter_ns()
        place = areas.kelurahan_at(latitude, longitude)
        elapsed = time.perf_counter_ns() - started_ns
        times.setdefault(place.placement.value, []).append(elapsed)
    every = sorted(ns for values in times.values() for ns in values)
    print(f"\n{args.lookups:,} random pins in mainland Jakarta's box, µs per look-up:")
    print(f"  {'placement':22} {'pins':>6} {'median':>7} {'p95':>7} {'p99':>7} {'max':>7}")
    for name, values in [*sorted(times.items()), ("all", every)]:
        values = sorted(values)
        print(
            f"  {name:22} {len(values):6,} {values[len(values) // 2] / 1000:7.1f}"
            f" {values[int(len(values) * 0.95)] / 1000:7.1f}"
            f" {values[int(len(values) * 0.99)] / 1000:7.1f} {values[-1] / 1000:7.1f}"
        )

    print("\nchecked points (median of 1,000 look-ups each):")
    for name, (latitude, longitude) in CHECKED.items():
        samples = []
        for _ in range(1000):
            started_ns = time.perf_counter_ns()
            place = areas.kelurahan_at(latitude, longitude)
            samples.append(time.perf_counter_ns() - started_ns)
        found = ", ".join(f"{kel.name} (Kec. {kel.kecamatan})" for kel in place.candidates)
        print(
            f"  {name:18} {statistics.median(samples) / 1000:6.1f} µs  "
            f"{place.placement.value}: {found or '-'}"
        )


if __name__ == "__main__":
    main()
