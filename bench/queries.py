"""Store queries at 100k and at the full 953,623 reports: status lookup by number, a
frequent reporter's own list, a facilitator's queue and the SLA scan, with 5,000 reports
in tindak_lanjut; time per call (median, p95), growth, and the query plans.

    python bench/queries.py                      # SQLite: /tmp/crm-bench-100k.db, -1m.db
    python bench/queries.py --db postgresql+psycopg://postgres@127.0.0.1:5432/crm_bench_1m

Each store is generated once and reused; the measurements run on a copy of it
(…-q), into which 5,000 closed 2023 reports are moved back to tindak_lanjut with
store.reports.move_report as admin (selesai → proses → tindak_lanjut; the facilitator
is chosen by the store among the generator's 20), entered over the last 120 hours, so
that some are past their daily target and some past 72 hours. The SLA scans run in
transactions that are rolled back. The copies are removed at the end (--keep keeps them).

Beyond the brief: the generated history has no `breach` rows, although a store that had
run the scanner through those years would hold one for every late validation; the
"with breach history" rows add exactly those (INSERT … SELECT, rolled back) and time the
validation scan again, each call capped (--cap seconds).
"""

import argparse
import random
import re
import statistics
import time
from contextlib import contextmanager
from datetime import timedelta

import common
from sqlalchemy import event, text

from handlers.facilitator import QUEUE_SHOWN
from handlers.status import MY_REPORTS_LIMIT
from store import breaches, numbers, reports, validations
from store.clock import utcnow
from store.db import make_engine, new_session
from store.history import FREQUENT_REPORTERS
from store.sql import Sql, _pyformat
from store.stages import Role, Stage

IN_FOLLOW_UP = 5_000
SCAN_FIRST = "SLA scan, first (records every breach)"
BIG_TABLES = {"report", "stage_change", "validation", "breach", "contact", "inbound_message"}


class Capture:
    """The SELECTs (with parameters) an engine runs while active: through SQLAlchemy
    (its cursor event), and as plain SQL on the driver (store.sql.Sql, wrapped here),
    both in the driver's own form, ready for EXPLAIN."""

    def __init__(self, engine):
        self.engine, self.active, self.statements = engine, False, {}
        event.listen(engine, "before_cursor_execute", self._seen)
        plain_run = Sql._run

        def run_and_see(sql: Sql, statement: str, params: dict):
            if self.active and sql._engine is engine:
                values = {name: sql._to_database(value) for name, value in params.items()}
                self._note(_pyformat(statement) if sql._postgres else statement, values)
            return plain_run(sql, statement, params)

        Sql._run = run_and_see

    def _seen(self, _conn, _cursor, statement, parameters, _context, _many):
        if self.active:
            self._note(statement, parameters)

    def _note(self, statement: str, parameters) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            self.statements.setdefault(statement, parameters)

    @contextmanager
    def capturing(self):
        self.statements, self.active = {}, True
        try:
            yield self
        finally:
            self.active = False


def explain(engine, statement: str, parameters) -> list[str]:
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            return [row[3] for row in rows]
        rows = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
        return [row[0] for row in rows]


def full_scans(plan: list[str]) -> list[str]:
    found = []
    for line in plan:
        sqlite = re.match(r"\s*SCAN (\w+)", line)
        postgres = re.search(r"Seq Scan on (\w+)", line)
        table = (sqlite or postgres).group(1) if (sqlite or postgres) else None
        if table in BIG_TABLES:
            found.append(line.strip())
    return found


def timed(engine, call, arguments: list, *, repeat: int) -> list[float]:
    """Seconds per call, each in its own transaction, rolled back."""
    seconds = []
    for index in range(repeat):
        with new_session(engine) as db:
            started = time.perf_counter()
            call(db, arguments[index % len(arguments)])
            seconds.append(time.perf_counter() - started)
            db.rollback()
    return seconds


@contextmanager
def capped(db, seconds: float):
    """Abort the statement running after `seconds` (SQLite progress handler, PostgreSQL
    statement_timeout); the caller sees an exception."""
    connection = db.connection()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.driver_connection
        deadline = time.monotonic() + seconds
        raw.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
        try:
            yield
        finally:
            raw.set_progress_handler(None, 0)
    else:
        connection.exec_driver_sql(f"SET LOCAL statement_timeout = {int(seconds * 1000)}")
        yield


def put_in_follow_up(engine, now) -> dict:
    """5,000 closed 2023 reports back to tindak_lanjut, as admin, entered over 120 h."""
    with new_session(engine) as db:
        open_now = db.exec(text("SELECT count(*) FROM validation WHERE left_at IS NULL")).scalar()
        if open_now >= IN_FOLLOW_UP:
            return {"open_validations": open_now, "setup_s": 0.0, "note": "already there"}
        candidates = db.exec(
            text(
                "SELECT number FROM report WHERE stage = 'selesai' AND number LIKE 'CRM-23-%' "
                "ORDER BY id"
            )
        ).scalars()
        chosen = random.Random(5).sample(list(candidates), IN_FOLLOW_UP)
        rng = random.Random(6)
        moments = sorted(now - timedelta(hours=rng.uniform(0.5, 120)) for _ in chosen)
        started = time.perf_counter()
        for number, moment in zip(chosen, moments, strict=True):
            reports.move_report(
                number,
                Stage.PROSES,
                role=Role.ADMIN,
                actor_id="bench",
                note="Dibuka kembali (benchmark)",
                session=db,
                now=moment - timedelta(minutes=30),
            )
            reports.move_report(
                number,
                Stage.TINDAK_LANJUT,
                role=Role.ADMIN,
                actor_id="bench",
                note="Sudah ditindaklanjuti (benchmark)",
                session=db,
                now=moment,
            )
        db.commit()
        took = time.perf_counter() - started
        open_now = db.exec(text("SELECT count(*) FROM validation WHERE left_at IS NULL")).scalar()
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")
    return {"open_validations": open_now, "setup_s": round(took, 1)}


def add_breach_history(db) -> int:
    """The breaches a scanner running through the generated years would have recorded:
    one per closed validation that missed its daily target, one per 72-hour miss."""
    added = 0
    for kind, column in (
        (breaches.DAILY_TARGET_MISSED, "daily_target_at"),
        (breaches.VALIDATION_OVERDUE, "due_at"),
    ):
        added += db.exec(
            text(
                "INSERT INTO breach (key, kind, report_id, validation_id, detected_at) "
                f"SELECT '{kind}:v' || id, '{kind}', report_id, id, {column} FROM validation "
                f"WHERE left_at IS NOT NULL AND left_at > {column}"
            )
        ).rowcount
    return added


def scan(db, now) -> int:
    found = breaches.record_validation_breaches(session=db, now=now)
    found += breaches.record_early_stage_breaches(session=db, now=now)
    return len(found)


def measure(url: str, label: str, args) -> dict:
    engine = make_engine(url)
    capture = Capture(engine)
    now = utcnow()
    setup = put_in_follow_up(engine, now)
    with engine.connect() as connection:
        top = connection.execute(text("SELECT max(id) FROM report")).scalar()
        ids = random.Random(1).sample(range(1, top + 1), 2000)
        digits = [
            numbers.canonical_digits(n)
            for n in connection.execute(
                text(f"SELECT number FROM report WHERE id IN ({','.join(map(str, ids))})")
            ).scalars()
        ]
        contacts = random.Random(2).sample(range(1, FREQUENT_REPORTERS + 1), 500)
        per_contact = connection.execute(
            text(
                "SELECT avg(n), max(n) FROM (SELECT count(*) AS n FROM report "
                f"WHERE reporter_contact_id IN ({','.join(map(str, contacts))}) "
                "GROUP BY reporter_contact_id) AS t"
            )
        ).one()
        facilitators = list(
            connection.execute(
                text("SELECT id FROM staff WHERE role = 'facilitator' ORDER BY id")
            ).scalars()
        )
        reports_total = connection.execute(text("SELECT count(*) FROM report")).scalar()
    queries = {
        "find_report (status by number)": (
            lambda db, d: reports.find_report(d, session=db),
            digits,
            args.calls,
        ),
        f"reports_of_contact (frequent reporter, limit {MY_REPORTS_LIMIT})": (
            lambda db, c: reports.reports_of_contact(c, session=db, limit=MY_REPORTS_LIMIT),
            contacts,
            args.calls,
        ),
        f"queue_of (one facilitator, limit {QUEUE_SHOWN})": (
            lambda db, f: validations.queue_of(f, session=db, limit=QUEUE_SHOWN),
            facilitators,
            args.calls // 4,
        ),
        SCAN_FIRST: (
            lambda db, _: scan(db, now),
            [None],
            args.scan_calls,
        ),
    }
    figures, plans, captured = {}, {}, {}
    for name, (call, arguments, repeat) in queries.items():
        timed(engine, call, arguments, repeat=20 if repeat > 100 else 1)  # warm the cache
        seconds = timed(engine, call, arguments, repeat=repeat)
        figures[name] = seconds
        with capture.capturing():
            timed(engine, call, arguments, repeat=1)
        captured[name] = capture.statements
        plans[name] = {s: explain(engine, s, p) for s, p in capture.statements.items()}
    with new_session(engine) as db:
        recorded = scan(db, now)
        steady = []
        for _ in range(args.scan_calls):
            started = time.perf_counter()
            again = scan(db, now)
            steady.append(time.perf_counter() - started)
        db.rollback()
    figures["SLA scan, steady state (nothing new)"] = steady
    extra = {"first scan records": recorded, "steady scan records": again}

    # Beyond the brief: the validation scan over a store that holds its breach history
    # (with the indexes of migration 0008, which this scan's first run showed missing).
    history = {}
    first_name = "SLA scan, first, with breach history"
    steady_name = "SLA scan, steady state, with breach history"
    with new_session(engine) as db:
        history["historic breaches added"] = add_breach_history(db)
        if engine.dialect.name == "postgresql":
            # the rows exist only in this transaction: without fresh statistics the
            # planner believes there are a few thousand and anti-joins them by sorting
            db.exec(text("ANALYZE breach"))
        first, steady = [], []
        try:
            for times, calls in ((first, 1), (steady, args.scan_calls)):
                for _ in range(calls):
                    with capped(db, args.cap):
                        started = time.perf_counter()
                        scan(db, now)
                        times.append(time.perf_counter() - started)
        except Exception as problem:  # the cap fired
            history[steady_name if first else first_name] = (
                f"aborted after {args.cap:.0f} s ({type(problem).__name__})"
            )
            db.rollback()
            add_breach_history(db)
        figures[first_name], figures[steady_name] = first, steady
        plans[steady_name] = {
            s: explain_in(db, s, p) for s, p in captured[SCAN_FIRST].items() if "validation" in s
        }
        db.rollback()
    engine.dispose()
    return {
        "label": label,
        "reports": reports_total,
        "setup": setup,
        "reports per frequent reporter (avg, max)": (
            round(float(per_contact[0]), 1),
            per_contact[1],
        ),
        "scan": extra,
        "history": history,
        "figures": figures,
        "plans": plans,
    }


def explain_in(db, statement: str, parameters) -> list[str]:
    """EXPLAIN inside the session's transaction (sees the uncommitted index and rows)."""
    connection = db.connection()
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        return [row[3] for row in rows]
    rows = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
    return [row[0] for row in rows]


def ms(seconds: list[float], percent: float) -> str:
    if not seconds:
        return "—"
    ordered = sorted(seconds)
    value = statistics.median(ordered) if percent == 50 else common.percentile(ordered, percent)
    return f"{value * 1000:.3f}" if value < 0.01 else f"{value * 1000:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=common.SQLITE_1M, help="store with the full history")
    parser.add_argument("--db-100k", default=None, help="store with 100,000 reports")
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--scan-calls", type=int, default=5)
    parser.add_argument("--cap", type=float, default=60.0, help="seconds, breach-history scan")
    parser.add_argument("--keep", action="store_true", help="keep the measured copies")
    args = parser.parse_args()
    if args.db_100k is None:
        args.db_100k = (
            args.db.rsplit("/", 1)[0] + "/crm_bench_100k"
            if common.is_postgres(args.db)
            else common.SQLITE_100K
        )
    results = []
    for label, source, size in (("100k", args.db_100k, 100_000), ("1M", args.db, None)):
        print(f"{label}: {source}: {common.ensure_history(source, size)}", flush=True)
        copy = source + "_q" if common.is_postgres(source) else source.removesuffix(".db") + "-q.db"
        common.copy_store(source, copy)
        try:
            print(f"{label}: measuring on the copy {copy} ({common.load()})", flush=True)
            result = measure(copy, label, args)
            result["load"] = common.load()
            results.append(result)
        finally:
            if not args.keep:
                common.remove_store(copy)
        print(
            f"{label}: done ({result['load']}), setup {result['setup']}, "
            f"scan {result['scan']}, history {result['history']}",
            flush=True,
        )
    report(results, args)


def report(results: list[dict], args) -> None:
    small, large = results
    engine = "PostgreSQL" if common.is_postgres(args.db) else "SQLite"
    print(f"\n### Store queries, {engine}\n")
    print(
        f"reports: {small['reports']:,} / {large['reports']:,}; reports per frequent reporter "
        f"(avg, max): {small['reports per frequent reporter (avg, max)']} / "
        f"{large['reports per frequent reporter (avg, max)']}; open validations: "
        f"{small['setup']['open_validations']} / {large['setup']['open_validations']}; "
        f"breaches recorded by the first scan: {small['scan']['first scan records']} / "
        f"{large['scan']['first scan records']}; historic breaches added: "
        f"{small['history'].get('historic breaches added')} / "
        f"{large['history'].get('historic breaches added')}; load after: "
        f"{small['load']} / {large['load']}\n"
    )
    print(
        "| query | calls 100k / 1M | 100k median ms | 100k p95 ms | 1M median ms | 1M p95 ms "
        "| growth |"
    )
    print("|---|---|---|---|---|---|---|")
    for name in large["figures"]:
        a, b = small["figures"][name], large["figures"][name]
        growth = f"{statistics.median(b) / statistics.median(a):.2f}×" if a and b else "—"
        print(
            f"| {name} | {len(a)} / {len(b)} | {ms(a, 50)} | {ms(a, 95)} | "
            f"{ms(b, 50)} | {ms(b, 95)} | {growth} |"
        )
    for result in results:
        for name, note in result["history"].items():
            if name != "historic breaches added":
                print(f"- {result['label']}: {name}: {note} (shown as —)")
    print(f"\n### Query plans ({engine}, 1M store)\n")
    flagged = []
    for name, statements in large["plans"].items():
        print(f"#### {name}\n")
        for statement, plan in statements.items():
            sql = " ".join(statement.split())
            print(f"```\n{sql}\n--\n" + "\n".join(plan) + "\n```")
            for line in full_scans(plan):
                flagged.append((name, line))
    print("\nfull scans of big tables:", flagged or "none")


if __name__ == "__main__":
    main()
