"""Crashes (issue 6): SIGKILL the web process in the middle of report conversations and
a worker in the middle of sending, again and again, and count what survived.

    /tmp/probe/bin/python bench/crash.py [--db URL] [--kills 50] [--victim alternate]

The stack is the Procfile's: gunicorn (--workers 3) and two `crm worker` processes on
PostgreSQL (or SQLite: --db sqlite:////tmp/crm_crash.db), the real `twilio` client
sending to FakeTwilio, OUTBOX_LEASE_SECONDS=2.
Citizens (--concurrency phones at once, each phone's messages strictly in order) walk
the whole report conversation, ask the status of their number and send one more text;
a message whose request failed (connection refused or cut, or a 5xx) is sent again with
the SAME MessageSid until it is answered 200, as Twilio's retries would. An officer
moves --move-share of the reports through koordinasi, disposisi and proses by the API;
a move whose answer was lost is looked up (GET) before it is tried again.

Each kill comes 50–500 ms after the load (re)started: the web victim is the gunicorn
master with its workers (SIGKILL to the process group), the worker victim one of the two
`crm worker` processes, killed while it holds claimed notifications (waiting up to 3 s
for it to hold some). The victim is restarted at once; the next kill waits until it is
up again. After the last kill the drivers finish their phones, the outbox drains, and
the counts are compared: nothing lost (inbound messages, reports, stage changes,
notifications) and no more duplicate receipts at FakeTwilio than worker kills.
"""

import argparse
import itertools
import queue
import random
import socket
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness
from harness import Client, Stack, Tally, expected_in

from store.sql import sqlite_text

DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/crm_crash"
TOKEN_NAME = "crash"
STAGES = ("koordinasi", "disposisi", "proses")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=DEFAULT_DB, help="database to create (and drop)")
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument(
        "--victim", choices=("alternate", "random", "web", "worker"), default="alternate"
    )
    parser.add_argument("--delay-ms", type=float, nargs=2, default=(50, 500))
    parser.add_argument("--concurrency", type=int, default=16, help="phones at once")
    parser.add_argument("--max-phones", type=int, default=5000, help="bound on the phones")
    parser.add_argument("--move-share", type=float, default=0.6)
    parser.add_argument("--officers", type=int, default=2, help="officer API threads")
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--send-rate", default="20", help="SEND_RATE_PER_SECOND")
    parser.add_argument("--lease", default="2", help="OUTBOX_LEASE_SECONDS")
    parser.add_argument("--message-timeout", type=float, default=120, help="per message")
    parser.add_argument("--max-seconds", type=float, default=1800, help="bound on the run")
    parser.add_argument("--drain-timeout", type=float, default=600)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--keep", action="store_true", help="keep the database and logs")
    parser.add_argument("--logs", type=Path, help="copy the processes' logs here")
    return parser.parse_args()


class Crash:
    def __init__(self, args: argparse.Namespace, stack: Stack, token: str):
        self.args = args
        self.stack = stack
        self.client = Client(stack, timeout=30)
        self.token = token
        self.tally = Tally()
        self.stop = threading.Event()
        self.kills_done = threading.Event()
        self.drivers_done = threading.Event()
        self.to_move: queue.Queue[str] = queue.Queue()
        self.deadline = time.monotonic() + args.max_seconds
        self.run_tag = int(time.time()) & 0xFFFFFFFF
        self.next_phone = itertools.count()
        self.phones_started = 0
        self.phones_finished = 0
        self.first_answer = threading.Event()
        self.kills: list[dict] = []
        self.restarts: dict[str, list[float]] = {"web": [], "worker": []}

    # --- citizens ---------------------------------------------------------------

    def deliver(self, sid: str, phone: str, body: str) -> harness.Answer:
        """Post until answered 200, with the same MessageSid (bounded in time)."""
        give_up = min(time.monotonic() + self.args.message_timeout, self.deadline)
        delay = 0.02
        while True:
            with self.tally.lock:
                self.tally.in_flight += 1
                self.tally.attempts += 1
            try:
                answer = self.client.webhook(harness.form(sid, phone, body))
            finally:
                with self.tally.lock:
                    self.tally.in_flight -= 1
            self.tally.record(answer)
            if answer.status == 200:
                with self.tally.lock:
                    self.tally.sids.add(sid)
                self.first_answer.set()
                return answer
            if answer.status is not None and answer.status < 500:
                self.tally.add("abandoned", f"{sid}: {answer.status} {answer.raw[:200]!r}")
                return answer
            if time.monotonic() > give_up or self.stop.is_set():
                self.tally.add("abandoned", f"{sid}: still {answer.status} {answer.error}")
                return answer
            time.sleep(delay)
            delay = min(delay * 2, 0.2)

    def phone(self, index: int) -> None:
        rng = harness.rng_for(self.args.seed, index)
        phone = harness.phone_of(index)
        number = "?"
        for step, (template, expect_template) in enumerate(harness.conversation(index)):
            if self.stop.is_set():
                return
            body, expect = template.format(number=number), expect_template.format(number=number)
            sid = f"SM{self.run_tag:08x}{index:012x}{step:012x}"
            answer = self.deliver(sid, phone, body)
            if answer.status != 200:
                return
            if not expected_in(answer.messages, expect):
                self.tally.add(
                    "unexpected",
                    f"{phone} step {step} {body!r} ({sid}): "
                    f"{' | '.join(answer.messages)[:200]!r} (wanted {expect!r})",
                )
            if step == harness.CONFIRM_STEP:
                found = harness.NUMBER.search("\n".join(answer.messages))
                if found:
                    number = found.group(0)
                    with self.tally.lock:
                        self.tally.numbers[phone] = number
                    if rng.random() < self.args.move_share:
                        self.to_move.put(number)
        with self.tally.lock:
            self.phones_finished += 1

    def driver(self) -> None:
        """Phones one after another until the kills are over."""
        while not self.stop.is_set() and not self.kills_done.is_set():
            with self.tally.lock:
                if self.phones_started >= self.args.max_phones:
                    return
                self.phones_started += 1
                index = next(self.next_phone)
            self.phone(index)

    def officer(self) -> None:
        while not self.stop.is_set():
            try:
                number = self.to_move.get(timeout=0.2)
            except queue.Empty:
                if self.drivers_done.is_set():
                    return
                continue
            for stage in STAGES:
                if not harness.move_report(
                    self.client,
                    self.token,
                    number,
                    stage,
                    self.tally,
                    deadline=self.deadline,
                    stop=self.stop,
                ):
                    break

    # --- the killer ----------------------------------------------------------------

    def victims(self):
        rng = random.Random(self.args.seed)
        for n in itertools.count():
            kind = self.args.victim
            if kind == "alternate":
                kind = ("web", "worker")[n % 2]
            elif kind == "random":
                kind = rng.choice(("web", "worker"))
            yield kind, rng

    def claims_held(self, worker: harness.Proc) -> int:
        """Notifications the worker holds under a live lease (its id is host:pid)."""
        now = datetime.now(UTC)
        return self.stack.scalar(
            "SELECT count(*) FROM notification WHERE state = 'pending' AND claimed_by = :who "
            "AND claimed_until > :now",
            who=f"{socket.gethostname()}:{worker.popen.pid}",
            now=sqlite_text(now) if self.args.db.startswith("sqlite") else now,
        )

    def kill_loop(self) -> None:
        if not self.first_answer.wait(timeout=120):
            raise RuntimeError("no webhook answer within 120 s")
        low, high = self.args.delay_ms
        for (kind, rng), n in zip(self.victims(), range(self.args.kills), strict=False):
            if self.stop.is_set() or time.monotonic() > self.deadline:
                break
            time.sleep(rng.uniform(low, high) / 1000)
            if kind == "web":
                with self.tally.lock:
                    in_flight = self.tally.in_flight
                    cut_before = sum(
                        v for k, v in self.tally.statuses.items() if k.startswith("conn:")
                    )
                self.stack.kill(self.stack.web)
                self.kills.append({"victim": "web", "in_flight": in_flight, "n": n})
                self.restarts["web"].append(self.stack.start_web())
                with self.tally.lock:
                    cut_after = sum(
                        v for k, v in self.tally.statuses.items() if k.startswith("conn:")
                    )
                self.kills[-1]["failed_attempts"] = cut_after - cut_before
            else:
                worker = rng.choice(self.stack.workers)
                held, waited = 0, time.monotonic()
                while time.monotonic() - waited < 3.0:
                    held = self.claims_held(worker)
                    if held:
                        break
                    time.sleep(0.02)
                before = len(self.stack.fake.received)
                self.stack.kill(worker)
                self.kills.append(
                    {"victim": worker.name, "claims_held": held, "receipts_before": before, "n": n}
                )
                self.restarts["worker"].append(self.stack.start_worker(worker))
        self.kills_done.set()

    def run(self) -> float:
        started = time.monotonic()
        officers = [threading.Thread(target=self.officer) for _ in range(self.args.officers)]
        for thread in officers:
            thread.start()
        pool = ThreadPoolExecutor(max_workers=self.args.concurrency)
        try:
            drivers = [pool.submit(self.driver) for _ in range(self.args.concurrency)]
            self.kill_loop()  # in the main thread, so Ctrl-C lands here
            pending = set(drivers)
            while pending:
                _, pending = wait(pending, timeout=1.0)
                if time.monotonic() > self.deadline + 60:
                    raise RuntimeError("the drivers outlived --max-seconds")
            for future in drivers:
                future.result()
        except BaseException:
            self.stop.set()
            raise
        finally:
            self.kills_done.set()
            self.drivers_done.set()
            pool.shutdown(wait=True, cancel_futures=True)
            for thread in officers:
                thread.join()
        return time.monotonic() - started


def main() -> int:
    args = parse_args()
    env = {"SEND_RATE_PER_SECOND": args.send_rate, "OUTBOX_LEASE_SECONDS": args.lease}
    return harness.run_scenario(TOKEN_NAME, args, env, Crash, _banner, report)


def _banner(args) -> str:
    return (
        f"crash: {args.kills} kills ({args.victim}), {args.delay_ms[0]:.0f}–"
        f"{args.delay_ms[1]:.0f} ms after the load (re)starts; {args.concurrency} phones at "
        f"once; gunicorn --workers {args.web_workers} + 2 crm workers, "
        f"{harness.store_name(args.db)}, OUTBOX_LEASE_SECONDS={args.lease}, "
        f"SEND_RATE_PER_SECOND={args.send_rate}"
    )


def report(args, crash: Crash, seconds, checks, drained, drain_seconds, findings, load) -> int:
    tally = crash.tally
    web_kills = [kill for kill in crash.kills if kill["victim"] == "web"]
    worker_kills = [kill for kill in crash.kills if kill["victim"] != "web"]
    failed = {k: v for k, v in tally.statuses.items() if k.split()[-1] != "200"}
    print(
        f"kills: {len(crash.kills)} — web {len(web_kills)} (with webhook requests in "
        f"flight: {sum(1 for k in web_kills if k['in_flight'])}, requests in flight at the "
        f"kills: {sum(k['in_flight'] for k in web_kills)}), worker {len(worker_kills)} "
        f"(holding claimed notifications: {sum(1 for k in worker_kills if k['claims_held'])}, "
        f"claims held at the kills: {sum(k['claims_held'] for k in worker_kills)})"
    )
    for kind, values in crash.restarts.items():
        if values:
            print(
                f"restart {kind}: mean {statistics.mean(values):.2f} s, "
                f"max {max(values):.2f} s until it answered / said 'worker started'"
            )
    print(
        f"drive: {seconds:.1f} s, {crash.phones_started} phones started, "
        f"{crash.phones_finished} finished; {tally.attempts} webhook attempts for "
        f"{len(tally.sids)} MessageSids; failed attempts re-sent: {dict(failed) or 0}"
    )
    print(f"webhook latency (answered attempts): {harness.latency_line(tally.latencies)}")
    print(f"5xx answers: {tally.five_xx()}")
    print(
        f"inbound: {checks['sids_sent']} messages sent (distinct MessageSids answered 200), "
        f"{checks['inbound_rows']} inbound_message rows, {checks['sids_missing']} missing, "
        f"{checks['sids_unexpected']} unexpected; {len(tally.abandoned)} given up"
    )
    print(f"replies: {len(tally.unexpected)} not the expected answer to their step")
    print(
        f"reports: {checks['reports']} created, {checks['conversations_completed']} "
        f"conversations completed, {checks['phones_with_one_report']} phones with exactly one, "
        f"{checks['phones_with_several']} with several, numbers unique: "
        f"{checks['numbers_unique']}, numbers match the replies: {checks['numbers_match']}"
    )
    print(
        f"stage changes: {checks['moves_confirmed']} made via the API {dict(tally.moves)}, "
        f"{checks['stage_change_rows']} stage_change rows, {checks['notification_rows']} "
        f"notification rows, {len(tally.move_problems)} problems"
    )
    print(
        f"notifications: {checks['notification_states']}, drained: {drained} in "
        f"{drain_seconds:.1f} s; FakeTwilio: {checks['receipts']} receipts, "
        f"{checks['receipts_missing']} notifications never received, "
        f"{checks['receipt_duplicates']} duplicate receipts (bound: {len(worker_kills)} worker "
        f"kills), {checks['receipts_unmatched']} unmatched"
    )
    print(f"logs: {findings or 'no tracebacks, ERROR lines or 5xx'}")
    print(f"load after the drive: {load}")
    for name in ("abandoned", "unexpected", "move_problems"):
        for line in getattr(tally, name)[:5]:
            print(f"  {name}: {line}")
    failures = []
    if tally.abandoned or checks["sids_missing"] or checks["sids_unexpected"]:
        failures.append("inbound messages lost")
    if checks["inbound_rows"] != checks["sids_sent"]:
        failures.append("inbound rows != messages sent")
    if tally.unexpected:
        failures.append("replies out of step (a message lost or applied twice)")
    if not (
        checks["reports"] == checks["conversations_completed"] == checks["phones_with_one_report"]
        and crash.phones_finished == crash.phones_started
        and checks["numbers_unique"]
        and checks["numbers_match"]
    ):
        failures.append("reports lost or doubled")
    if not (
        checks["moves_confirmed"] == checks["stage_change_rows"] == checks["notification_rows"]
        and not tally.move_problems
    ):
        failures.append("stage changes vs notifications")
    if not (
        drained
        and checks["notification_states"] == {"sent": checks["notification_rows"]}
        and checks["receipts_missing"] == 0
        and checks["receipts_unmatched"] == 0
        and checks["notification_keys_doubled"] == 0
    ):
        failures.append("notifications lost")
    if checks["receipt_duplicates"] > len(worker_kills):
        failures.append(
            f"{checks['receipt_duplicates']} duplicate receipts > {len(worker_kills)} worker kills"
        )
    if len(crash.kills) < args.kills:
        failures.append(f"only {len(crash.kills)} of {args.kills} kills")
    verdict = "PASS" if not failures else "FAIL: " + "; ".join(failures)
    print(f"crash verdict: {verdict}")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
