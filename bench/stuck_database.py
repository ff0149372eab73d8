"""A stuck database costs a reply, never a message (issue 19).

    python bench/stuck_database.py [--db URL] [--rate 10] [--seconds 70] [--lock-at 10]
                                   [--lock-for 50] [--phones 20] [--web-workers 2]
                                   [--flags "--timeout 10 --graceful-timeout 10"]

Starts the Procfile's web command (its gunicorn line, bound to loopback, followed by
`--flags`, the flags recommended for the Procfile) and one `crm worker`, on a fresh
PostgreSQL database, with FakeTwilio taking the notifications. Sends signed WhatsApp
messages open-loop, --rate a second for --seconds, from --phones phones (STATUS
<number> mostly, LAPORAN SAYA, MENU, PETUNJUK), while a second connection holds
`LOCK TABLE inbound_message IN ACCESS EXCLUSIVE MODE` from --lock-at for --lock-for
seconds, as the audit did. During the lock it sends signed requests to the fallback URL
(new MessageSids, as for webhooks Twilio gave up on, and a retry of two of them), and
asks /healthz every half second throughout.

Prints the latency of the webhooks (before, during and after the lock), the fallbacks
and /healthz: max, p99, and how many were answered within 15 s (Twilio's wait), 2 s and
1 s. Then, once the worker has replayed what the spool kept: every MessageSid sent is
one inbound_message row; each one answered "kept" has its reply queued once
(`reply_queued`, one delayed_reply notification, sent once to FakeTwilio) and none
answered live has. A PASS/FAIL line; exit status 1 on FAIL. Loopback only; every loop
is bounded.
"""

import argparse
import http.client
import json
import re
import shlex
import sys
import threading
import time
import urllib.parse
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness
from harness import Client, Stack
from sqlalchemy import create_engine

DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/crm_stuck"
DEFAULT_FLAGS = "--timeout 10 --graceful-timeout 10"
KEPT = "tersimpan"  # in the "message kept" text
FALLBACK = "/webhooks/whatsapp/fallback"
TWILIO_WAIT, FALLBACK_TARGET, HEALTH_TARGET = 15.0, 2.0, 1.0
WITHIN = (TWILIO_WAIT, FALLBACK_TARGET, HEALTH_TARGET)
# Webhook i is sent at (i + 0.5) / rate: the lock comes between two. Fallbacks for new
# MessageSids, seconds into the lock, most while the first webhooks still wait for it (two
# of them take both web workers by lock + 0.15 s), and a retry of two of them:
FALLBACKS_AFTER_LOCK = (0.2, 0.6, 1.0, 1.5, 10.0, 25.0, 40.0)
RETRIED = {11.0: 10.0, 41.0: 40.0}  # the fallback sent at the value, again at the key
HEALTH_EVERY, HEALTH_FROM = 0.5, 0.25  # seconds: /healthz at 0.25, 0.75, 1.25 …
OTHER_TEXTS = ("LAPORAN SAYA", "MENU", "PETUNJUK")
REPORTS = 5


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=DEFAULT_DB, help="database to create (and drop)")
    parser.add_argument("--rate", type=float, default=10.0, help="webhook messages a second")
    parser.add_argument("--seconds", type=float, default=70.0, help="how long they are sent")
    parser.add_argument("--lock-at", type=float, default=10.0)
    parser.add_argument("--lock-for", type=float, default=50.0)
    parser.add_argument("--phones", type=int, default=20)
    parser.add_argument("--web-workers", type=int, default=2, help="WEB_CONCURRENCY")
    parser.add_argument("--flags", default=DEFAULT_FLAGS, help="added to the Procfile's gunicorn")
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="e.g. DB_LOCK_TIMEOUT_MS=1000",
    )
    parser.add_argument("--settle-timeout", type=float, default=180, help="bound on the replay")
    parser.add_argument("--keep", action="store_true", help="keep the database and logs")
    parser.add_argument("--logs", type=Path, help="copy the processes' logs here")
    return parser.parse_args()


def procfile_web(port: int, workers: int, flags: str) -> tuple[list[str], dict[str, str]]:
    """The Procfile's web command, bound to loopback, `flags` added (gunicorn takes an
    option's last value), and the variables the line sets before the command."""
    line = next(
        line.split(":", 1)[1].strip()
        for line in (harness.ROOT / "Procfile").read_text().splitlines()
        if line.startswith("web:")
    )
    values = {"PORT": str(port), "WEB_CONCURRENCY": str(workers), "HOST": "127.0.0.1"}
    line = re.sub(r"\$\{(\w+):-([^}]*)\}", lambda m: values.get(m[1], m[2]), line)
    words = shlex.split(line)
    env = {}
    while "=" in words[0]:
        name, value = words.pop(0).split("=", 1)
        env[name] = value
    if words[0] != "gunicorn":
        raise SystemExit(f"the Procfile's web line is not gunicorn: {line}")
    words[0] = str(harness.BIN / "gunicorn")
    words[words.index("--bind") + 1] = f"127.0.0.1:{port}"
    return words + shlex.split(flags), env


class StuckStack(Stack):
    """harness.Stack, its web process started from the Procfile's line plus flags."""

    def __init__(self, args: argparse.Namespace, env: dict[str, str]):
        super().__init__(
            args.db, web_workers=args.web_workers, workers=1, env=env, keep_db=args.keep
        )
        self.web_command, procfile_env = procfile_web(self.port, args.web_workers, args.flags)
        self.extra_env.update(procfile_env)

    def _web_argv(self) -> list[str]:
        return self.web_command


@dataclass
class Sent:
    kind: str  # webhook, fallback, fallback retry, health
    sid: str
    at: float  # seconds since the start, as scheduled
    seconds: float = float("nan")  # from the scheduled moment to the answer
    status: int | None = None
    kept: bool = False


@dataclass
class Run:
    started: float
    lock_began: float = float("nan")
    lock_ended: float = float("nan")
    sent: list[Sent] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sent: Sent) -> None:
        with self.lock:
            self.sent.append(sent)

    def phase(self, sent: Sent) -> str:
        if sent.at < self.lock_began:
            return "before"
        return "during" if sent.at < self.lock_ended else "after"


class Driver:
    def __init__(self, args: argparse.Namespace, stack: StuckStack, numbers: list[str]):
        self.args, self.stack, self.numbers = args, stack, numbers
        self.client = Client(stack, timeout=60)
        self.run = Run(time.monotonic())
        self.stop = threading.Event()

    def drive(self) -> None:
        holder = threading.Thread(target=self.hold_lock, daemon=True)
        health = threading.Thread(target=self.ask_health, daemon=True)
        holder.start()
        health.start()
        planned = [((i + 0.5) / self.args.rate, self.webhook, i) for i in range(self._messages())]
        into_lock = [at for at in [*FALLBACKS_AFTER_LOCK, *RETRIED] if at < self.args.lock_for]
        planned += [(self.args.lock_at + at, self.fallback, at) for at in into_lock]
        planned.sort(key=lambda plan: plan[0])
        with ThreadPoolExecutor(max_workers=64) as pool:
            for at, send, item in planned:
                self._wait_until(at)
                pool.submit(send, at, item)
        self.stop.set()
        holder.join(timeout=self.args.lock_for + 30)
        health.join(timeout=10)

    def _messages(self) -> int:
        return int(self.args.rate * self.args.seconds)

    def _wait_until(self, at: float) -> None:
        delay = self.run.started + at - time.monotonic()
        if delay > 0:
            time.sleep(delay)

    def _form(self, sid: str, index: int) -> dict[str, str]:
        phone = f"+62858{index % self.args.phones:08d}"
        texts = [f"STATUS {self.numbers[index % len(self.numbers)]}"] * 3 + list(OTHER_TEXTS)
        return harness.form(sid, phone, texts[index % len(texts)])

    def webhook(self, at: float, index: int) -> None:
        sid = f"SM{index:032x}"
        answer = self.client.webhook(self._form(sid, index))
        self._record("webhook", sid, at, answer)

    def fallback(self, at: float, into_lock: float) -> None:
        original = RETRIED.get(into_lock, into_lock)
        sid = f"SM{0xFA11BAC << 64 | int(original * 10):032x}"
        form = self._form(sid, 10_000 + int(original * 10))
        answer = post_signed(self.client, FALLBACK, form)
        kind = "fallback retry" if into_lock in RETRIED else "fallback"
        self._record(kind, sid, at, answer)

    def _record(self, kind: str, sid: str, at: float, answer: harness.Answer) -> None:
        seconds = time.monotonic() - self.run.started - at
        kept = answer.status == 200 and KEPT in answer.raw
        self.run.add(Sent(kind, sid, at, seconds, answer.status, kept))

    def hold_lock(self) -> None:
        """LOCK TABLE inbound_message IN ACCESS EXCLUSIVE MODE from --lock-at for --lock-for s."""
        engine = create_engine(self.args.db)
        try:
            self._wait_until(self.args.lock_at)
            with engine.connect() as connection:
                connection.exec_driver_sql("LOCK TABLE inbound_message IN ACCESS EXCLUSIVE MODE")
                self.run.lock_began = time.monotonic() - self.run.started
                self._wait_until(self.args.lock_at + self.args.lock_for)
                connection.rollback()
                self.run.lock_ended = time.monotonic() - self.run.started
        finally:
            engine.dispose()

    def ask_health(self) -> None:
        beat = 0
        while not self.stop.is_set() and beat < (self.args.seconds + 60) / HEALTH_EVERY:
            at = HEALTH_FROM + beat * HEALTH_EVERY
            self._wait_until(at)
            answer = health(self.client)
            seconds = time.monotonic() - self.run.started - at
            self.run.add(Sent("health", "", at, seconds, answer.status))
            beat += 1


def post_signed(client: Client, path: str, form: dict[str, str]) -> harness.Answer:
    """`form` posted to `path` as Twilio does: signed for PUBLIC_BASE_URL + path."""
    signature = client.validator.compute_signature(client.public_base + path, form)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": signature,
    }
    return _request(client, "POST", path, urllib.parse.urlencode(form).encode(), headers)


def health(client: Client) -> harness.Answer:
    return _request(client, "GET", "/healthz", None, {})


def _request(client: Client, method: str, path: str, body, headers) -> harness.Answer:
    started = time.monotonic()
    connection = http.client.HTTPConnection(client.host, client.port, timeout=client.timeout)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        raw = response.read().decode("utf-8", "replace")
        return harness.Answer(response.status, [], time.monotonic() - started, raw=raw)
    except (OSError, http.client.HTTPException) as problem:
        return harness.Answer(None, [], time.monotonic() - started, error=type(problem).__name__)
    finally:
        connection.close()


def create_reports(stack: StuckStack, token: str) -> list[str]:
    client = Client(stack)
    numbers = []
    for n in range(REPORTS):
        answer = client.api(
            "POST",
            "/reports",
            token,
            {
                "channel": "JAKI",
                "category": "jalan_rusak",
                "description": f"Jalan berlubang besar nomor {n} di depan sekolah",
                "kelurahan": "Kramat",
            },
        )
        if answer.status != 201:
            raise RuntimeError(f"POST /reports: {answer.status} {answer.raw[:200]}")
        numbers.append(json.loads(answer.raw)["number"])
    return numbers


def wait_for_replay(stack: StuckStack, sids: set[str], timeout: float) -> float | None:
    """Seconds until every MessageSid sent is in inbound_message and the spool is empty;
    None if that did not happen within `timeout`."""
    started = time.monotonic()
    spool = stack.workdir / "spool"
    while time.monotonic() - started < timeout:
        stored = {row[0] for row in stack.query("SELECT message_sid FROM inbound_message")}
        waiting = [path for path in spool.glob("*.jsonl") if path.name != "set-aside.jsonl"]
        if sids <= stored and not [path for path in waiting if path.stat().st_size]:
            return time.monotonic() - started
        time.sleep(0.5)
    return None


def checks(stack: StuckStack, run: Run) -> dict:
    messages = [sent for sent in run.sent if sent.kind != "health"]
    sids = {sent.sid for sent in messages}
    kept = {sent.sid for sent in messages if sent.kept}
    rows = dict(stack.query("SELECT message_sid, reply_queued FROM inbound_message"))
    notes = stack.query(
        "SELECT state, count(*) FROM notification WHERE kind = 'delayed_reply' GROUP BY state"
    )
    receipts = [
        got
        for got in list(stack.fake.received)
        if (got.form.get("Body") or "").startswith("Mohon maaf atas keterlambatan")
    ]
    return {
        "sids_sent": len(sids),
        "inbound_rows": len(rows),
        "missing": len(sids - rows.keys()),
        "unexpected": len(rows.keys() - sids),
        "kept": len(kept),
        "kept_queued": sum(1 for sid in kept if rows.get(sid)),
        "live_queued": sum(1 for sid in sids - kept if rows.get(sid)),
        "queued": sum(1 for value in rows.values() if value),
        "delayed_replies": dict(notes),
        "receipts": len(receipts),
    }


def latency_figures(sent: list[Sent]) -> str:
    answered = sorted(s.seconds for s in sent if s.status is not None)
    if not answered:
        return f"{len(sent)} sent, none answered"
    within = ", ".join(
        f"{target:g} s: {sum(1 for seconds in answered if seconds <= target)}" for target in WITHIN
    )
    return (
        f"{len(sent)} sent; max {answered[-1]:.2f} s, p99 {harness.percentile(answered, 99):.2f} s,"
        f" p50 {harness.percentile(answered, 50):.2f} s; answered within {within};"
        f" statuses {dict(Counter(s.status for s in sent))}, kept {sum(s.kept for s in sent)}"
    )


def report(args, run: Run, replayed: float | None, found: dict, drained, findings) -> int:
    def of(kinds: tuple[str, ...], phase: str | None = None) -> list[Sent]:
        return [s for s in run.sent if s.kind in kinds and phase in (None, run.phase(s))]

    held = run.lock_ended - run.lock_began
    print(f"lock: held {held:.1f} s, from {run.lock_began:.1f} s to {run.lock_ended:.1f} s")
    for phase in ("before", "during", "after"):
        print(f"webhooks {phase} the lock: {latency_figures(of(('webhook',), phase))}")
    fallbacks = of(("fallback", "fallback retry"))
    print(f"fallbacks: {latency_figures(fallbacks)}")
    for s in sorted(fallbacks, key=lambda s: s.at):
        print(f"  {s.kind} at lock + {s.at - run.lock_began:.1f} s: {s.seconds:.2f} s, {s.status}")
    for phase in ("before", "during", "after"):
        print(f"/healthz {phase} the lock: {latency_figures(of(('health',), phase))}")
    print(
        f"replay: every MessageSid stored {replayed:.1f} s after the last was sent"
        if replayed is not None
        else "replay: NOT every MessageSid stored in time"
    )
    print(
        f"inbound: {found['sids_sent']} MessageSids sent, {found['inbound_rows']} inbound_message "
        f"rows, {found['missing']} missing, {found['unexpected']} unexpected"
    )
    print(
        f"kept: {found['kept']} answered 'kept', {found['kept_queued']} of them with reply_queued, "
        f"{found['live_queued']} answered live with reply_queued; delayed_reply notifications "
        f"{found['delayed_replies']}, drained: {drained}; FakeTwilio: {found['receipts']} received"
    )
    print(f"logs: {findings or 'no tracebacks, ERROR lines or 5xx'}")
    return verdict(found, of(("webhook",)), fallbacks, of(("health",)))


def verdict(found: dict, webhooks: list[Sent], fallbacks: list[Sent], healths: list[Sent]) -> int:
    failures = []
    if found["missing"] or found["unexpected"] or found["inbound_rows"] != found["sids_sent"]:
        failures.append("messages lost")
    if found["kept_queued"] != found["kept"] or found["live_queued"]:
        failures.append("replies not queued exactly for the kept messages")
    delayed = sum(found["delayed_replies"].values())
    if not delayed == found["queued"] == found["kept"] == found["receipts"]:
        failures.append("not one delayed reply each, sent once")
    if any(s.status != 200 or s.seconds > TWILIO_WAIT for s in webhooks):
        failures.append("a webhook not answered 200 within 15 s")
    if any(s.status != 200 or s.seconds > FALLBACK_TARGET for s in fallbacks):
        failures.append("a fallback not answered 200 within 2 s")
    if any(s.status is None or s.seconds > HEALTH_TARGET for s in healths):
        failures.append("/healthz not answered within 1 s")
    result = "PASS" if not failures else "FAIL: " + "; ".join(failures)
    print(f"stuck database verdict: {result}")
    return 0 if not failures else 1


def main() -> int:
    args = parse_args()
    harness.raise_on_sigterm()
    env = {"MESSAGES_PER_MINUTE": "100000", "REPORTS_PER_DAY": "1000"}
    env.update(setting.split("=", 1) for setting in args.env)
    stack = StuckStack(args, env)
    try:
        stack.start()
        numbers = create_reports(stack, stack.admin_token("stuck"))
        print(
            f"stuck database: {args.rate:g} messages/s for {args.seconds:g} s from {args.phones} "
            f"phones, inbound_message locked from {args.lock_at:g} s for {args.lock_for:g} s; "
            f"{harness.store_name(args.db)}; web: {shlex.join(stack.web_command[1:])}, 1 worker"
            f"{''.join(f', {setting}' for setting in args.env)}"
        )
        print(f"load before: {harness.load_line()}", flush=True)
        driver = Driver(args, stack, numbers)
        driver.drive()
        sids = {s.sid for s in driver.run.sent if s.kind != "health"}
        replayed = wait_for_replay(stack, sids, args.settle_timeout)
        drained, _ = harness.wait_for_drain(stack, timeout=args.settle_timeout)
        found = checks(stack, driver.run)
        print(f"load after: {harness.load_line()}")
        for proc in stack.procs:
            stack.stop(proc)
        return report(args, driver.run, replayed, found, drained, stack.log_findings())
    except KeyboardInterrupt:
        print("interrupted; cleaning up", file=sys.stderr)
        return 130
    finally:
        if args.logs:
            stack.keep_logs(args.logs)
        stack.close()


if __name__ == "__main__":
    sys.exit(main())
