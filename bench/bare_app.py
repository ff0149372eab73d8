"""The baseline of the webhook benchmark: a bare Flask app with one route that answers
constant TwiML, served by the same gunicorn command as the real app:

    gunicorn --bind 127.0.0.1:PORT --workers 2 --access-logfile - "bare_app:create_app()"

(with `bench/` on PYTHONPATH).
"""

from flask import Flask, Response

TWIML = (
    '<?xml version="1.0" encoding="UTF-8"?><Response><Message>'
    "Laporan *CRM-23-000123-4*\nTahap saat ini: *Selesai* sejak 01/02/2023 10:00 WIB"
    "</Message></Response>"
)


def create_app() -> Flask:
    app = Flask(__name__)

    @app.post("/webhooks/whatsapp")
    def whatsapp():
        return Response(TWIML, mimetype="text/xml")

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    return app
