"""An office member's day, scripted end to end (issue 22, "Done when"): a report filed
before dawn waits for the morning; Kramat's lurah takes it (TERIMA from her ANTRIAN) and
forwards it to the SKPD of roads (TERUSKAN), whose officer is told, takes it (PROSES) and
finishes it with a photo (SELESAI); the worker copies the photo from Twilio, the
facilitator is told of the new work, sees the photo (LIHAT) and validates it, and the
citizen hears of each step. Through the signed webhook, with the clock moved; what was
sent is read from the Twilio-compatible test server."""

import json
import re

import time_machine
from test_office_members import (
    BINA_MARGA,
    CITIZEN,
    DEWI,
    LURAH,
    SKPD,
    STAFF_SIDS,
    app,  # noqa: F401 (fixtures)
    chat,  # noqa: F401
    digits,
    offices_staffed,  # noqa: F401
    wib,
)

from bot.worker import worker_resources
from conftest import PUBLIC_BASE_URL, RESULT_PNG
from scheduler import jobs
from store import reports


def test_an_office_members_day(app, offices_staffed, chat, deliver, store, fake_twilio):
    number = chat.file(wib(2026, 3, 10, 5, 30))  # a citizen, before dawn
    assert LURAH not in deliver(wib(2026, 3, 10, 5, 30))  # quiet hours hold hers

    (morning,) = deliver(wib(2026, 3, 10, 6, 0))[LURAH]
    assert morning.form["ContentSid"] == STAFF_SIDS["office_report:id"]
    assert json.loads(morning.form["ContentVariables"])["1"] == number

    queue = chat.send(wib(2026, 3, 10, 7, 45), "antrian", LURAH)
    assert f"1. {number} – Jalan rusak, Kel. Kramat · Menunggu" in queue.text
    taken = chat.send(wib(2026, 3, 10, 7, 46), "Terima 1", LURAH)
    assert taken.text.startswith(f"Laporan {number} kini Koordinasi.")
    forwarded = chat.send(wib(2026, 3, 10, 7, 50), f"TERUSKAN 1 {SKPD}", LURAH)
    assert forwarded.text.startswith(f"Laporan {number} kini Disposisi, diteruskan kepada {SKPD}")

    got = deliver(wib(2026, 3, 10, 7, 50))
    (to_skpd,) = got[BINA_MARGA]  # never wrote: the approved template
    assert to_skpd.form["ContentSid"] == STAFF_SIDS["office_report:id"]
    assert json.loads(to_skpd.form["ContentVariables"])["4"] == "17 Mar 2026 pukul 05.30 WIB"
    assert len(got[CITIZEN]) == 2  # koordinasi, disposisi

    assert f"1. {number}" in chat.send(wib(2026, 3, 10, 8, 10), "ANTRIAN", BINA_MARGA).text
    started = chat.send(wib(2026, 3, 10, 8, 11), "PROSES 1", BINA_MARGA)
    assert started.text.startswith(f"Laporan {number} kini Proses.")
    photo = fake_twilio.add_media(RESULT_PNG, "image/png")
    finished = chat.send(
        wib(2026, 3, 10, 13, 0),
        "SELESAI 1 Lubang sudah ditambal",
        BINA_MARGA,
        media=[(photo, "image/png")],
    )
    assert finished.text.startswith(f"Laporan {number} kini Tindak lanjut. 1 foto hasil")

    with time_machine.travel(wib(2026, 3, 10, 13, 1), tick=False):
        assert jobs.copy_photos(worker_resources(app)) == 1
    got = deliver(wib(2026, 3, 10, 13, 1))
    (new_work,) = got[DEWI]
    assert json.loads(new_work.form["ContentVariables"])["1"] == number

    seen = chat.send(wib(2026, 3, 10, 13, 30), f"LIHAT {number}", DEWI)
    assert "Foto hasil pekerjaan: 1 foto, 1 dikirim sebagai gambar" in seen.text
    assert "Lubang sudah ditambal" in seen.text
    (image,) = [sent for sent in deliver(wib(2026, 3, 10, 13, 31))[DEWI] if "MediaUrl" in sent.form]
    assert re.match(re.escape(PUBLIC_BASE_URL) + r"/media/\d+\?expires=", image.form["MediaUrl"])
    validated = chat.send(wib(2026, 3, 10, 13, 35), f"VALIDASI {number} sesuai foto", DEWI)
    assert validated.text.startswith(f"Laporan {number}")

    view = store(reports.find_report, digits(number))
    assert [entry.to_stage for entry in view.history] == [
        "menunggu",
        "koordinasi",
        "disposisi",
        "proses",
        "tindak_lanjut",
        "validasi",
        "selesai",
    ]
    assert [entry.actor_role for entry in view.history[1:5]] == [
        "kelurahan",
        "kelurahan",
        "skpd",
        "skpd",
    ]
    told = [message.body or "" for message in deliver(wib(2026, 3, 10, 13, 35))[CITIZEN]]
    assert any(f"balas BUKA {number}" in body for body in told)  # closed: rate or reopen
