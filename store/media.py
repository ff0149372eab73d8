"""Where photos are kept: citizens' photos copied from Twilio (which deletes its own)
and the officers' photos of the finished work. A folder by default (`MEDIA_DIR`), an
S3-compatible bucket when one is configured. An object is named by its content, so
putting the same photo twice is harmless and a name never points at other bytes."""

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from store.private_files import private_folder

# What each accepted image starts with: the bytes decide, never the name or the header.
_SIGNATURES = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}
_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
# Officers upload JPEG or PNG; WhatsApp also delivers citizens' photos as WebP.
OFFICER_IMAGE_TYPES = frozenset(_SIGNATURES)


def image_type(data: bytes) -> str | None:
    """`image/jpeg`, `image/png` or `image/webp` when `data` is one, judged by its first
    bytes; None for anything else."""
    for content_type, signatures in _SIGNATURES.items():
        if data.startswith(signatures):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def key_of(data: bytes, content_type: str) -> str:
    """The name an image is kept under: its SHA-256 and its type's extension."""
    return f"{hashlib.sha256(data).hexdigest()}.{_EXTENSIONS[content_type]}"


@dataclass(frozen=True)
class StoredPhoto:
    """A photo in the media store, as a report's row names it."""

    key: str
    content_type: str


class UploadRefused(Exception):
    """An officer's photo that is not kept: `code` says why (`invalid_photo`,
    `photo_too_large`)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def officer_photo(data: bytes, *, max_bytes: int) -> StoredPhoto:
    """What an officer uploads as the finished work: a JPEG or PNG by its own bytes
    (whatever its name or declared type say), of at most `max_bytes`."""
    if len(data) > max_bytes:
        raise UploadRefused("photo_too_large", f"a photo may be at most {max_bytes} bytes")
    content_type = image_type(data)
    if content_type not in OFFICER_IMAGE_TYPES:
        raise UploadRefused("invalid_photo", "a photo must be a JPEG or PNG image")
    return StoredPhoto(key_of(data, content_type), content_type)


class MediaUnavailable(Exception):
    """The store could not keep or give a photo now (a full disk, a bucket down)."""


class MediaStore(Protocol):
    """Bytes by key. `put` is idempotent; `get` answers None for a key it lacks. Both
    raise `MediaUnavailable` when the store cannot answer."""

    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> bytes | None: ...


class FolderStore:
    """Photos as files under `folder` (0700, files 0600: they show citizens' streets and
    homes), spread over 256 sub-folders by their name's first two characters."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        if path.exists():
            return
        try:
            private_folder(path.parent)
            # 0600 from the start; a name of its own for each writer, thread or process
            descriptor, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{key}.")
            with os.fdopen(descriptor, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(partial, path)  # whole or not at all, for a reader at the same moment
        except OSError as problem:
            raise MediaUnavailable(f"cannot keep {key}: {problem}") from problem

    def get(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as problem:
            raise MediaUnavailable(f"cannot read {key}: {problem}") from problem

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / check_key(key)


def check_key(key: str) -> str:
    """`key` if it is one `key_of` makes, else ValueError: nothing else names an object,
    least of all a path that climbs out of the store."""
    if not _is_key(key):
        raise ValueError(f"not a media key: {key!r}")
    return key


def _is_key(key: str) -> bool:
    name, _, extension = key.partition(".")
    return (
        len(name) == 64
        and all(character in "0123456789abcdef" for character in name)
        and extension in _EXTENSIONS.values()
    )
