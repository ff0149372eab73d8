"""The webhook never loses, doubles or crashes: signatures, replays and bad input."""

import threading
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlmodel import select, update
from twilio.request_validator import RequestValidator

from bot import create_app
from conftest import AUTH_TOKEN, PUBLIC_BASE_URL, WhatsApp, app_config
from handlers.twilio_form import MAX_BODY
from store import inbound, reports
from store.models import InboundMessage
from store.spool import Spool


def test_forged_signature_gets_403_and_stores_nothing(whatsapp, store):
    form = whatsapp.form("LAPOR")
    forged = RequestValidator("not-our-token").compute_signature(
        PUBLIC_BASE_URL + whatsapp.path, form
    )
    assert whatsapp.post(form, signature=forged).status == 403
    assert whatsapp.post(form, signature="").status == 403
    assert store(inbound.count_inbound) == 0


def test_signature_over_other_fields_is_refused(whatsapp, store):
    form = whatsapp.form("STATUS CRM-26-000001-9")
    signature = RequestValidator(AUTH_TOKEN).compute_signature(
        PUBLIC_BASE_URL + whatsapp.path, form
    )
    form["Body"] = "LAPOR"
    assert whatsapp.post(form, signature=signature).status == 403
    assert store(inbound.count_inbound) == 0


def test_signature_for_another_url_is_refused(whatsapp, store):
    form = whatsapp.form("halo")
    signature = RequestValidator(AUTH_TOKEN).compute_signature(
        "https://evil.example.com" + whatsapp.path, form
    )
    assert whatsapp.post(form, signature=signature).status == 403
    assert store(inbound.count_inbound) == 0


def test_a_signature_header_that_is_not_ascii_gets_403_not_a_crash(whatsapp, store):
    assert whatsapp.post(whatsapp.form("halo"), signature="éé" * 14).status == 403
    assert store(inbound.count_inbound) == 0


@pytest.mark.parametrize(
    "base_url",
    [
        "https://crm.example.go.id",
        "https://crm.example.go.id:443",
        "HTTPS://CRM.example.go.id",
        "http://127.0.0.1:5000",
    ],
)
@pytest.mark.parametrize(
    "signed_base",
    [
        "https://crm.example.go.id",
        "https://crm.example.go.id:443",
        "HTTPS://CRM.example.go.id",
        "http://127.0.0.1:5000",
        "http://127.0.0.1",
    ],
)
def test_the_signature_check_accepts_exactly_what_twilios_validator_accepts(
    database_url, base_url, signed_base
):
    """The fast path (one HMAC) must never let in what `validate` would refuse."""
    app = create_app(app_config(database_url, PUBLIC_BASE_URL=base_url))
    whatsapp = WhatsApp(app.test_client())
    form = whatsapp.form("halo")
    validator = RequestValidator(AUTH_TOKEN)
    signature = validator.compute_signature(signed_base + whatsapp.path, form)
    expected = validator.validate(base_url + whatsapp.path, form, signature)
    try:
        assert (whatsapp.post(form, signature=signature).status == 200) is expected
    finally:
        app.extensions["crm.engine"].dispose()


def test_replayed_message_sid_gets_the_same_reply_and_changes_nothing(whatsapp, store):
    whatsapp.send("LAPOR")
    first = whatsapp.send("1", sid="SM" + "a" * 32)
    replay = whatsapp.send("1", sid="SM" + "a" * 32)
    assert replay.messages == first.messages
    assert store(inbound.count_inbound) == 2
    # the draft moved one step only: a second "1" would otherwise be a too-short description
    assert "Di mana lokasinya" in whatsapp.send("Jalan berlubang besar sekali").text


def test_replayed_confirmation_creates_one_report(whatsapp, store):
    whatsapp.send("LAPOR")
    whatsapp.send("1")
    whatsapp.send("Jalan berlubang besar di depan sekolah")
    whatsapp.send("Jl. Kramat Raya No. 10")
    whatsapp.send("Kramat, Senen")
    whatsapp.send("LEWATI")
    first = whatsapp.send("YA", sid="SM" + "b" * 32)
    again = whatsapp.send("YA", sid="SM" + "b" * 32)
    assert again.messages == first.messages
    assert store(reports.count_reports) == 1


@pytest.mark.parametrize(
    "body",
    [
        "",
        "   ",
        "x" * 10_000,
        "🙂🔥🚧" * 50,
        "'; DROP TABLE report; --",
        "select * from report;--",
        "1 OR 1=1",
        "</Message></Response><Response><Message>pwned",
        "<![CDATA[ ]]> & &amp; <b>",
        "\x00\x07 control",
        "STATUS",
        "STATUS 🙂",
        "status crm-26-000000-0",
        "١٢٣",
        "LAPORAN",
    ],
)
def test_bad_input_gets_a_friendly_answer_and_valid_twiml(whatsapp, store, body):
    whatsapp.send("halo")
    reply = whatsapp.send(body)
    assert reply.status == 200
    assert reply.raw.startswith("<?xml")
    assert reply.messages and all(message.strip() for message in reply.messages)
    assert "gangguan" not in reply.text
    assert "pilih kategori" not in reply.text  # no report started either
    assert store(reports.count_reports) == 0


def test_citizen_text_is_escaped_in_twiml(whatsapp):
    whatsapp.send("LAPOR")
    whatsapp.send("1")
    whatsapp.send("Jalan rusak </Message><Message>injected & more")
    whatsapp.send("Jl. <Kramat> & Raya")
    whatsapp.send("Kramat, Senen")
    summary = whatsapp.send("LEWATI")
    assert len(summary.messages) == 1
    assert "</Message><Message>injected & more" in summary.text
    assert "&lt;/Message&gt;" in summary.raw


def test_empty_message_in_a_draft_repeats_the_question(whatsapp):
    whatsapp.send("LAPOR")
    reply = whatsapp.send("")
    assert "Pesan Anda kosong" in reply.text and "pilih kategori" in reply.text


@pytest.mark.parametrize(
    "extra",
    [
        {"NumMedia": "abc"},
        {"NumMedia": "-3"},
        {"NumMedia": "999"},
        {"NumMedia": "2", "MediaUrl0": "https://x/1", "MediaContentType0": "image/jpeg"},
        {"Latitude": "north", "Longitude": "east"},
        {"Latitude": "91", "Longitude": "10"},
        {"Latitude": "nan", "Longitude": "inf"},
        {"ProfileName": "😀" * 500},
    ],
)
def test_odd_twilio_fields_never_break_the_webhook(whatsapp, extra):
    reply = whatsapp.send("halo", **extra)
    assert reply.status == 200 and reply.messages


def test_missing_from_or_sid_is_a_bad_request_not_a_crash(whatsapp, store):
    form = whatsapp.form("halo")
    del form["From"]
    assert whatsapp.post(form).status == 400
    form = whatsapp.form("halo")
    del form["MessageSid"]
    assert whatsapp.post(form).status == 400
    assert store(inbound.count_inbound) == 0


@pytest.mark.parametrize(
    "sender",
    ["0812-3456-7890", "+62 812-3456-7890", "whatsapp:+6281234567890", "6281234567890"],
)
def test_every_phone_format_is_the_same_citizen(whatsapp, sender):
    whatsapp.send("ENGLISH", phone="whatsapp:+6281234567890")
    reply = whatsapp.send("asdf", phone=sender)
    assert "Sorry, we did not understand" in reply.text


def test_unknown_command_is_answered_with_the_way_forward(whatsapp):
    whatsapp.send("halo")
    reply = whatsapp.send("kapan jalan diperbaiki?")
    assert "belum memahami" in reply.text and "LAPOR" in reply.text


def test_simultaneous_deliveries_of_one_message_are_answered_once(served, store):
    """Twilio retrying while the first delivery is still being handled: eight copies of
    one MessageSid hit a real threaded server at once."""
    server = WhatsApp(None)
    form = server.form("halo", phone="+6281399990000", sid="SM" + "c" * 32)
    signature = RequestValidator(AUTH_TOKEN).compute_signature(served["base"] + server.path, form)
    barrier = threading.Barrier(8)

    def deliver():
        barrier.wait()
        answer = requests.post(
            served["base"] + server.path,
            data=form,
            headers={"X-Twilio-Signature": signature},
            timeout=30,
        )
        return answer.status_code, answer.text

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: deliver(), range(8)))
    assert {status for status, _ in answers} == {200}
    assert len({text for _, text in answers}) == 1
    assert "Halo, Siti!" in answers[0][1]
    with served["app"].app_context():
        from bot import database

        assert inbound.count_inbound(session=database.session()) == 1


def _stored_bodies(*, session) -> list[str]:
    return list(session.exec(select(InboundMessage.body)).all())


NOT_XML_TEXT = ["\uffff", "\ufffe", "\ufdd0", "\U0001fffe", "\U0010ffff", "\x0b", "\x1b", "\x85"]


@pytest.mark.parametrize("character", NOT_XML_TEXT, ids=[hex(ord(c)) for c in NOT_XML_TEXT])
def test_a_character_xml_cannot_carry_is_neither_answered_nor_stored(whatsapp, store, character):
    reply = whatsapp.send(f"STATUS abc{character}")
    assert reply.status == 200
    ET.fromstring(reply.raw)  # well-formed: Twilio's error 12100 otherwise
    assert character not in reply.raw
    assert store(_stored_bodies) == ["STATUS abc"]


def test_a_reply_stored_with_a_noncharacter_is_answered_again_as_well_formed_twiml(whatsapp, store):
    """A row written before input was cleaned, as Twilio retries its MessageSid."""
    sid = "SM" + "d" * 32
    whatsapp.send("halo", sid=sid)

    def hold_a_noncharacter(*, session):
        session.exec(
            update(InboundMessage)
            .where(InboundMessage.message_sid == sid)
            .values(reply=["Halo\uffff Siti\x0b"])
        )

    store(hold_a_noncharacter)
    again = whatsapp.send("halo", sid=sid)
    assert again.status == 200
    assert [message.text for message in ET.fromstring(again.raw).iter("Message")] == ["Halo Siti"]


def _shift_num_media_into_the_sid(form: dict[str, str]) -> dict[str, str]:
    """The audit's request: Twilio signs keys and values joined with nothing between
    them, so `MessageSid=SM…` `NumMedia=0` and `MessageSid=SM…NumMedia0` share one
    signature."""
    shifted = {key: value for key, value in form.items() if key != "NumMedia"}
    shifted["MessageSid"] += "NumMedia" + form["NumMedia"]
    return shifted


@pytest.fixture
def doors(database_url, tmp_path):
    """Post to any of Twilio's doors of an app whose spool is in tmp_path, signed."""
    app = create_app(app_config(database_url, SPOOL_DIR=str(tmp_path / "spool")))

    def post(path: str, form: dict[str, str], *, signed: dict[str, str] | None = None):
        signature = RequestValidator(AUTH_TOKEN).compute_signature(
            PUBLIC_BASE_URL + path, signed or form
        )
        return app.test_client().post(path, data=form, headers={"X-Twilio-Signature": signature})

    yield post
    app.extensions["crm.engine"].dispose()


@pytest.mark.parametrize("door", ["/webhooks/whatsapp", "/webhooks/whatsapp/fallback"])
def test_a_message_sid_shifted_under_the_same_signature_is_refused(doors, store, tmp_path, door):
    post = doors
    form = WhatsApp(None).form("LAPOR", sid="SM" + "0123456789abcdef" * 2)
    assert post(door, form).status_code == 200
    shifted = _shift_num_media_into_the_sid(form)

    assert post(door, shifted, signed=form).status_code == 400  # the signature holds
    kept = Spool(tmp_path / "spool")
    assert store(inbound.count_inbound) == (1 if door == "/webhooks/whatsapp" else 0)
    assert sum(1 for path in kept.pending() for _ in kept.entries(path)) == (
        1 if door.endswith("fallback") else 0
    )


NOT_MESSAGE_SIDS = {
    "too-short": "SM" + "a" * 31,
    "too-long": "SM" + "a" * 33,
    "upper-case-hex": "SM" + "A" * 32,
    "not-hex": "SM" + "g" * 32,
    "another-kind-of-sid": "MG" + "a" * 32,
    "line-break": "SM" + "a" * 32 + "\n",
}


@pytest.mark.parametrize("sid", NOT_MESSAGE_SIDS.values(), ids=NOT_MESSAGE_SIDS.keys())
@pytest.mark.parametrize("field", ["MessageSid", "SmsMessageSid"])
def test_a_sid_twilio_never_gives_is_400_and_nothing_is_stored(whatsapp, store, sid, field):
    form = whatsapp.form("halo")
    del form["MessageSid"]
    form[field] = sid
    assert whatsapp.post(form).status == 400
    assert store(inbound.count_inbound) == 0


@pytest.mark.parametrize("sid", ["SM" + "0a" * 16, "MM" + "0a" * 16])
def test_sms_and_media_message_sids_are_both_answered(whatsapp, sid):
    assert whatsapp.send("halo", sid=sid).status == 200


@pytest.mark.parametrize("sid", [*NOT_MESSAGE_SIDS.values(), "SM" + "a" * 32 + "NumMedia0"])
@pytest.mark.parametrize("field", ["MessageSid", "SmsSid"])
def test_a_status_callback_naming_a_sid_twilio_never_gives_is_400(doors, sid, field):
    post = doors
    answer = post("/webhooks/whatsapp/status", {field: sid, "MessageStatus": "delivered"})
    assert answer.status_code == 400


def test_a_body_longer_than_whatsapp_allows_is_stored_and_handled_cut_to_4096(whatsapp, store):
    reply = whatsapp.send("x" * 100_000)  # the audit stored a 900 KB body whole
    assert reply.status == 200
    assert [len(body) for body in store(_stored_bodies)] == [MAX_BODY]


def test_a_whatsapp_message_of_4096_emoji_is_taken_whole(whatsapp, store):
    """The largest message Twilio can send: 4-byte characters, percent-encoded."""
    assert whatsapp.send("🚧" * 4096).status == 200
    assert store(_stored_bodies) == ["🚧" * 4096]


def test_a_request_far_larger_than_twilio_makes_is_refused_before_it_is_read(whatsapp, store):
    assert whatsapp.send("x" * 900_000).status == 413
    assert store(inbound.count_inbound) == 0
