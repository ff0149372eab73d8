"""Many processes filing reports at once still get distinct, gapless numbers.

Each worker process has its own engine and commits one report per transaction, the
way web and worker processes share the store in production.
"""

import multiprocessing
import queue
import time
from datetime import UTC, datetime

from sqlmodel import select

from store.db import make_engine, new_session
from store.models import Report
from store.numbers import format_number, parse_number
from store.places import match_kelurahan
from store.reports import NewReport, count_reports, create_report

NOW = datetime(2026, 5, 4, 3, 0, tzinfo=UTC)
WORKLOAD = {"postgresql": (8, 200), "sqlite": (4, 50)}  # processes x reports each
START_TIMEOUT_S = 60
RUN_TIMEOUT_S = 120


def file_reports(url: str, count: int, worker: int, start, results) -> None:
    """Runs in a spawned process: file `count` reports, one transaction each."""
    engine = make_engine(url)
    try:
        report = NewReport(
            category="sampah",
            description=f"Sampah menumpuk (worker {worker})",
            kelurahan=match_kelurahan("Gambir").chosen,
        )
        with engine.connect():
            pass  # connect before the start line, so the race starts at once
        start.wait(timeout=START_TIMEOUT_S)
        numbers = []
        for _ in range(count):
            with new_session(engine) as session:
                numbers.append(create_report(report, session=session, now=NOW).number)
                session.commit()
        results.put((worker, numbers))
    finally:
        engine.dispose()


def run_workers(url: str, processes: int, per_process: int) -> list[str]:
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(processes)
    results = context.Queue()
    workers = [
        context.Process(target=file_reports, args=(url, per_process, index, start, results))
        for index in range(processes)
    ]
    for worker in workers:
        worker.start()
    try:
        numbers = []
        deadline = time.monotonic() + START_TIMEOUT_S + RUN_TIMEOUT_S
        while len(numbers) < processes * per_process:
            failed = [w.exitcode for w in workers if w.exitcode not in (None, 0)]
            assert not failed, f"a worker failed (exit codes {[w.exitcode for w in workers]})"
            assert time.monotonic() < deadline, "the workers did not finish in time"
            try:
                numbers.extend(results.get(timeout=0.5)[1])
            except queue.Empty:
                continue
        for worker in workers:
            worker.join(timeout=RUN_TIMEOUT_S)
        assert [worker.exitcode for worker in workers] == [0] * processes
        return numbers
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
            worker.join()
            worker.close()
        results.close()
        results.join_thread()


def stored_numbers(url: str) -> tuple[int, list[str]]:
    engine = make_engine(url)
    try:
        with new_session(engine) as session:
            return count_reports(session=session), list(session.exec(select(Report.number)).all())
    finally:
        engine.dispose()


def test_concurrent_processes_get_unique_gapless_valid_numbers(database_url):
    dialect = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    processes, per_process = WORKLOAD[dialect]
    total = processes * per_process

    started = time.monotonic()
    returned = run_workers(database_url, processes, per_process)
    elapsed = time.monotonic() - started
    print(f"{dialect}: {total} reports from {processes} processes in {elapsed:.1f} s")

    count, stored = stored_numbers(database_url)
    assert count == total
    assert sorted(stored) == sorted(returned)
    assert len(set(stored)) == total
    assert all(parse_number(number).valid for number in stored)
    sequences = sorted(int(number.split("-")[2]) for number in stored)
    assert sequences == list(range(1, total + 1))
    assert set(stored) == {format_number(2026, sequence) for sequence in range(1, total + 1)}
