"""`flask chat` talks to a real WSGI server, signing each message like Twilio."""

from store import reports


def test_chat_files_a_report_with_a_pin_and_a_photo(served):
    lines = [
        "LAPOR",
        "6",
        "Pohon besar tumbang menutup jalan",
        "/lokasi -6.2088 106.8456 Bundaran HI",
        "menteng",
        "/foto https://example.org/pohon.jpg",
        "LANJUT",
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
    assert "Foto diterima (1/5)" in result.output
    assert "Nomor laporan: *CRM-" in result.output
    with served["app"].app_context():
        from bot import database

        mine = reports.reports_of_contact(1, session=database.session(), limit=5)
    assert mine[0].latitude == -6.2088 and mine[0].kelurahan == "Menteng"


def test_chat_reports_an_unreachable_server(served):
    result = (
        served["app"]
        .test_cli_runner()
        .invoke(args=["chat", "--server", "http://127.0.0.1:9"], input="halo\n")
    )
    assert "cannot reach the bot" in result.output
