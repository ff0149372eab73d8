"""What this stack allows: saturation throughput of the real webhook beside the bare app
and beside apps that do only part of the webhook's work (bench/bounds_app.py), all under
the Procfile's gunicorn command with the same settings, against the whole history.

    python bench/webhook_bounds.py [--db sqlite:////tmp/crm-bench-1m.db] [--rounds 2]

Every request is a signed `STATUS <number>` with a fresh MessageSid (the warm-up uses
other MessageSids), so nothing is answered from a stored reply. For each app: requests
per second under wrk (32 connections), and the CPU the server's processes (gunicorn's
master and workers) spent per request, from /proc. Rounds alternate the apps, so a
noisy neighbour touches all of them alike; each ratio is to the bare app of its round.
"""

import argparse
import json
import os
import secrets
import statistics
import time
from pathlib import Path

import common
import webhook

APPS = (
    ("bare", "bare_app:create_app()"),
    ("form", "bounds_app:create_app('form')"),
    ("signed", "bounds_app:create_app('signed')"),
    ("status_read", "bounds_app:create_app('status_read')"),
    ("one_write", "bounds_app:create_app('one_write')"),
    ("status_sql", "bounds_app:create_app('status_sql')"),
    ("webhook", "bot:create_app()"),
)
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
WARM_SECONDS = 3


def server_cpu_seconds(master_pid: int) -> float:
    """user + system time of gunicorn's master and its workers so far."""
    pids = [master_pid]
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    if children.exists():
        pids += [int(pid) for pid in children.read_text().split()]
    ticks = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / CLOCK_TICKS


def measure(name: str, app: str, args, numbers: list[str], tag: str, seed: int) -> dict:
    port = common.free_port()
    base_url = f"http://127.0.0.1:{port}"
    files = {}
    # the warm-up must not run out of requests either: a replayed MessageSid is a
    # duplicate, which the bounds apps (no dedupe) count as an error
    warm = ("warm", WARM_SECONDS * 10_000)
    for offset, (kind, count) in enumerate((warm, ("sat", args.requests))):
        files[kind] = webhook.REQUEST_DIR / f"{tag}-{name}-{kind}.txt"
        webhook.write_requests(
            files[kind],
            base_url,
            numbers,
            count,
            f"SM{tag}{seed}{offset}",
            seed=2 * seed + offset,
            check_number=False,
        )
    env = common.app_env(args.db, PUBLIC_BASE_URL=base_url, PORT=str(port))
    env["PYTHONPATH"] = f"{common.BENCH}:{common.ROOT}"
    log = Path(f"/tmp/crm-bench-gunicorn-bounds-{name}.log")
    server = webhook.start_server(app, env, port, log)
    url = base_url + webhook.PATH
    try:
        webhook.saturation(url, files["warm"], WARM_SECONDS, args.connections, 1)
        time.sleep(1)
        cpu_before = server_cpu_seconds(server.pid)
        result = webhook.saturation(url, files["sat"], args.duration, args.connections, 1)
        cpu = server_cpu_seconds(server.pid) - cpu_before
    finally:
        common.stop(server)
        for path in files.values():
            path.unlink(missing_ok=True)
    errors = log.read_text(errors="replace").count("Traceback")
    return {
        "throughput": result["throughput"],
        "cpu_us_per_request": round(cpu * 1e6 / max(result["sent"], 1)),
        "errors": result["errors"] + errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=common.SQLITE_1M, help="SQLite store with the history")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--requests", type=int, default=60_000)
    args = parser.parse_args()
    if common.is_postgres(args.db):
        raise SystemExit("bounds_app speaks raw sqlite3: give a SQLite store")

    print(f"store {args.db}: {common.ensure_history(args.db)}", flush=True)
    numbers = webhook.sample_numbers(args.db, 20_000, seed=1)
    webhook.REQUEST_DIR.mkdir(exist_ok=True)
    rounds = []
    for round_number in range(args.rounds):
        figures = {}
        for seed, (name, app) in enumerate(APPS):
            figures[name] = measure(name, app, args, numbers, secrets.token_hex(3), seed)
            print(
                f"round {round_number + 1} {name}: {json.dumps(figures[name])} ({common.load()})",
                flush=True,
            )
        rounds.append(figures)

    print(f"\n### What the stack allows, {args.db}, {args.rounds} rounds\n")
    print("| app | msg/s (median) | × bare (median of rounds) | server CPU µs/request | errors |")
    print("|---|---|---|---|---|")
    for name, _ in APPS:
        rates = [figures[name]["throughput"] for figures in rounds]
        ratios = [figures[name]["throughput"] / figures["bare"]["throughput"] for figures in rounds]
        cpu = [figures[name]["cpu_us_per_request"] for figures in rounds]
        errors = sum(figures[name]["errors"] for figures in rounds)
        print(
            f"| {name} | {statistics.median(rates):,.0f} | {statistics.median(ratios):.3f} | "
            f"{statistics.median(cpu):,.0f} | {errors} |"
        )


if __name__ == "__main__":
    main()
