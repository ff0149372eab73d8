"""Property-based tests of the webhook (hypothesis): whatever Twilio's fields hold, the
answer is valid TwiML, never a 500, the citizen's text comes back escaped, and nothing
stored holds a character XML cannot carry."""

import itertools
import logging
import re
import uuid
import xml.etree.ElementTree as ET
from urllib.parse import quote, quote_from_bytes

from hostile_text import FIELD_BYTES, xml_character
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import SQLModel
from twilio.request_validator import RequestValidator
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from conftest import AUTH_TOKEN, PUBLIC_BASE_URL
from handlers import vocabulary
from handlers.message import IncomingMessage
from handlers.understanding import status_request
from store.phones import sender_from

FIELDS = [
    "Body",
    "ProfileName",
    "NumMedia",
    "MediaUrl0",
    "MediaContentType0",
    "Latitude",
    "Longitude",
    "Address",
    "Label",
    "MessageType",
    "WaId",
    "ButtonText",
]
# XML 1.0 cannot carry most control characters; Twilio's form never holds them either,
# but our answer must stay valid even when a field does.
text = st.text(max_size=300)
odd_numbers = st.sampled_from(["", "0", "1", "-1", "9999", "abc", "1e9", "NaN", "٣", "²", " 2 "])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    fields=st.dictionaries(st.sampled_from(FIELDS), st.one_of(text, odd_numbers)),
    sender=st.one_of(st.just("whatsapp:+6281234567890"), st.text(min_size=1, max_size=40)),
)
def test_any_field_values_get_valid_twiml_never_a_500(whatsapp, fields, sender):
    phone = "+6281299" + str(abs(hash(repr(sorted(fields.items())))) % 1_000_000).zfill(6)
    form = whatsapp.form("", phone=phone)  # one phone per example: no rate limit between them
    form.update(fields)
    if not sender.startswith("whatsapp:"):
        form["From"] = sender
    reply = whatsapp.post(form)
    assert reply.status in (200, 400)
    if reply.status == 200:
        ET.fromstring(reply.raw)  # well-formed XML
        assert all(message.strip() for message in reply.messages)
        assert "gangguan" not in reply.text  # no crash behind the friendly apology


def _is_a_command(text: str) -> bool:
    """Words that mean a command wherever they are typed (BATAL, BAHASA, STATUS …)."""
    message = IncomingMessage(sender=sender_from("+6281200000000"), body=text)
    command = message.answer
    always = (
        vocabulary.CANCEL
        | vocabulary.TO_ENGLISH
        | vocabulary.TO_INDONESIAN
        | vocabulary.MENU
        | vocabulary.PAUSE
        | vocabulary.RESUME
        | vocabulary.MY_REPORTS
        | vocabulary.RESUME_REPORT
    )
    return command in always or status_request.names_a_number(command)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    description=st.text(
        alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), min_size=15, max_size=400
    ).filter(lambda s: sum(c.isalnum() for c in s) >= 10 and not _is_a_command(s))
)
def test_citizen_text_comes_back_exactly_as_typed(whatsapp, description):
    phone = "+628121111" + str(abs(hash(description)) % 10_000).zfill(4)
    for message in ["LAPOR", "1"]:
        whatsapp.send(message, phone=phone)
    whatsapp.send(description, phone=phone)
    whatsapp.send("Jl. Kramat Raya 10", phone=phone)
    whatsapp.send("Kramat, Senen", phone=phone)
    summary = whatsapp.send("LEWATI", phone=phone)
    collapsed = re.sub(r"\s+", " ", description).strip()
    if "Mohon periksa" in summary.text:
        assert collapsed in summary.text
    whatsapp.send("BATAL", phone=phone)


def test_logs_of_a_whole_conversation_never_hold_a_phone_number_a_name_or_words(whatsapp, caplog):
    # the app's own logger ("bot") too: each inbound message is logged at DEBUG
    with caplog.at_level(logging.DEBUG), caplog.at_level(logging.DEBUG, logger="bot"):
        for message in [
            "halo",
            "LAPOR",
            "1",
            "Jalan berlubang besar depan sekolah",
            "Jl. Kramat Raya 10",
            "Kramat, Senen",
            "LEWATI",
            "YA",
            "LAPORAN SAYA",
            "STATUS CRM-26-000001-0",
        ]:
            whatsapp.send(message, phone="+6281234567890")
        whatsapp.send("halo", phone="whatsapp:ID.8f3a9c2b1e77")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "inbound" in logged
    for secret in ["6281234567890", "812", "8f3a9c2b1e77", "Siti", "berlubang", "Kramat"]:
        assert secret not in logged


FUZZED_FIELDS = ["Body", "ProfileName", "Address", "Label", "MediaUrl0", "MediaContentType0"]
FORM = "application/x-www-form-urlencoded"
PHONES = itertools.count()


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def stored_strings(*, session) -> list[str]:
    """Every string in every row of every table, inside JSON values too."""
    connection = session.connection()
    return [
        text
        for table in SQLModel.metadata.sorted_tables
        for row in connection.execute(table.select())
        for text in _strings(tuple(row))
    ]


def _urlencoded(fields: dict[str, bytes], *, raw: bool) -> bytes:
    """A form body: each value percent-encoded, or its bytes as they are (less the four
    that would change the form's shape)."""

    def encoded(value: bytes) -> bytes:
        if not raw:
            return quote_from_bytes(value, safe="").encode()
        for byte in b"%&=+":
            value = value.replace(bytes([byte]), f"%{byte:02X}".encode())
        return value

    return b"&".join(quote(key).encode() + b"=" + encoded(value) for key, value in fields.items())


def _as_the_server_reads(body: bytes):
    """The form as werkzeug reads it, which Twilio would have signed."""
    return Request(EnvironBuilder(method="POST", data=body, content_type=FORM).get_environ()).form


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    fields=st.dictionaries(st.sampled_from(FUZZED_FIELDS), FIELD_BYTES, min_size=1),
    raw=st.sampled_from([False, False, False, True]),  # raw: mostly no UTF-8, so no form
)
def test_the_webhook_answers_any_bytes_with_well_formed_twiml_and_stores_only_xml_text(
    client, store, fields, raw
):
    phone = f"+62812{next(PHONES):08d}"  # one phone per example: no rate limit between them
    form = {
        "MessageSid": f"SM{uuid.uuid4().hex}",
        "From": f"whatsapp:{phone}",
        "To": "whatsapp:+14155238886",
        "NumMedia": "1" if "MediaUrl0" in fields else "0",
    }
    body = _urlencoded({key: value.encode() for key, value in form.items()} | fields, raw=raw)
    read = _as_the_server_reads(body)
    signature = RequestValidator(AUTH_TOKEN).compute_signature(
        PUBLIC_BASE_URL + "/webhooks/whatsapp", read
    )

    answer = client.post(
        "/webhooks/whatsapp",
        data=body,
        content_type=FORM,
        headers={"X-Twilio-Signature": signature},
    )

    # Bytes that are no UTF-8 at all make werkzeug read no form: no MessageSid, 400.
    assert answer.status_code == (200 if "MessageSid" in read else 400)
    ET.fromstring(answer.get_data())
    assert [text for text in store(stored_strings) if not all(map(xml_character, text))] == []
