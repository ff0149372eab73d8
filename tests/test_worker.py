"""The worker process: its jobs, given what `crm worker` hands them, are harmless to repeat."""

from datetime import timedelta

import time_machine

from scheduler import build_scheduler, jobs
from store import drafts
from store.clock import utcnow
from store.contacts import touch_contact
from store.phones import sender_from


def test_worker_schedules_the_draft_purge_beside_the_sender(worker):
    scheduler = build_scheduler(worker)
    jobs_ = {job.id for job in scheduler.get_jobs()}
    assert jobs_ == {
        "scan_deadlines",
        "send_digests",
        "refresh_stats",
        "purge_expired_drafts",
        "purge_idempotency_keys",
        "replay_spool",
        "beat",
        "copy_photos",
    }


def test_purge_removes_only_drafts_expired_a_week_ago(worker, store):
    start = utcnow()
    for phone, age in [
        ("+6281200000001", timedelta(days=7, hours=1)),
        ("+6281200000002", timedelta(hours=25)),
    ]:
        contact = store(touch_contact, sender_from(phone), None, now=start - age)
        store(drafts.save_draft, contact.id, drafts.DraftState(step="category"), now=start - age)
    with time_machine.travel(start, tick=False):
        assert jobs.purge_expired_drafts(worker) == 1
        assert jobs.purge_expired_drafts(worker) == 0
