"""Property-based tests of the webhook (hypothesis): whatever Twilio's fields hold, the
answer is valid TwiML, never a 500, and the citizen's text comes back escaped."""

import logging
import re
import xml.etree.ElementTree as ET

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers import status, vocabulary
from handlers.message import IncomingMessage
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
    return command in always or status.named_number(command) is not None


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
    whatsapp.send("Kramat", phone=phone)
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
            "Kramat",
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
