"""Photos for staff: the media store and the signed links of this app, and `GET
/media/<id>`, which serves a photo to whoever holds a link that is unaltered and not yet
expired (store/media_links.py). Served by `web`, beside the officer API."""

from datetime import timedelta
from typing import NamedTuple

from flask import Blueprint, Flask, Response, current_app, request

from bot import database
from handlers.texts import Texts
from store import photos
from store.clock import utcnow
from store.media import FolderStore, MediaStore, MediaUnavailable, StoredPhoto, officer_photo
from store.media_links import LinkCheck, MediaLinks

bp = Blueprint("media", __name__)

_STORE, _LINKS = "crm.media_store", "crm.media_links"
_REFUSED = {
    LinkCheck.ALTERED: (403, "media_link_altered"),
    LinkCheck.EXPIRED: (410, "media_link_expired"),
}


def init_app(app: Flask) -> None:
    settings = app.config["SETTINGS"]
    app.extensions[_LINKS] = MediaLinks(
        secret=settings.secret_key,
        base_url=settings.public_base_url,
        lifetime=timedelta(seconds=settings.media_link_seconds),
    )


def open_store(settings) -> MediaStore:
    """The bucket when `MEDIA_S3_BUCKET` is set, else the folder `MEDIA_DIR`."""
    if settings.media_s3_bucket:
        from store.media_s3 import S3Store  # boto3 only in processes that use a bucket

        return S3Store.connect(
            settings.media_s3_bucket,
            endpoint_url=settings.media_s3_endpoint_url,
            region=settings.media_s3_region,
        )
    return FolderStore(settings.media_dir)


class ResultPhoto(NamedTuple):
    """A photo of the finished work, checked, and its bytes, to keep with its move."""

    photo: StoredPhoto
    data: bytes


def result_photos(uploads: list[bytes]) -> list[ResultPhoto]:
    """An officer's uploads as photos of the finished work; raises `UploadRefused` for
    one that is no JPEG or PNG, or too large (`MEDIA_MAX_BYTES`)."""
    most = current_app.config["SETTINGS"].media_max_bytes
    return [ResultPhoto(officer_photo(data, max_bytes=most), data) for data in uploads]


def keep_photos(photos: list[ResultPhoto]) -> None:
    """Into the media store, before the move that names them begins (raises
    `MediaUnavailable`): a committed move always has its photos; a move refused, or
    whose commit fails, leaves photos that nothing names and no link reaches."""
    for photo, data in photos:
        media_store().put(photo.key, data, photo.content_type)


def media_store() -> MediaStore:
    """The app's media store, opened on first use: processes that never touch a photo
    (`public`, most commands) never open a bucket's client."""
    if _STORE not in current_app.extensions:
        current_app.extensions[_STORE] = open_store(current_app.config["SETTINGS"])
    return current_app.extensions[_STORE]


def media_links() -> MediaLinks:
    return current_app.extensions[_LINKS]


@bp.get("/media/<int:media_id>")
def photo(media_id: int):
    now = utcnow()
    expires, signature = request.args.get("expires", ""), request.args.get("signature", "")
    checked = media_links().check(media_id, expires, signature, now=now)
    if checked is not LinkCheck.VALID:
        status, text = _REFUSED[checked]
        return _plain(Texts("id").say(text), status)
    kept = photos.kept_photo(media_id, session=database.reader())
    try:
        data = media_store().get(kept.key) if kept else None
    except MediaUnavailable:
        current_app.logger.exception("the media store cannot give photo %d", media_id)
        return _plain(Texts("id").say("media_unavailable"), 503)
    if data is None:
        return _plain(Texts("id").say("media_not_kept"), 404)
    response = Response(data, mimetype=kept.content_type)
    # The link is the only key: no cache but the holder's, nor a referrer that repeats it.
    response.headers["Cache-Control"] = f"private, max-age={int(expires) - int(now.timestamp())}"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _plain(text: str, status: int) -> Response:
    response = Response(text, status=status, mimetype="text/plain")
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response
