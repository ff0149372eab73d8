"""Generator benchmark: wall time, CPU time and peak memory (ru_maxrss of the child,
from os.wait4) of `flask --app bot crm generate --table1` into a fresh SQLite file and
into a fresh PostgreSQL database (created, migrated, then generated; dropped after).

    python bench/generator.py [--db sqlite:////tmp/crm-bench-gen.db]
                              [--pg postgresql+psycopg://postgres@127.0.0.1:5432/crm_bench_gen]
                              [--skip-pg] [--reports N]

PostgreSQL's own work (the COPY into tables and indexes) is in the server's processes:
the figures are the generator process's, plus the wall time of the whole command.
"""

import argparse
import os
import subprocess
import time

import common
from sqlalchemy import text

from store.db import make_engine


def size_of(url: str) -> str:
    if common.is_postgres(url):
        engine = make_engine(url)
        with engine.connect() as connection:
            size = connection.execute(text("SELECT pg_database_size(current_database())")).scalar()
        engine.dispose()
    else:
        path = common.sqlite_path(url)
        size = sum(
            os.path.getsize(f"{path}{suffix}")
            for suffix in ("", "-wal")
            if os.path.exists(f"{path}{suffix}")
        )
    return f"{size / 2**20:,.0f} MiB"


def run_measured(url: str, reports: int | None, bound: float) -> dict:
    """Like `run`, with the child's own rusage through os.wait4."""
    common.remove_store(url)
    if common.is_postgres(url):
        common.create_postgres_database(url)
    common.flask(["crm", "db", "upgrade"], url)
    args = ["--table1"] if reports is None else ["--reports", str(reports)]
    load_before = common.load()
    log = open(f"/tmp/crm-bench-generate-{os.getpid()}.log", "w+")  # noqa: SIM115
    started = time.monotonic()
    process = subprocess.Popen(
        [common.FLASK, "--app", "bot", "crm", "generate", *args],
        cwd=common.ROOT,
        env=common.app_env(url),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = started + bound
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            common.stop(process)
            raise SystemExit(f"generate did not finish within {bound:.0f} s")
        time.sleep(0.2)
    wall = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    log.seek(0)
    output = log.read().strip()
    log.close()
    os.unlink(log.name)
    if process.returncode != 0:
        raise SystemExit(f"generate failed:\n{output}")
    return {
        "wall_s": round(wall, 1),
        "user_s": round(usage.ru_utime, 1),
        "sys_s": round(usage.ru_stime, 1),
        "peak_rss_mib": round(usage.ru_maxrss / 1024),
        "size": size_of(url),
        "output": output.splitlines()[-1] if output else "",
        "load": f"{load_before} → {common.load()}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite:////tmp/crm-bench-gen.db")
    parser.add_argument(
        "--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/crm_bench_gen"
    )
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument("--reports", type=int, default=None, help="default: Table 1")
    parser.add_argument("--bound", type=float, default=600.0, help="seconds per run at most")
    args = parser.parse_args()
    targets = [("SQLite", args.db)] + ([] if args.skip_pg else [("PostgreSQL", args.pg)])
    results = []
    for name, url in targets:
        try:
            result = run_measured(url, args.reports, args.bound)
        finally:
            common.remove_store(url)
        print(name, result, flush=True)
        results.append((name, result))
    print("\n### Generator, `crm generate --table1`\n")
    print("| store | wall s | user s | sys s | peak RSS MiB | store size | load | output |")
    print("|---|---|---|---|---|---|---|---|")
    for name, r in results:
        print(
            f"| {name} | {r['wall_s']} | {r['user_s']} | {r['sys_s']} | {r['peak_rss_mib']} | "
            f"{r['size']} | {r['load']} | {r['output']} |"
        )


if __name__ == "__main__":
    main()
