"""The worker process: the same app, with APScheduler running jobs in its context."""

import signal
from datetime import datetime

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from scheduler import jobs
from store.clock import JAKARTA

DRAFT_PURGE_MINUTES = 15


def build_scheduler(app: Flask) -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone=JAKARTA)

    def in_app_context(job):
        def run():
            with app.app_context():
                job()

        run.__name__ = job.__name__
        return run

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
    scheduler = build_scheduler(app)
    signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=False))
    app.logger.info("worker started: %s", ", ".join(job.id for job in scheduler.get_jobs()))
    scheduler.start()
