"""Shared helpers of the benchmark scripts: databases holding a generated history,
the app's environment, subprocesses, free ports, load and percentiles.

Nothing here is imported by the application; generated databases live under /tmp.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BIN = Path(sys.executable).parent
FLASK = str(BIN / "flask")
GUNICORN = str(BIN / "gunicorn")
AUTH_TOKEN = "bench-auth-token-0123456789abcdef"
INSTANCE = "/tmp/crm-bench-instance"
TABLE_1_TOTAL = 953_623
SQLITE_1M = "sqlite:////tmp/crm-bench-1m.db"
SQLITE_100K = "sqlite:////tmp/crm-bench-100k.db"
POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def app_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment the Procfile's processes get, pointed at `database_url`."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CRM_ENV": "test",
        "SECRET_KEY": "bench-secret-key-for-links-to-photos-0123456789",
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "CRM_INSTANCE_PATH": INSTANCE,
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": str(ROOT),  # this tree, also when it is a snapshot outside /work/main
    }
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_WHATSAPP_FROM", "TWILIO_API_BASE_URL"):
        env.pop(name, None)
    env.update(extra)
    return env


def flask(args: list[str], database_url: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [FLASK, "--app", "bot", *args],
        cwd=ROOT,
        env=app_env(database_url),
        check=True,
        capture_output=True,
        text=True,
        **kwargs,
    )


def is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


def database_name(url: str) -> str:
    from sqlalchemy import make_url

    return make_url(url).database


def _admin_engine(url: str):
    from sqlalchemy import create_engine, make_url

    server = make_url(url).set(database="postgres")
    return create_engine(server, isolation_level="AUTOCOMMIT")


def postgres_database_exists(url: str) -> bool:
    from sqlalchemy import text

    engine = _admin_engine(url)
    try:
        with engine.connect() as connection:
            return bool(
                connection.execute(
                    text("SELECT 1 FROM pg_database WHERE datname = :name"),
                    {"name": database_name(url)},
                ).scalar()
            )
    finally:
        engine.dispose()


def create_postgres_database(url: str, *, template: str | None = None) -> None:
    from sqlalchemy import text

    engine = _admin_engine(url)
    clause = f' TEMPLATE "{template}"' if template else ""
    try:
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{database_name(url)}"{clause}'))
    finally:
        engine.dispose()


def drop_postgres_database(url: str) -> None:
    from sqlalchemy import text

    engine = _admin_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database_name(url)}" WITH (FORCE)'))
    finally:
        engine.dispose()


def sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def count_reports(url: str) -> int | None:
    """Reports in the store, or None when there is no migrated store there."""
    from sqlalchemy import text

    from store.db import make_engine

    if is_postgres(url):
        if not postgres_database_exists(url):
            return None
    elif not sqlite_path(url).exists():
        return None
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM report")).scalar()
    except Exception:
        return None
    finally:
        engine.dispose()


def ensure_history(url: str, reports: int | None = None) -> str:
    """A store at `url` holding the generated history (`reports` None: Table 1),
    generated once (`crm db upgrade` + `crm generate`) and reused afterwards."""
    expected = TABLE_1_TOTAL if reports is None else None
    present = count_reports(url)
    if is_postgres(url) and not postgres_database_exists(url):
        create_postgres_database(url)
    flask(["crm", "db", "upgrade"], url)  # the working tree may have added migrations
    if present is not None and present > 0:
        if expected is not None and present < expected:
            raise SystemExit(f"{url} holds {present:,} reports, not the full history; drop it")
        return f"reused ({present:,} reports)"
    started = time.monotonic()
    args = ["--table1"] if reports is None else ["--reports", str(reports)]
    done = flask(["crm", "generate", *args], url)
    return f"generated in {time.monotonic() - started:.0f} s: {done.stdout.strip()}"


def copy_store(source: str, target: str) -> None:
    """A fresh copy of a store (file copy on SQLite, TEMPLATE on PostgreSQL)."""
    if is_postgres(source):
        drop_postgres_database(target)
        create_postgres_database(target, template=database_name(source))
        return
    import sqlite3

    path = sqlite_path(target)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    with sqlite3.connect(sqlite_path(source)) as src, sqlite3.connect(path) as dst:
        src.backup(dst)


def remove_store(url: str) -> None:
    if is_postgres(url):
        drop_postgres_database(url)
        return
    path = sqlite_path(url)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load() -> str:
    """The load average (1 and 5 minutes), and whether a test suite is running."""
    one, five, _ = os.getloadavg()
    tests = subprocess.run(["pgrep", "-f", "pytest"], capture_output=True).returncode == 0
    return f"load {one:.2f}/{five:.2f}{' (pytest running)' if tests else ''}"


def percentile(sorted_values: list[float], percent: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * percent // 100))
    return sorted_values[min(int(rank), len(sorted_values)) - 1]


def wait_for_http(url: str, timeout: float = 60.0) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return
        except Exception:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def stop(process: subprocess.Popen, timeout: float = 10.0) -> None:
    """Stop a process we started (and its children, by its own process group)."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, 15)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        process.wait()
