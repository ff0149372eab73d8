"""`flask chat` talks to a real WSGI server, signing each message like Twilio."""

from bot import database
from bot.chat import NotificationWatcher
from conftest import outbox_sender
from store import reports
from store.clock import utcnow
from store.stages import Role, Stage


def test_chat_files_a_report_with_a_pin_and_a_photo(served):
    lines = [
        "LAPOR",
        "6",
        "Pohon besar tumbang menutup jalan",
        "/lokasi -6.2088 106.8456 Bundaran HI",
        "2",  # on the border of Menteng: which one
        "/foto https://example.org/pohon.jpg",
        "YA",
        "/keluar",
    ]
    result = (
        served["app"]
        .test_cli_runner()
        .invoke(
            args=["chat", "--phone", "0812 3456 7890", "--name", "Rina"], input="\n".join(lines)
        )
    )
    assert result.exit_code == 0, result.output
    assert "Chatting as Rina (+6281234567890)" in result.output
    assert "Foto kami simpan (1/5)" in result.output
    assert "Nomor laporan: *CRM-" in result.output
    with served["app"].app_context():
        from bot import database

        mine = reports.reports_of_contact(1, session=database.session(), limit=5)
    assert mine[0].latitude == -6.2088 and mine[0].kelurahan == "Menteng"


def test_chat_files_a_report_in_three_messages_a_captioned_photo_a_pin_and_ya(served):
    lines = [
        "/foto https://example.org/lubang.jpg Jalan berlubang besar di depan sekolah",
        "/lokasi -6.1754 106.8272 Monas",
        "YA",
        "/keluar",
    ]
    runner = served["app"].test_cli_runner()
    result = runner.invoke(args=["chat", "--phone", "0812 5555 6666"], input="\n".join(lines))
    assert result.exit_code == 0, result.output
    assert "Kategori: Jalan rusak (dari cerita Anda)" in result.output
    assert "Kelurahan: Gambir, Kec. Gambir, Jakarta Pusat (dari titik lokasi)" in result.output
    assert "Nomor laporan: *CRM-" in result.output


def test_chat_reports_an_unreachable_server(served):
    result = (
        served["app"]
        .test_cli_runner()
        .invoke(args=["chat", "--server", "http://127.0.0.1:9"], input="halo\n")
    )
    assert "cannot reach the bot" in result.output


def test_chat_shows_notifications_the_console_transport_sent_to_its_phone(served, capsys):
    app = served["app"]
    lines = [
        "LAPOR",
        "2",
        "Sampah menumpuk di pinggir kali",
        "Jl. Daan Mogot 12",
        "Kapuk, Cengkareng",
        "LEWATI",
        "YA",
        "/keluar",
    ]
    result = app.test_cli_runner().invoke(
        args=["chat", "--phone", "081234567890"], input="\n".join(lines)
    )
    number = next(line.split("*")[1] for line in result.output.splitlines() if "*CRM-" in line)
    watcher = NotificationWatcher(app, "+6281234567890")
    with app.app_context():
        db = database.session()
        reports.move_report(
            number,
            Stage.KOORDINASI,
            role=Role.KELURAHAN,
            actor_id="t",
            note="Diteruskan ke Sudin Kebersihan",
            session=db,
            now=utcnow(),
        )
        db.commit()
    outbox_sender(app).drain()
    capsys.readouterr()
    watcher.show_new()
    shown = capsys.readouterr().out
    assert "[notifikasi]" in shown and number in shown and "Sudin Kebersihan" in shown
    watcher.show_new()
    assert capsys.readouterr().out == ""
