"""Public reads against the webhook: signed `STATUS <number>` messages at 100/s while 8
clients read the dashboard (each time a new window), the stats API and Open311 lists as
fast as they can, on the whole Table 1 history.

    python bench/public_load.py                      # SQLite, /tmp/crm-bench-1m.db
    python bench/public_load.py --db postgresql+psycopg://postgres@127.0.0.1:5432/crm_bench_1m

The stack is the Procfile's: its `web`, `public` and `worker` lines, run by the shell as
honcho would, on loopback ports, with the rate limit counted in Redis (127.0.0.1:6379,
database 14). Each public client reads from an address of its own (127.0.0.2 to
127.0.0.9), so each has its own budget, as eight people would. Three runs of the STATUS
load (bench/loadgen.py, open loop, its own process):
  quiet    - no public reads;
  limited  - the 8 clients, under the Procfile's default PUBLIC_RATE_LIMIT;
  unlimited - the 8 clients, with the limit lifted (100,000/s): what the process split and
              its lower CPU priority hold alone.
Prints the webhook's latency per run and what the public clients got (answers by status,
their own latency), and checks every STATUS was recorded once with its report.
"""

import argparse
import http.client
import json
import os
import random
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path

import common
import webhook

CLIENTS = 8
REDIS_URL = "redis://127.0.0.1:6379/14"
UNLIMITED = "100000 per second"
SETTLE_SECONDS = 20


def procfile_line(name: str) -> str:
    return next(
        line.split(":", 1)[1].strip()
        for line in (common.ROOT / "Procfile").read_text().splitlines()
        if line.startswith(f"{name}:")
    )


class Stack:
    """The Procfile's web, public and worker, each in a process group of its own."""

    def __init__(self, db: str, public_limit: str | None):
        self.web_port, self.public_port = common.free_port(), common.free_port()
        self.base_url = f"http://127.0.0.1:{self.web_port}"
        self.env = common.app_env(
            db,
            PUBLIC_BASE_URL=self.base_url,
            HOST="127.0.0.1",
            PORT=str(self.web_port),
            PUBLIC_PORT=str(self.public_port),
            RATELIMIT_STORAGE_URI=REDIS_URL,
            PATH=f"{common.BIN}{os.pathsep}{os.environ['PATH']}",
        )
        self.env.pop("PUBLIC_RATE_LIMIT", None)
        if public_limit:
            self.env["PUBLIC_RATE_LIMIT"] = public_limit
        self.procs: list[subprocess.Popen] = []

    def start(self, tag: str) -> None:
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
        for name in ("worker", "web", "public"):
            with Path(f"/tmp/crm-bench-public-{tag}-{name}.log").open("w") as log:
                self.procs.append(
                    subprocess.Popen(
                        ["bash", "-c", procfile_line(name)],
                        cwd=common.ROOT,
                        env=self.env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
        common.wait_for_http(f"{self.base_url}/healthz")
        self.wait_for_figures()
        # The worker's first scan of the whole history (deadlines, digests) follows; the
        # runs measure the steady state after it, as a deployment lives.
        time.sleep(SETTLE_SECONDS)

    def wait_for_figures(self, timeout: float = 600.0) -> None:
        """The worker computes the snapshots at start: seconds on the whole history."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            connection = http.client.HTTPConnection("127.0.0.1", self.public_port, timeout=5)
            try:
                connection.request("GET", "/api/v1/stats")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                pass
            finally:
                connection.close()
            time.sleep(1)
        raise RuntimeError("the worker did not compute the figures in time")

    def stop(self) -> None:
        for proc in self.procs:
            common.stop(proc)


def public_paths(rng: random.Random) -> str:
    """A read a curious public client makes: a new dashboard window, a stats window, or
    a page of Open311 requests (90 days of 2016-2023, up to 1,000 requests)."""
    months = [f"{year}-{month:02d}" for year in range(2016, 2024) for month in range(1, 13)]
    kind = rng.randrange(3)
    if kind == 0:
        first, last = sorted(rng.sample(months, 2))
        return f"/dashboard?by=month&from={first}&to={last}"
    if kind == 1:
        first, last = sorted(rng.sample(range(2016, 2024), 2))
        return f"/api/v1/stats?by=year&from={first}&to={last}"
    day = rng.randrange(0, 8 * 365 - 90)
    start = time.strftime("%Y-%m-%dT00:00:00Z", time.gmtime(1451606400 + day * 86400))
    end = time.strftime("%Y-%m-%dT00:00:00Z", time.gmtime(1451606400 + (day + 89) * 86400))
    return f"/open311/v2/requests.json?start_date={start}&end_date={end}"


def hammer(port: int, stop: threading.Event) -> dict:
    """CLIENTS threads, each from its own loopback address, reading at full speed."""
    statuses: dict[str, int] = {}
    latencies: list[float] = []
    lock = threading.Lock()

    def client(index: int) -> None:
        rng = random.Random(index)
        address = f"127.0.0.{index + 2}"
        connection = None
        while not stop.is_set():
            if connection is None:
                connection = http.client.HTTPConnection(
                    "127.0.0.1", port, timeout=30, source_address=(address, 0)
                )
            begun = time.perf_counter()
            try:
                connection.request("GET", public_paths(rng))
                response = connection.getresponse()
                response.read()
                status = str(response.status)
                if response.will_close:
                    connection.close()
                    connection = None
            except (OSError, http.client.HTTPException) as problem:
                status = type(problem).__name__
                connection.close()
                connection = None
            took = time.perf_counter() - begun
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                latencies.append(took)

    threads = [threading.Thread(target=client, args=(index,)) for index in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "per_second": round(len(ordered) / elapsed, 1),
        "statuses": dict(sorted(statuses.items())),
        "p50_ms": round(common.percentile(ordered, 50) * 1000, 1),
        "p99_ms": round(common.percentile(ordered, 99) * 1000, 1),
    }


def run(name: str, args, numbers: list[str], public_limit: str | None, load: bool) -> dict:
    stack = Stack(args.db, public_limit)
    tag = secrets.token_hex(3)
    requests = Path(f"/tmp/crm-bench-public-{tag}.txt")
    prefix = f"SM{tag}0"
    count = int(args.rate * args.duration)
    webhook.write_requests(
        requests, stack.base_url, numbers, count, prefix, seed=len(name), check_number=True
    )
    warm = Path(f"/tmp/crm-bench-public-{tag}-warm.txt")
    webhook.write_requests(
        warm, stack.base_url, numbers, 300, f"SM{tag}f", seed=99, check_number=True
    )
    try:
        stack.start(name)
        url = f"{stack.base_url}{webhook.PATH}"
        webhook.open_loop(url, warm, 100, 3)
        stop = threading.Event()
        public: dict = {}
        reader = threading.Thread(
            target=lambda: public.update(hammer(stack.public_port, stop)), daemon=True
        )
        if load:
            reader.start()
            time.sleep(2)  # the clients at full speed before the first message
        before = common.load()
        result = webhook.open_loop(url, requests, args.rate, args.duration)
        result["load"] = f"{before} → {common.load()}"
        stop.set()
        if load:
            reader.join()
        result["public"] = public
        recorded, answered = webhook.answered_in_store(args.db, prefix)
        result["in_store"] = f"{recorded} of {count} recorded, {answered} answered with the report"
    finally:
        stack.stop()
        requests.unlink(missing_ok=True)
        warm.unlink(missing_ok=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=common.SQLITE_1M, help="store with the full history")
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--duration", type=float, default=30.0)
    args = parser.parse_args()

    print(f"store {args.db}: {common.ensure_history(args.db)}", flush=True)
    numbers = webhook.sample_numbers(args.db, 20_000, seed=1)
    runs = {
        "quiet": (None, False),
        "limited": (None, True),
        "unlimited": (UNLIMITED, True),
    }
    results = {}
    for name, (limit, load) in runs.items():
        print(f"{name}: {common.load()}", flush=True)
        results[name] = run(name, args, numbers, limit, load)
        print(json.dumps(results[name], indent=1), flush=True)

    engine = "PostgreSQL" if common.is_postgres(args.db) else "SQLite"
    print(f"\n### Public reads beside the webhook, {engine}, {args.db}\n")
    print(
        "| run | STATUS/s | p50 ms | p99 ms | max ms | errors | public reads/s | "
        "public answers | public p99 ms |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, figures in results.items():
        public = figures["public"]
        print(
            f"| {name} | {figures['throughput']:.1f} | {figures['p50_ms']:.1f} | "
            f"{figures['p99_ms']:.1f} | {figures['max_ms']:.1f} | {figures['errors']} | "
            f"{public.get('per_second', '-')} | {public.get('statuses', '-')} | "
            f"{public.get('p99_ms', '-')} |"
        )
    worst = max(figures["p99_ms"] for figures in results.values())
    print(
        f"\nwebhook p99 under public load: {worst:.1f} ms (target < 100 ms: "
        f"{'met' if worst < 100 else 'NOT met'})"
    )
    for name, figures in results.items():
        print(f"{name}: {figures['in_store']}")


if __name__ == "__main__":
    sys.exit(main())
