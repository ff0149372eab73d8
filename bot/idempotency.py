"""`Idempotency-Key` on the POSTs that file a report (the API and Open311): a channel
that retries after a timeout gets the report its first attempt filed, not a second one,
and the citizen one WhatsApp message, not two."""

import hashlib
import json
import re
from dataclasses import dataclass

from flask import request

from bot import database
from store import idempotency, reports
from store.clock import utcnow
from store.db import commit_with_retries

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
_KEY = re.compile(r"[\x21-\x7e]{1,255}")  # visible ASCII, as the IETF draft's examples


class KeyRefused(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code = status, code


@dataclass(frozen=True)
class Filed:
    report: reports.ReportView
    replayed: bool  # True: the report an earlier request with this key filed


def file_report_once(new: reports.NewReport, *, token_id: int, fields: dict) -> Filed:
    """File `new`, unless this token already filed `fields` under the request's key.
    The same key with other fields is refused (422), as the IETF draft asks."""
    key = _key()
    db = database.session()
    fingerprint = hashlib.sha256(
        json.dumps(fields, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()

    def work() -> Filed:
        if key is not None:
            earlier = idempotency.remembered(token_id, key, session=db)
            if earlier is not None:
                if earlier.request_hash != fingerprint:
                    raise KeyRefused(
                        422, "idempotency_key_reused", f"{HEADER} was used for another request"
                    )
                return Filed(reports.find_report(earlier.report_digits, session=db), True)
        now = utcnow()
        view = reports.create_report(new, session=db, now=now)
        if key is not None:
            idempotency.remember(token_id, key, fingerprint, view.id, session=db, now=now)
        return Filed(view, False)

    return commit_with_retries(db, work)


def _key() -> str | None:
    raw = request.headers.get(HEADER)
    if raw is None:
        return None
    if not _KEY.fullmatch(raw):
        raise KeyRefused(
            400, "invalid_idempotency_key", f"{HEADER} must be 1 to 255 visible ASCII characters"
        )
    return raw
