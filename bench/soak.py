"""A bounded soak on loopback (issue 6, "Load").

    /tmp/probe/bin/python bench/soak.py [--db URL] [--phones 1000] [--concurrency 32]

Each phone sends 10 messages, strictly in order: a whole report conversation (LAPOR,
category, description, address, kelurahan, LEWATI, YA), STATUS <its number>, the number
alone, and one of LAPORAN SAYA / PETUNJUK / MENU. About 5 % of the MessageSids are sent
again, as Twilio may: right after the first answer, at the same time as the first
request, or after the phone's later messages; the replay must get the same reply. An
officer moves about 30 % of the reports through koordinasi and disposisi by the API,
so notifications flow through two `crm worker` processes and the real `twilio` client
to FakeTwilio. The web is the Procfile's gunicorn with --workers 3, on PostgreSQL (or
SQLite: --db sqlite:////tmp/crm_soak.db).

Checks: zero 5xx, every MessageSid sent is one inbound_message row, every reply as
expected, one report per phone with a unique number, one notification per move, each
reaching `sent` and received by FakeTwilio exactly once. Prints throughput and latency
percentiles, the load, and a PASS/FAIL line (exit status 1 on FAIL).
"""

import argparse
import queue
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness
from harness import Client, Stack, Tally, expected_in

DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/crm_soak"
TOKEN_NAME = "soak"
STAGES = ("koordinasi", "disposisi")
REPLAY_MODES = ("after", "concurrent", "late")
REPLAY_WEIGHTS = (0.6, 0.2, 0.2)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=DEFAULT_DB, help="database to create (and drop)")
    parser.add_argument("--phones", type=int, default=1000, help="10 messages each")
    parser.add_argument("--concurrency", type=int, default=32, help="phones at once")
    parser.add_argument("--replay-share", type=float, default=0.05)
    parser.add_argument("--move-share", type=float, default=0.30)
    parser.add_argument("--officers", type=int, default=2, help="officer API threads")
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--send-rate", default="1000", help="SEND_RATE_PER_SECOND")
    parser.add_argument("--max-seconds", type=float, default=1800, help="bound on the drive")
    parser.add_argument("--drain-timeout", type=float, default=300)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--keep", action="store_true", help="keep the database and logs")
    parser.add_argument("--logs", type=Path, help="copy the processes' logs here")
    return parser.parse_args()


class Soak:
    def __init__(self, args: argparse.Namespace, stack: Stack, token: str):
        self.args = args
        self.stack = stack
        self.client = Client(stack)
        self.token = token
        self.tally = Tally()
        self.stop = threading.Event()
        self.to_move: queue.Queue[str] = queue.Queue()
        self.drivers_done = threading.Event()
        self.deadline = time.monotonic() + args.max_seconds
        self.run_tag = int(time.time()) & 0xFFFFFFFF

    def send(self, sid: str, phone: str, body: str) -> harness.Answer:
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
        return answer

    def phone(self, index: int) -> None:
        rng = harness.rng_for(self.args.seed, index)
        phone = harness.phone_of(index)
        number = "?"
        late: list[tuple[str, str, list[str]]] = []
        for step, (template, expect_template) in enumerate(harness.conversation(index)):
            if self.stop.is_set() or time.monotonic() > self.deadline:
                return
            body, expect = template.format(number=number), expect_template.format(number=number)
            sid = f"SM{self.run_tag:08x}{index:012x}{step:012x}"
            mode = None
            if rng.random() < self.args.replay_share:
                mode = rng.choices(REPLAY_MODES, REPLAY_WEIGHTS)[0]
            if mode == "concurrent":
                answers: list[harness.Answer] = [None, None]

                def twin(slot: int, sid=sid, body=body, answers=answers) -> None:
                    answers[slot] = self.send(sid, phone, body)

                threads = [threading.Thread(target=twin, args=(slot,)) for slot in (0, 1)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                answer = answers[0]
                self._compare(sid, "concurrent", answers[0], answers[1])
            else:
                answer = self.send(sid, phone, body)
            if answer.status != 200 or not expected_in(answer.messages, expect):
                self.tally.add(
                    "unexpected",
                    f"{phone} step {step} {body!r}: {answer.status} {answer.error} "
                    f"{' | '.join(answer.messages)[:200]!r} (wanted {expect!r})",
                )
            if mode == "after":
                self._compare(sid, "after", answer, self.send(sid, phone, body))
            elif mode == "late":
                late.append((sid, body, answer))
            if step == harness.CONFIRM_STEP:
                found = harness.NUMBER.search("\n".join(answer.messages))
                if found:
                    number = found.group(0)
                    with self.tally.lock:
                        self.tally.numbers[phone] = number
                    if rng.random() < self.args.move_share:
                        self.to_move.put(number)
        for sid, body, first in late:
            self._compare(sid, "late", first, self.send(sid, phone, body))

    def _compare(self, sid: str, mode: str, first: harness.Answer, again: harness.Answer) -> None:
        with self.tally.lock:
            self.tally.replays[mode] += 1
        if first.status != 200 or again.status != 200 or first.messages != again.messages:
            self.tally.add(
                "replay_mismatch",
                f"{sid} ({mode}): {first.status} {first.messages!r:.120} / "
                f"{again.status} {again.messages!r:.120}",
            )

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

    def run(self) -> float:
        started = time.monotonic()
        officers = [threading.Thread(target=self.officer) for _ in range(self.args.officers)]
        for thread in officers:
            thread.start()
        pool = ThreadPoolExecutor(max_workers=self.args.concurrency)
        try:
            futures = [pool.submit(self.phone, index) for index in range(self.args.phones)]
            pending = set(futures)
            while pending:
                _, pending = wait(pending, timeout=1.0)
                if time.monotonic() > self.deadline + 60:
                    raise RuntimeError("the drive outlived --max-seconds")
            for future in futures:
                future.result()
        except BaseException:
            self.stop.set()
            raise
        finally:
            self.drivers_done.set()
            pool.shutdown(wait=True, cancel_futures=True)
            for thread in officers:
                thread.join()
        return time.monotonic() - started


def main() -> int:
    args = parse_args()
    return harness.run_scenario(
        TOKEN_NAME, args, {"SEND_RATE_PER_SECOND": args.send_rate}, Soak, _banner, report
    )


def _banner(args) -> str:
    return (
        f"soak: {args.phones} phones x 10 messages, {args.concurrency} at once, "
        f"gunicorn --workers {args.web_workers} + 2 crm workers, "
        f"{harness.store_name(args.db)}, SEND_RATE_PER_SECOND={args.send_rate}"
    )


def report(args, soak: Soak, seconds, checks, drained, drain_seconds, findings, load) -> int:
    tally = soak.tally
    requests = sum(v for k, v in tally.statuses.items() if not k.startswith("api"))
    expected_sids = args.phones * 10
    print(
        f"drive: {seconds:.1f} s, {requests} webhook requests ({len(tally.sids)} distinct "
        f"MessageSids + {sum(tally.replays.values())} replays "
        f"{dict(tally.replays)}), {requests / seconds:.1f} requests/s, "
        f"{len(tally.sids) / seconds:.1f} messages/s"
    )
    print(f"webhook latency: {harness.latency_line(tally.latencies)}")
    print(f"officer API latency: {harness.latency_line(tally.api_latencies)}")
    print(f"HTTP statuses: {dict(sorted(tally.statuses.items()))}")
    print(f"5xx: {tally.five_xx()}")
    print(
        f"inbound: {checks['sids_sent']} MessageSids answered 200 (of {expected_sids}), "
        f"{checks['inbound_rows']} inbound_message rows, {checks['sids_missing']} missing, "
        f"{checks['sids_unexpected']} unexpected"
    )
    print(
        f"replies: {len(tally.unexpected)} unexpected, replays with a different reply: "
        f"{len(tally.replay_mismatch)}"
    )
    print(
        f"reports: {checks['reports']} rows, {checks['conversations_completed']} conversations "
        f"completed, {checks['phones_with_one_report']} phones with exactly one, "
        f"{checks['phones_with_several']} with several, numbers unique: "
        f"{checks['numbers_unique']}, numbers match the replies: {checks['numbers_match']}"
    )
    print(
        f"moves: {checks['moves_confirmed']} via the API {dict(tally.moves)}, "
        f"{checks['stage_change_rows']} stage_change rows, {len(tally.move_problems)} problems"
    )
    print(
        f"notifications: {checks['notification_rows']} rows {checks['notification_states']}, "
        f"drained: {drained} in {drain_seconds:.1f} s; FakeTwilio: {checks['receipts']} "
        f"receipts, {checks['receipts_missing']} notifications never received, "
        f"{checks['receipt_duplicates']} duplicates, {checks['receipts_unmatched']} unmatched"
    )
    print(f"logs: {findings or 'no tracebacks, ERROR lines or 5xx'}")
    print(f"load after the drive: {load}")
    for name in ("unexpected", "replay_mismatch", "move_problems"):
        for line in getattr(tally, name)[:5]:
            print(f"  {name}: {line}")
    failures = []
    if tally.five_xx() or any(k.split()[-1].startswith("conn:") for k in tally.statuses):
        failures.append("5xx or connection errors")
    if not (
        checks["sids_sent"] == expected_sids == checks["inbound_rows"]
        and checks["sids_missing"] == 0
        and checks["sids_unexpected"] == 0
    ):
        failures.append("inbound messages lost or not answered")
    if tally.unexpected or tally.replay_mismatch:
        failures.append("unexpected replies")
    if not (
        checks["reports"] == args.phones == checks["phones_with_one_report"]
        and checks["numbers_unique"]
        and checks["numbers_match"]
    ):
        failures.append("reports")
    if not (
        checks["moves_confirmed"] == checks["stage_change_rows"] == checks["notification_rows"]
        and not tally.move_problems
    ):
        failures.append("moves vs notifications")
    if not (
        drained
        and checks["notification_states"] == {"sent": checks["notification_rows"]}
        and checks["receipts_missing"] == 0
        and checks["receipt_duplicates"] == 0
        and checks["receipts_unmatched"] == 0
        and checks["notification_keys_doubled"] == 0
    ):
        failures.append("notifications not sent exactly once")
    verdict = "PASS" if not failures else "FAIL: " + "; ".join(failures)
    print(f"soak verdict: {verdict}")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
