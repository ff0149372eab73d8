"""The understanding table without the app: (text, context) → (intent, slots)."""

import re
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from handlers.message import IncomingMessage, Location, Media
from handlers.understanding.reading import Intent, Reading, read
from store.phones import sender_from

SENDER = sender_from("whatsapp:+6281234567890")


@dataclass(frozen=True)
class Context:
    """Every fact the table may ask for, as plain values."""

    step: str | None = None
    first_contact: bool = False
    told_what_to_do: bool = False
    rating_awaited: bool = False
    rating_open: bool = False
    facilitator: bool = False
    supervisor: bool = False
    staff: bool = False
    office_member: bool = False
    recent_report_categories: frozenset[str] = frozenset()
    report_just_filed: bool = False
    has_reports: bool = False


CITIZEN = Context()
IN_A_REPORT = Context(step="location")
AT_THE_SUMMARY = Context(step="confirm")
AFTER_SELESAI = Context(rating_awaited=True, rating_open=True)
DAYS_AFTER_SELESAI = Context(rating_open=True)
FACILITATOR = Context(facilitator=True, staff=True)
SUPERVISOR = Context(supervisor=True, staff=True)
NEWCOMER = Context(first_contact=True)
PHOTO = Media("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1", "image/jpeg")
PIN = Location(-6.1754, 106.8272)
FIVE = {"score": 5}
WHO = {"question": "who_handles"}
HOW_LONG = {"question": "how_long"}
FAC, SUP, ANSWER = Intent.FACILITATOR_COMMAND, Intent.SUPERVISOR_COMMAND, Intent.ANSWER


def reading_of(text: str, context=CITIZEN, *, media=(), location=None) -> Reading:
    return read(IncomingMessage(SENDER, text, media=media, location=location), context)


@pytest.mark.parametrize(
    ("text", "context", "intent", "slots"),
    [
        # a rating, in a sentence, the very next answer or later in the week
        ("5", AFTER_SELESAI, Intent.RATE, {"score": 5}),
        ("ALHAMDULILLAH SUDAH DITAMBAL PAK TERIMA KASIH 5", AFTER_SELESAI, Intent.RATE, FIVE),
        ("bintang lima", DAYS_AFTER_SELESAI, Intent.RATE, {"score": 5}),
        ("nilai 4 pak", DAYS_AFTER_SELESAI, Intent.RATE, {"score": 4}),
        ("5", DAYS_AFTER_SELESAI, Intent.RATE, {"score": 5}),
        ("2", DAYS_AFTER_SELESAI, Intent.ASK_FOR_NUMBER, {}),  # the menu's STATUS by then
        ("2", AFTER_SELESAI, Intent.RATE, {"score": 2}),
        ("makasih pak", AFTER_SELESAI, Intent.THANK_BEFORE_RATING, {}),
        ("nilai 5", CITIZEN, Intent.NOT_UNDERSTOOD, {}),  # nothing to rate
        ("5", IN_A_REPORT, Intent.ANSWER, {}),
        # questions, at any step, never a report's answer
        ("berapa lama biasanya diproses?", CITIZEN, Intent.QUESTION, {"question": "how_long"}),
        ("siapa yang menangani laporan saya?", IN_A_REPORT, Intent.QUESTION, WHO),
        ("Is this an emergency service?", CITIZEN, Intent.QUESTION, {"question": "emergency_line"}),
        # commands win over a report's free-text answer
        ("batal", IN_A_REPORT, Intent.CANCEL, {}),
        ("gak jadi deh", IN_A_REPORT, Intent.CANCEL, {}),
        ("english", IN_A_REPORT, Intent.CHOOSE_LANGUAGE, {"language": "en"}),
        ("BAHASA", CITIZEN, Intent.CHOOSE_LANGUAGE, {"language": "id"}),
        ("STOP", CITIZEN, Intent.SET_NOTIFICATIONS, {"paused": True}),
        ("mulai", CITIZEN, Intent.SET_NOTIFICATIONS, {"paused": False}),
        ("menu", IN_A_REPORT, Intent.MENU, {}),
        ("status CRM-26-000123-3", IN_A_REPORT, Intent.STATUS, {}),
        ("laporan saya gimana?", IN_A_REPORT, Intent.MY_REPORTS, {}),
        ("3", IN_A_REPORT, Intent.ANSWER, {}),  # a choice, not MY REPORTS
        ("terima kasih pak", IN_A_REPORT, Intent.THANKS, {}),
        ("ya, terima kasih", AT_THE_SUMMARY, Intent.ANSWER, {}),
        ("Jl. Kramat Raya no 5 dekat halte", IN_A_REPORT, Intent.ANSWER, {}),
        ("", IN_A_REPORT, Intent.EMPTY, {}),
        # outside a report: what starts one
        ("lapor", CITIZEN, Intent.REPORT, {"told": None}),
        ("saya mau lapor", CITIZEN, Intent.REPORT, {"told": None}),
        ("bang mau lapor", CITIZEN, Intent.REPORT, {"told": None}),
        ("how do I report a problem?", CITIZEN, Intent.REPORT, {"told": None}),
        # requests
        ("2", CITIZEN, Intent.ASK_FOR_NUMBER, {}),
        ("CRM-26-000123-3", CITIZEN, Intent.STATUS, {}),
        ("saya sudah lapor 3 hari lalu", CITIZEN, Intent.MY_REPORTS, {}),
        ("ok siap pak", CITIZEN, Intent.ACKNOWLEDGE, {}),
        ("terima kasih banyak pak", CITIZEN, Intent.THANKS, {}),
        ("asdfgh", CITIZEN, Intent.NOT_UNDERSTOOD, {}),
        ("asdfgh", Context(told_what_to_do=True), Intent.NOTHING, {}),
        ("halo", CITIZEN, Intent.MENU, {}),
        ("halo", FACILITATOR, Intent.FACILITATOR_MENU, {}),
        ("ANTRIAN", FACILITATOR, Intent.FACILITATOR_COMMAND, {}),
        ("LIHAT 1", FACILITATOR, Intent.FACILITATOR_COMMAND, {}),
        # a position names a report during her own report too; LIHAT's only alone
        ("LIHAT 1", replace(FACILITATOR, step="description"), Intent.FACILITATOR_COMMAND, {}),
        ("validasi 2, sesuai foto", replace(FACILITATOR, step="location"), FAC, {}),
        ("KEMBALIKAN 3 foto buram", replace(FACILITATOR, step="location"), FAC, {}),
        ("Lihat 2 lubang di depan sekolah", replace(FACILITATOR, step="location"), ANSWER, {}),
        ("LIHAT 1", CITIZEN, Intent.NOT_UNDERSTOOD, {}),  # no facilitator command
        ("ANTRIAN", CITIZEN, Intent.NOT_UNDERSTOOD, {}),
        ("kapan diperbaiki pak?", Context(has_reports=True), Intent.MY_REPORTS, {}),
        ("buka lagi CRM-26-000123-3 masih rusak", CITIZEN, Intent.REOPEN, {}),
    ],
)
def test_a_message_in_its_context_reads_as(text, context, intent, slots):
    assert reading_of(text, context) == Reading(intent, slots)


# TANYA is a facilitator's, JAWAB a supervisor's; from anyone else they read as they
# always did: a citizen's "tanya …" is a question, a status request or a report's answer.
@pytest.mark.parametrize(
    ("text", "context", "intent", "slots"),
    [
        ("TANYA 1 apakah foto ini cukup?", FACILITATOR, FAC, {}),
        ("tanya CRM-26-000123-3 foto dari sisi lain cukup?", FACILITATOR, FAC, {}),
        ("TANYA 2 siapa yang menangani ini?", FACILITATOR, FAC, {}),  # not the service's FAQ
        ("TANYA", FACILITATOR, FAC, {}),  # told what it needs
        ("TANYA 1 apakah cukup?", replace(FACILITATOR, step="location"), FAC, {}),
        ("JAWAB CRM-26-000123-3 cukup, silakan validasi", SUPERVISOR, SUP, {}),
        ("jawab", SUPERVISOR, SUP, {}),
        ("halo", SUPERVISOR, Intent.SUPERVISOR_MENU, {}),
        ("asdfgh", SUPERVISOR, Intent.SUPERVISOR_MENU, {}),
        ("JAWAB CRM-26-000123-3 cukup", FACILITATOR, Intent.STATUS, {}),  # not hers
        ("TANYA 1 apakah foto ini cukup?", SUPERVISOR, Intent.SUPERVISOR_MENU, {}),
        # citizens, as before
        ("TANYA 1 apakah foto ini cukup?", CITIZEN, Intent.NOT_UNDERSTOOD, {}),
        ("TANYA 1 apakah foto ini cukup?", Context(has_reports=True), Intent.MY_REPORTS, {}),
        ("tanya CRM-26-000123-3 kapan selesai", CITIZEN, Intent.STATUS, {}),
        ("saya mau tanya", CITIZEN, Intent.NOT_UNDERSTOOD, {}),
        ("Tanya 2 siapa yang menangani ini", CITIZEN, Intent.QUESTION, WHO),
        ("TANYA 1 berapa lama biasanya diproses?", IN_A_REPORT, Intent.QUESTION, HOW_LONG),
        ("TANYA 1 apakah foto ini cukup?", IN_A_REPORT, ANSWER, {}),
        ("JAWAB CRM-26-000123-3 cukup", CITIZEN, Intent.STATUS, {}),
        ("jawab 1 ok", CITIZEN, Intent.NOT_UNDERSTOOD, {}),
        ("JAWAB CRM-26-000123-3 cukup", IN_A_REPORT, ANSWER, {}),
    ],
)
def test_tanya_and_jawab_are_staff_commands_only_from_staff(text, context, intent, slots):
    assert reading_of(text, context) == Reading(intent, slots)


def test_a_citizens_tanya_asks_the_store_whether_she_is_a_facilitator_and_nothing_else():
    context = CountingContext(step="location")
    reading = read(IncomingMessage(SENDER, "TANYA 1 apakah cukup?"), context)
    assert (reading.intent, context.asked) == (ANSWER, ["facilitator"])


STORY = (
    "Selamat siang pak, jalan di depan rumah saya berlubang besar sekali sudah dua minggu "
    "dan sudah ada motor yang jatuh, mohon segera diperbaiki"
)


@pytest.mark.parametrize(
    ("context", "intent"),
    [
        (CITIZEN, Intent.REPORT),
        (Context(staff=True), Intent.NOT_UNDERSTOOD),  # staff write notes, not reports
        # a road of theirs in play: about that one
        (Context(recent_report_categories=frozenset({"jalan_rusak"})), Intent.NOT_UNDERSTOOD),
        # a lamp or rubbish in play: the road is a new report
        (Context(recent_report_categories=frozenset({"penerangan_jalan"})), Intent.REPORT),
    ],
)
def test_a_long_story_starts_a_report_unless_about_a_report_of_theirs_in_play(context, intent):
    assert reading_of(STORY, context).intent is intent


def test_a_story_no_kind_is_read_in_is_about_the_report_in_play():
    vague = "tolong segera ditangani pak, sudah lama sekali dan warga sangat terganggu"
    in_play = Context(recent_report_categories=frozenset({"sampah"}))
    assert reading_of(vague, in_play).intent is Intent.NOT_UNDERSTOOD


def test_a_story_told_up_front_is_the_reports_description():
    assert reading_of(STORY).slots == {"told": STORY}


def test_a_photo_whose_caption_tells_the_problem_starts_a_report_with_it():
    caption = "sampah menumpuk di pinggir kali sudah seminggu"
    assert reading_of(caption, media=(PHOTO,)) == Reading(Intent.REPORT, {"told": caption})


def test_a_pin_starts_a_report():
    assert reading_of("", location=PIN) == Reading(Intent.REPORT, {"told": None})


def test_a_photo_just_after_filing_is_for_that_report():
    context = Context(report_just_filed=True)
    assert reading_of("ini fotonya pak", context, media=(PHOTO,)).intent is Intent.ADD_PHOTOS


def test_a_detail_just_after_filing_is_offered_to_that_report():
    context = Context(report_just_filed=True)
    assert reading_of("lubangnya ada tiga dan dalam", context).intent is Intent.OFFER_DETAIL


def test_a_first_message_that_starts_no_report_is_answered_after_the_menu():
    assert reading_of("2", NEWCOMER) == Reading(Intent.ASK_FOR_NUMBER, {}, menu_first=True)
    assert reading_of("lapor", NEWCOMER) == Reading(Intent.REPORT, {"told": None})


def test_a_voice_note_alone_is_media_to_explain():
    voice = Media("https://example.org/a.ogg", "audio/ogg")
    assert reading_of("", media=(voice,)).intent is Intent.MEDIA_ALONE


class CountingContext:
    """A context that counts the store facts the table asked for."""

    def __init__(self, **facts):
        self._facts = Context(**facts)
        self.asked: list[str] = []

    def __getattr__(self, name):
        if name in {
            "facilitator",
            "supervisor",
            "staff",
            "recent_report_categories",
            "report_just_filed",
        }:
            self.asked.append(name)
        if name in {"has_reports", "rating_open"}:
            self.asked.append(name)
        return getattr(self._facts, name)


def test_a_status_request_asks_the_store_for_no_fact():
    context = CountingContext()
    assert read(IncomingMessage(SENDER, "STATUS CRM-26-000123-3"), context).intent is Intent.STATUS
    assert context.asked == []


def test_every_intent_has_an_action():
    from handlers import conversation

    assert set(conversation.ACTIONS) == set(Intent)


def test_the_context_given_as_values_holds_every_fact_the_protocol_names():
    from handlers.understanding.reading import Context as Protocol

    names = {name for name in vars(Protocol) if not name.startswith("_")}
    assert names <= set(Context.__dataclass_fields__)
    assert replace(CITIZEN, step="category").step == "category"


@pytest.mark.parametrize(
    ("typed", "known"),
    [
        ("iye bang kirim", "IYA BANG KIRIM"),
        ("udeh itu aje bang", "UDAH ITU AJA BANG"),
        ("kagak ada fotonye bang", "GAK ADA FOTONYA BANG"),
        ("nggak jadi", "GAK JADI"),
        ("bener pak", "BENAR PAK"),
        ("TOLOOONG", "TOLONG"),
        ("iyaaa", "IYA"),
        ("Jl. Kemang no 1000", "JL. KEMANG NO 1000"),  # digits are never stretched letters
        ("Kampung Melayu", "KAMPUNG MELAYU"),
    ],
)
def test_everyday_and_betawi_spellings_are_read_as_the_known_forms(typed, known):
    assert IncomingMessage(SENDER, typed).command == known


@pytest.mark.parametrize("typed", ["iye bang kirim", "udeh itu aje bang", "iye", "bener"])
def test_a_betawi_yes_is_a_yes(typed):
    from handlers import vocabulary

    assert vocabulary.is_a_yes(IncomingMessage(SENDER, typed).answer)


@pytest.mark.parametrize("typed", ["kagak ada fotonye bang", "kagak ada", "ga ada foto"])
def test_a_betawi_no_photo_skips_the_photos(typed):
    from handlers import vocabulary

    assert IncomingMessage(SENDER, typed).answer in vocabulary.SKIP


# What the README says a citizen can send, and what the table must read it as.
README = Path(__file__).parents[1] / "README.md"
NUMBER = "CRM-26-000123-3"
README_SAYS = {
    "YA": (AT_THE_SUMMARY, Intent.ANSWER),
    "LAPOR": (CITIZEN, Intent.REPORT),
    NUMBER: (CITIZEN, Intent.STATUS),
    "STATUS <number>": (CITIZEN, Intent.STATUS),
    "LAPORAN SAYA": (CITIZEN, Intent.MY_REPORTS),
    "BUKA <number> <reason>": (CITIZEN, Intent.REOPEN),
    "1": (AFTER_SELESAI, Intent.RATE),
    "5": (AFTER_SELESAI, Intent.RATE),
    "BERHENTI": (CITIZEN, Intent.SET_NOTIFICATIONS),
    "MULAI": (CITIZEN, Intent.SET_NOTIFICATIONS),
    "ENGLISH": (CITIZEN, Intent.CHOOSE_LANGUAGE),
    "BAHASA": (CITIZEN, Intent.CHOOSE_LANGUAGE),
}


def _what_the_readme_says_a_citizen_can_send() -> list[str]:
    text = README.read_text("utf-8")
    section = text.split("## What a citizen can do", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"`([^`]+)`", section)


def test_every_message_the_readme_names_is_in_the_table_of_what_it_reads_as():
    named = _what_the_readme_says_a_citizen_can_send()
    assert named, "the README's section on what a citizen can do names no message"
    unknown = [typed for typed in named if typed not in README_SAYS]
    assert unknown == [], "the README names messages this test does not expect"


@pytest.mark.parametrize("typed", sorted(README_SAYS))
def test_what_the_readme_says_a_citizen_can_send_reads_as_it_says(typed):
    context, intent = README_SAYS[typed]
    text = typed.replace("<number>", NUMBER).replace("<reason>", "masih rusak")
    assert reading_of(text, context).intent is intent


@pytest.mark.parametrize(
    ("rest", "position", "after"),
    [
        ("1", 1, ""),
        ("2 sesuai foto", 2, "sesuai foto"),
        ("3, foto buram", 3, "foto buram"),
        ("#12", 12, ""),
        ("0", 0, ""),
        ("99.", 99, ""),
        ("100", None, "100"),
        ("26 000123 3", 26, "000123 3"),  # a number with spaces: handle() reads numbers first
        ("CRM-26-000123-3", None, "CRM-26-000123-3"),
        ("dua", None, "dua"),
    ],
)
def test_a_position_is_one_or_two_digits_right_after_the_verb(rest, position, after):
    from handlers.understanding.facilitator_command import split_leading_position

    assert split_leading_position(rest) == (position, after)


MEMBER = Context(office_member=True)


@pytest.mark.parametrize(
    ("text", "context", "intent"),
    [
        ("TERIMA CRM-26-000123-3", MEMBER, Intent.OFFICE_COMMAND),
        ("tolak CRM-26-000123-3 bukan wilayah kami", MEMBER, Intent.OFFICE_COMMAND),
        ("Teruskan 2 Suku Dinas Bina Marga Jakarta Pusat", MEMBER, Intent.OFFICE_COMMAND),
        ("selesai 1", MEMBER, Intent.OFFICE_COMMAND),
        ("ANTRIAN", MEMBER, Intent.OFFICE_COMMAND),
        ("accept CRM-26-000123-3", MEMBER, Intent.OFFICE_COMMAND),
        # a citizen's "terima kasih", and a member's own report: as anyone's
        ("terima kasih", CITIZEN, Intent.THANKS),
        ("terima kasih ya pak", MEMBER, Intent.THANKS),  # thanks, not TERIMA
        ("TERIMA CRM-26-000123-3", CITIZEN, Intent.STATUS),  # a number: its status
        ("selesai", replace(MEMBER, step="photos"), Intent.ANSWER),
        ("SELESAI 1", replace(MEMBER, step="photos"), Intent.OFFICE_COMMAND),
        # a facilitator's ANTRIAN stays hers
        ("ANTRIAN", replace(FACILITATOR, office_member=True), Intent.FACILITATOR_COMMAND),
    ],
)
def test_an_office_members_commands_are_theirs_only(text, context, intent):
    assert reading_of(text, context).intent is intent
