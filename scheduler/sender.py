"""The outbox sender: claims due notifications, sends them at no more than the
configured rate, and records what Twilio answered.

Quiet hours live here, at the moment of sending, not in the rows: a staff notification
(outbox.STAFF_KINDS) is written when its cause happens, whatever the hour, and the
sender leaves it pending while the QUIET_HOURS window is shut; at the opening, what
waits for one phone goes as one message. So whoever enqueues needs no setting, and a
changed window applies to what already waits.

WhatsApp only allows free-form messages within 24 hours of the citizen's last message;
outside that window the approved Content template of the notification is sent instead,
and a 63016 answer ("outside the window") switches to the template and resends once.
"""

import json
import logging
import os
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine

from handlers import notifications
from scheduler.transports import ConsoleTransport, Message, SendError, TwilioTransport
from store import outbox
from store.clock import utcnow
from store.db import new_session, unbounded
from store.phones import mask_numbers
from store.quiet_hours import DEFAULT_WINDOW, SendingWindow

logger = logging.getLogger("crm.sender")

WHATSAPP_WINDOW = timedelta(hours=24)
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=2)
LONGEST_RETRY = timedelta(minutes=15)
# Slots a little wider than 1/rate, so that the rate holds where messages arrive, in any
# second: a send delayed by up to 5 % of a second (a busy machine) bunches none with the
# next second's. 1.02 let 21 of 20/s arrive in one second while the machine was loaded.
PACE_HEADROOM = 1.05
LEASE_MARGIN = 0.2  # stop sending a batch when 80 % of its lease is gone


@dataclass(frozen=True)
class TwilioAccount:
    """What sending through Twilio's REST API takes."""

    account_sid: str
    auth_token: str
    whatsapp_from: str
    api_base_url: str
    status_callback: str  # the URL Twilio reports each message's delivery to


@dataclass(frozen=True)
class SenderSettings:
    """What the sender reads of the service's settings; the process that runs it makes
    this of its own (bot/worker.py)."""

    rate_per_second: float
    lease: timedelta  # how long a claimed batch is this sender's alone
    batch_size: int
    content_sids: Mapping[str, str]  # "<template>:<language>" → approved Content SID
    twilio: TwilioAccount | None  # None (no credentials): the console transport
    # staff are messaged only inside it (QUIET_HOURS): outside, their notifications wait
    quiet_hours: SendingWindow = DEFAULT_WINDOW


def build_transport(twilio: TwilioAccount | None) -> ConsoleTransport | TwilioTransport:
    if twilio is None:
        return ConsoleTransport()
    return TwilioTransport(
        account_sid=twilio.account_sid,
        auth_token=twilio.auth_token,
        sender=twilio.whatsapp_from,
        api_base_url=twilio.api_base_url,
        status_callback=twilio.status_callback,
    )


def retry_delay(attempts: int) -> timedelta:
    """2 s, 4 s, 8 s … capped at 15 minutes."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


class OutboxSender:
    def __init__(
        self,
        *,
        engine: Engine,
        settings: SenderSettings,
        transport=None,
        worker_id: str | None = None,
        clock: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.engine = engine
        self.settings = settings
        self.transport = transport or build_transport(settings.twilio)
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}"
        self.clock = clock
        self.sleep = sleep
        self.lease = settings.lease
        self.slot_interval = timedelta(seconds=PACE_HEADROOM / settings.rate_per_second)
        self._bundled_for: datetime | None = None  # the window's opening bundled last

    def send_due(self) -> int:
        """Claim one batch and send it; returns how many were claimed. While the quiet
        hours' window is closed staff's notifications stay where they are; once it opens,
        what it held for one staff phone is first made one message (outbox.bundle_waiting),
        once per opening (this sender's first pass in it, at the latest)."""
        now = self.clock()
        window = self.settings.quiet_hours
        staff_may_hear = window.is_open(now)
        opened_at = window.opened_at(now) if staff_may_hear else None
        with new_session(self.engine) as db:
            if opened_at is not None and opened_at != self._bundled_for:
                outbox.bundle_waiting(session=db, now=now, held_since_before=opened_at)
            batch = outbox.claim_due(
                worker=self.worker_id,
                limit=self.settings.batch_size,
                lease=self.lease,
                session=db,
                now=now,
                hold=frozenset() if staff_may_hear else outbox.STAFF_KINDS,
            )
            db.commit()
        self._bundled_for = opened_at or self._bundled_for
        lease_ends = self.clock() + self.lease * (1 - LEASE_MARGIN)
        for item in batch:
            if self.clock() >= lease_ends:
                break  # the rest go back to the queue when the lease expires
            self._send_one(item)
        if batch:
            self._apply_early_callbacks()
        return len(batch)

    def _apply_early_callbacks(self) -> None:
        """Status callbacks that arrived before the SIDs they name were committed."""
        with new_session(self.engine) as db:
            outbox.apply_pending_events(session=db, now=self.clock())
            db.commit()

    def drain(self, *, max_seconds: float = 10.0) -> int:
        """Send batches until nothing is due (or `max_seconds` passed)."""
        sent, started = 0, time.monotonic()
        while time.monotonic() - started < max_seconds:
            claimed = self.send_due()
            sent += claimed
            if not claimed:
                break
        return sent

    def _send_one(self, item: outbox.Outgoing) -> None:
        if item.paused:
            with new_session(self.engine) as db:
                outbox.mark_suppressed(item.id, worker=self.worker_id, session=db)
                db.commit()
            return
        rendered = notifications.render(item.kind, item.payload, item.language)
        template_sid = self.settings.content_sids.get(f"{rendered.template}:{item.language}")
        use_template = self._needs_template(item)
        if use_template and template_sid is None and self.transport.name == "twilio":
            self._fail(
                item,
                "63016",
                f"outside the 24-hour window and no Content template "
                f"configured for {rendered.template}:{item.language}",
            )
            return
        try:
            sid = self._paced_send(item, rendered, template_sid if use_template else None)
        except SendError as problem:
            if problem.code == outbox.OUTSIDE_WINDOW and not use_template and template_sid:
                self._resend_with_template(item, rendered, template_sid)
            else:
                self._record_failure(item, problem)
            return
        self._mark_sent(item, sid, used_template=use_template, fell_back=False)

    def _needs_template(self, item: outbox.Outgoing) -> bool:
        if self.transport.name != "twilio":
            return False
        if item.use_template:
            return True
        last = item.last_inbound_at
        return last is None or self.clock() - last > WHATSAPP_WINDOW

    def _resend_with_template(self, item, rendered, template_sid: str) -> None:
        if self.clock() >= item.claimed_until:
            return  # the lease ran out during the first attempt; another worker has it
        logger.info("notification %s: outside the window, resending as template", item.id)
        try:
            sid = self._paced_send(item, rendered, template_sid)
        except SendError as problem:
            self._record_failure(item, problem)
            return
        self._mark_sent(item, sid, used_template=True, fell_back=True)

    def _paced_send(
        self, item: outbox.Outgoing, rendered: notifications.Rendered, template_sid: str | None
    ) -> str:
        self._wait_for_slot()
        about = f"notification {item.id} ({item.kind})"
        if template_sid:
            message = Message(
                to=item.to,
                content_sid=template_sid,
                content_variables=json.dumps(rendered.variables, ensure_ascii=False),
                about=about,
            )
        else:
            message = Message(
                to=item.to, body=rendered.body, media_url=rendered.media_url, about=about
            )
        return self.transport.send(message)

    def _wait_for_slot(self) -> None:
        with new_session(self.engine) as db:
            slot = outbox.take_send_slot(interval=self.slot_interval, session=db, now=self.clock())
            db.commit()
        wait = (slot - self.clock()).total_seconds()
        if wait > 0:
            self.sleep(wait)

    def _mark_sent(self, item, sid: str, *, used_template: bool, fell_back: bool) -> None:
        with self._recording() as db:
            recorded = outbox.mark_sent(
                item.id,
                worker=self.worker_id,
                sid=sid,
                transport=self.transport.name,
                used_template=used_template,
                fell_back=fell_back,
                session=db,
                now=self.clock(),
            )
            db.commit()
        if not recorded:
            logger.warning(
                "notification %s was sent after its lease ran out; another worker "
                "may have sent it too (SID %s)",
                item.id,
                sid,
            )

    def _recording(self):
        """The session that records what a send did. It waits for a locked table (a
        migration, say) rather than give up after the requests' lock timeout: a send
        left unrecorded would go out again once its lease ran out."""
        return new_session(unbounded(self.engine))

    def _record_failure(self, item: outbox.Outgoing, problem: SendError) -> None:
        if problem.retryable and item.attempts < MAX_ATTEMPTS:
            logger.warning(
                "notification %s: %s (code %s), retrying",
                item.id,
                mask_numbers(str(problem)),
                problem.code,
            )
            with self._recording() as db:
                outbox.schedule_retry(
                    item.id,
                    worker=self.worker_id,
                    error_code=problem.code,
                    error_message=mask_numbers(str(problem)),
                    delay=retry_delay(item.attempts),
                    session=db,
                    now=self.clock(),
                )
                db.commit()
        else:
            self._fail(item, problem.code, str(problem))

    def _fail(self, item: outbox.Outgoing, code: str | None, message: str) -> None:
        message = mask_numbers(message)
        logger.error("notification %s failed for good: %s (code %s)", item.id, message, code)
        with self._recording() as db:
            outbox.mark_failed(
                item.id,
                worker=self.worker_id,
                error_code=code,
                error_message=message,
                session=db,
                now=self.clock(),
            )
            db.commit()
