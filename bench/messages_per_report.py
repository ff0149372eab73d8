"""Messages per report: how many WhatsApp messages a citizen sends before the bot gives
them a report number, for scripted citizens who each know their problem and answer the
bot's questions the way they write.

    python bench/messages_per_report.py             # figures per scenario and overall
    python bench/messages_per_report.py --show      # and every conversation
    python bench/messages_per_report.py --scenario slang --show

The real app (`bot.create_app`) on a fresh SQLite store in a temporary folder, console
transport, talked to through its test client exactly as Twilio would: a signed POST to
/webhooks/whatsapp per message (From, To, Body, MessageSid, ProfileName; NumMedia,
MediaUrl0, MediaContentType0 for a photo; Latitude, Longitude, Address, Label for a
location pin). Each citizen writes from a number of their own. The per-minute limit is
lifted (MESSAGES_PER_MINUTE): citizens here answer at once, which is not what it is for.

A citizen sends their opening messages (a greeting, a story, a photo and a pin), then
reads the bot's last reply, recognises the question by the phrases in QUESTIONS below
(taken from templates/{id,en}/*.txt; checked against them at start), and answers it from
their facts, in their own words first and, when the same question comes back, in the
words the question asks for. A conversation ends when a reply holds a report number
(store/numbers.py: CRM-YY-NNNNNN-C); it fails when it takes more than MAX_MESSAGES or a
reply asks nothing the table knows, and is then printed whole.

It measures, so it must keep working as the bot asks less: questions the bot does not
ask are never answered, and the questions it may come to ask ("Apakah lokasinya di Kel.
Gambir? Balas YA": a pin read into a kelurahan, or a category guessed from the story)
are recognised by GUESSES and confirmed when they guess right.
"""

import argparse
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import common

MAX_MESSAGES = 20
REPORT_NUMBER = re.compile(r"\bCRM-\d{2}-\d{6,7}-\d\b")
WEBHOOK = "/webhooks/whatsapp"
BASE_URL = "https://crm.example.go.id"
AUTH_TOKEN = "bench-auth-token-0123456789abcdef"
SECRET_KEY = "bench-secret-key-for-links-to-photos-0123456789"
BOT_NUMBER = "whatsapp:+14155238886"
PHOTO_URL = "https://api.twilio.com/2010-04-01/Accounts/AC{sid}/Messages/MM{sid}/Media/ME{sid}"

# What the bot asks, recognised by a phrase of its template: (kind, template, phrase),
# matched in this order on a reply lower-cased with its whitespace collapsed. Order
# matters: the summary and the list of parts to change name every part, so they come
# first; "description_told" quotes the citizen's story, so it comes before the rest.
QUESTIONS: tuple[tuple[str, str, str], ...] = (
    ("confirm", "id/ask_confirm", "mohon periksa laporan anda"),
    ("confirm", "en/ask_confirm", "please check your report"),
    ("confirm", "id/confirm_not_understood", "balas ya untuk mengirim laporan"),
    ("confirm", "en/confirm_not_understood", "reply yes to send your report"),
    ("change", "id/ask_change", "bagian mana yang ingin anda ubah"),
    ("change", "en/ask_change", "which part would you like to change"),
    ("change", "id/change_not_understood", "atau ya bila tidak ada yang diubah"),
    ("change", "en/change_not_understood", "or yes if nothing needs changing"),
    ("description_told", "id/ask_description", "uraian masalah dari pesan anda"),
    ("description_told", "en/ask_description", "the problem, as your message described it"),
    ("description", "id/ask_description", "mohon jelaskan masalahnya secara singkat"),
    ("description", "en/ask_description", "please describe the problem briefly"),
    ("description", "id/description_too_short", "uraian terlalu singkat"),
    ("description", "en/description_too_short", "that description is too short"),
    ("category", "id/ask_category", "pilih kategori masalah"),
    ("category", "en/ask_category", "choose the kind of problem"),
    ("category", "id/category_not_understood", "pilihan tersebut tidak ada. balas dengan angka"),
    ("category", "en/category_not_understood", "that is not one of the choices"),
    ("kelurahan_choice", "id/ask_kelurahan_choice", "atau ketik ulang nama kelurahannya"),
    ("kelurahan_choice", "en/ask_kelurahan_choice", "or type the name again"),
    ("kelurahan", "id/ask_kelurahan", "di kelurahan mana lokasinya"),
    ("kelurahan", "en/ask_kelurahan", "which kelurahan (village) is it in"),
    ("kelurahan", "id/kelurahan_not_found", "tidak kami temukan di dki jakarta"),
    ("kelurahan", "en/kelurahan_not_found", "in dki jakarta. please check"),
    ("kelurahan", "id/kelurahan_not_found", "kelurahan perlu diisi"),
    ("kelurahan", "en/kelurahan_not_found", "the kelurahan is needed"),
    ("kelurahan", "id/kelurahan_not_found", "adalah nama kota"),
    ("kelurahan", "en/kelurahan_not_found", "is a city. please type"),
    ("kelurahan", "id/kelurahan_not_found", "ketik nama kecamatan atau kode pos"),
    ("kelurahan", "en/kelurahan_not_found", "type the name of the kecamatan (district)"),
    ("location", "id/ask_location", "di mana lokasinya?"),
    ("location", "en/ask_location", "where is it? share a location"),
    ("location", "id/address_too_short", "alamat terlalu singkat"),
    ("location", "en/address_too_short", "that address is too short"),
    ("location", "id/address_how", "untuk mengirim lokasi"),
    ("location", "en/address_how", "to share a location"),
    ("location", "id/address_awaited", "silakan kirim lokasinya"),
    ("location", "en/address_awaited", "please share the location"),
    ("photos", "id/ask_photos", "kirim foto kondisi di lokasi"),
    ("photos", "en/ask_photos", "send photos of the problem"),
    ("photos", "id/ask_photos", "balas lanjut untuk melanjutkan"),
    ("photos", "en/ask_photos", "reply next to continue"),
    ("photos", "id/photos_kept", "atau balas lanjut bila sudah"),
    ("photos", "en/photos_kept", "or reply next when you are done"),
    ("photos", "id/photos_not_understood", "balas lanjut bila sudah, atau lewati"),
    ("photos", "en/photos_not_understood", "reply next when you are done, or skip"),
    ("menu", "id/menu", "lapor – buat laporan baru"),
    ("menu", "en/menu", "report – make a new report"),
    ("answer_above", "id/attachment_kept", "silakan jawab pertanyaan di atas"),
    ("answer_above", "en/attachment_kept", "please answer the question above"),
    ("slow_down", "id/too_many_messages", "terlalu banyak pesan dalam satu menit"),
    ("slow_down", "en/too_many_messages", "too many messages in a minute"),
)
# Questions the bot may come to ask, a guess to confirm ("Apakah lokasinya di Kel. Gambir,
# Kec. Gambir? Balas YA …"): (kind, words naming the part, words asking for a yes), all
# in one reply, after QUESTIONS found nothing. No template has them yet.
GUESSES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("kelurahan_guess", ("kelurahan", "kel."), ("balas ya", "reply yes")),
    ("category_guess", ("kategori", "category", "kind of problem"), ("balas ya", "reply yes")),
)
FAILING_KINDS = {"slow_down"}
# The columns of "messages per question", in the order a report asks them.
FLOW = ("opening", "language", "menu", "category", "category_guess", "description_told")
FLOW += ("description", "location", "kelurahan", "kelurahan_choice", "kelurahan_guess")
FLOW += ("photos", "confirm", "change")
# The lines of a list of kelurahan to choose from: "2. Kampung Melayu, Kec. Jatinegara, …".
CHOICE_LINE = re.compile(r"^\s*(\d+)\.\s+([^,\n]+),\s+Kec\.", re.MULTILINE)
KECAMATAN = re.compile(r"\bkec(?:amatan)?\.?\s+[^,?.]+")


@dataclass(frozen=True)
class Pin:
    latitude: float
    longitude: float
    label: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class Voice:
    """How a citizen words the short answers; each a tuple tried in turn when the same
    question comes back (their own words first, then the bot's keyword)."""

    yes: tuple[str, ...] = ("YA",)
    done_with_photos: tuple[str, ...] = ("LANJUT",)
    no_photo: tuple[str, ...] = ("LEWATI",)
    report: tuple[str, ...] = ("1",)  # at the menu
    language: str = "id"


FORMAL = Voice(yes=("Ya, kirim", "YA"), no_photo=("Tidak ada foto", "LEWATI"), report=("1",))
CASUAL = Voice(yes=("ya", "YA"), done_with_photos=("lanjut", "LANJUT"), no_photo=("lewati",))
BETAWI = Voice(
    yes=("iye", "iya bang", "YA"),
    done_with_photos=("udeh itu aje", "udah bang", "LANJUT"),
    no_photo=("kagak ada fotonye bang", "gak ada bang", "LEWATI"),
    report=("lapor bang", "LAPOR"),
)
ENGLISH = Voice(
    yes=("yes", "YES"),
    done_with_photos=("that's all", "NEXT"),
    no_photo=("no photo", "SKIP"),
    report=("report", "1"),
    language="en",
)


@dataclass(frozen=True)
class Citizen:
    """What one citizen knows and how they write. `openers`: what they send before
    reading any question (a text, or "[photo]"/"[pin]" for their photo or pin, with the
    caption after "[photo] "); `category`: their words for it, then its number."""

    name: str
    openers: tuple[str, ...]
    story: str
    category: tuple[str, ...]
    category_label: str  # as the bot names it, to confirm a guess
    address: str
    kelurahan: str  # its name as the bot lists it
    kelurahan_typed: str  # what they type when asked
    voice: Voice
    photo: bool = False
    pin: Pin | None = None
    story_first: bool = False  # tells the story when asked the category


MONAS = Pin(-6.1754, 106.8272, "Monumen Nasional", "Jl. Medan Merdeka Barat, Gambir")
MANGGARAI = Pin(-6.2100, 106.8500, "Stasiun Manggarai", "Jl. Manggarai Utara, Tebet")
FATAHILLAH = Pin(-6.1352, 106.8133, "Museum Fatahillah", "Jl. Taman Fatahillah No. 1")

SCENARIOS: dict[str, tuple[Citizen, ...]] = {
    "photo_pin": (
        Citizen(
            "Rina",
            openers=(
                "[photo] Jalan berlubang besar di depan halte, sudah 2 minggu belum diperbaiki",
                "[pin]",
            ),
            story="Jalan berlubang besar di depan halte, sudah 2 minggu belum diperbaiki",
            category=("1",),
            category_label="Jalan rusak",
            address="Jl. Medan Merdeka Barat depan halte Monas",
            kelurahan="Gambir",
            kelurahan_typed="Gambir",
            voice=CASUAL,
            photo=True,
            pin=MONAS,
        ),
        Citizen(
            "Budi",
            openers=(
                "[photo] Sampah menumpuk di pinggir jalan dekat stasiun, baunya menyengat",
                "[pin]",
            ),
            story="Sampah menumpuk di pinggir jalan dekat stasiun, baunya menyengat",
            category=("2",),
            category_label="Sampah",
            address="Jl. Manggarai Utara dekat pintu stasiun",
            kelurahan="Manggarai",
            kelurahan_typed="Manggarai",
            voice=CASUAL,
            photo=True,
            pin=MANGGARAI,
        ),
        Citizen(
            "Dewi",
            openers=(
                "[photo] Lampu jalan mati semua sepanjang trotoar, gelap sekali kalau malam",
                "[pin]",
            ),
            story="Lampu jalan mati semua sepanjang trotoar, gelap sekali kalau malam",
            category=("5",),
            category_label="Penerangan jalan",
            address="Jl. Taman Fatahillah samping museum",
            kelurahan="Pinangsia",
            kelurahan_typed="Pinangsia",
            voice=CASUAL,
            photo=True,
            pin=FATAHILLAH,
        ),
    ),
    "formal": (
        Citizen(
            "Hendra",
            openers=("Halo",),
            story=(
                "Saluran air di depan rumah kami tersumbat sampah sehingga air meluap ke "
                "jalan setiap kali hujan, sejak awal bulan ini."
            ),
            category=("4",),
            category_label="Saluran air",
            address="Jl. Kramat Raya No. 45, RT 02/RW 05, depan Masjid Al-Ikhlas",
            kelurahan="Kramat",
            kelurahan_typed="Kelurahan Kramat",
            voice=FORMAL,
        ),
        Citizen(
            "Sari",
            openers=("Halo, selamat pagi. Saya ingin melaporkan kerusakan jalan.",),
            story=(
                "Aspal jalan mengelupas dan berlubang sepanjang kurang lebih 20 meter, "
                "membahayakan pengendara motor, sudah tiga minggu."
            ),
            category=("Jalan rusak", "1"),
            category_label="Jalan rusak",
            address="Jl. Cikini Raya, depan Taman Ismail Marzuki",
            kelurahan="Cikini",
            kelurahan_typed="Cikini",
            voice=FORMAL,
        ),
        Citizen(
            "Agus",
            openers=(
                "Halo, selamat siang. Saya ingin melaporkan pohon besar tumbang yang menutup "
                "separuh Jalan Tebet Barat Dalam sejak tadi malam, mohon segera ditangani.",
            ),
            story="Pohon besar tumbang menutup separuh Jalan Tebet Barat Dalam sejak tadi malam.",
            category=("6",),
            category_label="Pohon tumbang",
            address="Jl. Tebet Barat Dalam Raya No. 12, dekat SD Negeri",
            kelurahan="Tebet Barat",
            kelurahan_typed="Tebet Barat",
            voice=FORMAL,
            photo=True,
        ),
    ),
    "slang": (
        Citizen(
            "Jali",
            openers=("bang mau lapor",),
            story="got mampet udeh seminggu bang, aer luber ke jalan tiap ujan",
            category=("saluran air bang", "4"),
            category_label="Saluran air",
            address="gang kelinci deket pasar baru, sebelah warung nasi",
            kelurahan="Pasar Baru",
            kelurahan_typed="pasar baru bang",
            voice=BETAWI,
            story_first=True,
        ),
        Citizen(
            "Minah",
            openers=("assalamualaikum bang",),
            story="sampah numpuk di pinggir kali udeh tiga hari kagak diangkut, bau banget",
            category=("sampah", "2"),
            category_label="Sampah",
            address="pinggir kali ciliwung deket jembatan item, gang 7",
            kelurahan="Kampung Melayu",
            kelurahan_typed="jatinegara",  # the kecamatan: the bot lists its kelurahan
            voice=BETAWI,
        ),
        Citizen(
            "Udin",
            openers=(
                "bang, lampu jalan di gang ane mati semua udeh dua minggu, gelap banget kalo malem",
            ),
            story="lampu jalan di gang ane mati semua udeh dua minggu, gelap banget kalo malem",
            category=("5",),
            category_label="Penerangan jalan",
            address="gang masjid deket taman makam pahlawan kalibata",
            kelurahan="Kalibata",
            kelurahan_typed="kalibata bang",
            voice=BETAWI,
            photo=True,
        ),
    ),
    "english": (
        Citizen(
            "Tom",
            openers=("Hello",),
            story=(
                "The pavement is broken and there is a deep hole next to the bus stop, "
                "it has been like this for two weeks."
            ),
            category=("Damaged road", "1"),
            category_label="Damaged road",
            address="Jl. Prof. Dr. Satrio, in front of Mall Ambassador",
            kelurahan="Kuningan Timur",
            kelurahan_typed="Kuningan Timur",
            voice=ENGLISH,
        ),
        Citizen(
            "Priya",
            openers=("Hi, I want to report a problem",),
            story=(
                "Rubbish has been piling up on the pavement outside our apartment block "
                "for a week and it smells terrible."
            ),
            category=("2",),
            category_label="Rubbish",
            address="Jl. Setiabudi Tengah No. 3, outside the apartment gate",
            kelurahan="Setiabudi",
            kelurahan_typed="Setiabudi",
            voice=ENGLISH,
            photo=True,
        ),
        Citizen(
            "Mark",
            openers=(
                "There is a big pothole on Jalan Kemang Raya near the petrol station, it has "
                "been there for two weeks and motorbikes keep swerving around it.",
            ),
            story="Big pothole on Jalan Kemang Raya near the petrol station, two weeks old.",
            category=("1",),
            category_label="Damaged road",
            address="Jl. Kemang Raya near the petrol station",
            kelurahan="Bangka",
            kelurahan_typed="Bangka, Mampang Prapatan",
            voice=ENGLISH,
        ),
    ),
}


@dataclass(frozen=True)
class Question:
    kind: str | None  # None: nothing the tables know
    language: str | None = None
    text: str = ""  # the reply it was read from


@dataclass
class Conversation:
    scenario: str
    citizen: Citizen
    turns: list[tuple[str, list[str]]] = field(default_factory=list)  # (sent, replies)
    answered: list[str] = field(default_factory=list)  # what each message answered
    report: str | None = None
    failure: str | None = None

    @property
    def messages(self) -> int:
        return len(self.turns)


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def classify(replies: list[str]) -> Question:
    """The question of the bot's last reply: its messages last to first (a question
    comes after what acknowledges the answer; "language followed" after a question)."""
    for reply in reversed(replies):
        plain = _plain(reply)
        for kind, template, phrase in QUESTIONS:
            if phrase in plain:
                return Question(kind, template.split("/")[0], reply)
        for kind, names, asks in GUESSES:
            if any(word in plain for word in names) and any(word in plain for word in asks):
                language = "en" if any(word in plain for word in asks if "reply" in word) else "id"
                return Question(kind, language, reply)
    return Question(None, None, replies[-1] if replies else "")


def check_phrases() -> list[str]:
    """The phrases of QUESTIONS no longer found in their template: the table needs them
    updated (a question the bot asks with a new text would fail every citizen)."""
    missing = []
    for kind, template, phrase in QUESTIONS:
        path = common.ROOT / "templates" / f"{template}.txt"
        text = _plain(path.read_text(encoding="utf-8")) if path.exists() else ""
        if phrase not in text:
            missing.append(f"{kind}: “{phrase}” not in templates/{template}.txt")
    return missing


class Phone:
    """One citizen's WhatsApp: posts to the webhook as Twilio does, signed."""

    def __init__(self, client, number: str, profile_name: str):
        from twilio.request_validator import RequestValidator

        self.client, self.number, self.profile_name = client, number, profile_name
        self.validator = RequestValidator(AUTH_TOKEN)

    def send(self, body: str = "", *, photo: bool = False, pin: Pin | None = None) -> list[str]:
        form = {
            "MessageSid": "SM" + secrets.token_hex(16),
            "AccountSid": "AC" + "0" * 32,
            "From": f"whatsapp:{self.number}",
            "To": BOT_NUMBER,
            "Body": body,
            "NumMedia": "1" if photo else "0",
            "ProfileName": self.profile_name,
        }
        if photo:
            form["MediaUrl0"] = PHOTO_URL.format(sid=secrets.token_hex(16))
            form["MediaContentType0"] = "image/jpeg"
            form["MessageType"] = "image"
        if pin is not None:
            form.update(
                MessageType="location",
                Latitude=str(pin.latitude),
                Longitude=str(pin.longitude),
                **({"Label": pin.label} if pin.label else {}),
                **({"Address": pin.address} if pin.address else {}),
            )
        signature = self.validator.compute_signature(BASE_URL + WEBHOOK, form)
        response = self.client.post(WEBHOOK, data=form, headers={"X-Twilio-Signature": signature})
        if response.status_code != 200 or response.mimetype != "text/xml":
            raise RuntimeError(f"webhook answered {response.status_code} {response.mimetype}")
        root = ET.fromstring(response.get_data(as_text=True))
        return [element.text or "" for element in root.iter("Message")]


class Policy:
    """A citizen's next message, from what the bot last asked."""

    def __init__(self, citizen: Citizen):
        self.citizen = citizen
        self.asked: Counter[str] = Counter()
        self.photo_sent = False
        self.pin_sent = False
        self.switched_language = False
        self.last_kind: str | None = None

    def opener(self, text: str) -> tuple[str, dict]:
        if text == "[pin]":
            self.pin_sent = True
            return "", {"pin": self.citizen.pin}
        if text.startswith("[photo]"):
            self.photo_sent = True
            return text.removeprefix("[photo]").strip(), {"photo": True}
        return text, {}

    def answer(self, question: Question) -> tuple[str, dict, str] | None:
        """(body, attachments, what it answers); None: no answer to that."""
        citizen, voice = self.citizen, self.citizen.voice
        kind = question.kind
        if kind == "answer_above":  # "answer the question above": the one asked before
            kind = self.last_kind
        if kind is None or kind in FAILING_KINDS:
            return None
        if voice.language == "en" and question.language == "id" and not self.switched_language:
            self.switched_language = True  # as the menu and welcome say: "For English, …"
            return "ENGLISH", {}, "language"
        self.last_kind = kind
        attempt = self.asked[kind]
        self.asked[kind] += 1

        def nth(options: tuple[str, ...]) -> str:
            return options[min(attempt, len(options) - 1)]

        if kind == "menu":
            return nth(voice.report), {}, kind
        if kind == "category":
            if citizen.story_first and attempt == 0:
                return citizen.story, {}, "category (told the story)"
            return nth(citizen.category[1:] if citizen.story_first else citizen.category), {}, kind
        if kind == "category_guess":
            if citizen.category_label.lower() in _plain(question.text):
                return nth(voice.yes), {}, kind
            return citizen.category[-1], {}, kind
        if kind in ("description_told", "description"):
            if kind == "description_told" and attempt == 0:
                return voice.yes[0], {}, kind
            return citizen.story if kind == "description" else nth(voice.yes), {}, kind
        if kind == "location":
            if citizen.pin is not None and not self.pin_sent:
                self.pin_sent = True
                return "", {"pin": citizen.pin}, kind
            if attempt == 0:
                return citizen.address, {}, kind
            return f"{citizen.address}, Kel. {citizen.kelurahan}", {}, kind
        if kind == "kelurahan":
            return nth((citizen.kelurahan_typed, citizen.kelurahan)), {}, kind
        if kind == "kelurahan_choice":
            for number, name in CHOICE_LINE.findall(question.text):
                if name.strip().lower() == citizen.kelurahan.lower():
                    return number, {}, kind
            return citizen.kelurahan, {}, kind
        if kind == "kelurahan_guess":  # "Kel. Gambir" right, not "Petojo Utara, Kec. Gambir"
            if citizen.kelurahan.lower() in KECAMATAN.sub("", _plain(question.text)):
                return nth(voice.yes), {}, kind
            return citizen.kelurahan, {}, kind
        if kind == "photos":
            if citizen.photo and not self.photo_sent:
                self.photo_sent = True
                self.asked[kind] -= 1  # the photo is not a try of the words
                return "", {"photo": True}, "photos (sent one)"
            return nth(voice.done_with_photos if citizen.photo else voice.no_photo), {}, kind
        if kind in ("confirm", "change"):
            return nth(voice.yes), {}, kind
        return None


def converse(app, scenario: str, citizen: Citizen, number: str) -> Conversation:
    conversation = Conversation(scenario, citizen)
    phone = Phone(app.test_client(), number, citizen.name)
    policy = Policy(citizen)

    def send(body: str, attachments: dict, answered: str) -> list[str]:
        replies = phone.send(body, **attachments)
        shown = " ".join(
            filter(
                None,
                [
                    "[photo]" if attachments.get("photo") else "",
                    f"[pin {attachments['pin'].label}]" if attachments.get("pin") else "",
                    body,
                ],
            )
        )
        conversation.turns.append((shown, replies))
        conversation.answered.append(answered)
        found = REPORT_NUMBER.search("\n".join(replies))
        if found:
            conversation.report = found.group()
        return replies

    replies: list[str] = []
    for opener in citizen.openers:
        body, attachments = policy.opener(opener)
        replies = send(body, attachments, "opening")
        if conversation.report:
            return conversation
    while conversation.messages < MAX_MESSAGES:
        question = classify(replies)
        answer = policy.answer(question)
        if answer is None:
            conversation.failure = f"cannot tell what the bot asks ({question.kind or 'unknown'})"
            return conversation
        body, attachments, answered = answer
        replies = send(body, attachments, answered)
        if conversation.report:
            return conversation
    conversation.failure = f"no report number after {MAX_MESSAGES} messages"
    return conversation


def build_app(folder: Path):
    from bot import create_app
    from store.db import make_engine, upgrade

    url = f"sqlite:///{folder / 'crm.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return create_app(
        {
            "DATABASE_URL": url,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_ACCOUNT_SID": "",  # the console transport: nothing leaves the machine
            "TWILIO_WHATSAPP_FROM": "",
            "PUBLIC_BASE_URL": BASE_URL,
            "CRM_ENV": "test",
            "CRM_INSTANCE_PATH": str(folder / "instance"),
            "SECRET_KEY": SECRET_KEY,
            "PUBLIC_RATE_LIMIT": "100000 per second",
            "MESSAGES_PER_MINUTE": "1000",
        }
    )


def commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=common.ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return head + (" (with uncommitted changes)" if git("status", "--porcelain") else "")


def show(conversation: Conversation) -> None:
    name = f"{conversation.scenario} / {conversation.citizen.name}"
    outcome = conversation.report or f"FAILED: {conversation.failure}"
    print(f"\n#### {name}: {conversation.messages} messages, {outcome}\n")
    for index, ((sent, replies), answered) in enumerate(
        zip(conversation.turns, conversation.answered, strict=True), start=1
    ):
        print(f"{index:>2}. citizen ({answered}): {sent}")
        for reply in replies:
            print("    bot: " + reply.replace("\n", "\n         "))


def figures(conversations: list[Conversation]) -> tuple[str, str, str]:
    counts = [c.messages for c in conversations if c.report]
    failed = sum(1 for c in conversations if not c.report)
    if not counts:
        return "–", "–", str(failed)
    return f"{statistics.median(counts):g}", str(max(counts)), str(failed)


def spent_on(conversation: Conversation) -> str:
    """What each message answered, a repeated question marked ×n: where they go."""
    parts: list[str] = []
    for answered in conversation.answered:
        if parts and parts[-1].split(" ×")[0] == answered:
            name, _, times = parts[-1].partition(" ×")
            parts[-1] = f"{name} ×{int(times or 1) + 1}"
        else:
            parts.append(answered)
    return ", ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show", action="store_true", help="print every conversation")
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), action="append")
    args = parser.parse_args()

    missing = check_phrases()
    for line in missing:
        print(f"warning: {line}", file=sys.stderr)

    started = datetime.now().astimezone()
    conversations: list[Conversation] = []
    with tempfile.TemporaryDirectory(prefix="crm-bench-msgs-") as folder:
        app = build_app(Path(folder))
        try:
            phone_numbers = iter(range(1, 10_000))
            for scenario, citizens in SCENARIOS.items():
                if args.scenario and scenario not in args.scenario:
                    continue
                for citizen in citizens:
                    number = f"+6281399{next(phone_numbers):06d}"
                    conversations.append(converse(app, scenario, citizen, number))
        finally:
            app.extensions["crm.engine"].dispose()

    print(f"\n### Messages per report, {started:%Y-%m-%d %H:%M %Z}, commit {commit()}\n")
    print("| scenario | citizens | median | max | failures |")
    print("|---|---|---|---|---|")
    scenarios = list(dict.fromkeys(c.scenario for c in conversations))
    for scenario in scenarios:
        mine = [c for c in conversations if c.scenario == scenario]
        print(f"| {scenario} | {len(mine)} | " + " | ".join(figures(mine)) + " |")
    print(f"| **all** | {len(conversations)} | " + " | ".join(figures(conversations)) + " |")

    print("\n| scenario | citizen | messages | what each message answered |")
    print("|---|---|---|---|")
    for c in conversations:
        count = str(c.messages) if c.report else f"failed ({c.messages})"
        print(f"| {c.scenario} | {c.citizen.name} | {count} | {spent_on(c)} |")

    print("\nMessages per question asked, all citizens of each scenario:\n")
    seen = {a.split(" (")[0] for c in conversations for a in c.answered}
    kinds = [kind for kind in FLOW if kind in seen] + sorted(seen - set(FLOW))
    print("| scenario | " + " | ".join(kinds) + " |")
    print("|---|" + "---|" * len(kinds))
    for scenario in scenarios:
        tally = Counter(
            a.split(" (")[0] for c in conversations if c.scenario == scenario for a in c.answered
        )
        print(f"| {scenario} | " + " | ".join(str(tally[kind]) for kind in kinds) + " |")

    for c in conversations:
        if args.show or not c.report:
            show(c)
    if missing:
        print(f"\n{len(missing)} phrase(s) of QUESTIONS not in their template: see above.")


if __name__ == "__main__":
    main()
