"""Idempotency keys: a client that retries a POST which filed a report, with the same
`Idempotency-Key`, finds that report instead of filing a second one."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, delete, select

from store.models import IdempotencyKey, Report

KEPT_FOR = timedelta(hours=24)  # then purged; a retry comes within minutes


@dataclass(frozen=True)
class Remembered:
    request_hash: str
    report_digits: str


def remembered(token_id: int, key: str, *, session: Session) -> Remembered | None:
    row = session.exec(
        select(IdempotencyKey.request_hash, Report.number_digits)
        .join(Report, Report.id == IdempotencyKey.report_id)
        .where(IdempotencyKey.token_id == token_id, IdempotencyKey.key == key)
    ).first()
    return Remembered(*row) if row else None


def remember(
    token_id: int, key: str, request_hash: str, report_id: int, *, session: Session, now: datetime
) -> None:
    """Raises IntegrityError, now rather than at commit, when a concurrent request with
    the same key was first."""
    session.add(
        IdempotencyKey(
            token_id=token_id,
            key=key,
            request_hash=request_hash,
            report_id=report_id,
            created_at=now,
        )
    )
    session.flush()


def purge_expired(*, session: Session, now: datetime) -> int:
    result = session.exec(delete(IdempotencyKey).where(IdempotencyKey.created_at < now - KEPT_FOR))
    return result.rowcount
