"""Webhook benchmark: `STATUS <number>` through the Procfile's gunicorn, signed like
Twilio, against the whole Table 1 history; beside it a bare Flask app on the same server.

    python bench/webhook.py                      # SQLite, /tmp/crm-bench-1m.db
    python bench/webhook.py --db postgresql+psycopg://postgres@127.0.0.1:5432/crm_bench_1m

The store is generated once (`crm db upgrade` + `crm generate --table1`) and reused.
For each app: (a) open-loop 100 messages/s for 20 s (bench/loadgen.py in its own
process), (b) saturation, closed loop with wrk (32 connections, 15 s). Each message
has a fresh MessageSid; every answer of (a) is checked to name the report, and the
answers of (b) are counted in the store afterwards (each MessageSid recorded once).
"""

import argparse
import json
import random
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import common

PATH = "/webhooks/whatsapp"
BOT_NUMBER = "whatsapp:+14155238886"
ACCOUNT_SID = "AC" + "1" * 32
CONTACTS = 200_000  # the generator's reporters: +62812 followed by 8 digits
REQUEST_DIR = Path("/tmp/crm-bench-requests")


def sample_numbers(url: str, count: int, seed: int) -> list[str]:
    from sqlalchemy import bindparam, text

    from store.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            top = connection.execute(text("SELECT max(id) FROM report")).scalar()
            ids = random.Random(seed).sample(range(1, top + 1), count)
            query = text("SELECT number FROM report WHERE id IN :ids").bindparams(
                bindparam("ids", expanding=True)
            )
            numbers = []
            for start in range(0, len(ids), 500):
                numbers += connection.execute(query, {"ids": ids[start : start + 500]}).scalars()
    finally:
        engine.dispose()
    return numbers


def write_requests(
    path: Path,
    base_url: str,
    numbers: list[str],
    count: int,
    sid_prefix: str,
    seed: int,
    *,
    check_number: bool,
) -> None:
    """`count` signed requests, "<signature>\\t<body>\\t<expected>" a line; the answer
    must name the report when `check_number` (the bare app answers a constant)."""
    from twilio.request_validator import RequestValidator

    validator = RequestValidator(common.AUTH_TOKEN)
    rng = random.Random(seed)
    signed_url = base_url + PATH
    with path.open("w", encoding="utf-8") as out:
        for index in range(count):
            sid = f"{sid_prefix}{index:0{34 - len(sid_prefix)}x}"
            phone = f"+62812{rng.randrange(CONTACTS):08d}"
            number = rng.choice(numbers)
            form = {  # the fields Twilio posts for an inbound WhatsApp text
                "SmsMessageSid": sid,
                "NumMedia": "0",
                "ProfileName": "Warga",
                "MessageType": "text",
                "SmsSid": sid,
                "WaId": phone.lstrip("+"),
                "SmsStatus": "received",
                "Body": f"STATUS {number}",
                "To": BOT_NUMBER,
                "NumSegments": "1",
                "ReferralNumMedia": "0",
                "MessageSid": sid,
                "AccountSid": ACCOUNT_SID,
                "From": f"whatsapp:{phone}",
                "ApiVersion": "2010-04-01",
            }
            signature = validator.compute_signature(signed_url, form)
            expected = number if check_number else ""
            out.write(f"{signature}\t{urlencode(form)}\t{expected}\n")


def start_server(
    app: str, env: dict[str, str], port: int, log: Path, workers: int = 2
) -> subprocess.Popen:
    """The Procfile's web command, bound to loopback, with its default 2 workers."""
    command = [
        common.GUNICORN,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        app,
    ]
    handle = log.open("w")
    process = subprocess.Popen(
        command,
        cwd=common.ROOT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    handle.close()
    common.wait_for_http(f"http://127.0.0.1:{port}/healthz")
    return process


def open_loop(url: str, requests: Path, rate: float, duration: float) -> dict:
    done = subprocess.run(
        [
            sys.executable,
            str(common.BENCH / "loadgen.py"),
            "open",
            "--url",
            url,
            "--requests",
            str(requests),
            "--rate",
            str(rate),
            "--duration",
            str(duration),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=duration + 120,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def saturation(url: str, requests: Path, duration: float, connections: int, threads: int) -> dict:
    if shutil.which("wrk") is None:
        done = subprocess.run(
            [
                sys.executable,
                str(common.BENCH / "loadgen.py"),
                "closed",
                "--url",
                url,
                "--requests",
                str(requests),
                "--concurrency",
                str(connections),
                "--duration",
                str(duration),
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=duration + 120,
        )
        result = json.loads(done.stdout.strip().splitlines()[-1])
        result["tool"] = "python closed loop (wrk not installed: may be client-bound)"
        return result
    done = subprocess.run(
        [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(connections),
            "-d",
            f"{duration:.0f}s",
            "--timeout",
            "10s",
            "-s",
            str(common.BENCH / "wrk_post.lua"),
            url,
            "--",
            str(requests),
            str(threads),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=duration + 120,
    )
    line = next(row for row in done.stdout.splitlines() if row.startswith("WRKJSON "))
    raw = json.loads(line.removeprefix("WRKJSON "))
    seconds = raw["duration_us"] / 1e6
    errors = sum(raw[key] for key in raw if key.endswith("_errors") or key == "timeouts")
    return {
        "tool": f"wrk -t{threads} -c{connections}",
        "sent": raw["requests"],
        "ok": raw["requests"] - raw["status_errors"],
        "errors": errors,
        "error_kinds": {k: raw[k] for k in raw if (k.endswith("_errors") or k == "timeouts")},
        "elapsed_s": round(seconds, 3),
        "throughput": round((raw["requests"] - raw["status_errors"]) / seconds, 1),
        "p50_ms": raw["p50_us"] / 1000,
        "p90_ms": raw["p90_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "replayed": raw["wrapped"],
    }


def answered_in_store(url: str, sid_prefix: str) -> tuple[int, int]:
    """(inbound messages recorded under `sid_prefix`, of which answered with a status)."""
    from sqlalchemy import text

    from store.db import make_engine

    reply = "CAST(reply AS TEXT)" if common.is_postgres(url) else "reply"
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            row = connection.execute(
                text(
                    f"SELECT count(*), sum(CASE WHEN {reply} LIKE '%CRM-%' THEN 1 ELSE 0 END) "
                    "FROM inbound_message WHERE message_sid LIKE :prefix"
                ),
                {"prefix": sid_prefix + "%"},
            ).one()
    finally:
        engine.dispose()
    return row[0], row[1] or 0


def measure(name: str, app: str, env: dict, files: dict, args, base_port: int) -> dict:
    log = Path(f"/tmp/crm-bench-gunicorn-{name}.log")
    server = start_server(app, env, base_port, log, args.workers)
    url = f"http://127.0.0.1:{base_port}{PATH}"
    try:
        open_loop(url, files["warm"], 100, 3)  # both workers loaded, caches warm
        time.sleep(1)
        before = common.load()
        fixed = open_loop(url, files["open"], args.rate, args.open_duration)
        fixed["load_before"], fixed["load_after"] = before, common.load()
        time.sleep(2)
        before = common.load()
        saturated = saturation(
            url, files["sat"], args.sat_duration, args.connections, args.wrk_threads
        )
        saturated["load_before"], saturated["load_after"] = before, common.load()
    finally:
        common.stop(server)
    return {"open": fixed, "saturation": saturated, "log": str(log)}


def row(label: str, figures: dict) -> str:
    return (
        f"| {label} | {figures['throughput']:.1f} | {figures['p50_ms']:.1f} | "
        f"{figures['p90_ms']:.1f} | {figures['p99_ms']:.1f} | {figures['max_ms']:.1f} | "
        f"{figures['errors']} | {figures['load_before']} → {figures['load_after']} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=common.SQLITE_1M, help="store with the full history")
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--open-duration", type=float, default=20.0)
    parser.add_argument("--sat-duration", type=float, default=15.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument("--sat-requests", type=int, default=150_000)
    parser.add_argument("--skip-bare", action="store_true")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers, both apps")
    args = parser.parse_args()

    print(f"store {args.db}: {common.ensure_history(args.db)}", flush=True)
    numbers = sample_numbers(args.db, 20_000, seed=1)
    REQUEST_DIR.mkdir(exist_ok=True)
    tag = secrets.token_hex(4)
    results = {}
    apps = [("webhook", "bot:create_app()")]
    if not args.skip_bare:
        apps.append(("bare", "bare_app:create_app()"))
    try:
        for code, (name, app) in enumerate(apps):
            port = common.free_port()
            base_url = f"http://127.0.0.1:{port}"
            prefixes = {kind: f"SM{tag}{code}{n}" for n, kind in enumerate(("warm", "open", "sat"))}
            counts = {
                "warm": 300,
                "open": int(args.rate * args.open_duration),
                "sat": args.sat_requests,
            }
            files = {}
            for kind, prefix in prefixes.items():
                files[kind] = REQUEST_DIR / f"{tag}-{name}-{kind}.txt"
                write_requests(
                    files[kind],
                    base_url,
                    numbers,
                    counts[kind],
                    prefix,
                    seed=code,
                    check_number=name == "webhook",
                )
            env = common.app_env(args.db, PUBLIC_BASE_URL=base_url, PORT=str(port))
            if name == "bare":
                env["PYTHONPATH"] = f"{common.BENCH}:{common.ROOT}"
            print(f"{name}: gunicorn {app} on {base_url} ({common.load()})", flush=True)
            results[name] = measure(name, app, env, files, args, port)
            if name == "webhook":
                for kind in ("open", "sat"):
                    recorded, answered = answered_in_store(args.db, prefixes[kind])
                    results[name][kind if kind == "open" else "saturation"]["in_store"] = (
                        f"{recorded} recorded, {answered} answered with the report"
                    )
            print(json.dumps(results[name], indent=1), flush=True)
    finally:
        for path in REQUEST_DIR.glob(f"{tag}-*"):
            path.unlink()

    engine = "PostgreSQL" if common.is_postgres(args.db) else "SQLite"
    print(f"\n### Webhook, {engine}, {args.db}\n")
    print("| run | msg/s | p50 ms | p90 ms | p99 ms | max ms | errors | load (1m/5m) |")
    print("|---|---|---|---|---|---|---|---|")
    for name in results:
        print(
            row(
                f"{name}, open loop {args.rate:.0f}/s × {args.open_duration:.0f} s",
                results[name]["open"],
            )
        )
        print(
            row(
                f"{name}, saturation ({results[name]['saturation']['tool']}, "
                f"{args.sat_duration:.0f} s)",
                results[name]["saturation"],
            )
        )
    p99 = results["webhook"]["open"]["p99_ms"]
    print(
        f"\np99 at {args.rate:.0f}/s: {p99:.1f} ms (target < 100 ms: "
        f"{'met' if p99 < 100 else 'NOT met'})"
    )
    if "bare" in results:
        ratio = (
            results["webhook"]["saturation"]["throughput"]
            / results["bare"]["saturation"]["throughput"]
        )
        print(
            f"saturation ratio webhook/bare: {ratio:.3f} (target ≥ 0.5: "
            f"{'met' if ratio >= 0.5 else 'NOT met'})"
        )


if __name__ == "__main__":
    main()
