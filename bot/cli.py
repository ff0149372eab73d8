"""`flask --app bot crm …` commands for operators, and `flask --app bot chat`."""

import time
from datetime import date, datetime, timedelta
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from bot import database
from bot.media import ResultPhoto, keep_photos, result_photos
from bot.webhooks import spool
from store import (
    criteria,
    numbers,
    office_members,
    offices,
    outages,
    ratings,
    reports,
    sla,
    staff,
    stages,
    stats,
    tokens,
    validations,
)
from store.categories import CATEGORIES
from store.clock import to_wib, utcnow
from store.db import read_session, unbounded
from store.media import MediaUnavailable, UploadRefused
from store.phones import mask, mask_numbers, to_e164
from store.spool import UnknownEntries
from store.staff import StaffRole
from store.stages import Role, Stage
from store.tokens import TOKEN_ROLES

crm = AppGroup("crm", help="Operate the CRM WhatsApp service.")
db_group = AppGroup("db", help="The database schema.")
crm.add_command(db_group)


@db_group.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations (the Procfile's release step)."""
    from store.db import upgrade

    upgrade(database.engine())
    click.echo("database is up to date")


token_group = AppGroup("token", help="Bearer tokens of the officer/channel API.")
crm.add_command(token_group)


@token_group.command("create")
@click.option("--role", required=True, type=click.Choice([str(role) for role in TOKEN_ROLES]))
@click.option(
    "--office",
    help="Its office (kelurahan, skpd and channel tokens): a kelurahan by name, postal code"
    " or id, an SKPD or channel by name or id (crm office list).",
)
@click.option("--name", help="Who holds it, e.g. 'lurah-kramat'; the office's name by default.")
def token_create(role: str, office: str | None, name: str | None) -> None:
    """Create a token; it is printed once, on the last line, and only its hash is kept."""
    db = database.session()
    try:
        info, token = tokens.create_token(name, Role(role), office=office, session=db, now=utcnow())
    except offices.OfficeProblem as problem:
        raise click.ClickException(str(problem)) from None
    db.commit()
    where = f" of {info.office.name}" if info.office else ""
    click.echo(f"token {info.id} for {info.name} ({info.role}{where}); keep it secret:")
    click.echo(token)


@token_group.command("list")
def token_list() -> None:
    """List tokens (never the tokens themselves)."""
    for info in tokens.list_tokens(session=database.session()):
        state = f"revoked {info.revoked_at:%Y-%m-%d %H:%M}Z" if info.revoked_at else "active"
        office = info.office.name if info.office else ("UNBOUND" if info.unbound else "-")
        click.echo(f"{info.id}\t{info.role}\t{info.name}\t{office}\t{state}")


@token_group.command("revoke")
@click.argument("id_or_name")
def token_revoke(id_or_name: str) -> None:
    """Revoke a token by id, or every active token of a name."""
    db = database.session()
    count = tokens.revoke_token(id_or_name, session=db, now=utcnow())
    db.commit()
    if not count:
        raise click.ClickException(f"no active token {id_or_name!r}")
    click.echo(f"revoked {count} token(s)")


office_group = AppGroup("office", help="Kelurahan, SKPD, the Biro Pemerintahan and channels.")
crm.add_command(office_group)
_OFFICE_KINDS = click.Choice([kind.value for kind in offices.OfficeKind])


@office_group.command("list")
@click.option("--kind", type=_OFFICE_KINDS, help="Only offices of this kind.")
def office_list(kind: str | None) -> None:
    """List offices: id, kind, name, kota and, for an SKPD, the categories it handles."""
    chosen = offices.OfficeKind(kind) if kind else None
    for office in offices.list_offices(chosen, session=database.session()):
        click.echo(
            f"{office.id}\t{office.kind}\t{office.name}\t{office.kota or '-'}"
            f"\t{','.join(office.categories) or '-'}"
        )


@office_group.command("add")
@click.option("--kind", required=True, type=click.Choice(["skpd", "channel"]))
@click.option("--name", required=True, help="e.g. 'Suku Dinas Bina Marga Jakarta Timur'.")
@click.option("--kota", help="An SKPD's kota, e.g. 'Jakarta Timur'.")
@click.option("--category", "categories", multiple=True, type=click.Choice(CATEGORIES))
def office_add(kind: str, name: str, kota: str | None, categories: tuple[str, ...]) -> None:
    """Add an SKPD (with the categories it handles in its kota) or a channel."""
    db = database.session()
    try:
        office = offices.add_office(
            offices.OfficeKind(kind), name, kota=kota, categories=categories, session=db
        )
    except offices.OfficeProblem as problem:
        raise click.ClickException(str(problem)) from None
    db.commit()
    click.echo(f"office {office.id}: {office.name} ({office.kind})")


@office_group.command("categories")
@click.argument("name")
@click.option("--add", "added", multiple=True, type=click.Choice(CATEGORIES))
@click.option("--remove", "removed", multiple=True, type=click.Choice(CATEGORIES))
def office_categories(name: str, added: tuple[str, ...], removed: tuple[str, ...]) -> None:
    """Change the categories an SKPD handles in its kota (what a disposisi proposes)."""
    db = database.session()
    try:
        office = offices.find_office(name, offices.OfficeKind.SKPD, session=db)
        for category in removed:
            office = offices.remove_category(office.name, category, session=db)
        for category in added:
            office = offices.add_category(office.name, category, session=db)
    except offices.OfficeProblem as problem:
        raise click.ClickException(str(problem)) from None
    db.commit()
    click.echo(f"{office.name}: {', '.join(office.categories) or 'no category'}")


member_group = AppGroup(
    "member", help="A kelurahan's or an SKPD's staff: told of their office's reports by WhatsApp."
)
office_group.add_command(member_group)


@member_group.command("add")
@click.option(
    "--office",
    required=True,
    help="A kelurahan by name, postal code or id, or an SKPD by name or id (crm office list).",
)
@click.option("--name", required=True)
@click.option("--phone", required=True, help="WhatsApp number, any format.")
def member_add(office: str, name: str, phone: str) -> None:
    """Register a member of an office (a phone belongs to one office at a time)."""
    e164 = to_e164(phone)
    if e164 is None:
        raise click.ClickException(f"{phone!r} is not a phone number")
    db = database.session()
    try:
        member = office_members.add_member(office, name, e164, session=db, now=utcnow())
    except (offices.OfficeProblem, staff.DuplicateStaff) as problem:
        raise click.ClickException(str(problem)) from None
    db.commit()
    click.echo(f"member {member.id}: {member.name} ({member.phone}) of {member.office.name}")


@member_group.command("list")
@click.option("--office", help="Only this office's members.")
def member_list(office: str | None) -> None:
    """List active members: id, name, phone, office."""
    try:
        members = office_members.list_members(office, session=database.session())
    except offices.OfficeProblem as problem:
        raise click.ClickException(str(problem)) from None
    for member in members:
        click.echo(f"{member.id}\t{member.name}\t{member.phone}\t{member.office.name}")


@member_group.command("remove")
@click.argument("id_or_phone")
def member_remove(id_or_phone: str) -> None:
    """Stop a member's messages and commands (by id or phone, any format)."""
    db = database.session()
    person = office_members.remove_member(to_e164(id_or_phone) or id_or_phone, session=db)
    if person is None:
        raise click.ClickException(f"no office member {id_or_phone!r}")
    db.commit()
    click.echo(f"member {person.id} ({person.name}) removed")


@crm.command("move")
@click.argument("number")
@click.argument("stage", type=click.Choice([stage.value for stage in Stage]))
@click.option("--note", default=None, help="Reason or note (required for ditolak and returns).")
@click.option(
    "--photo",
    "photo_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A photo of the finished work, JPEG or PNG (a move to tindak_lanjut needs one; "
    "repeat for more).",
)
@click.option("--latitude", type=click.FloatRange(-90, 90), help="Where the photos were taken.")
@click.option("--longitude", type=click.FloatRange(-180, 180), help="With --latitude.")
def move(
    number: str,
    stage: str,
    note: str | None,
    photo_files: tuple[Path, ...],
    latitude: float | None,
    longitude: float | None,
) -> None:
    """Move a report to STAGE as an admin; the reporter is notified. A move to validasi
    closes the report, as a facilitator's validation does."""
    parsed = numbers.parse_number(number)
    if parsed is None or not parsed.valid:
        raise click.ClickException(f"{number!r} is not a valid report number")
    photos = _result_photos(photo_files, Stage(stage))
    place = _place_of_photos(latitude, longitude, photos)
    db = database.session()
    try:
        view = reports.officer_move(
            parsed.digits,
            Stage(stage),
            role=Role.ADMIN,
            actor_id="cli",
            note=note,
            session=db,
            now=utcnow(),
            result_photos=tuple(photo for photo, _ in photos),
            result_place=place,
        )
        keep_photos(photos)
    except reports.UnknownReport:
        raise click.ClickException(f"no report {number}") from None
    except stages.MoveRefused as refusal:
        allowed = ", ".join(sorted(refusal.allowed)) or "none"
        raise click.ClickException(f"{refusal} (allowed: {allowed})") from None
    except MediaUnavailable as problem:
        raise click.ClickException(f"the photos cannot be kept now: {problem}") from None
    db.commit()
    click.echo(f"{view.number} is now {view.stage}")


def _head(path: Path, size: int) -> bytes:
    """The first `size` bytes: enough to refuse a file too large (or endless, /dev/zero)."""
    with open(path, "rb") as file:
        return file.read(size)


def _result_photos(files: tuple[Path, ...], stage: Stage) -> list[ResultPhoto]:
    if files and stage is not Stage.TINDAK_LANJUT:
        raise click.ClickException("--photo goes only with a move to tindak_lanjut")
    most = current_app.config["SETTINGS"].media_max_bytes
    try:
        return result_photos([_head(file, most + 1) for file in files])
    except UploadRefused as refusal:
        raise click.ClickException(f"{refusal}") from None


def _place_of_photos(
    latitude: float | None, longitude: float | None, photos: list[ResultPhoto]
) -> tuple[float, float] | None:
    if latitude is None and longitude is None:
        return None
    if latitude is None or longitude is None:
        raise click.ClickException("--latitude and --longitude go together")
    if not photos:
        raise click.ClickException("--latitude and --longitude go only with --photo")
    return latitude, longitude


def _staff_commands(role: StaffRole, description: str) -> AppGroup:
    group = AppGroup(role.value, help=f"{description} (receive work and alerts by WhatsApp).")

    @group.command("add")
    @click.option("--name", required=True)
    @click.option("--phone", required=True, help="WhatsApp number, any format.")
    def add(name: str, phone: str) -> None:
        e164 = to_e164(phone)
        if e164 is None:
            raise click.ClickException(f"{phone!r} is not a phone number")
        db = database.session()
        try:
            person = staff.add_staff(role, name, e164, session=db, now=utcnow())
        except staff.DuplicateStaff as problem:
            raise click.ClickException(str(problem)) from None
        db.commit()
        click.echo(f"{role} {person.id}: {person.name} ({person.phone})")

    @group.command("list")
    def list_() -> None:
        for person in staff.list_staff(role, session=database.session()):
            state = "active" if person.active else "inactive"
            click.echo(f"{person.id}\t{person.name}\t{person.phone}\t{state}")

    @group.command("deactivate")
    @click.argument("id_or_phone")
    def deactivate(id_or_phone: str) -> None:
        db = database.session()
        person = staff.deactivate_staff(role, to_e164(id_or_phone) or id_or_phone, session=db)
        if person is None:
            raise click.ClickException(f"no {role} {id_or_phone!r}")
        db.commit()
        click.echo(f"{role} {person.id} ({person.name}) deactivated")

    return group


crm.add_command(_staff_commands(StaffRole.FACILITATOR, "TA Fasilitator"))
crm.add_command(_staff_commands(StaffRole.SUPERVISOR, "Biro Pemerintahan supervisors"))

criteria_group = AppGroup(
    "criteria", help="What a valid follow-up of each category shows (facilitators' LIHAT)."
)
crm.add_command(criteria_group)


@criteria_group.command("list")
def criteria_list() -> None:
    for found in criteria.all_criteria(session=database.session()):
        click.echo(f"{found.category}\t{_criteria_origin(found)}\t{found.text}")


@criteria_group.command("show")
@click.argument("category", type=click.Choice(CATEGORIES))
def criteria_show(category: str) -> None:
    found = criteria.criteria_of(category, session=database.session())
    click.echo(f"{found.category} ({_criteria_origin(found)})\n{found.text}")


@criteria_group.command("set")
@click.argument("category", type=click.Choice(CATEGORIES))
@click.option("--text", required=True, help="What a valid follow-up shows, in Indonesian.")
def criteria_set(category: str, text: str) -> None:
    db = database.session()
    try:
        found = criteria.set_criteria(category, text, session=db, now=utcnow())
    except ValueError as problem:
        raise click.ClickException(str(problem)) from None
    db.commit()
    click.echo(f"{found.category}: {found.text}")


def _criteria_origin(found: criteria.Criteria) -> str:
    return "default" if found.set_at is None else f"set {found.set_at:%Y-%m-%d %H:%M} UTC"


@crm.command("sla")
@click.option("--month", required=True, help="YYYY-MM (WIB).")
def sla_figures(month: str) -> None:
    """Validation SLA of a month, per facilitator: within 72 h, within the daily target,
    median and 95th-percentile hours; then the citizens' ratings given in the month, per
    facilitator and per office, with their latest comments; then the month's outages,
    each with the validation deadlines missed inside it."""
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError:
        first = None
    if first is None or not 1900 <= first.year <= 2999:  # 0001-01 overflows on its way to UTC
        raise click.BadParameter("use YYYY-MM, a month of this era", param_hint="--month")
    next_first = (first + timedelta(days=32)).replace(day=1)
    rows = validations.sla_for_month(
        sla.start_of_day(first), sla.start_of_day(next_first), session=database.session()
    )
    click.echo(f"Validasi {month}")
    click.echo(
        f"{'Fasilitator':<24}{'Validasi':>9}{'≤72 jam':>10}{'≤target':>10}"
        f"{'median j':>10}{'p95 j':>8}"
    )
    for row in rows:
        click.echo(
            f"{row.facilitator:<24}{row.validations:>9}"
            f"{_share(row.within_72h, row.validations):>10}"
            f"{_share(row.within_daily_target, row.validations):>10}"
            f"{row.median_hours:>10.1f}{row.p95_hours:>8.1f}"
        )
    if not rows:
        click.echo("(no validations in this month)")
    _ratings(sla.start_of_day(first), sla.start_of_day(next_first), month)
    _outages(sla.start_of_day(first), sla.start_of_day(next_first), month)


def _ratings(start: datetime, end: datetime, month: str) -> None:
    """The ratings given in the month (1-5), per facilitator who validated the report and
    per office that handled it, each with its latest comments: the words the citizen sent
    with the score, on one line, without their name or phone number."""
    summary = ratings.ratings_between(start, end, session=database.session())
    click.echo("")
    click.echo(f"Penilaian warga {month}")
    if summary.everyone is None:
        click.echo("(no ratings in this month)")
        return
    for head, rows in (("Fasilitator", summary.facilitators), ("Kantor", summary.offices)):
        click.echo(f"{head:<40}{'Penilaian':>10}{'Rata-rata':>10}")
        for row in [*rows, summary.everyone]:
            name = f"Kel. {row.name}" if row.kind == "kelurahan" else row.name
            click.echo(f"{name:<40}{row.ratings:>10}{row.mean:>10.2f}")
            if row is not summary.everyone:
                for comment in row.comments:
                    click.echo(f"  {comment.number}  {comment.score}/5  {comment.text}")


def _outages(start: datetime, end: datetime, month: str) -> None:
    """The outages of the month (messages kept in the spool until the worker answered
    them: store/outages.py), each with the validation deadlines missed inside it."""
    db = database.session()
    found = outages.outages_between(start, end, session=db)
    click.echo("")
    click.echo(f"Gangguan {month} (WIB)")
    if not found:
        click.echo("(no outages in this month)")
    for outage in found:
        click.echo(
            f"{_wib(outage.started_at)} – {_wib(outage.ended_at)}  {_duration(outage.duration)}"
        )
        misses = validations.misses_between(
            outage.started_at, outage.ended_at, session=db, now=utcnow()
        )
        for miss in misses:
            done = _wib(miss.left_at) if miss.left_at else "still open"
            click.echo(
                f"  {miss.number}  {_RULES[miss.rule]} {_wib(miss.deadline)}"
                f"  {miss.facilitator or '(unassigned)'}  {done}"
            )
        if not misses:
            click.echo("  (no deadline missed inside)")


_RULES = {"72h": "batas 72 jam", "daily": "target harian"}


def _wib(moment: datetime) -> str:
    return f"{to_wib(moment):%Y-%m-%d %H:%M}"


def _duration(length: timedelta) -> str:
    minutes = round(length.total_seconds() / 60)
    return f"{minutes // 60} j {minutes % 60:02d} m"


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.2f}%" if whole else "-"


@crm.command("generate")
@click.option("--table1", "table1", is_flag=True, help="The paper's Table 1: 953,623 reports.")
@click.option("--reports", "total", type=click.IntRange(min=1), help="Table 1 scaled to N.")
@click.option("--seed", default=2023, show_default=True)
@click.option(
    "--next-day-share",
    type=click.FloatRange(0, 1),
    help="Validations after the daily target, within 3×24 h (default 0.03: an assumption; "
    "store/history.py, Timings, says why).",
)
@click.option(
    "--late-share",
    type=click.FloatRange(0, 1),
    help="Validations after 3×24 h (default 0: the paper reports validation within the rules).",
)
def generate_history(
    table1: bool,
    total: int | None,
    seed: int,
    next_day_share: float | None,
    late_share: float | None,
) -> None:
    """Fill an empty store with a synthetic CRM history (deterministic), its timings the
    paper's where it gives them (store/history.py, Timings). The dashboard says its
    figures come from this sample data."""
    if table1 == (total is not None):
        raise click.UsageError("give either --table1 or --reports N")
    from store import history

    chosen = {"next_day": next_day_share, "late": late_share}
    try:
        timings = history.Timings(
            **{name: share for name, share in chosen.items() if share is not None}
        )
    except ValueError as problem:
        raise click.BadParameter(str(problem)) from None

    if reports.count_reports(session=database.session()):
        raise click.ClickException("the store already holds reports; use an empty database")
    database.session().close()
    started = time.monotonic()
    made = history.generate(database.engine(), seed=seed, total=total, timings=timings)
    click.echo(
        f"{made.reports:,} reports, {made.stage_changes:,} stage changes, "
        f"{made.validations:,} validations, {made.contacts:,} contacts "
        f"in {time.monotonic() - started:.1f} s"
    )
    click.echo(
        f"validations: {timings.next_day:.0%} the next day, {timings.late:.0%} after 3x24 h "
        "(store/history.py, Timings, gives the sources)"
    )


@crm.command("stats")
@click.option("--by", type=click.Choice(["year", "month"]), default="year", show_default=True)
@click.option("--from", "start", help="First period, YYYY or YYYY-MM (WIB).")
@click.option("--to", "end", help="Last period, YYYY or YYYY-MM (WIB).")
def stats_table(by: str, start: str | None, end: str | None) -> None:
    """Table 1 of the paper, from the store: reports, resolutions and their rate."""
    try:
        window = stats.period_window(start, end)
    except ValueError as problem:
        raise click.BadParameter(str(problem)) from None
    with read_session(unbounded(database.engine())) as db:  # seconds over the whole history
        summary = stats.summarise(by=by, session=db, **window)
    click.echo(render_stats_table(summary, by))


def render_stats_table(summary, by: str) -> str:
    head = "Tahun" if by == "year" else "Bulan"
    lines = [
        f"{head:<8}{'Jumlah Laporan':>16}{'Penyelesaian Laporan':>22}{'Persentase':>12}"
        f"{'Rata-rata hari':>16}{'Median hari':>13}{'Validasi ≤72 jam':>18}"
    ]
    for row in summary.periods:
        lines.append(
            f"{row.period:<8}{row.reports:>16,}{row.resolved:>22,}{row.resolution_rate:>11.2f}%"
            f"{_days(row.mean_days):>16}{_days(row.median_days):>13}"
            f"{_percent(row.validation_rate):>18}"
        )
    lines.append(
        f"{'Jumlah':<8}{summary.reports:>16,}{summary.resolved:>22,}"
        f"{_percent(summary.weighted_rate):>12}"
    )
    lines.append(
        f"Tingkat penyelesaian atas semua laporan (tertimbang): {_percent(summary.weighted_rate)}"
    )
    lines.append(
        f"Rata-rata persentase per {'tahun' if by == 'year' else 'bulan'}: "
        f"{_percent(summary.mean_of_rates)}"
    )
    return "\n".join(lines)


def _days(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}%"


spool_group = AppGroup("spool", help="Messages kept on disk during an outage, and set aside.")
crm.add_command(spool_group)


@spool_group.command("list")
def spool_list() -> None:
    """What waits for the worker's replay, and each entry the replay set aside (phone
    numbers masked; set-aside.jsonl holds them whole)."""
    kept = spool()
    click.echo(f"{len(kept.pending())} spool file(s) wait for the worker's replay")
    aside = kept.set_aside_entries()
    click.echo(f"{len(aside)} entry(ies) set aside")
    for position, entry in enumerate(aside, 1):
        click.echo(f"{position}\t{_describe_set_aside(entry)}")


def _describe_set_aside(entry: dict) -> str:
    """One line: when it came, its MessageSid, the masked sender, why, its first words.
    Defensive: an entry may be set aside because it is no message at all."""
    kept = entry["entry"] if isinstance(entry.get("entry"), dict) else {}
    form = kept["form"] if isinstance(kept.get("form"), dict) else {}
    sender = str(form.get("From") or "")
    body = " ".join(str(form.get("Body") or "").split())
    words = mask_numbers(body if len(body) <= 60 else body[:59] + "…")
    media = str(form.get("NumMedia") or "0")
    return "\t".join(
        [
            _utc(kept.get("received_at")),
            entry.get("message_sid") or "-",
            mask(to_e164(sender) or sender),
            str(entry.get("set_aside_because")),
            repr(words) + ("" if media == "0" else f" +{media} media"),
        ]
    )


def _utc(moment) -> str:
    try:
        return f"{datetime.fromisoformat(moment):%Y-%m-%d %H:%M:%S}Z"
    except (TypeError, ValueError):
        return "-"


_ENTRIES = click.argument("names", nargs=-1)
_EVERY = click.option("--all", "every", is_flag=True, help="Every entry set aside.")


@spool_group.command("retry")
@_ENTRIES
@_EVERY
def spool_retry(names: tuple[str, ...], every: bool) -> None:
    """Give entries set aside back to the worker's replay, once what refused them is
    fixed. NAMES: their numbers in `spool list`, or their MessageSids."""
    released = _release(names, every, replay=True)
    click.echo(f"{len(released)} entry(ies) back in the spool, for the worker's next replay")
    _numbers_changed(released)


@spool_group.command("discard")
@_ENTRIES
@_EVERY
def spool_discard(names: tuple[str, ...], every: bool) -> None:
    """Delete entries set aside, once dealt with (they hold the citizen's phone and
    words). NAMES: their numbers in `spool list`, or their MessageSids."""
    released = _release(names, every, replay=False)
    click.echo(f"{len(released)} entry(ies) deleted")
    _numbers_changed(released)


def _numbers_changed(released: list[dict]) -> None:
    if released and spool().set_aside_entries():
        click.echo("the others are numbered afresh: see `spool list` before naming one by number")


def _release(names: tuple[str, ...], every: bool, *, replay: bool) -> list[dict]:
    if every == bool(names):
        raise click.UsageError("name the entries (numbers or MessageSids), or give --all")
    try:
        return spool().release_set_aside(None if every else names, replay=replay)
    except UnknownEntries as unknown:
        raise click.ClickException(f"not set aside: {unknown} (see `spool list`)") from None


@crm.command("worker")
def worker() -> None:
    """Run the scheduler process (the Procfile's worker)."""
    from bot.worker import worker_resources
    from scheduler import run_worker

    run_worker(worker_resources(current_app._get_current_object()))


def init_app(app: Flask) -> None:
    from bot.chat import chat

    app.cli.add_command(crm)
    app.cli.add_command(chat)
