"""The worker process: the same app, running the outbox sender in its main thread and
APScheduler's periodic jobs beside it, each in the app's context."""

import signal
import threading
from datetime import datetime

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from scheduler import jobs, replay
from store.clock import JAKARTA

IDLE_POLL_SECONDS = 0.5
ERROR_PAUSE_SECONDS = 5


# Every periodic job runs once at start (so a restarted worker catches up), then on its
# interval; one instance at a time; runs missed while busy are merged into one.
PERIODIC_JOBS = (
    (jobs.scan_deadlines, {"minutes": 1}),
    (jobs.send_digests, {"minutes": 1}),
    (replay.replay_spool, {"seconds": 5}),
    (jobs.beat, {"seconds": 10}),
    (jobs.copy_photos, {"seconds": 30}),
    (jobs.refresh_stats, {"minutes": 5}),
    (jobs.purge_expired_drafts, {"minutes": 15}),
    (jobs.purge_idempotency_keys, {"minutes": 60}),
)


def build_scheduler(app: Flask) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone=JAKARTA)
    for job, every in PERIODIC_JOBS:
        scheduler.add_job(
            _in_app_context(app, job),
            "interval",
            **every,
            id=job.__name__,
            coalesce=True,
            max_instances=1,
            next_run_time=datetime.now(JAKARTA),
        )
    return scheduler


def _in_app_context(app: Flask, job):
    def run():
        with app.app_context():
            job()

    run.__name__ = job.__name__
    return run


def run_worker(app: Flask) -> None:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    scheduler = build_scheduler(app)
    scheduler.start()
    app.logger.info("worker started: sender, %s", ", ".join(job.id for job in scheduler.get_jobs()))
    try:
        while not stop.is_set():
            try:
                with app.app_context():
                    sent = jobs.send_notifications()
            except Exception:  # e.g. the database is briefly unreachable: keep the worker up
                app.logger.exception("sender failed; retrying in %s s", ERROR_PAUSE_SECONDS)
                stop.wait(ERROR_PAUSE_SECONDS)
                continue
            if not sent:
                stop.wait(IDLE_POLL_SECONDS)
    finally:
        scheduler.shutdown(wait=False)
        app.logger.info("worker stopped")
