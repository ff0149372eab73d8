"""The worker process: the same app, running the outbox sender in its main thread and
APScheduler's periodic jobs beside it, each in the app's context."""

import signal
import threading
from datetime import datetime

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from scheduler import jobs
from store.clock import JAKARTA

DRAFT_PURGE_MINUTES = 15
STATS_REFRESH_MINUTES = 5
SPOOL_EVERY_SECONDS = 5
HEARTBEAT_SECONDS = 10
EVERY_MINUTE = 60
IDLE_POLL_SECONDS = 0.5
ERROR_PAUSE_SECONDS = 5


def build_scheduler(app: Flask) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone=JAKARTA)

    def in_app_context(job):
        def run():
            with app.app_context():
                job()

        run.__name__ = job.__name__
        return run

    for job in (jobs.scan_deadlines, jobs.send_digests):
        scheduler.add_job(
            in_app_context(job),
            "interval",
            seconds=EVERY_MINUTE,
            id=job.__name__,
            coalesce=True,
            max_instances=1,
            next_run_time=datetime.now(JAKARTA),  # at start (catching up), then every minute
        )
    for job, seconds in ((jobs.replay_spool, SPOOL_EVERY_SECONDS), (jobs.beat, HEARTBEAT_SECONDS)):
        scheduler.add_job(
            in_app_context(job),
            "interval",
            seconds=seconds,
            id=job.__name__,
            coalesce=True,
            max_instances=1,
            next_run_time=datetime.now(JAKARTA),
        )
    scheduler.add_job(
        in_app_context(jobs.refresh_stats),
        "interval",
        minutes=STATS_REFRESH_MINUTES,
        id="refresh_stats",
        coalesce=True,
        max_instances=1,
        next_run_time=datetime.now(JAKARTA),
    )
    scheduler.add_job(
        in_app_context(jobs.purge_expired_drafts),
        "interval",
        minutes=DRAFT_PURGE_MINUTES,
        id="purge_expired_drafts",
        coalesce=True,
        max_instances=1,
        next_run_time=datetime.now(JAKARTA),  # once at start, then every interval
    )
    return scheduler


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
