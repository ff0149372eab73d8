"""The webhook at 100 messages/s while the Procfile's `worker` runs beside it (beyond the
brief: the worker's jobs are part of production). On a copy of the full-history store.

    python bench/webhook_with_worker.py [--db URL] [--duration 40]

The worker starts when the open-loop load starts; at start it runs its jobs at once
(deadline scan, digests, stats refresh over the whole history, draft purge), then every
minute / every 5 minutes. Answers that do not name the report (the "system error" reply
the webhook gives when its transaction fails) count as errors.
"""

import argparse
import subprocess
import time
from pathlib import Path

import common
import webhook


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=common.SQLITE_1M, help="store with the full history")
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--duration", type=float, default=40.0)
    args = parser.parse_args()
    print(f"store {args.db}: {common.ensure_history(args.db)}", flush=True)
    copy = args.db + "_w" if common.is_postgres(args.db) else args.db.removesuffix(".db") + "-w.db"
    common.copy_store(args.db, copy)
    numbers = webhook.sample_numbers(copy, 5_000, seed=3)
    port = common.free_port()
    base_url = f"http://127.0.0.1:{port}"
    requests = Path(f"/tmp/crm-bench-requests-worker-{port}.txt")
    warm = Path(f"/tmp/crm-bench-requests-worker-{port}-warm.txt")
    tag = f"SM{port:05d}"  # hex digits only, as a real MessageSid
    webhook.write_requests(warm, base_url, numbers, 300, tag + "0", 7, check_number=True)
    webhook.write_requests(
        requests, base_url, numbers, int(args.rate * args.duration), tag + "1", 8, check_number=True
    )
    env = common.app_env(copy, PUBLIC_BASE_URL=base_url, PORT=str(port))
    engine = "postgresql" if common.is_postgres(args.db) else "sqlite"
    server = worker = None
    try:
        server = webhook.start_server(
            "bot:create_app()", env, port, Path(f"/tmp/crm-bench-gunicorn-with-worker-{engine}.log")
        )
        url = base_url + webhook.PATH
        webhook.open_loop(url, warm, 100, 3)
        alone = webhook.open_loop(url, requests, args.rate, 10)  # first 10 s of the file
        print("without the worker (10 s):", alone, flush=True)
        worker_log = Path(f"/tmp/crm-bench-worker-{engine}.log")
        with worker_log.open("w") as handle:
            worker = subprocess.Popen(
                [common.FLASK, "--app", "bot", "crm", "worker"],
                cwd=common.ROOT,
                env=env,
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        before = common.load()
        started = time.monotonic()
        # fresh MessageSids for this run
        fresh = Path(f"/tmp/crm-bench-requests-worker-{port}-b.txt")
        count = int(args.rate * args.duration)
        webhook.write_requests(fresh, base_url, numbers, count, tag + "2", 9, check_number=True)
        with_worker = webhook.open_loop(url, fresh, args.rate, args.duration)
        with_worker["load"] = f"{before} → {common.load()}"
        print(f"with the worker ({args.duration:.0f} s):", with_worker, flush=True)
        print(f"worker ran {time.monotonic() - started:.0f} s; its log: {worker_log}")
        for line in worker_log.read_text().splitlines():
            if any(word in line for word in ("recorded", "executed", "ERROR", "locked", "Error")):
                print("  worker:", line[:200])
    finally:
        if worker is not None:
            common.stop(worker)
        if server is not None:
            common.stop(server)
        for path in Path("/tmp").glob(f"crm-bench-requests-worker-{port}*"):
            path.unlink()
        common.remove_store(copy)
    name = "PostgreSQL" if common.is_postgres(args.db) else "SQLite"
    print(f"\n### Webhook at {args.rate:.0f}/s with the worker running, {name}\n")
    print("| run | msg/s | p50 ms | p90 ms | p99 ms | max ms | errors | error kinds |")
    print("|---|---|---|---|---|---|---|---|")
    runs = (("web only, 10 s", alone), (f"web + worker, {args.duration:.0f} s", with_worker))
    for label, r in runs:
        print(
            f"| {label} | {r['throughput']} | {r['p50_ms']} | {r['p90_ms']} | {r['p99_ms']} | "
            f"{r['max_ms']} | {r['errors']} | {r['error_kinds']} |"
        )


if __name__ == "__main__":
    main()
