"""The inbound spool: when the database is down, Twilio's fallback requests are written
here, one JSON line each, fsync'd, and replayed by the worker when it is back.

Appends from several web processes are serialised with an exclusive file lock. The
worker takes the live file by renaming it (atomic), replays it, and deletes it; a
replay file left by a crash is replayed again, harmlessly, since replies are keyed by
MessageSid.
"""

import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path

LIVE = "inbound.jsonl"
REPLAYING = "replaying-"


class Spool:
    def __init__(self, directory: Path):
        self.directory = Path(directory)

    @property
    def live(self) -> Path:
        return self.directory / LIVE

    def append(self, entry: dict) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode()
        with self.live.open("ab") as file:
            fcntl.flock(file, fcntl.LOCK_EX)
            try:
                file.write(line)
                file.flush()
                os.fsync(file.fileno())
            finally:
                fcntl.flock(file, fcntl.LOCK_UN)

    def pending(self) -> list[Path]:
        """Files still to replay, oldest first: leftovers of a crash, then the live one."""
        if not self.directory.exists():
            return []
        leftovers = sorted(self.directory.glob(f"{REPLAYING}*.jsonl"))
        live = [self.live] if self.live.exists() and self.live.stat().st_size else []
        return leftovers + live

    def has_pending(self) -> bool:
        """Asked before every message, so one directory read (not `pending`'s globbing)."""
        try:
            with os.scandir(self.directory) as entries:
                return any(map(_waits, entries))
        except FileNotFoundError:
            return False

    def take(self, path: Path, *, taker: str) -> Path:
        """Claim a file for replay. The live file is renamed first so appends go on in a
        fresh one; a leftover is already ours to replay."""
        if path.name != LIVE:
            return path
        claimed = self.directory / f"{REPLAYING}{os.stat(path).st_mtime_ns}-{taker}.jsonl"
        with path.open("ab") as file:  # wait for an append in progress
            fcntl.flock(file, fcntl.LOCK_EX)
            os.rename(path, claimed)
            fcntl.flock(file, fcntl.LOCK_UN)
        return claimed

    @staticmethod
    def entries(path: Path) -> Iterator[dict]:
        """The file's entries in order; a line torn by a crash mid-write is skipped."""
        with path.open("rb") as file:
            for line in file:
                try:
                    yield json.loads(line)
                except ValueError:
                    continue

    @staticmethod
    def finish(path: Path) -> None:
        path.unlink(missing_ok=True)


def _waits(entry: os.DirEntry) -> bool:
    """A file of the spool that still holds messages to replay."""
    if entry.name.startswith(REPLAYING):
        return entry.name.endswith(".jsonl")
    if entry.name != LIVE:
        return False
    try:
        return entry.stat().st_size > 0
    except FileNotFoundError:  # renamed this instant by a replay that starts
        return True
