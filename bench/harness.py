"""The stack the soak and crash scripts drive, and what they share.

A fresh PostgreSQL database (or SQLite file: `--db sqlite:////tmp/crm_soak.db`),
`FakeTwilio` (tests/fake_twilio.py) in this process, the Procfile's `release`, `web`
(gunicorn, bound to loopback) and `worker` processes, each
in a process group of its own so a kill takes the gunicorn master and its workers at
once; signed webhook posts, officer API calls, the citizens' conversation, and the
checks against the database. Every process started here is stopped by `Stack.close()`
(also on Ctrl-C and SIGTERM). Nothing here is imported by the application.
"""

import contextlib
import http.client
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "tests"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import common  # noqa: E402
from fake_twilio import FakeTwilio  # noqa: E402
from sqlalchemy import create_engine, make_url, text  # noqa: E402
from twilio.request_validator import RequestValidator  # noqa: E402

BIN = Path(sys.executable).parent
AUTH_TOKEN = "bench-loop-auth-token-0123456789ab"
ACCOUNT_SID = "AC" + "7" * 32
BOT_NUMBER = "whatsapp:+14155238886"
WEBHOOK = "/webhooks/whatsapp"
NUMBER = re.compile(r"CRM-\d{2}-\d{6,7}-\d")
NOTE_MARK = re.compile(r"bench-move (\w+)")
OWN_DATABASES = ("crm_soak", "crm_crash", "crm_stuck")  # names these scripts may drop, recreate


def load_line() -> str:
    out = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    return out or "load average: {:.2f}, {:.2f}, {:.2f}".format(*os.getloadavg())


def percentile(sorted_values: list[float], percent: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * percent // 100))
    return sorted_values[min(int(rank), len(sorted_values)) - 1]


def latency_line(latencies: list[float]) -> str:
    values = sorted(latencies)
    if not values:
        return "no requests"
    return "p50 {:.1f} ms, p90 {:.1f} ms, p99 {:.1f} ms, max {:.1f} ms ({} requests)".format(
        *(1000 * percentile(values, p) for p in (50, 90, 99)), 1000 * values[-1], len(values)
    )


class Interrupted(Exception):
    pass


def raise_on_sigterm() -> None:
    """SIGTERM ends the run like Ctrl-C does: through every `finally`."""

    def handler(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, handler)


# --- the database -------------------------------------------------------------------


def admin_engine(url: str):
    return create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def create_database(url: str) -> None:
    name = make_url(url).database
    if url.startswith("sqlite"):
        _refuse_unless_ours(Path(name).name, exists=Path(name).exists())
        common.remove_store(url)
        return
    engine = admin_engine(url)
    try:
        with engine.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).scalar()
            if exists:
                _refuse_unless_ours(name, exists=True)
                connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()


def store_name(url: str) -> str:
    kind = "SQLite" if url.startswith("sqlite") else "PostgreSQL"
    return f"{kind} {url.rsplit('/', 1)[-1]}"


def _refuse_unless_ours(name: str, *, exists: bool) -> None:
    if exists and not name.startswith(OWN_DATABASES):
        raise SystemExit(f"database {name} exists and is not ours; pick another --db")


def drop_database(url: str) -> None:
    if url.startswith("sqlite"):
        common.remove_store(url)
        return
    engine = admin_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(
                text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
            )
    finally:
        engine.dispose()


# --- processes ----------------------------------------------------------------------


@dataclass
class Proc:
    name: str
    argv: list[str]
    log: Path
    popen: subprocess.Popen | None = None
    starts: int = 0

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def log_size(self) -> int:
        return self.log.stat().st_size if self.log.exists() else 0


class Stack:
    """FakeTwilio, the database, web (gunicorn) and the workers; `close()` ends all."""

    def __init__(
        self,
        db_url: str,
        *,
        web_workers: int,
        workers: int,
        env: dict[str, str],
        keep_db: bool = False,
    ):
        self.db_url = db_url
        self.keep_db = keep_db
        self.workdir = Path(tempfile.mkdtemp(prefix="crm-loop-"))
        self.fake: FakeTwilio | None = None
        self.procs: list[Proc] = []
        self.db_created = False
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.public_base = self.base
        self.extra_env = env
        self.web_workers = web_workers
        self.worker_count = workers
        self.web: Proc | None = None
        self.workers: list[Proc] = []
        self._engine = None

    # the environment the Procfile's processes get
    def env(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("TWILIO_", "CRM_", "DATABASE_URL", "PUBLIC_BASE_URL"))
        }
        env.update(
            DATABASE_URL=self.db_url,
            CRM_ENV="test",
            SECRET_KEY="bench-secret-key-for-links-to-photos-0123456789",
            CRM_INSTANCE_PATH=str(self.workdir / "instance"),
            SPOOL_DIR=str(self.workdir / "spool"),
            TWILIO_AUTH_TOKEN=AUTH_TOKEN,
            TWILIO_ACCOUNT_SID=ACCOUNT_SID,
            TWILIO_WHATSAPP_FROM=BOT_NUMBER,
            TWILIO_API_BASE_URL=self.fake.url if self.fake else "",
            PUBLIC_BASE_URL=self.public_base,
            PORT=str(self.port),
            WEB_CONCURRENCY=str(self.web_workers),
            PYTHONUNBUFFERED="1",
            PYTHONPATH=str(ROOT),
        )
        env.update(self.extra_env)
        return env

    def start(self) -> None:
        self.fake = FakeTwilio(ACCOUNT_SID, AUTH_TOKEN).start()
        import logging

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # FakeTwilio's request log
        create_database(self.db_url)
        self.db_created = True
        self.flask(["crm", "db", "upgrade"])  # the Procfile's release step
        self.web = Proc("web", self._web_argv(), self.workdir / "web.log")
        self.procs.append(self.web)
        for n in range(1, self.worker_count + 1):
            worker = Proc(
                f"worker{n}",
                [str(BIN / "flask"), "--app", "bot", "crm", "worker"],
                self.workdir / f"worker{n}.log",
            )
            self.workers.append(worker)
            self.procs.append(worker)
        self.start_web()
        for worker in self.workers:
            self.start_worker(worker)

    def _web_argv(self) -> list[str]:
        """The Procfile's web line, bound to loopback only."""
        line = next(
            line.split(":", 1)[1].strip()
            for line in (ROOT / "Procfile").read_text().splitlines()
            if line.startswith("web:")
        )
        if not line.startswith("CRM_SURFACE=web gunicorn ") or '"bot:create_app()"' not in line:
            raise SystemExit(f"the Procfile's web line changed: {line}")
        return [
            str(BIN / "gunicorn"),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.web_workers),
            "--access-logfile",
            "-",
            "bot:create_app()",
        ]

    def flask(self, args: list[str]) -> str:
        done = subprocess.run(
            [str(BIN / "flask"), "--app", "bot", *args],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode:
            raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def admin_token(self, name: str) -> str:
        return self.flask(["crm", "token", "create", "--role", "admin", "--name", name]).split()[-1]

    def _spawn(self, proc: Proc) -> None:
        with proc.log.open("ab") as output:
            output.write(f"\n=== start {proc.starts + 1} at {time.time():.3f}\n".encode())
            output.flush()
            proc.popen = subprocess.Popen(
                proc.argv,
                cwd=ROOT,
                env=self.env(),
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: killpg reaches its children
            )
        proc.starts += 1

    def start_web(self, timeout: float = 60.0) -> float:
        started = time.monotonic()
        self._spawn(self.web)
        self.wait_http("/healthz", timeout)
        return time.monotonic() - started

    def start_worker(self, worker: Proc, timeout: float = 60.0) -> float:
        started = time.monotonic()
        offset = worker.log_size()
        self._spawn(worker)
        deadline = started + timeout
        while time.monotonic() < deadline:
            if worker.popen.poll() is not None:
                raise RuntimeError(f"{worker.name} exited: {tail(worker.log)}")
            with worker.log.open("rb") as log:
                log.seek(offset)
                if b"worker started" in log.read():
                    return time.monotonic() - started
            time.sleep(0.05)
        raise RuntimeError(f"{worker.name} did not start in {timeout:.0f} s: {tail(worker.log)}")

    def wait_http(self, path: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.web.popen.poll() is not None:
                raise RuntimeError(f"web exited: {tail(self.web.log)}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                try:
                    connection.request("GET", path)
                    if connection.getresponse().status == 200:
                        return
                finally:
                    connection.close()
            time.sleep(0.05)
        raise RuntimeError(f"web did not answer {path} in {timeout:.0f} s: {tail(self.web.log)}")

    @staticmethod
    def kill(proc: Proc) -> None:
        """SIGKILL the process group (gunicorn: the master and all its workers)."""
        if proc.popen is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.popen.pid, signal.SIGKILL)
        proc.popen.wait()

    @staticmethod
    def stop(proc: Proc, timeout: float = 20.0) -> None:
        if proc.popen is None or proc.popen.poll() is not None:
            # the group may still hold children of a dead leader
            if proc.popen is not None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.popen.pid, signal.SIGKILL)
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.popen.pid, signal.SIGTERM)
        try:
            proc.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            Stack.kill(proc)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.popen.pid, signal.SIGKILL)  # stragglers of the group

    def engine(self):
        if self._engine is None:
            self._engine = create_engine(self.db_url, pool_size=2, max_overflow=2)
        return self._engine

    def query(self, sql: str, **params):
        with self.engine().connect() as connection:
            return connection.execute(text(sql), params).all()

    def scalar(self, sql: str, **params):
        with self.engine().connect() as connection:
            return connection.execute(text(sql), params).scalar()

    def log_findings(self) -> dict[str, int]:
        """Tracebacks, ERROR lines, 5xx in the access log, late sends, over all logs."""
        found = Counter()
        for proc in self.procs:
            if not proc.log.exists():
                continue
            for line in proc.log.read_text(errors="replace").splitlines():
                if line.startswith("Traceback"):
                    found[f"{proc.name[:6]} tracebacks"] += 1
                if " ERROR " in line or "[ERROR]" in line:
                    found[f"{proc.name[:6]} ERROR lines"] += 1
                if "sent after its lease ran out" in line:
                    found["late sends (lease ran out)"] += 1
                if proc is self.web and re.search(r'" 5\d\d ', line):
                    found["web access-log 5xx"] += 1
        return dict(found)

    def close(self) -> None:
        for proc in self.procs:
            with contextlib.suppress(Exception):
                self.stop(proc)
        if self.fake is not None:
            with contextlib.suppress(Exception):
                self.fake.stop()
        if self._engine is not None:
            self._engine.dispose()
        if self.db_created and not self.keep_db:
            with contextlib.suppress(Exception):
                drop_database(self.db_url)
        if not self.keep_db:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def keep_logs(self, target: Path) -> None:
        target.mkdir(parents=True, exist_ok=True)
        for proc in self.procs:
            if proc.log.exists():
                shutil.copy(proc.log, target / proc.log.name)


def tail(path: Path, chars: int = 3000) -> str:
    return path.read_text(errors="replace")[-chars:] if path.exists() else "(no log)"


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- HTTP ---------------------------------------------------------------------------


@dataclass
class Answer:
    status: int | None  # None: the connection failed (refused, reset, timed out)
    messages: list[str]
    seconds: float
    error: str = ""
    raw: str = ""


class Client:
    """Signed webhook posts and officer API calls, one connection per request (gunicorn's
    sync workers close each one anyway)."""

    def __init__(self, stack: Stack, *, timeout: float = 30.0):
        self.host, self.port = "127.0.0.1", stack.port
        self.public_base = stack.public_base
        self.validator = RequestValidator(AUTH_TOKEN)
        self.timeout = timeout

    def _request(self, method: str, path: str, body: bytes | None, headers: dict) -> Answer:
        started = time.monotonic()
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            raw = response.read().decode("utf-8", "replace")
            return Answer(response.status, [], time.monotonic() - started, raw=raw)
        except (OSError, http.client.HTTPException) as problem:
            return Answer(None, [], time.monotonic() - started, error=type(problem).__name__)
        finally:
            connection.close()

    def webhook(self, form: dict[str, str]) -> Answer:
        signature = self.validator.compute_signature(self.public_base + WEBHOOK, form)
        answer = self._request(
            "POST",
            WEBHOOK,
            urllib.parse.urlencode(form).encode(),
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": signature,
            },
        )
        if answer.status == 200:
            try:
                answer.messages = [m.text or "" for m in ET.fromstring(answer.raw).iter("Message")]
            except ET.ParseError:
                answer.error = "not TwiML"
        return answer

    def api(self, method: str, path: str, token: str, payload: dict | None = None) -> Answer:
        headers = {"Authorization": f"Bearer {token}"}
        body = None
        if payload is not None:
            body = json.dumps(payload).encode()
            headers["Content-Type"] = "application/json"
        return self._request(method, "/api/v1" + path, body, headers)


def form(sid: str, phone: str, body: str) -> dict[str, str]:
    return {
        "MessageSid": sid,
        "SmsMessageSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": f"whatsapp:{phone}",
        "To": BOT_NUMBER,
        "Body": body,
        "NumMedia": "0",
        "ProfileName": "Warga Bench",
    }


# --- the citizens' conversation -------------------------------------------------------


def _kelurahan_names() -> list[str]:
    """The names the conversation takes at once: not those of a kecamatan too
    ("Jatinegara"), for which it lists that kecamatan's kelurahan to choose from."""
    from store.places import all_kelurahan, match_kelurahan

    names = {kel.name for kel in all_kelurahan()}
    return sorted(name for name in names if match_kelurahan(name).chosen is not None)


KELURAHAN = _kelurahan_names()
CATEGORY_CHOICES = ("1", "2", "3", "4", "5", "6", "7", "8", "9")
EXTRA_TEXTS = (("LAPORAN SAYA", "{number}"), ("PETUNJUK", "Petunjuk layanan"), ("MENU", "Halo"))


def phone_of(index: int) -> str:
    return f"+62857{index:08d}"


def conversation(index: int) -> list[tuple[str, str]]:
    """(text, what the reply must contain) for one phone: a full report, the status of
    its number twice (STATUS <number>, then the number alone) and one other text.
    `{number}` is filled in with the number the YA reply gave."""
    return [
        ("LAPOR", "kategori"),
        (CATEGORY_CHOICES[index % len(CATEGORY_CHOICES)], "jelaskan masalahnya"),
        (f"Jalan berlubang besar di depan rumah nomor {index}, sudah seminggu", "lokasinya"),
        (f"Jl. Bench Raya No. {index}, depan warung", "kelurahan"),
        (KELURAHAN[index % len(KELURAHAN)], "Kirim foto"),
        ("LEWATI", "Mohon periksa laporan"),
        ("YA", "laporan Anda sudah kami terima"),
        ("STATUS {number}", "{number}"),
        ("{number}", "{number}"),
        EXTRA_TEXTS[index % len(EXTRA_TEXTS)],
    ]


CONFIRM_STEP = 6  # the index of "YA", whose reply carries the report number


@dataclass
class Tally:
    """What the drivers saw, under one lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter = field(default_factory=Counter)  # 200, 503, "conn:<error>" …
    latencies: list[float] = field(default_factory=list)
    api_latencies: list[float] = field(default_factory=list)
    sids: set[str] = field(default_factory=set)  # distinct MessageSids answered 200
    attempts: int = 0
    unexpected: list[str] = field(default_factory=list)
    replay_mismatch: list[str] = field(default_factory=list)
    replays: Counter = field(default_factory=Counter)
    numbers: dict[str, str] = field(default_factory=dict)  # phone -> number from the YA reply
    moves: Counter = field(default_factory=Counter)  # stage -> confirmed moves
    move_problems: list[str] = field(default_factory=list)
    abandoned: list[str] = field(default_factory=list)
    in_flight: int = 0

    def record(self, answer: Answer, *, api: bool = False) -> None:
        with self.lock:
            key = answer.status if answer.status is not None else f"conn:{answer.error}"
            self.statuses[("api " if api else "") + str(key)] += 1
            if answer.status is not None:
                (self.api_latencies if api else self.latencies).append(answer.seconds)

    def add(self, name: str, item: str) -> None:
        with self.lock:
            getattr(self, name).append(item)

    def five_xx(self) -> int:
        return sum(count for key, count in self.statuses.items() if key.split()[-1].startswith("5"))


def expected_in(reply: list[str], expect: str) -> bool:
    return expect.lower() in "\n".join(reply).lower()


def move_report(
    client: Client,
    token: str,
    number: str,
    stage: str,
    tally: Tally,
    *,
    deadline: float,
    stop: threading.Event,
) -> bool:
    """Move `number` to `stage` once: a request whose answer was lost (connection cut)
    is checked with GET before it is sent again, and a 409 whose report already stands
    at `stage` counts as done (the lost answer had committed)."""
    delay = 0.05
    while time.monotonic() < deadline and not stop.is_set():
        answer = client.api(
            "POST",
            f"/reports/{number}/transitions",
            token,
            {"to": stage, "note": f"bench-move {stage}"},
        )
        tally.record(answer, api=True)
        if answer.status == 200:
            with tally.lock:
                tally.moves[stage] += 1
            return True
        if answer.status is None or answer.status >= 500 or answer.status == 409:
            now_at = current_stage(client, token, number, tally, deadline=deadline, stop=stop)
            if now_at == stage:
                with tally.lock:
                    tally.moves[stage] += 1
                    tally.moves["confirmed by GET after a lost answer"] += 1
                return True
            if answer.status == 409:
                tally.add("move_problems", f"{number} -> {stage}: 409 at {now_at}")
                return False
        else:
            tally.add("move_problems", f"{number} -> {stage}: {answer.status} {answer.raw[:200]}")
            return False
        time.sleep(delay)
        delay = min(delay * 2, 1.0)
    tally.add("move_problems", f"{number} -> {stage}: gave up")
    return False


def current_stage(
    client: Client,
    token: str,
    number: str,
    tally: Tally,
    *,
    deadline: float,
    stop: threading.Event,
) -> str | None:
    delay = 0.05
    while time.monotonic() < deadline and not stop.is_set():
        answer = client.api("GET", f"/reports/{number}", token)
        tally.record(answer, api=True)
        if answer.status == 200:
            return json.loads(answer.raw)["stage"]
        time.sleep(delay)
        delay = min(delay * 2, 1.0)
    return None


def receipts_by_notification(fake: FakeTwilio) -> tuple[Counter, list[str]]:
    """FakeTwilio's receipts keyed (to, number, stage) by the body (or a template's
    variables); the rest (no number or no bench note) listed as strays."""
    keys: Counter = Counter()
    strays: list[str] = []
    for got in list(fake.received):
        text_ = got.form.get("Body") or got.form.get("ContentVariables") or ""
        number, mark = NUMBER.search(text_), NOTE_MARK.search(text_)
        if number and mark:
            keys[(got.form.get("To"), number.group(0), mark.group(1))] += 1
        else:
            strays.append(text_[:120])
    return keys, strays


def notification_keys(stack: Stack) -> tuple[Counter, Counter]:
    """The outbox rows as (to, number, stage) keys, and the rows by state."""
    rows = stack.query(
        "SELECT n.payload, n.state, c.sender_key FROM notification n "
        "JOIN contact c ON c.id = n.contact_id"
    )
    keys: Counter = Counter()
    states: Counter = Counter()
    for payload, state, sender_key in rows:
        payload = payload if isinstance(payload, dict) else json.loads(payload)
        to = sender_key if sender_key.startswith("whatsapp:") else f"whatsapp:{sender_key}"
        keys[(to, payload.get("number"), payload.get("stage"))] += 1
        states[state] += 1
    return keys, states


def wait_for_drain(stack: Stack, *, timeout: float, settle: float = 2.0) -> tuple[bool, float]:
    """Until no notification is pending and FakeTwilio's count has stood still for
    `settle` seconds (bounded by `timeout`)."""
    started = time.monotonic()
    deadline = started + timeout
    last_count, still_since = -1, time.monotonic()
    while time.monotonic() < deadline:
        pending = stack.scalar("SELECT count(*) FROM notification WHERE state = 'pending'")
        count = len(stack.fake.received)
        if count != last_count:
            last_count, still_since = count, time.monotonic()
        if pending == 0 and time.monotonic() - still_since >= settle:
            return True, time.monotonic() - started
        time.sleep(0.25)
    return False, time.monotonic() - started


def store_checks(stack: Stack, tally: Tally, token_name: str) -> dict:
    """What the store holds, compared with what the drivers saw."""
    sids_db = {row[0] for row in stack.query("SELECT message_sid FROM inbound_message")}
    reports = stack.query("SELECT number, reporter_phone FROM report")
    per_phone = Counter(phone for _, phone in reports)
    numbers_db = Counter(number for number, _ in reports)
    given = tally.numbers
    changes = stack.scalar(
        "SELECT count(*) FROM stage_change WHERE actor_id = :name", name=token_name
    )
    keys, states = notification_keys(stack)
    receipts, strays = receipts_by_notification(stack.fake)
    duplicates = sum(count - 1 for count in receipts.values() if count > 1)
    return {
        "sids_sent": len(tally.sids),
        "inbound_rows": len(sids_db),
        "sids_missing": len(tally.sids - sids_db),
        "sids_unexpected": len(sids_db - tally.sids),
        "reports": len(reports),
        "numbers_unique": len(numbers_db) == len(reports)
        and len(set(given.values())) == len(given),
        "numbers_match": set(given.values()) == set(numbers_db)
        and all(per_phone.get(phone) == 1 for phone in given),
        "phones_with_one_report": sum(1 for phone in given if per_phone.get(phone) == 1),
        "phones_with_several": sum(1 for count in per_phone.values() if count > 1),
        "conversations_completed": len(given),
        "moves_confirmed": sum(v for k, v in tally.moves.items() if not k.startswith("confirmed")),
        "stage_change_rows": changes,
        "notification_rows": sum(keys.values()),
        "notification_states": dict(states),
        "notification_keys_doubled": sum(1 for count in keys.values() if count > 1),
        "receipts": sum(receipts.values()),
        "receipts_missing": sum(1 for key in keys if key not in receipts),
        "receipt_duplicates": duplicates,
        "receipts_unmatched": sum(1 for key in receipts if key not in keys) + len(strays),
    }


def rng_for(seed: int, *parts: int) -> random.Random:
    return random.Random(hash((seed, *parts)))


def run_scenario(name: str, args, env: dict[str, str], make, banner, report) -> int:
    """The shared life of a soak or crash run: start the Procfile's stack on a fresh
    database, drive it with `make(args, stack, token)`'s `run()`, let the outbox drain,
    check the store, stop everything and hand the figures to `report`; clean up always."""
    raise_on_sigterm()
    load_before = load_line()
    full_env = {"MESSAGES_PER_MINUTE": "100000", "REPORTS_PER_DAY": "1000", **env}
    stack = Stack(args.db, web_workers=args.web_workers, workers=2, env=full_env, keep_db=args.keep)
    scenario = None
    try:
        stack.start()
        token_name = name
        scenario = make(args, stack, stack.admin_token(token_name))
        print(banner(args), flush=True)
        print(f"load before: {load_before}", flush=True)
        seconds = scenario.run()
        load_after_drive = load_line()
        drained, drain_seconds = wait_for_drain(stack, timeout=args.drain_timeout)
        checks = store_checks(stack, scenario.tally, token_name)
        for proc in stack.procs:
            stack.stop(proc)
        findings = stack.log_findings()
        return report(
            args, scenario, seconds, checks, drained, drain_seconds, findings, load_after_drive
        )
    except KeyboardInterrupt:
        print("interrupted; cleaning up", file=sys.stderr)
        if scenario is not None:
            scenario.stop.set()
        return 130
    except Exception as problem:  # the stack itself failed: say so, then clean up
        print(f"{name} verdict: FAIL: {type(problem).__name__}: {problem}")
        raise
    finally:
        if args.logs:
            stack.keep_logs(args.logs)
        stack.close()
