"""Offices (DESIGN.md, Offices): the kelurahan, the SKPD, the Biro Pemerintahan and the
CRM channels that tokens belong to, and which SKPD handles which category in which kota."""

import tomllib
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources

import sqlalchemy as sa
from sqlmodel import Session, col, delete, func, select

from store import places
from store.categories import CATEGORIES
from store.models import Office, OfficeCategory


class OfficeKind(StrEnum):
    KELURAHAN = "kelurahan"
    SKPD = "skpd"
    BIRO = "biro"
    CHANNEL = "channel"


BIRO_PEMERINTAHAN = "Biro Pemerintahan"
CHANNEL_NAME_LONGEST = 32  # a report keeps its channel's name (report.channel)
# The 13 channels of CRM as the Biro Pemerintahan listed them in 2022 (DESIGN.md).
CHANNELS: tuple[str, ...] = (
    "Pendopo Balai Kota",
    "JAKI",
    "Twitter @DKIJakarta",
    "Facebook Pemprov DKI Jakarta",
    "Email dki@jakarta.go.id",
    "Media Sosial Gubernur & Wagub",
    "SMS/WhatsApp 08111272206",
    "Kantor Inspektorat",
    "Kantor Wali Kota",
    "Kantor Camat",
    "Kantor Lurah",
    "Aspirasi Publik Media Massa",
    "LAPOR! 1708",
)


@dataclass(frozen=True)
class OfficeInfo:
    id: int
    kind: OfficeKind
    name: str
    kota: str | None = None
    kelurahan_id: int | None = None
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Agency:
    name: str
    categories: tuple[str, ...]


@dataclass(frozen=True)
class Scope:
    """The reports an office sees and moves (DESIGN.md, Offices): a kelurahan those
    located in it, an SKPD those disposed to it, a channel those it filed; citywide
    (`office` None) every one. Passed to the store's find, list and move."""

    office: OfficeInfo | None = None

    @classmethod
    def citywide(cls) -> "Scope":
        return cls()

    @classmethod
    def of_office(cls, office: OfficeInfo) -> "Scope":
        return cls(office if office.kind is not OfficeKind.BIRO else None)

    @property
    def office_id(self) -> int | None:
        return None if self.office is None else self.office.id

    def condition(self) -> tuple[str, dict]:
        """A SQL condition on `report` (with its bound values) that holds for the
        reports of this scope; "1 = 1" citywide."""
        office = self.office
        if office is None:
            return "1 = 1", {}
        if office.kind is OfficeKind.KELURAHAN:
            return "report.kelurahan_id = :scope_id", {"scope_id": office.kelurahan_id}
        column = "skpd_office_id" if office.kind is OfficeKind.SKPD else "channel_office_id"
        return f"report.{column} = :scope_id", {"scope_id": office.id}


class OfficeProblem(ValueError):
    """An office that cannot be found, added or changed as asked; the message says why."""

    def __init__(self, message: str, *, candidates: tuple[str, ...] = ()):
        super().__init__(message)
        self.candidates = candidates


def default_agencies() -> tuple[Agency, ...]:
    """store/data/skpd_categories.toml: each agency and its categories in every kota."""
    text = resources.files("store").joinpath("data/skpd_categories.toml").read_text("utf-8")
    return tuple(
        Agency(agency["name"], tuple(agency["categories"]))
        for agency in tomllib.loads(text)["agency"]
    )


def suku_dinas_name(agency: str, kota: str) -> str:
    return f"Suku Dinas {agency} {kota}"


def kotas() -> tuple[str, ...]:
    return tuple(sorted({kel.kota for kel in places.all_kelurahan()}))


def office_info(row: Office, categories: tuple[str, ...] = ()) -> OfficeInfo:
    """An office row as the plain value callers get (its categories, an SKPD's, given)."""
    return OfficeInfo(
        id=row.id,
        kind=OfficeKind(row.kind),
        name=row.name,
        kota=row.kota,
        kelurahan_id=row.kelurahan_id,
        categories=categories,
    )


def _categories_of(office_ids: list[int], *, session: Session) -> dict[int, tuple[str, ...]]:
    rows = session.exec(
        select(OfficeCategory).where(col(OfficeCategory.office_id).in_(office_ids))
    ).all()
    found: dict[int, list[str]] = {}
    for row in rows:
        found.setdefault(row.office_id, []).append(row.category)
    return {
        office_id: tuple(sorted(codes, key=CATEGORIES.index)) for office_id, codes in found.items()
    }


def list_offices(kind: OfficeKind | None = None, *, session: Session) -> list[OfficeInfo]:
    query = select(Office).order_by(Office.kind, Office.kota, Office.name)
    if kind is not None:
        query = query.where(Office.kind == kind)
    rows = session.exec(query).all()
    categories = _categories_of([row.id for row in rows], session=session)
    return [office_info(row, categories.get(row.id, ())) for row in rows]


def office_by_id(office_id: int, *, session: Session) -> OfficeInfo | None:
    row = session.get(Office, office_id)
    if row is None:
        return None
    return office_info(row, _categories_of([row.id], session=session).get(row.id, ()))


def find_office(wanted: str | int, kind: OfficeKind, *, session: Session) -> OfficeInfo:
    """The office of `kind` named `wanted`: its id or its name (any case); a kelurahan
    also by what store/places.py matches (a name with typos, a postal code). Raises
    `OfficeProblem`, with the candidates when several fit."""
    text = str(wanted).strip()
    if text.isdigit():
        kelurahan = places.kelurahan_by_id(int(text)) if kind is OfficeKind.KELURAHAN else None
        if kelurahan is not None:
            return office_of_kelurahan(kelurahan.id, session=session)
        row = session.get(Office, int(text))
        if row is not None and row.kind == kind:
            return office_by_id(row.id, session=session)
    row = _named(text, session=session)
    row = row if row is not None and row.kind == kind else None
    if row is not None:
        return office_by_id(row.id, session=session)
    if kind is OfficeKind.KELURAHAN:
        return _kelurahan_office(text, session=session)
    raise OfficeProblem(f"no {kind} office {text!r}: see `flask --app bot crm office list`")


def _named(name: str, *, session: Session) -> Office | None:
    """The office of this name, in any case."""
    return session.exec(select(Office).where(func.lower(Office.name) == name.lower())).first()


def _kelurahan_office(typed: str, *, session: Session) -> OfficeInfo:
    match = places.match_kelurahan(typed)
    if match.chosen is None:
        names = tuple(
            f"{kel.name} ({kel.kecamatan}, {kel.postal_code})" for kel in match.suggestions
        )
        hint = f"; did you mean: {', '.join(names)}" if names else ""
        raise OfficeProblem(f"no single kelurahan matches {typed!r}{hint}", candidates=names)
    return office_of_kelurahan(match.chosen.id, session=session)


def office_of_kelurahan(kelurahan_id: int, *, session: Session) -> OfficeInfo:
    row = session.exec(select(Office).where(Office.kelurahan_id == kelurahan_id)).one()
    return office_info(row)


def add_office(
    kind: OfficeKind,
    name: str,
    *,
    kota: str | None = None,
    categories: tuple[str, ...] = (),
    session: Session,
) -> OfficeInfo:
    """A new SKPD or channel (kelurahan come from store/places.py, the Biro is one)."""
    name = " ".join(name.split())
    if kind not in (OfficeKind.SKPD, OfficeKind.CHANNEL):
        raise OfficeProblem("only skpd and channel offices may be added")
    if not name:
        raise OfficeProblem("an office needs a name")
    if kind is OfficeKind.SKPD and kota not in kotas():
        raise OfficeProblem(f"an SKPD needs its kota, one of: {', '.join(kotas())}")
    if kind is OfficeKind.CHANNEL and len(name) > CHANNEL_NAME_LONGEST:
        raise OfficeProblem(f"a channel's name has at most {CHANNEL_NAME_LONGEST} characters")
    if _named(name, session=session) is not None:
        raise OfficeProblem(f"there is already an office {name!r}")
    row = Office(kind=kind, name=name, kota=kota if kind is OfficeKind.SKPD else None)
    session.add(row)
    session.flush()
    for category in categories:
        add_category(row.name, category, session=session)
    return office_by_id(row.id, session=session)


def add_category(skpd: str, category: str, *, session: Session) -> OfficeInfo:
    """The SKPD handles `category` in its kota from now on; one SKPD per category and
    kota, so that a disposisi has one to propose."""
    office = find_office(skpd, OfficeKind.SKPD, session=session)
    if category not in CATEGORIES:
        raise OfficeProblem(f"unknown category {category!r}: one of {', '.join(CATEGORIES)}")
    holder = proposed_skpd(category, office.kota, session=session)
    if holder is not None and holder.id != office.id:
        raise OfficeProblem(
            f"{holder.name} handles {category} in {office.kota}; remove it there first"
        )
    if holder is None:
        session.add(OfficeCategory(office_id=office.id, category=category))
        session.flush()
    return office_by_id(office.id, session=session)


def remove_category(skpd: str, category: str, *, session: Session) -> OfficeInfo:
    office = find_office(skpd, OfficeKind.SKPD, session=session)
    session.exec(
        delete(OfficeCategory).where(
            OfficeCategory.office_id == office.id, OfficeCategory.category == category
        )
    )
    session.flush()
    return office_by_id(office.id, session=session)


def proposed_skpd(category: str, kota: str | None, *, session: Session) -> OfficeInfo | None:
    """The SKPD that handles `category` in `kota`, if any does."""
    row = session.exec(
        select(Office)
        .join(OfficeCategory, OfficeCategory.office_id == Office.id)
        .where(
            Office.kind == OfficeKind.SKPD,
            Office.kota == kota,
            OfficeCategory.category == category,
        )
        .order_by(Office.id)
    ).first()
    return None if row is None else office_by_id(row.id, session=session)


def seed_default_offices(connection: sa.Connection) -> None:
    """Every kelurahan, a Suku Dinas of each agency in each kota with its default
    categories (store/data/skpd_categories.toml), the Biro Pemerintahan and the
    channels: what migration 0017 puts in an empty office table."""
    rows = [
        {"kind": "kelurahan", "name": kel.name, "kota": kel.kota, "kelurahan_id": kel.id}
        for kel in places.all_kelurahan()
    ]
    agencies = default_agencies()
    rows += [
        {"kind": "skpd", "name": suku_dinas_name(agency.name, kota), "kota": kota}
        for agency in agencies
        for kota in kotas()
    ]
    rows.append({"kind": OfficeKind.BIRO, "name": BIRO_PEMERINTAHAN})
    rows += [{"kind": OfficeKind.CHANNEL, "name": name} for name in CHANNELS]
    connection.execute(
        sa.insert(Office.__table__), [{"kota": None, "kelurahan_id": None} | row for row in rows]
    )
    ids = dict(connection.execute(sa.text("SELECT name, id FROM office")).all())
    connection.execute(
        sa.insert(OfficeCategory.__table__),
        [
            {"office_id": ids[suku_dinas_name(agency.name, kota)], "category": category}
            for agency in agencies
            for kota in kotas()
            for category in agency.categories
        ],
    )
