"""The worker process: the outbox sender in its main thread and APScheduler's periodic
jobs beside it, all given the resources the process made once (scheduler/resources.py).
No module of scheduler/ imports `bot`: `crm worker` makes the resources from the app
(bot/worker.py) and hands them in."""

import logging
import signal
import threading
from datetime import datetime

from apscheduler.schedulers.background import BackgroundScheduler

from scheduler import jobs, replay
from scheduler.resources import WorkerResources
from scheduler.sender import OutboxSender
from store.clock import JAKARTA

logger = logging.getLogger("crm.worker")

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


def build_scheduler(resources: WorkerResources) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone=JAKARTA)
    for job, every in PERIODIC_JOBS:
        scheduler.add_job(
            job,
            "interval",
            **every,
            args=(resources,),
            id=job.__name__,
            coalesce=True,
            max_instances=1,
            next_run_time=datetime.now(JAKARTA),
        )
    return scheduler


def run_worker(resources: WorkerResources) -> None:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    sender = OutboxSender(engine=resources.engine, settings=resources.sender)
    scheduler = build_scheduler(resources)
    scheduler.start()
    logger.info("worker started: sender, %s", ", ".join(job.id for job in scheduler.get_jobs()))
    try:
        while not stop.is_set():
            try:
                sent = sender.drain()
            except Exception:  # e.g. the database is briefly unreachable: keep the worker up
                logger.exception("sender failed; retrying in %s s", ERROR_PAUSE_SECONDS)
                stop.wait(ERROR_PAUSE_SECONDS)
                continue
            if not sent:
                stop.wait(IDLE_POLL_SECONDS)
    finally:
        scheduler.shutdown(wait=False)
        logger.info("worker stopped")
