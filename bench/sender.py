"""Outbox sender benchmark: scheduler.sender.OutboxSender sending 2,000 queued
notifications (2 each to 1,000 contacts) through the real `twilio` client to
tests/fake_twilio.FakeTwilio (run in a child process, so it does not share the GIL).

    python bench/sender.py                       # SQLite, /tmp/crm-bench-sender.db
    python bench/sender.py --db postgresql+psycopg://postgres@127.0.0.1:5432/crm_bench_sender

Runs: the limit effectively off (SEND_RATE_PER_SECOND=100000), the limit at 80/s with one
sender, and at 80/s with two senders (threads, separate worker ids) sharing the limit.
Figures: messages/s (first to last message received by the fake server), and the most
messages the fake server received in any 1-second sliding window (must be ≤ the limit).
"""

import argparse
import logging
import multiprocessing
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import common

from bot.config import Settings
from bot.worker import sender_settings
from scheduler.sender import OutboxSender
from store import outbox, reports
from store.clock import utcnow
from store.db import make_engine, new_session, upgrade
from store.models import Contact

ACCOUNT_SID = "AC" + "2" * 32
FAKE_TOKEN = "bench-fake-twilio-token-0123456789"
BOT_NUMBER = "whatsapp:+14155238886"
NOTIFICATIONS = 2_000
CONTACTS = 1_000


def fake_twilio_process(connection) -> None:
    """Child: serve the fake Twilio API until told to stop, then send back what came."""
    sys.path.insert(0, str(common.ROOT / "tests"))
    from fake_twilio import FakeTwilio

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log per message
    fake = FakeTwilio(ACCOUNT_SID, FAKE_TOKEN).start()
    connection.send(fake.url)
    connection.recv()
    fake.stop()
    connection.send(([r.at for r in fake.received], len(fake.refused)))


def fresh_store(url: str) -> None:
    common.remove_store(url)
    if common.is_postgres(url):
        common.create_postgres_database(url)
    engine = make_engine(url)
    upgrade(engine)
    now = utcnow()
    with new_session(engine) as db:
        ids = []
        for index in range(CONTACTS):
            contact = Contact(
                sender_key=f"+62813{index:08d}",
                phone=f"+62813{index:08d}",
                created_at=now - timedelta(days=30),
                last_inbound_at=now - timedelta(hours=1),  # inside WhatsApp's 24-hour window
            )
            db.add(contact)
            db.flush()
            ids.append(contact.id)
        for index in range(NOTIFICATIONS):
            payload = {
                "number": f"CRM-26-{index + 1:06d}-0",
                "stage": "proses",
                "from_stage": "koordinasi",
                "note": "Ditangani Sudin Bina Marga",
                "at": now.isoformat(),
            }
            outbox.enqueue(
                ids[index % CONTACTS],
                reports.STAGE_CHANGED,
                payload,
                report_id=None,
                session=db,
                now=now,
            )
        db.commit()
    engine.dispose()


def max_in_window(times: list[float], window: float = 1.0) -> int:
    """The most timestamps in any half-open interval [t, t + window)."""
    ordered, best, start = sorted(times), 0, 0
    for end, moment in enumerate(ordered):
        while moment - ordered[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def run(url: str, rate: float, senders: int, bound: float) -> dict:
    fresh_store(url)
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.Process(target=fake_twilio_process, args=(child,), daemon=True)
    server.start()
    try:
        fake_url = parent.recv()
        settings = Settings.load(
            {
                "CRM_ENV": "test",
                "SECRET_KEY": "bench-secret-key-for-links-to-photos-0123456789",
                "DATABASE_URL": url,
                "TWILIO_AUTH_TOKEN": FAKE_TOKEN,
                "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
                "TWILIO_WHATSAPP_FROM": BOT_NUMBER,
                "TWILIO_API_BASE_URL": fake_url,
                "PUBLIC_BASE_URL": "https://crm.example.go.id",
                "SEND_RATE_PER_SECOND": str(rate),
            },
            Path(common.INSTANCE),
        )
        engine = make_engine(url)
        workers = [
            OutboxSender(engine=engine, settings=sender_settings(settings), worker_id=f"bench-{n}")
            for n in range(senders)
        ]
        sent = [0] * senders
        load_before = common.load()
        started = time.monotonic()

        def drain(index: int) -> None:
            deadline = started + bound
            while time.monotonic() < deadline:
                claimed = workers[index].drain(max_seconds=deadline - time.monotonic())
                sent[index] += claimed
                with new_session(engine) as db:
                    if outbox.count_by_state(session=db).get(outbox.PENDING, 0) == 0:
                        return
                if not claimed:
                    time.sleep(0.05)  # another sender holds the rest of the claims

        threads = [threading.Thread(target=drain, args=(n,)) for n in range(senders)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        with new_session(engine) as db:
            states = outbox.count_by_state(session=db)
        engine.dispose()
    finally:
        parent.send("stop")
        times, refused = parent.recv()
        server.join(10)
    ordered = sorted(times)
    span = ordered[-1] - ordered[0] if len(ordered) > 1 else float("nan")
    return {
        "limit": rate,
        "senders": senders,
        "received": len(times),
        "refused": refused,
        "states": states,
        "elapsed_s": round(elapsed, 2),
        "rate_first_to_last": round((len(times) - 1) / span, 1) if span else float("nan"),
        "rate_wall": round(len(times) / elapsed, 1),
        "max_in_1s_window": max_in_window(times),
        "load": f"{load_before} → {common.load()}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite:////tmp/crm-bench-sender.db")
    parser.add_argument("--bound", type=float, default=90.0, help="seconds per run at most")
    args = parser.parse_args()
    engine_name = "PostgreSQL" if common.is_postgres(args.db) else "SQLite"
    results = []
    try:
        for rate, senders in ((100_000.0, 1), (80.0, 1), (80.0, 2)):
            result = run(args.db, rate, senders, args.bound)
            print(result, flush=True)
            results.append(result)
    finally:
        common.remove_store(args.db)
    print(f"\n### Outbox sender, {engine_name}, {NOTIFICATIONS:,} notifications\n")
    print(
        "| SEND_RATE_PER_SECOND | senders | sent (fake server) | states | msg/s (first→last) | "
        "msg/s (wall) | max in any 1 s | load |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['limit']:g} | {r['senders']} | {r['received']} | {r['states']} | "
            f"{r['rate_first_to_last']} | {r['rate_wall']} | {r['max_in_1s_window']} | "
            f"{r['load']} |"
        )
    for r in results:
        if r["limit"] <= 1000:
            verdict = "held" if r["max_in_1s_window"] <= r["limit"] else "EXCEEDED"
            print(
                f"limit {r['limit']:g}/s with {r['senders']} sender(s): max "
                f"{r['max_in_1s_window']} in any 1 s window: {verdict}"
            )


if __name__ == "__main__":
    main()
