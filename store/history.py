"""A synthetic but realistic CRM history, matching the paper's Table 1 exactly: per
year the number of reports and of resolved ones, with full stage histories,
validations, categories, kelurahan, channels and repeat reporters.

Its timings are `Timings`, each with its source: the paper (Responsivitas Penanganan
Pengaduan Cepat Respon Masyarakat di Provinsi DKI Jakarta, the study DESIGN.md builds on)
where it gives a figure, and an assumption, said to be one, where it gives none. Every
row of its stories names `crm generate` as its actor (GENERATED_BY), so that the
dashboard can say its figures come from sample data (`count_generated`).

Seeded and deterministic. Rows go in with the driver's bulk paths (executemany on
SQLite, COPY on PostgreSQL), in batches, not one ORM object at a time; for a large
history they are drawn in other processes while this one writes.
"""

import multiprocessing
import random
from bisect import bisect
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate

from sqlalchemy import Engine, bindparam, text

from store import numbers, places, sla
from store.categories import CATEGORIES
from store.clock import JAKARTA
from store.db import unbounded
from store.sql import sql
from store.stages import Role, Stage

# Tahun: (Jumlah Laporan, Penyelesaian Laporan). 2020: no data in the paper.
TABLE_1 = {
    2016: (112_164, 100_872),
    2017: (235_914, 210_331),
    2018: (109_839, 96_489),
    2019: (108_212, 98_117),
    2021: (91_984, 91_922),
    2022: (122_183, 120_811),
    2023: (173_327, 169_328),
}
# Mean days from submission to closing. 2023: the paper, Pendahuluan, the paragraph
# after Tabel 1: "… 169.328 laporan dengan rata-rata waktu penyelesaian 7 hari …".
# Earlier years: an ASSUMPTION (the paper gives no durations before 2023), slower as the
# resolution rates of Tabel 1 were lower.
MEAN_RESOLUTION_DAYS = {2016: 11, 2017: 10, 2018: 9.5, 2019: 9, 2021: 8, 2022: 7.5, 2023: 7}
CHANNELS = (
    "whatsapp",
    "jaki",
    "qlue",
    "twitter",
    "facebook",
    "instagram",
    "email",
    "sms",
    "lapor",
    "website",
    "kelurahan",
    "kecamatan",
    "call_center",
)
CHANNEL_WEIGHTS = (30, 25, 12, 6, 4, 4, 3, 2, 4, 4, 3, 2, 1)
CATEGORY_WEIGHTS = (18, 20, 10, 12, 8, 5, 9, 10, 8)
_CHANNEL_CUMULATIVE = tuple(accumulate(CHANNEL_WEIGHTS))
_CATEGORY_CUMULATIVE = tuple(accumulate(CATEGORY_WEIGHTS))
# Stages and roles as rows hold them: a member's .value is a descriptor call, and a full
# history writes six million rows of three.
_STORED = {member: member.value for member in (*Stage, *Role)}
FACILITATORS = 20
FREQUENT_REPORTERS = 5_000
OCCASIONAL_REPORTERS = 195_000
HISTORY_START = datetime(2016, 1, 1)  # naive UTC, as the stories' moments (see _stamper)
GENERATED_BY = "crm generate"  # the actor of every generated stage change
FIRST_LOOK = timedelta(minutes=10)  # the quickest validation drawn: an ASSUMPTION
# The mean time from submission to proses as _story draws it, and the hour after: 3 hours
# to koordinasi, 60 % × 12.5 hours of disposisi, 12.5 hours to proses, 1 hour. The rest
# of a year's mean days is drawn after it, so that the generated mean is the parameter's.
BEFORE_FOLLOW_UP = timedelta(hours=3 + 0.6 * 12.5 + 12.5 + 1)


@dataclass(frozen=True)
class Timings:
    """How long the generated reports take, each figure with its source.

    The validation rules (DESIGN.md, time rules; Keputusan Sekda No. 99 Tahun 2022): 3 × 24
    hours from tindak_lanjut, and the daily target (in by 15:30 WIB: validated that day).
    The paper, HASIL DAN PEMBAHASAN, a. "Daya Tanggap Aparat Birokrasi dalam Menangani
    Aduan Masyarakat": "Tenaga Ahli Fasilitator melakukan validasi laporan di bawah batas
    waktu 3x24 jam yang tertera dalam ketentuan melalui penerapan target cut of date
    harian yang memastikan bahwa laporan yang diterima oleh Tenaga Ahli Fasilitator sampai
    dengan pukul 15.30 WIB akan divalidasi pada hari yang sama." It gives no share: it
    reports the rules as kept. Hence `late` 0. The same paper, "Faktor yang Mempengaruhi
    …", kondisi server: during outages "banyak dari laporan tersebut terhambat
    validasinya dan harus dilakukan keesokan harinya", without a figure: `next_day` is
    an ASSUMPTION (3 % validated the next day, still within 3 × 24 hours)."""

    # Mean days from submission to closing, per year (MEAN_RESOLUTION_DAYS' sources)
    mean_resolution_days: dict[int, float] = field(
        default_factory=lambda: dict(MEAN_RESOLUTION_DAYS)
    )
    # Share of validations after the daily target but within 3 × 24 hours: ASSUMPTION
    next_day: float = 0.03
    # Share of validations after 3 × 24 hours: the paper reports none
    late: float = 0.0

    def __post_init__(self) -> None:
        if not (0 <= self.next_day <= 1 and 0 <= self.late <= 1 and self.next_day + self.late <= 1):
            raise ValueError("next_day and late are shares of validations: 0 to 1 together")
        if set(self.mean_resolution_days) != set(TABLE_1):
            raise ValueError(f"mean days are given per year of Table 1: {sorted(TABLE_1)}")


@dataclass(frozen=True)
class Generated:
    reports: int
    stage_changes: int
    validations: int
    contacts: int


def plan(total: int | None) -> dict[int, tuple[int, int]]:
    """Table 1, or the same proportions scaled to exactly `total` reports (largest
    remainders get the reports that rounding leaves over)."""
    if total is None:
        return dict(TABLE_1)
    whole = sum(count for count, _ in TABLE_1.values())
    exact = {year: total * count / whole for year, (count, _) in TABLE_1.items()}
    counts = {year: int(share) for year, share in exact.items()}
    by_remainder = sorted(exact, key=lambda year: exact[year] - counts[year], reverse=True)
    for year in by_remainder[: total - sum(counts.values())]:
        counts[year] += 1
    return {
        year: (counts[year], round(counts[year] * resolved / count))
        for year, (count, resolved) in TABLE_1.items()
    }


def reporter_pool(total: int | None) -> tuple[int, int]:
    """(frequent, occasional) reporters: 5,000 and 195,000 for the full history, fewer
    for a smaller one."""
    if total is None:
        return FREQUENT_REPORTERS, OCCASIONAL_REPORTERS
    pool = max(50, min(FREQUENT_REPORTERS + OCCASIONAL_REPORTERS, total // 5))
    frequent = max(1, pool // 40)
    return frequent, pool - frequent


class _Writer:
    """Bulk rows into one table: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, connection, dialect: str):
        self.connection, self.dialect = connection, dialect

    def write(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        if not rows:
            return
        raw = self.connection.connection.driver_connection
        if self.dialect == "postgresql":
            with (
                raw.cursor() as cursor,
                cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            raw.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


Stamp = Callable[[datetime], datetime | str]


def _stamper(dialect: str) -> Stamp:
    """The stories' moments are naive UTC datetimes: a full history has twelve million,
    and a naive one adds and formats in half an aware one's time. This turns one into
    what the driver stores: the text SQLAlchemy writes on SQLite (`sqlite_text`), an
    aware datetime for PostgreSQL's COPY."""
    if dialect == "postgresql":
        return lambda moment: moment.replace(tzinfo=UTC)
    return lambda moment: moment.isoformat(" ", "microseconds")


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


@contextmanager
def _indexes_built_after(connection, tables: tuple[str, ...]) -> Iterator[None]:
    """A database makes an index from a full table (one sort) several times faster than
    it keeps one up to date row by row: the bulk tables' plain indexes are dropped for
    the load and made again after it, in the same transaction. The indexes of primary
    keys and unique constraints stay, to refuse a duplicate as they would at any time."""
    plain_indexes = text(_PLAIN_INDEXES[connection.dialect.name]).bindparams(
        bindparam("tables", expanding=True)
    )
    indexes = connection.execute(plain_indexes, {"tables": list(tables)}).all()
    for name, _ in indexes:
        connection.execute(text(f'DROP INDEX "{name}"'))
    yield
    for _, definition in indexes:
        connection.execute(text(definition))


_PLAIN_INDEXES = {  # name and definition of each index that backs no constraint
    "sqlite": "SELECT name, sql FROM sqlite_master "
    "WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN :tables",
    "postgresql": "SELECT indexname, indexdef FROM pg_indexes "
    "WHERE schemaname = current_schema() AND tablename IN :tables "
    "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
}


_DESCRIPTION = "Laporan warga (data sintetis)"
REPORT_COLUMNS = (
    "id",
    "number",
    "number_digits",
    "channel",
    "category",
    "description",
    "public_description",
    "location_text",
    "latitude",
    "longitude",
    "kelurahan_id",
    "kelurahan",
    "kecamatan",
    "kota",
    "reporter_contact_id",
    "reporter_name",
    "reporter_phone",
    "stage",
    "stage_changed_at",
    "created_at",
)
CHANGE_COLUMNS = (
    "report_id",
    "seq",
    "from_stage",
    "to_stage",
    "actor_role",
    "actor_id",
    "note",
    "at",
)
VALIDATION_COLUMNS = (
    "report_id",
    "facilitator_id",
    "entered_at",
    "due_at",
    "daily_target_at",
    "left_at",
    "outcome",
)
BULK_TABLES = ("report", "stage_change", "validation")
DRAWN_BESIDE_FROM = 50_000
BATCH_REPORTS = 20_000  # reports per slice, drawn in one piece and written in one batch
# One drawing process beside the writer: on this 2-vCPU machine a second one slowed the
# writer more than it sped the drawing (200,000 reports: 25.5 s with two, 21.4 s with one,
# 29.2 s all in one process).
DRAWERS = 1
DRAWN_AHEAD = 2  # slices drawn and not yet written: bounds the memory


def generate(
    engine: Engine,
    *,
    seed: int = 2023,
    total: int | None = None,
    beside: bool | None = None,
    timings: Timings | None = None,
) -> Generated:
    """Fill an empty, migrated store with the history of `plan(total)`, its moments drawn
    as `timings` (by default the paper's, see Timings). The rows are drawn
    in other processes (`beside`) for a history of DRAWN_BESIDE_FROM reports or more, in
    this one for a smaller one, which those processes' start would slow; both give the
    same rows."""
    dialect = engine.dialect.name
    stamp = _stamper(dialect)
    years = plan(total)
    counts = Generated(0, 0, 0, 0)
    # one transaction of minutes: free of the requests' statement timeout
    with unbounded(engine).begin() as connection, _indexes_built_after(connection, BULK_TABLES):
        writer = _Writer(connection, dialect)
        cast = _Cast(
            _facilitators(connection, stamp), reporter_pool(total), dialect, timings or Timings()
        )
        contacts = _contacts(writer, sum(cast.reporters), stamp)
        if beside is None:
            beside = sum(count for count, _ in years.values()) >= DRAWN_BESIDE_FROM
        slices = _slices(seed, years, cast)
        for batch in _drawn_beside(slices) if beside else map(_draw, slices):
            writer.write("report", REPORT_COLUMNS, batch.reports)
            writer.write("stage_change", CHANGE_COLUMNS, batch.changes)
            writer.write("validation", VALIDATION_COLUMNS, batch.validations)
            counts = Generated(
                counts.reports + len(batch.reports),
                counts.stage_changes + len(batch.changes),
                counts.validations + len(batch.validations),
                contacts,
            )
        for year, (count, _) in years.items():
            connection.execute(
                text("INSERT INTO number_counter (year, last) VALUES (:y, :n)"),
                {"y": year, "n": count},
            )
        if dialect == "postgresql":
            _move_sequences_past(connection)
            # Statistics now, not when autovacuum comes by: without them PostgreSQL
            # guessed 35,000 history rows per report and read all six million to find
            # one Open311 page's (260 ms instead of 40).
            for table in BULK_TABLES:
                connection.execute(text(f"ANALYZE {table}"))
    return counts


@dataclass(frozen=True)
class _Cast:
    """Who appears in every story of one history, and how its moments are stored."""

    facilitator_ids: list[int]
    reporters: tuple[int, int]  # (frequent, occasional), as reporter_pool gives them
    dialect: str
    timings: Timings = field(default_factory=Timings)


@dataclass(frozen=True)
class _Slice:
    """Up to BATCH_REPORTS consecutive reports of one year: when each was filed and
    whether it will be resolved, drawn for the whole year; the rest of their stories is
    drawn from the slice's own seed, so that slices can be drawn in any process."""

    year: int
    first_id: int
    first_sequence: int
    created: list[datetime]
    fates: list[Stage | None]
    seed: str
    cast: _Cast


@dataclass
class _Batch:
    """The rows of one slice's reports, ready for the driver."""

    reports: list[tuple] = field(default_factory=list)
    changes: list[tuple] = field(default_factory=list)
    validations: list[tuple] = field(default_factory=list)


def _slices(seed: int, years: dict[int, tuple[int, int]], cast: _Cast) -> Iterator[_Slice]:
    first_id = 1
    for year, (count, resolved) in years.items():
        rng = random.Random(f"{seed}/{year}")
        start = _naive_utc(datetime(year, 1, 1, tzinfo=JAKARTA))
        span = (_naive_utc(datetime(year + 1, 1, 1, tzinfo=JAKARTA)) - start).total_seconds()
        created = sorted(start + timedelta(seconds=rng.random() * span) for _ in range(count))
        fates = [Stage.SELESAI] * resolved + [None] * (count - resolved)
        rng.shuffle(fates)
        for index, offset in enumerate(range(0, count, BATCH_REPORTS)):
            piece = slice(offset, offset + BATCH_REPORTS)
            yield _Slice(
                year,
                first_id + offset,
                offset + 1,
                created[piece],
                fates[piece],
                f"{seed}/{year}/{index}",
                cast,
            )
        first_id += count


def _drawn_beside(slices: Iterator[_Slice]) -> Iterator[_Batch]:
    """The slices' batches, in order, drawn by other processes while this one writes.
    Spawned, not forked: this process holds a database connection, and maybe threads."""
    context = multiprocessing.get_context("spawn")
    drawers = ProcessPoolExecutor(max_workers=DRAWERS, mp_context=context)
    try:
        drawing = deque()
        for piece in slices:
            drawing.append(drawers.submit(_draw, piece))
            if len(drawing) > DRAWN_AHEAD:
                yield drawing.popleft().result()
        while drawing:
            yield drawing.popleft().result()
    finally:  # also when the writer fails: what is not drawn yet never will be
        drawers.shutdown(cancel_futures=True)


def _draw(piece: _Slice) -> _Batch:
    teller = _Teller(random.Random(piece.seed), _stamper(piece.cast.dialect), piece.cast)
    batch = _Batch()
    for report in _stories(teller, piece):
        batch.reports.append(report.row)
        batch.changes.extend(report.changes)
        batch.validations.extend(report.validations)
    return batch


def _facilitators(connection, stamp: Stamp) -> list[int]:
    ids = []
    for index in range(FACILITATORS):
        phone = f"+628110000{index:04d}"
        row = connection.execute(
            text(
                "INSERT INTO staff (role, name, phone, active, created_at) "
                "VALUES ('facilitator', :name, :phone, :active, :now) RETURNING id"
            ),
            {
                "name": f"Fasilitator {index + 1:02d}",
                "phone": phone,
                "active": True,
                "now": stamp(HISTORY_START),
            },
        ).scalar_one()
        ids.append(row)
    return ids


def _phone(index: int) -> str:
    return f"+62812{index:08d}"


def _contacts(writer: _Writer, count: int, stamp: Stamp) -> int:
    created = stamp(HISTORY_START)
    rows = [
        (index + 1, _phone(index), _phone(index), None, "id", created, None)
        for index in range(count)
    ]
    writer.write(
        "contact",
        ("id", "sender_key", "phone", "profile_name", "language", "created_at", "last_inbound_at"),
        rows,
    )
    return len(rows)


@dataclass
class _Report:
    row: tuple
    changes: list[tuple]
    validations: list[tuple]


@dataclass(frozen=True)
class _Teller:
    """What every story of one slice draws from."""

    rng: random.Random
    stamp: Stamp
    cast: _Cast


def _stories(teller: _Teller, piece: _Slice) -> Iterator[_Report]:
    rng, kelurahan = teller.rng, places.all_kelurahan()
    frequent, occasional = teller.cast.reporters
    year = piece.year
    for offset, (moment, fate) in enumerate(zip(piece.created, piece.fates, strict=True)):
        number = numbers.format_number(year, piece.first_sequence + offset)
        fate = fate or (Stage.DITOLAK if year < 2023 or rng.random() < 0.8 else None)
        reporter = (
            rng.randrange(frequent) if rng.random() < 0.35 else frequent + rng.randrange(occasional)
        )
        yield _story(
            teller,
            piece.first_id + offset,
            number,
            moment,
            fate,
            year,
            rng.choice(kelurahan),
            reporter,
        )


def _story(teller: _Teller, report_id, number, created, fate, year, kel, reporter) -> _Report:
    """One report's life: the stages it went through, when, and its validation. Each
    moment is stamped once, where it is reached, and used as often as rows name it."""
    rng, stamp = teller.rng, teller.stamp
    channel = _weighted(rng, CHANNELS, _CHANNEL_CUMULATIVE)
    filed = stamp(created)
    steps = [(None, Stage.MENUNGGU, Role.CITIZEN if channel == "whatsapp" else Role.CHANNEL, filed)]
    at = created + timedelta(hours=min(rng.expovariate(1 / 3), 30))
    steps.append((Stage.MENUNGGU, Stage.KOORDINASI, Role.KELURAHAN, stamp(at)))
    notes = {}
    validations = []
    if fate is Stage.DITOLAK:
        at += timedelta(hours=rng.uniform(1, 48))
        steps.append((Stage.KOORDINASI, Stage.DITOLAK, Role.KELURAHAN, stamp(at)))
        notes[Stage.DITOLAK] = "Tidak sesuai dengan fakta di lapangan"
    else:
        previous = Stage.KOORDINASI
        if rng.random() < 0.6:
            at += timedelta(hours=rng.uniform(1, 24))
            steps.append((previous, Stage.DISPOSISI, Role.KELURAHAN, stamp(at)))
            previous = Stage.DISPOSISI
        at += timedelta(hours=rng.uniform(1, 24))
        handler = Role.SKPD if previous is Stage.DISPOSISI else Role.KELURAHAN
        steps.append((previous, Stage.PROSES, handler, stamp(at)))
        if fate is Stage.SELESAI:
            timings = teller.cast.timings
            # the rest of the mean days, after the stages to proses and its first hour
            rest = timings.mean_resolution_days[year] * 86_400 - BEFORE_FOLLOW_UP.total_seconds()
            earliest = at + timedelta(hours=1)
            closing = earliest + timedelta(seconds=rng.gammavariate(2.0, rest / 2))
            entered, done = _validation(earliest, closing, rng, timings)
            target = _naive_utc(sla.daily_target(entered.replace(tzinfo=UTC)))
            entered_at, done_at = stamp(entered), stamp(done)
            steps.append((Stage.PROSES, Stage.TINDAK_LANJUT, Role.SKPD, entered_at))
            notes[Stage.TINDAK_LANJUT] = "Sudah ditindaklanjuti petugas"
            steps.append((Stage.TINDAK_LANJUT, Stage.VALIDASI, Role.FACILITATOR, done_at))
            steps.append((Stage.VALIDASI, Stage.SELESAI, Role.SYSTEM, done_at))
            validations.append(
                (
                    report_id,
                    rng.choice(teller.cast.facilitator_ids),
                    entered_at,
                    stamp(sla.validation_deadline(entered)),
                    stamp(target),
                    done_at,
                    "validated",
                )
            )
    final_stage, final_at = steps[-1][1], steps[-1][3]
    row = (
        report_id,
        number,
        numbers.canonical_digits(number),
        channel,
        _weighted(rng, CATEGORIES, _CATEGORY_CUMULATIVE),
        _DESCRIPTION,
        _DESCRIPTION if channel == "whatsapp" else None,  # what our summary told them
        None,
        None,
        None,
        kel.id,
        kel.name,
        kel.kecamatan,
        kel.kota,
        reporter + 1,
        None,
        _phone(reporter),
        _STORED[final_stage],
        final_at,
        filed,
    )
    changes = [
        (
            report_id,
            seq,
            _STORED.get(from_),
            _STORED[to],
            _STORED[role],
            GENERATED_BY,
            notes.get(to),
            moment,
        )
        for seq, (from_, to, role, moment) in enumerate(steps)
    ]
    return _Report(row, changes, validations)


def _validation(
    earliest: datetime, closing: datetime, rng: random.Random, timings: Timings
) -> tuple[datetime, datetime]:
    """When a follow-up enters tindak_lanjut and is validated (which closes the report):
    at the drawn `closing`, so that the mean days to resolution stay the drawn ones, having
    entered so long before that the validation is within the daily target, the next day
    (after its target, within 3 × 24 hours) or late, in the shares of `timings`. A story
    too quick for that (it would enter before `earliest`) enters at `earliest` and is
    validated after, in the same share."""
    draw, position = rng.random(), rng.random()
    cutoff = _cutoffs(closing)
    if draw < timings.late:
        entered = closing - sla.VALIDATION_LIMIT - timedelta(hours=0.1 + 77.9 * position)
    elif draw < timings.late + timings.next_day:  # its target: the end of the day before
        entered = cutoff(-1) - timedelta(days=position)
    else:  # after 15:30 the day before: its target is the end of the closing's day, or later
        entered = closing - FIRST_LOOK - (closing - FIRST_LOOK - cutoff(-1)) * position
    if entered >= earliest:
        return entered, closing
    target = _naive_utc(sla.daily_target(earliest.replace(tzinfo=UTC)))
    return earliest, _validated_after(earliest, target, draw, position, timings)


def _cutoffs(moment: datetime) -> Callable[[int], datetime]:
    """15:30 WIB of the day `days` after `moment`'s (WIB), as naive UTC."""
    day = moment.replace(tzinfo=UTC).astimezone(JAKARTA).date()
    return lambda days: _naive_utc(
        datetime.combine(day + timedelta(days=days), sla.DAILY_CUTOFF, tzinfo=JAKARTA)
    )


def _validated_after(
    entered: datetime, target: datetime, draw: float, position: float, timings: Timings
) -> datetime:
    """When a follow-up that entered at `entered` (daily target `target`) is validated,
    in the share of `timings` that `draw` falls in, `position` placing it within it."""
    due = entered + sla.VALIDATION_LIMIT
    if draw < timings.late:
        return due + timedelta(hours=0.1 + 77.9 * position)
    if draw < timings.late + timings.next_day:
        return target + (min(target + timedelta(days=1), due) - target) * max(position, 0.01)
    return entered + FIRST_LOOK + (target - entered - FIRST_LOOK) * position


def count_generated(*, session) -> int:
    """How many reports `crm generate` made: those whose creation names it as its actor."""
    return sql(session).value(
        "SELECT count(*) FROM stage_change WHERE seq = 0 AND actor_id = :by", by=GENERATED_BY
    )


def _weighted(rng: random.Random, population: tuple, cumulative: tuple[int, ...]):
    """What rng.choices(population, cum_weights=cumulative)[0] draws, without its list."""
    return population[bisect(cumulative, rng.random() * cumulative[-1], 0, len(cumulative) - 1)]


def _move_sequences_past(connection) -> None:
    """COPY with explicit ids leaves PostgreSQL's id sequences behind; move them on."""
    for table in ("report", "contact", "stage_change", "validation"):
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
            )
        )
