"""Files that hold citizens' words and phones, or a secret (the SQLite database, the
spool, the development auth token), readable by this service's user only: 0600 for
files, 0700 for folders, set explicitly, whatever the process's umask (a container or
a shell may leave it at 0). Files and folders an earlier version made with looser
modes are tightened when opened."""

import logging
import os
import stat
from pathlib import Path

FILE_MODE = 0o600
FOLDER_MODE = 0o700

logger = logging.getLogger("crm.files")


def private_folder(path: Path) -> Path:
    """`path` as a folder of ours, 0700, made if missing with any missing parent (also
    0700). A folder shared by design (sticky, as /tmp) is left as it is."""
    path = Path(path)
    _make_missing_folders(path)
    if not os.stat(path).st_mode & stat.S_ISVTX:
        _tighten(path, FOLDER_MODE)
    return path


def private_file(path: Path) -> Path:
    """`path` as a file of ours, 0600, made empty if missing (its missing folders 0700)."""
    path = Path(path)
    _make_missing_folders(path.parent)
    os.close(private_opener(path, os.O_RDONLY | os.O_CREAT))
    return path


def private_opener(path, flags: int) -> int:
    """An `opener` for `open()`: a file it creates is 0600 from the start, and an
    existing one is made 0600."""
    descriptor = os.open(path, flags, FILE_MODE)
    if stat.S_IMODE(os.fstat(descriptor).st_mode) != FILE_MODE:
        os.fchmod(descriptor, FILE_MODE)
    return descriptor


def tighten_if_present(path: Path, mode: int = FILE_MODE) -> None:
    if Path(path).exists():
        _tighten(Path(path), mode)


def _make_missing_folders(path: Path) -> None:
    missing = [folder for folder in (path, *path.parents) if not folder.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=FOLDER_MODE, exist_ok=True)  # or made meanwhile by another process
        os.chmod(folder, FOLDER_MODE)  # mkdir's mode passes through the umask


def _tighten(path: Path, mode: int) -> None:
    if stat.S_IMODE(os.stat(path).st_mode) == mode:
        return
    try:
        os.chmod(path, mode)
    except PermissionError:  # not ours: say so, and go on as before
        logger.warning("cannot make %s private (mode %o): not its owner", path, mode)
