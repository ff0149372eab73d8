"""Validation criteria: what a valid follow-up of a category shows, which a facilitator
reads in LIHAT. Kept as data admins change: a category's row in `validation_criteria`
when an admin set one (`crm criteria set`), else the default of
store/data/validation_criteria.toml. Defaults stay in the file rather than in rows a
migration seeds, so that a better default reaches every category nobody changed, and a
database emptied of its rows (tests, a fresh install) still has them."""

import tomllib
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources

from store.categories import CATEGORIES
from store.models import ValidationCriteria
from store.sql import AnySession, orm, sql, utc


@dataclass(frozen=True)
class Criteria:
    category: str
    text: str
    set_at: datetime | None  # None: the default


class UnknownCategory(ValueError):
    pass


@cache
def defaults() -> dict[str, str]:
    text = resources.files("store").joinpath("data/validation_criteria.toml").read_text("utf-8")
    return tomllib.loads(text)


def criteria_of(category: str, *, session: AnySession) -> Criteria:
    """Asked by every LIHAT, so plain SQL."""
    found = sql(session).row(
        "SELECT text, updated_at FROM validation_criteria WHERE category = :category",
        category=category,
    )
    if found is None:
        return Criteria(category, defaults().get(category, ""), None)
    return Criteria(category, found[0], utc(found[1]))


def all_criteria(*, session: AnySession) -> list[Criteria]:
    """Every category's, in the order citizens choose them."""
    chosen = {
        category: Criteria(category, text, utc(updated_at))
        for category, text, updated_at in sql(session).rows(
            "SELECT category, text, updated_at FROM validation_criteria"
        )
    }
    return [
        chosen.get(category) or Criteria(category, defaults()[category], None)
        for category in CATEGORIES
    ]


def set_criteria(category: str, text: str, *, session: AnySession, now: datetime) -> Criteria:
    if category not in CATEGORIES:
        raise UnknownCategory(f"no category {category!r} (one of {', '.join(CATEGORIES)})")
    text = " ".join(text.split())
    if not text:
        raise ValueError("the criteria need a text")
    session = orm(session)
    row = session.get(ValidationCriteria, category) or ValidationCriteria(category=category)
    row.text, row.updated_at = text, now
    session.add(row)
    session.flush()
    return Criteria(category, text, now)
