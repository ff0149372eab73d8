"""The paper's server problem: the database goes down during conversations. Twilio's
fallback requests are kept on disk; when the database is back the worker answers every
message once, in order per phone, and the citizen gets the answers as notifications."""

import shutil
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from tcp_proxy import TcpProxy
from twilio.request_validator import RequestValidator

from bot import create_app
from conftest import AUTH_TOKEN, PUBLIC_BASE_URL, WhatsApp, app_config, move_through
from handlers.notifications import render
from scheduler import replay
from store import inbound, outbox, reports
from store.spool import FAILURES, REPLAY_LOCK, SET_ASIDE, Spool

FALLBACK = "/webhooks/whatsapp/fallback"
ALICE, BUDI, CITRA = "+6281200000001", "+6281200000002", "+6281200000003"


class Outage:
    """Switches the app's database off and on: a proxy cut for PostgreSQL, the file
    moved away for SQLite."""

    def __init__(self, database_url: str, tmp_path: Path):
        self.url = make_url(database_url)
        self.tmp_path = tmp_path
        self.proxy = None
        if self.url.get_backend_name() == "postgresql":
            self.proxy = TcpProxy(self.url.port or 5432).up()
            self.url = self.url.set(
                host="127.0.0.1", port=self.proxy.port, query={"connect_timeout": "2"}
            )

    def app_url(self) -> str:
        return self.url.render_as_string(hide_password=False)

    def start(self, app) -> None:
        if self.proxy:
            self.proxy.down()
        else:
            Path(self.url.database).rename(self.tmp_path / "away.db")
            Path(self.url.database).mkdir()  # the path now is no database at all
        app.extensions["crm.engine"].dispose()

    def end(self, app) -> None:
        if self.proxy:
            self.proxy.up()
        else:
            Path(self.url.database).rmdir()
            (self.tmp_path / "away.db").rename(self.url.database)
        app.extensions["crm.engine"].dispose()


@pytest.fixture
def outage(database_url, tmp_path):
    return Outage(database_url, tmp_path)


@pytest.fixture
def app(outage, tmp_path):
    app = create_app(app_config(outage.app_url(), SPOOL_DIR=str(tmp_path / "spool")))
    yield app
    app.extensions["crm.engine"].dispose()
    if outage.proxy:
        outage.proxy.down()


def _via_fallback(whatsapp: WhatsApp, form: dict[str, str]):
    """What Twilio does when the webhook answers 5xx: the same request to the fallback URL."""
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_BASE_URL + FALLBACK, form)
    answer = whatsapp.client.post(FALLBACK, data=form, headers={"X-Twilio-Signature": signature})
    return answer.status_code, answer.get_data(as_text=True)


def _messages(twiml: str) -> list[str]:
    return [message.text or "" for message in ET.fromstring(twiml).iter("Message")]


def test_messages_during_an_outage_are_answered_once_in_order_afterwards(
    app, worker, outage, whatsapp, store
):
    whatsapp.send("LAPOR", phone=ALICE)
    whatsapp.send("1", phone=ALICE)
    whatsapp.send("halo", phone=BUDI)
    outage.start(app)

    during = [
        (ALICE, "Jalan berlubang besar di depan SDN 01"),
        (BUDI, "LAPORAN SAYA"),
        (ALICE, "Jl. Kramat Raya 10"),
        (ALICE, "Kramat, Senen"),
        (ALICE, "LEWATI"),
    ]
    first_form = whatsapp.form(during[0][1], phone=during[0][0])
    started = time.monotonic()
    kept = whatsapp.post(first_form)  # kept by the webhook itself, without Twilio's fallback
    assert kept.status == 200 and "tersimpan" in kept.text
    assert time.monotonic() - started < 5
    status, body = _via_fallback(whatsapp, first_form)  # had Twilio called it all the same
    assert status == 200 and "tersimpan" in body  # and kept once
    for phone, text in during[1:]:
        # while messages wait in the spool, later ones join them there, in order
        assert "tersimpan" in whatsapp.send(text, phone=phone).text
    health = whatsapp.client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["spooled_files"] == 1

    outage.end(app)
    # back, but the spool is not replayed yet: a live message waits its turn
    late = whatsapp.send("YA", phone=ALICE)
    assert "tersimpan" in late.text
    assert replay.replay_spool(worker) == 6  # the five kept during the outage, the live one
    assert replay.replay_spool(worker) == 0
    assert store(inbound.count_inbound) == 3 + 6
    assert store(reports.count_reports) == 1

    answers = [
        render(note.kind, note.payload, "id").body
        for note in store(outbox.notifications)
        if note.kind == "delayed_reply"
    ]
    assert len(answers) == 6
    alice = [text for text in answers if "belum memiliki laporan" not in text]  # not Budi
    assert "Di mana lokasinya" in alice[0]
    assert "Di kelurahan mana" in alice[1]
    assert "Kirim foto" in alice[2]
    assert "Mohon periksa laporan Anda" in alice[3]
    assert "laporan Anda sudah kami terima" in alice[4]
    assert whatsapp.client.get("/healthz").get_json()["spooled_files"] == 0
    assert "Tahap saat ini" not in whatsapp.send("halo lagi", phone=BUDI).text


def test_fallback_refuses_unsigned_requests_and_keeps_nothing(app, whatsapp, tmp_path):
    form = whatsapp.form("halo")
    answer = whatsapp.client.post(FALLBACK, data=form, headers={"X-Twilio-Signature": "x"})
    assert answer.status_code == 403
    assert not (tmp_path / "spool").exists() or not any((tmp_path / "spool").iterdir())


def test_a_replay_interrupted_by_a_crash_is_finished_without_doubles(
    app, worker, whatsapp, store, tmp_path
):
    forms = [whatsapp.form(text) for text in ["LAPOR", "1", "Jalan berlubang besar sekali"]]
    for form in forms:
        _via_fallback(whatsapp, form)
    spool_dir = tmp_path / "spool"
    # the worker died after answering the first message: its replay file is left behind
    with app.app_context():
        from werkzeug.datastructures import MultiDict

        from bot import database
        from bot.webhooks import spool
        from handlers.once import answer_once
        from handlers.turn import Limits
        from handlers.twilio_form import incoming_message

        taken = spool().take(spool().pending()[0], taker="dead")
        first = forms[0]
        answer_once(
            first["MessageSid"],
            incoming_message(MultiDict(first)),
            db=database.transaction(),
            limits=Limits(messages_per_minute=None, reports_per_day=10),
            deliver_later=True,
        )
        assert taken.exists()
        assert replay.replay_spool(worker) == 3
    assert store(inbound.count_inbound) == 3
    assert len(store(outbox.notifications)) == 3
    assert [path.name for path in spool_dir.iterdir()] == [REPLAY_LOCK]  # nothing waits
    shutil.rmtree(spool_dir)


def test_a_kept_entry_with_a_list_for_its_sender_does_not_stop_the_replay(
    worker, whatsapp, tmp_path
):
    """Written by hand, or by another version: read as a form would read it."""
    kept = {"MessageSid": "SM" + "1" * 32, "From": [f"whatsapp:{BUDI}"]}
    Spool(tmp_path / "spool").append({"form": kept})
    _via_fallback(whatsapp, whatsapp.form("halo", phone=ALICE))
    assert replay.replay_spool(worker) == 2
    assert not Spool(tmp_path / "spool").has_pending()


def test_a_kept_entry_that_is_no_message_is_set_aside_and_the_rest_replayed(
    worker, whatsapp, store, tmp_path
):
    spool_dir = tmp_path / "spool"
    _via_fallback(whatsapp, whatsapp.form("halo", phone=ALICE))
    Spool(spool_dir).append({"form": {"From": f"whatsapp:{BUDI}"}})  # no MessageSid
    _via_fallback(whatsapp, whatsapp.form("LAPORAN SAYA", phone=ALICE))

    assert replay.replay_spool(worker) == 2
    assert replay.replay_spool(worker) == 0
    assert store(inbound.count_inbound) == 2
    [kept] = Spool.entries(spool_dir / SET_ASIDE)
    assert kept == {
        "set_aside_because": "no MessageSid or sender",
        "message_sid": None,
        "entry": {"form": {"From": f"whatsapp:{BUDI}"}},
    }
    health = whatsapp.client.get("/healthz").get_json()
    assert health["spooled_files"] == 0 and health["set_aside_entries"] == 1
    assert "tersimpan" not in whatsapp.send("halo lagi", phone=ALICE).text


def test_a_kept_entry_whose_sid_twilio_never_gives_is_set_aside_not_answered(
    worker, whatsapp, store, tmp_path
):
    """Kept by an earlier version, which took `SM…NumMedia0` for a MessageSid: the replay
    reads MessageSids as the webhook does."""
    shifted = whatsapp.form("halo", phone=BUDI)
    shifted["MessageSid"] += "NumMedia0"
    Spool(tmp_path / "spool").append({"form": shifted})

    assert replay.replay_spool(worker) == 0
    assert store(inbound.count_inbound) == 0
    [kept] = Spool.entries(tmp_path / "spool" / SET_ASIDE)
    assert kept["set_aside_because"] == "no MessageSid or sender"


def test_an_answer_twilio_never_got_is_given_by_the_fallback(app, whatsapp, store, tmp_path):
    """The webhook committed its answer, but the process died before replying (or
    Twilio gave up waiting): Twilio calls the fallback, which finds the answer stored."""
    form = whatsapp.form("LAPORAN SAYA", phone=BUDI)
    answered = whatsapp.post(form).messages

    status, body = _via_fallback(whatsapp, form)

    assert status == 200 and answered and _messages(body) == answered
    assert not Spool(tmp_path / "spool").has_pending()
    assert store(outbox.notifications) == [] and store(inbound.count_inbound) == 1


def test_an_answer_twilio_never_got_reaches_the_citizen_once_when_the_fallback_cannot_tell(
    app, worker, outage, whatsapp, store
):
    """As above, but the database does not answer the fallback: the message is kept,
    and the replay must send the stored answer, and only once."""
    form = whatsapp.form("LAPORAN SAYA", phone=BUDI)
    answered = whatsapp.post(form).text
    outage.start(app)
    assert "tersimpan" in _via_fallback(whatsapp, form)[1]
    assert "tersimpan" in _via_fallback(whatsapp, form)[1]  # Twilio may retry the fallback too
    outage.end(app)
    replay.replay_spool(worker)
    replay.replay_spool(worker)

    (note,) = store(outbox.notifications)
    assert answered in render(note.kind, note.payload, "id").body  # after "sorry for the delay"
    assert store(inbound.count_inbound) == 1


def test_a_fallback_for_a_message_kept_already_keeps_nothing_more(worker, whatsapp, tmp_path):
    """Twilio retries the fallback; each copy would be one more entry to replay."""
    form = whatsapp.form("halo", phone=BUDI)
    spool = Spool(tmp_path / "spool")
    assert "tersimpan" in _via_fallback(whatsapp, form)[1]
    kept = spool.live.read_bytes()

    for _ in range(3):
        status, body = _via_fallback(whatsapp, form)
        assert status == 200 and "tersimpan" in body

    assert spool.live.read_bytes() == kept
    assert replay.replay_spool(worker) == 1


def test_replaying_an_answered_fallback_request_changes_nothing_for_anyone(
    app, whatsapp, store, tmp_path
):
    """The audit replayed one captured, signed fallback request every 0.5 s: each was
    kept again, and while the spool held it the other phones' messages were kept too
    ("system down") instead of answered."""
    captured = whatsapp.form("LAPORAN SAYA", phone=BUDI)
    answered = whatsapp.post(captured).messages

    for _ in range(12):
        status, body = _via_fallback(whatsapp, captured)
        assert status == 200 and _messages(body) == answered
        assert "tersimpan" not in whatsapp.send("STATUS", phone=ALICE).text

    assert not Spool(tmp_path / "spool").has_pending()
    assert store(inbound.count_inbound) == 1 + 12 and store(outbox.notifications) == []


def test_a_long_answer_kept_during_an_outage_comes_whole_in_as_many_messages_as_it_takes(
    worker, whatsapp, store
):
    number = whatsapp.file_report(phone=ALICE)
    note = "Catatan petugas " + "sangat panjang " * 60
    move_through(store, number, "koordinasi", "proses", "tindak_lanjut", "proses", note=note)
    live = whatsapp.send(f"STATUS {number}", phone=ALICE).messages
    before = len(store(outbox.notifications))

    _via_fallback(whatsapp, whatsapp.form(f"STATUS {number}", phone=ALICE))
    replay.replay_spool(worker)

    parts = [render(n.kind, n.payload, "id").body for n in store(outbox.notifications)[before:]]
    assert len(parts) >= 2 and all(len(part) <= 1600 for part in parts)
    assert parts[0].startswith("Mohon maaf atas keterlambatan")
    assert not any(part.startswith("Mohon maaf") for part in parts[1:])
    assert "".join(parts).count("sangat panjang") == "".join(live).count("sangat panjang")


def test_an_hour_of_kept_messages_replayed_in_a_minute_is_no_flood(worker, whatsapp, store):
    texts = ["LAPOR", "1", "Jalan berlubang besar di depan SDN 01", "Jl. Kramat Raya 10"]
    texts += ["Kramat, Senen"] + [f"foto {n}" for n in range(20)]  # photos are one message each
    for text in texts:
        _via_fallback(whatsapp, whatsapp.form(text, phone=ALICE))
    assert replay.replay_spool(worker) == len(texts)
    answers = [render(note.kind, note.payload, "id").body for note in store(outbox.notifications)]
    assert len(answers) == len(texts)
    assert not any("terlalu banyak pesan" in text for text in answers)


def test_a_kept_message_known_by_its_sms_message_sid_alone_is_answered(worker, whatsapp, store):
    """The webhook takes SmsMessageSid when MessageSid is missing; so must the replay."""
    form = whatsapp.form("LAPORAN SAYA", phone=BUDI)
    form["SmsMessageSid"] = form.pop("MessageSid")
    assert "tersimpan" in _via_fallback(whatsapp, form)[1]
    assert replay.replay_spool(worker) == 1
    (note,) = store(outbox.notifications)
    assert "belum memiliki laporan" in render(note.kind, note.payload, "id").body


def test_a_database_up_but_read_only_keeps_the_spool_for_later(
    app, worker, whatsapp, store, tmp_path, database_url
):
    """A PostgreSQL primary still read-only after a failover refuses writes with an
    error that is no OperationalError: the kept messages must wait, not be set aside."""
    if not database_url.startswith("postgresql"):
        pytest.skip("a read-only mode for a live database is PostgreSQL's")
    for text in ("halo", "LAPORAN SAYA"):
        _via_fallback(whatsapp, whatsapp.form(text, phone=ALICE))
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    name = make_url(database_url).database
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(
                f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'
            )
        app.extensions["crm.engine"].dispose()
        for _ in range(replay.STUCK_AFTER + 1):  # an outage: nothing counts as stuck
            with pytest.raises(SQLAlchemyError):
                replay.replay_spool(worker)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(
                f'ALTER DATABASE "{name}" RESET default_transaction_read_only'
            )
        admin.dispose()
        app.extensions["crm.engine"].dispose()

    assert not (tmp_path / "spool" / SET_ASIDE).exists()
    assert replay.replay_spool(worker) == 2
    assert store(inbound.count_inbound) == 2
    assert not any(
        "gangguan" in render(note.kind, note.payload, "id").body
        for note in store(outbox.notifications)
    )


def _refuse_inbound(app, body: str | None, *, unless_reply_has: str | None = None) -> None:
    """A trigger that makes the database refuse to record the messages with this `body`
    (but not their reply if it has `unless_reply_has`), as a bug or a statement timeout
    that only they meet would; every message when `body` is None, as a full disk would."""
    engine = app.extensions["crm.engine"]
    sqlite = engine.dialect.name == "sqlite"
    refused = "TRUE" if body is None else f"NEW.body = '{body}'"
    if unless_reply_has:
        reply = "NEW.reply" if sqlite else "NEW.reply::text"
        refused += f" AND {'instr' if sqlite else 'strpos'}({reply}, '{unless_reply_has}') = 0"
    with engine.begin() as connection:
        if sqlite:
            connection.exec_driver_sql(
                f"CREATE TRIGGER refuse BEFORE INSERT ON inbound_message WHEN {refused}"
                " BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
            return
        connection.exec_driver_sql(
            "CREATE OR REPLACE FUNCTION refuse() RETURNS trigger AS $$ BEGIN"
            f" IF {refused} THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END"
            " $$ LANGUAGE plpgsql"
        )
        connection.exec_driver_sql(
            "CREATE TRIGGER refuse BEFORE INSERT ON inbound_message"
            " FOR EACH ROW EXECUTE FUNCTION refuse()"
        )


def _accept_inbound(app) -> None:
    with app.extensions["crm.engine"].begin() as connection:
        connection.exec_driver_sql(
            "DROP TRIGGER IF EXISTS refuse"
            if connection.dialect.name == "sqlite"
            else "DROP TRIGGER IF EXISTS refuse ON inbound_message"
        )


@pytest.fixture
def refuse_inbound(app):
    """`refuse_inbound(body, …)`: see _refuse_inbound; PostgreSQL's test database outlives
    the test, so the trigger goes at the end."""
    yield lambda body, **kwargs: _refuse_inbound(app, body, **kwargs)
    _accept_inbound(app)


def _replay_until_stuck(worker, whatsapp) -> None:
    """Replay runs in which the refused message fails and a later one is written: one
    more message from another phone, kept behind it, each time (as on a working day)."""
    for count in range(replay.STUCK_AFTER):
        assert "tersimpan" in whatsapp.send(f"halo {count}", phone=CITRA).text
        replay.replay_spool(worker)


def _replay_until_set_aside(worker, whatsapp) -> None:
    """Until the refused message, its apology refused too, is set aside."""
    _replay_until_stuck(worker, whatsapp)
    whatsapp.send("halo lagi", phone=CITRA)  # written after the apology was refused
    replay.replay_spool(worker)  # the apology refused: counted a fourth time
    replay.replay_spool(worker)  # and so set aside


def test_a_kept_message_the_database_refuses_every_time_gets_the_apology_and_frees_the_spool(
    worker, whatsapp, store, tmp_path, refuse_inbound
):
    spool_dir = tmp_path / "spool"
    _via_fallback(whatsapp, whatsapp.form("halo", phone=ALICE))
    refused = whatsapp.form("Selamat pagi", phone=BUDI)
    _via_fallback(whatsapp, refused)
    _via_fallback(whatsapp, whatsapp.form("LAPORAN SAYA", phone=ALICE))
    refuse_inbound("Selamat pagi", unless_reply_has="gangguan")  # not the apology

    _replay_until_stuck(worker, whatsapp)
    assert Spool(spool_dir).failures(refused["MessageSid"]) == replay.STUCK_AFTER
    assert "tersimpan" in whatsapp.send("halo lagi", phone=ALICE).text  # still held up
    replay.replay_spool(worker)

    assert store(inbound.count_inbound) == 3 + 3 + 1  # Citra's three, Alice's while held up
    answers = [render(note.kind, note.payload, "id").body for note in store(outbox.notifications)]
    apologies = [text for text in answers if "sistem kami sedang mengalami gangguan" in text]
    assert len(answers) == 7 and len(apologies) == 1  # Budi's; the others answered
    assert sorted(path.name for path in spool_dir.iterdir()) == [REPLAY_LOCK]
    assert "tersimpan" not in whatsapp.send("halo sekali lagi", phone=ALICE).text


def test_a_kept_message_refused_even_its_apology_is_set_aside_and_the_rest_replayed(
    worker, whatsapp, store, tmp_path, refuse_inbound
):
    _via_fallback(whatsapp, whatsapp.form("Selamat pagi", phone=BUDI))
    _via_fallback(whatsapp, whatsapp.form("halo", phone=ALICE))
    refuse_inbound("Selamat pagi")

    _replay_until_set_aside(worker, whatsapp)

    [kept] = Spool.entries(tmp_path / "spool" / SET_ASIDE)
    assert kept["set_aside_because"] == "refused by the database in 4 runs"
    assert kept["entry"]["form"]["From"] == f"whatsapp:{BUDI}"
    assert store(inbound.count_inbound) == 1 + 4  # Alice's, Citra's
    assert whatsapp.client.get("/healthz").get_json()["set_aside_entries"] == 1


def test_a_kept_message_twice_refused_even_its_apology_goes_aside_once_and_frees_the_spool(
    worker, whatsapp, tmp_path, refuse_inbound
):
    """Two copies in the spool (Twilio's retry of the fallback raced the first call, both
    looked before either wrote): the second must not start counting again."""
    form = whatsapp.form("Selamat pagi", phone=BUDI)
    _via_fallback(whatsapp, form)
    Spool(tmp_path / "spool").append({"form": form, "received_at": "2026-12-05T08:00:00"})
    _via_fallback(whatsapp, whatsapp.form("halo", phone=ALICE))
    refuse_inbound("Selamat pagi")

    _replay_until_set_aside(worker, whatsapp)  # both copies

    spool = Spool(tmp_path / "spool")
    assert spool.count_set_aside() == 1 and not spool.has_pending()
    assert not (tmp_path / "spool" / FAILURES).exists()


def _crm_spool(app, *args: str):
    return app.test_cli_runner().invoke(args=["crm", "spool", *args])


def test_an_operator_sees_what_was_set_aside_without_the_whole_phone_number(
    app, worker, whatsapp, refuse_inbound
):
    kept = whatsapp.form("LAPORAN SAYA, hubungi 0812 9999 8888", phone=BUDI)
    _via_fallback(whatsapp, kept)
    refuse_inbound("LAPORAN SAYA, hubungi 0812 9999 8888")
    _replay_until_set_aside(worker, whatsapp)

    listed = _crm_spool(app, "list")

    assert listed.exit_code == 0, listed.output
    assert "0 spool file(s) wait" in listed.output and "1 entry(ies) set aside" in listed.output
    [line] = [line for line in listed.output.splitlines() if line.startswith("1\t")]
    assert kept["MessageSid"] in line and "refused by the database in 4 runs" in line
    assert "+62*****" in line and "LAPORAN SAYA, hubungi" in line
    assert BUDI[3:] not in listed.output and "99998888" not in listed.output.replace(" ", "")


def test_a_message_set_aside_is_answered_once_an_operator_retries_it_after_the_fix(
    app, worker, whatsapp, store, refuse_inbound
):
    kept = whatsapp.form("LAPORAN SAYA", phone=BUDI)
    _via_fallback(whatsapp, kept)
    refuse_inbound("LAPORAN SAYA")
    _replay_until_set_aside(worker, whatsapp)
    _accept_inbound(app)  # the bug fixed

    retried = _crm_spool(app, "retry", kept["MessageSid"])
    assert replay.replay_spool(worker) == 1
    assert replay.replay_spool(worker) == 0

    assert retried.exit_code == 0 and "1 entry(ies) back in the spool" in retried.output
    answers = [render(note.kind, note.payload, "id").body for note in store(outbox.notifications)]
    assert sum("belum memiliki laporan" in text for text in answers) == 1  # Budi's, once
    health = whatsapp.client.get("/healthz").get_json()
    assert health["spooled_files"] == 0 and health["set_aside_entries"] == 0


def test_a_discarded_entry_leaves_nothing_of_the_citizen_on_disk(
    app, worker, whatsapp, tmp_path, refuse_inbound
):
    _via_fallback(whatsapp, whatsapp.form("Selamat pagi", phone=BUDI))
    refuse_inbound("Selamat pagi")
    _replay_until_set_aside(worker, whatsapp)

    discarded = _crm_spool(app, "discard", "--all")

    assert discarded.exit_code == 0 and "1 entry(ies) deleted" in discarded.output
    assert not any(BUDI[1:] in path.read_text() for path in (tmp_path / "spool").iterdir())
    assert whatsapp.client.get("/healthz").get_json()["set_aside_entries"] == 0


def test_spool_commands_naming_nothing_or_an_unknown_entry_change_nothing(
    app, worker, whatsapp, tmp_path, refuse_inbound
):
    _via_fallback(whatsapp, whatsapp.form("Selamat pagi", phone=BUDI))
    refuse_inbound("Selamat pagi")
    _replay_until_set_aside(worker, whatsapp)

    unnamed = _crm_spool(app, "retry")
    unknown = _crm_spool(app, "discard", "1", "SM404")

    assert unnamed.exit_code == 2 and "--all" in unnamed.output
    assert unknown.exit_code == 1 and "not set aside: SM404" in unknown.output
    spool = Spool(tmp_path / "spool")
    assert spool.count_set_aside() == 1 and not spool.has_pending()


def _replay_during_an_outage(app, worker, outage: Outage, *, runs: int) -> None:
    outage.start(app)
    try:
        for _ in range(runs):
            with pytest.raises(SQLAlchemyError):
                replay.replay_spool(worker)
    finally:
        outage.end(app)


def test_an_outage_counts_nothing_against_the_kept_messages(
    app, worker, outage, whatsapp, store, tmp_path
):
    _via_fallback(whatsapp, whatsapp.form("LAPORAN SAYA", phone=BUDI))
    _replay_during_an_outage(app, worker, outage, runs=replay.STUCK_AFTER + 1)
    assert not (tmp_path / "spool" / FAILURES).exists()

    assert replay.replay_spool(worker) == 1
    (note,) = store(outbox.notifications)
    assert "belum memiliki laporan" in render(note.kind, note.payload, "id").body


def test_a_stuck_message_met_by_an_outage_waits_for_its_apology(
    app, worker, outage, whatsapp, store, tmp_path, refuse_inbound
):
    _via_fallback(whatsapp, whatsapp.form("Selamat pagi", phone=BUDI))
    _via_fallback(whatsapp, whatsapp.form("halo", phone=ALICE))
    refuse_inbound("Selamat pagi", unless_reply_has="gangguan")
    _replay_until_stuck(worker, whatsapp)
    _replay_during_an_outage(app, worker, outage, runs=1)  # the apology fails too, for the outage
    assert not (tmp_path / "spool" / SET_ASIDE).exists()

    replay.replay_spool(worker)
    answers = [render(note.kind, note.payload, "id").body for note in store(outbox.notifications)]
    assert sum("sistem kami sedang mengalami gangguan" in text for text in answers) == 1
    assert not Spool(tmp_path / "spool").has_pending()


def test_a_kept_message_refused_for_a_while_is_answered_for_real_once_accepted(
    app, worker, whatsapp, store, tmp_path, refuse_inbound
):
    form = whatsapp.form("LAPORAN SAYA", phone=BUDI)
    _via_fallback(whatsapp, form)
    _via_fallback(whatsapp, whatsapp.form("halo", phone=ALICE))
    refuse_inbound("LAPORAN SAYA")
    for _ in range(replay.STUCK_AFTER - 1):
        replay.replay_spool(worker)
    _accept_inbound(app)
    assert replay.replay_spool(worker) == 2  # Budi's for real, Alice's from its stored reply

    answers = [render(note.kind, note.payload, "id").body for note in store(outbox.notifications)]
    assert len(answers) == 2 and any("belum memiliki laporan" in text for text in answers)
    assert not (tmp_path / "spool" / FAILURES).exists()


def test_a_refused_message_alone_counts_nothing_until_another_gets_through(
    worker, whatsapp, store, tmp_path, refuse_inbound
):
    """A failure is the message's own only if the next message tried is written."""
    refused = whatsapp.form("Selamat pagi", phone=BUDI)
    _via_fallback(whatsapp, refused)
    _via_fallback(whatsapp, whatsapp.form("LAPORAN SAYA", phone=BUDI))  # waits behind it
    refuse_inbound("Selamat pagi")
    for _ in range(replay.STUCK_AFTER + 1):
        assert replay.replay_spool(worker) == 0
    spool = Spool(tmp_path / "spool")
    assert spool.failures(refused["MessageSid"]) == 0 and spool.has_pending()

    for text in ("halo", "MENU", "PETUNJUK"):  # each one kept, answered, and counted
        assert "tersimpan" in whatsapp.send(text, phone=ALICE).text
        assert replay.replay_spool(worker) == 1
    assert spool.failures(refused["MessageSid"]) == replay.STUCK_AFTER
    whatsapp.send("terima kasih", phone=ALICE)  # written after the apology was refused
    replay.replay_spool(worker)  # the apology refused: counted a fourth time
    replay.replay_spool(worker)  # Budi's first: set aside; then his second, in its turn
    assert spool.count_set_aside() == 1 and not spool.has_pending()
    assert store(inbound.count_inbound) == 4 + 1


def test_refused_messages_in_a_row_are_all_counted_once_a_later_one_is_written(
    worker, whatsapp, store, tmp_path, refuse_inbound
):
    """The same forwarded text, tripping the same bug, from four phones."""
    phones = (BUDI, ALICE, "+6281200000004", "+6281200000005")
    refused = [whatsapp.form("Selamat pagi", phone=phone) for phone in phones]
    for form in refused:
        _via_fallback(whatsapp, form)
    refuse_inbound("Selamat pagi", unless_reply_has="gangguan")

    _replay_until_stuck(worker, whatsapp)
    spool = Spool(tmp_path / "spool")
    assert [spool.failures(form["MessageSid"]) for form in refused] == [3, 3, 3, 3]
    replay.replay_spool(worker)
    answers = [render(note.kind, note.payload, "id").body for note in store(outbox.notifications)]
    assert sum("sistem kami sedang mengalami gangguan" in text for text in answers) == 4
    assert not spool.has_pending()


def test_a_reply_served_again_from_the_store_is_no_sign_the_database_writes(
    app, worker, whatsapp, store, tmp_path, refuse_inbound
):
    """Once every message is refused, the ones answered before (still in the file, behind
    the refused one) must not count against it."""
    refused = whatsapp.form("Selamat pagi", phone=BUDI)
    _via_fallback(whatsapp, refused)
    _via_fallback(whatsapp, whatsapp.form("halo", phone=ALICE))
    refuse_inbound("Selamat pagi")
    replay.replay_spool(worker)  # Alice's written: Budi's failure counted once
    _accept_inbound(app)
    refuse_inbound(None)
    for _ in range(replay.STUCK_AFTER + 1):
        replay.replay_spool(worker)

    spool = Spool(tmp_path / "spool")
    assert spool.failures(refused["MessageSid"]) == 1 and spool.count_set_aside() == 0


def test_a_database_that_refuses_every_message_is_waited_for_like_an_outage(
    app, worker, whatsapp, store, tmp_path, refuse_inbound
):
    """Say a trigger a migration left behind: the heartbeat is written, no message is."""
    _via_fallback(whatsapp, whatsapp.form("halo", phone=ALICE))
    _via_fallback(whatsapp, whatsapp.form("LAPORAN SAYA", phone=BUDI))
    _via_fallback(whatsapp, whatsapp.form("MENU", phone=CITRA))
    refuse_inbound(None)
    for _ in range(replay.STUCK_AFTER + 1):
        assert replay.replay_spool(worker) == 0  # each fails, and none is written after it
    assert not (tmp_path / "spool" / FAILURES).exists()
    assert not (tmp_path / "spool" / SET_ASIDE).exists()

    _accept_inbound(app)
    assert replay.replay_spool(worker) == 3
    assert len(store(outbox.notifications)) == 3


def test_an_apology_for_a_kept_message_is_sent_once_and_answers_it_for_good(
    app, worker, whatsapp, store
):
    form = whatsapp.form("LAPORAN SAYA", phone=ALICE)
    _via_fallback(whatsapp, form)
    with app.app_context():
        from werkzeug.datastructures import MultiDict

        from bot import database
        from handlers.once import apologise_once
        from handlers.twilio_form import incoming_message

        message = incoming_message(MultiDict(form))
        apologise_once(form["MessageSid"], message, db=database.transaction())
        apologise_once(form["MessageSid"], message, db=database.transaction())
        assert replay.replay_spool(worker) == 1  # answered: with the apology, recorded before
    (note,) = store(outbox.notifications)
    assert "sistem kami sedang mengalami gangguan" in render(note.kind, note.payload, "id").body
    assert store(inbound.count_inbound) == 1
