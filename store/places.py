"""DKI Jakarta's 267 kelurahan in 44 kecamatan (from the `areaid` package) and matching
what a citizen typed against them: a name with small typos, or a postal code."""

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from areaid import buka_data
from rapidfuzz import fuzz, process

_JAKARTA = "daerah khusus ibukota jakarta"
_NOISE_WORDS = re.compile(
    r"^((di|kelurahan|kel|desa|kec|kecamatan|daerah|wilayah|kode pos|kodepos|pak|bu|saya"
    r"|lokasi|lokasinya|alamat|alamatnya|postal code|zip code|zip|in|at"
    # what is said before the name: "kan udah bang, kampung melayu", "tadi sudah, kramat"
    r"|kan|udah|udh|sudah|sdh|tadi|bang|mas|mbak|kak|ya|iya|itu|yaitu|ini|yang)\b\.?\s*)+"
)
# A neighbourhood's numbers typed with the kelurahan: "rt 05 rw 02", "rt.3/rw.5", "rt 003".
_RT_RW = re.compile(r"\b(rt|rw)\s*\.?\s*\d{1,3}\b")
_SAYS_KECAMATAN = re.compile(r"^\s*(di\s+)?(kec|kecamatan)\b")
_SAYS_KELURAHAN = re.compile(r"^\s*(di\s+)?(kel|kelurahan)\b")
# How names are shortened when typed: "kp melayu", "kb jeruk", "tj priok".
_ABBREVIATIONS = {"kp": "kampung", "kb": "kebon", "tj": "tanjung", "pd": "pondok", "psr": "pasar"}
# Words people add after a name, besides its kecamatan and city: "kramat kec. senen jakpus".
_TAIL_WORDS = {"jakarta", "dki", "jakpus", "jakut", "jakbar", "jaksel", "jaktim", "kec", "kota"}
_TAIL_WORDS |= {"kecamatan", "provinsi", "indonesia", "district", "city"}
_TAIL_WORDS |= {f"{side} jakarta" for side in ("east", "west", "north", "south", "central")}
_CLOSE_ENOUGH = 0.8
_CLEAR_WINNER = 0.9
MAX_SUGGESTIONS = 5


@dataclass(frozen=True)
class Kelurahan:
    id: int
    name: str
    kecamatan: str
    kota: str
    postal_code: str


@dataclass(frozen=True)
class Match:
    """`chosen` when one kelurahan fits; otherwise `suggestions` to pick from (maybe none):
    those of the `kecamatan` typed, when it was one."""

    chosen: Kelurahan | None = None
    suggestions: tuple[Kelurahan, ...] = ()
    kecamatan: str | None = None


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = _RT_RW.sub(" ", text)
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    return _NOISE_WORDS.sub("", text)


@cache
def all_kelurahan() -> tuple[Kelurahan, ...]:
    (province,) = buka_data(_JAKARTA)
    return tuple(
        Kelurahan(
            id=kel["id"],
            name=kel["kelu"],
            kecamatan=kec["kec"],
            kota=kota["kab_kota"].replace("Kota Adm. ", "").replace("Kabupaten Adm. ", ""),
            postal_code=str(kel["pos"]),
        )
        for kota in province["kabupaten"]
        for kec in kota["kecamatan"]
        for kel in kec["kelurahan"]
    )


@cache
def _by_normalised_name() -> dict[str, Kelurahan]:
    return {_normalise(kel.name): kel for kel in all_kelurahan()}


def names_a_city(typed: str) -> bool:
    """ "jakarta pusat", "Jakarta Selatan": a city of DKI Jakarta, not a kelurahan."""
    return _normalise(typed) in _city_names()


def kelurahan_by_id(kelurahan_id: int) -> Kelurahan | None:
    return _by_id().get(kelurahan_id)


@cache
def _by_id() -> dict[int, Kelurahan]:
    return {kel.id: kel for kel in all_kelurahan()}


def match_kelurahan(typed: str) -> Match:
    """The kelurahan a citizen typed: by postal code, by name (abbreviated, or followed by
    its kecamatan or city, "di kramat, senen, jakpus"), the kelurahan of a kecamatan
    typed instead ("tanah abang"), else by a name with small typos."""
    words = [_ABBREVIATIONS.get(word, word) for word in _normalise(typed).split()]
    wanted = " ".join(words)
    if not wanted:
        return Match()
    if re.fullmatch(r"\d{5}", wanted):
        return _match_postal_code(wanted)
    names = _by_normalised_name()
    candidates = _without_tails(words)
    for candidate in candidates:
        kecamatan = _kecamatan_by_name().get(_spaceless(candidate))
        if kecamatan is not None:
            return _match_kecamatan(
                kecamatan, typed_after=wanted[len(candidate) :], said=_said(typed)
            )
        if candidate in names:
            return Match(chosen=names[candidate])
    fuzzy = [_match_fuzzy(candidate, names) for candidate in candidates]
    return next((match for match in fuzzy if match.chosen), None) or next(
        (match for match in fuzzy if match.suggestions), Match()
    )


def _without_tails(words: list[str]) -> list[str]:
    """The words as typed, then without each kecamatan's or city's name at their end in
    turn ("kebon kacang tanah abang jakarta pusat", … "kebon kacang"); a direction alone
    stays ("cipinang selatan"), and a name that ends like a kecamatan is tried whole
    first ("ujung menteng cakung": "ujung menteng", then "ujung")."""
    forms = [" ".join(words)]
    while len(words) > 1:
        for size in (3, 2, 1):
            if len(words) > size and " ".join(words[-size:]) in _tail_phrases():
                words = words[:-size]
                forms.append(" ".join(words))
                break
        else:
            break
    return forms


@cache
def _tail_phrases() -> frozenset[str]:
    kecamatan = {_normalise(kel.kecamatan) for kel in all_kelurahan()}
    return frozenset(kecamatan | _city_names() | _TAIL_WORDS)


@cache
def _city_names() -> frozenset[str]:
    return frozenset(_normalise(kel.kota) for kel in all_kelurahan())


def _spaceless(name: str) -> str:
    """A normalised name without its spaces: "tanahabang", "setia budi" and "setiabudi"
    are typed for the same places."""
    return name.replace(" ", "")


@cache
def _kecamatan_by_name() -> dict[str, str]:
    return {_spaceless(_normalise(kel.kecamatan)): kel.kecamatan for kel in all_kelurahan()}


@cache
def _by_spaceless_name() -> dict[str, Kelurahan]:
    return {_spaceless(name): kel for name, kel in _by_normalised_name().items()}


def _said(typed: str) -> str | None:
    """Whether the citizen said which they named: "kec. menteng", "kel jatinegara"."""
    lowered = typed.lower()
    if _SAYS_KECAMATAN.match(lowered):
        return "kecamatan"
    return "kelurahan" if _SAYS_KELURAHAN.match(lowered) else None


def _match_kecamatan(kecamatan: str, *, typed_after: str, said: str | None) -> Match:
    """A kecamatan's name typed: the kelurahan of that name in it (Menteng in Menteng)
    unless they said "kec. menteng", or one elsewhere when they said "kel." or the
    words after name its kecamatan ("jatinegara, cakung"); else the kecamatan's
    kelurahan to choose from, after the one of its name elsewhere (Jatinegara, Kec.
    Cakung, beside Kec. Jatinegara)."""
    same_name = _by_spaceless_name().get(_spaceless(_normalise(kecamatan)))
    if same_name is not None and (
        said == "kelurahan"
        or (same_name.kecamatan == kecamatan and said != "kecamatan")
        or f" {_normalise(same_name.kecamatan)} " in f" {typed_after} "
    ):
        return Match(chosen=same_name)
    within = sorted(
        (kel for kel in all_kelurahan() if kel.kecamatan == kecamatan), key=lambda kel: kel.name
    )
    elsewhere = [same_name] if same_name is not None and same_name not in within else []
    return Match(suggestions=tuple(elsewhere + within), kecamatan=kecamatan)


def also_meant(kelurahan: Kelurahan, typed: str) -> tuple[Kelurahan, ...]:
    """The other kelurahan a citizen may mean who typed only `kelurahan`'s name: those
    whose names go on from it ("Menteng": Menteng Atas, Menteng Dalam; "Kramat": Kramat
    Pela, Kramat Jati); none when they said "kel." or added its kecamatan."""
    wanted = " ".join(_ABBREVIATIONS.get(word, word) for word in _normalise(typed).split())
    if _said(typed) is not None or wanted != _normalise(kelurahan.name):
        return ()
    return tuple(kel for kel in all_kelurahan() if _normalise(kel.name).startswith(f"{wanted} "))


def _match_postal_code(code: str) -> Match:
    found = tuple(kel for kel in all_kelurahan() if kel.postal_code == code)
    if len(found) == 1:
        return Match(chosen=found[0])
    return Match(suggestions=found)


def _match_fuzzy(wanted: str, names: dict[str, Kelurahan]) -> Match:
    """Names within a few typos: rapidfuzz's ratio (2 × matches / both lengths, as
    difflib's) in C, some 16 µs for the 267 names where difflib took 5–11 ms."""
    scored = process.extract(
        wanted, list(names), scorer=fuzz.ratio, score_cutoff=_CLOSE_ENOUGH * 100, limit=None
    )
    close = sorted(((score / 100, name) for name, score, _ in scored), reverse=True)
    containing = [name for name in names if wanted in name.split() or name.startswith(wanted)]
    if _is_clear_winner(close) and (not containing or containing == [close[0][1]]):
        return Match(chosen=names[close[0][1]])
    candidates = list(dict.fromkeys([name for _, name in close] + sorted(containing)))
    if len(candidates) == 1 and close:
        return Match(chosen=names[candidates[0]])
    return Match(suggestions=tuple(names[name] for name in candidates[:MAX_SUGGESTIONS]))


def _is_clear_winner(close: list[tuple[float, str]]) -> bool:
    """The best fit is near-exact and no other name fits as well."""
    if not close or close[0][0] < _CLEAR_WINNER:
        return False
    return len(close) == 1 or close[1][0] < close[0][0]
