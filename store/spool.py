"""The inbound spool: when the database is down, Twilio's fallback requests are written
here, one JSON line each, fsync'd, and replayed by the worker when it is back.

Appends from several web processes are serialised with an exclusive file lock. The
worker takes the live file by renaming it (atomic), replays it, and deletes it once
nothing in it waits; a replay file left by a crash, or still holding a message that
waits, is replayed again, harmlessly, since replies are keyed by MessageSid. One worker
replays at a time: the others skip their turn. That worker also keeps, in
`failures.json`, how many runs each kept message failed in while others got through
(scheduler/replay.py).
"""

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

LIVE = "inbound.jsonl"
REPLAYING = "replaying-"
SET_ASIDE = "set-aside.jsonl"
REPLAY_LOCK = "replay.lock"
FAILURES = "failures.json"


class Spool:
    def __init__(self, directory: Path):
        self.directory = Path(directory)

    @property
    def live(self) -> Path:
        return self.directory / LIVE

    def append(self, entry: dict) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode()
        with self._locked_live() as file:
            _append_durably(file, line)

    def pending(self) -> list[Path]:
        """Files still to replay, oldest first: leftovers of a crash, then the live one."""
        if not self.directory.exists():
            return []
        leftovers = sorted(self.directory.glob(f"{REPLAYING}*.jsonl"), key=_take_number)
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
        fresh one; a leftover is already ours to replay. Taken files are numbered in
        order (not by a clock, which may step back or tick coarsely), so a new one can
        neither replace a leftover that still waits nor be replayed before it."""
        if path.name != LIVE:
            return path
        with self._locked_live():  # waits for an append in progress, and for other takes
            taken = [_take_number(leftover) for leftover in self.directory.glob(f"{REPLAYING}*")]
            claimed = self.directory / f"{REPLAYING}{max(taken, default=0) + 1}-{taker}.jsonl"
            os.rename(path, claimed)
        return claimed

    @contextmanager
    def _locked_live(self) -> Iterator[BinaryIO]:
        """The live file, opened for appending and locked. A file opened an instant before
        a replay renamed it is the replay's now: writing there could be read too late,
        and deleted unread, so it is closed and the new live file opened instead."""
        while True:
            with self.live.open("a+b") as file:  # readable too: see _append_durably
                fcntl.flock(file, fcntl.LOCK_EX)
                try:
                    if _is_live(file, self.live):
                        yield file
                        return
                finally:
                    fcntl.flock(file, fcntl.LOCK_UN)

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

    def set_aside(self, entry, *, reason: str, message_sid: str | None) -> Path:
        """Keep, for an operator, an entry the replay cannot answer, not even with an
        apology (one that is no message, or one the database refuses every time), so
        that it no longer holds up the messages behind it. Not replayed. Kept once per
        MessageSid (a replay cut short, or Twilio's retry of the fallback, brings the
        same message again), or once per entry when it has none."""
        path = self.directory / SET_ASIDE
        if self._is_set_aside(entry, message_sid):
            return path
        kept = {"set_aside_because": reason, "message_sid": message_sid, "entry": entry}
        with path.open("a+b") as file:  # only the worker whose replay turn it is writes here
            _append_durably(file, (json.dumps(kept, ensure_ascii=False) + "\n").encode())
        return path

    def _is_set_aside(self, entry, message_sid: str | None) -> bool:
        path = self.directory / SET_ASIDE
        if not path.exists():
            return False

        def same(kept) -> bool:
            if not isinstance(kept, dict):
                return False
            if message_sid:
                return kept.get("message_sid") == message_sid
            return kept.get("entry") == entry

        return any(map(same, self.entries(path)))

    def failures(self, sid: str) -> int:
        """Replay runs in which `sid` failed while a later message was written."""
        return self._failures().get(sid, 0)

    def count_failure(self, sid: str) -> int:
        """One more such run for `sid`; how many now."""
        counts = self._failures()
        counts[sid] = counts.get(sid, 0) + 1
        self._keep_failures(counts)
        return counts[sid]

    def forget_failures(self, sid: str) -> None:
        counts = self._failures()
        if counts.pop(sid, None) is not None:
            self._keep_failures(counts)

    def forget_every_failure(self) -> None:
        """Once nothing waits in the spool: the counts left are of messages set aside."""
        (self.directory / FAILURES).unlink(missing_ok=True)

    def _failures(self) -> dict[str, int]:
        try:
            counts = json.loads((self.directory / FAILURES).read_bytes())
        except (FileNotFoundError, ValueError):  # none yet, or unreadable: count again
            return {}
        return counts if isinstance(counts, dict) else {}

    def _keep_failures(self, counts: dict[str, int]) -> None:
        """Only the worker whose replay turn it is writes here; a new file is renamed over
        the old one, so a crash leaves one or the other whole."""
        path = self.directory / FAILURES
        if not counts:
            path.unlink(missing_ok=True)
            return
        written = path.with_suffix(".tmp")
        written.write_text(json.dumps(counts))
        os.replace(written, path)

    def count_set_aside(self) -> int:
        """Entries set aside, for /healthz: each one waits for an operator."""
        try:
            with (self.directory / SET_ASIDE).open("rb") as file:
                return sum(1 for _ in file)
        except FileNotFoundError:
            return 0

    @contextmanager
    def replay_turn(self) -> Iterator[bool]:
        """Whether this process may replay now. Two workers replaying one file would
        both answer its messages (once each, by MessageSid, but for nothing)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        with (self.directory / REPLAY_LOCK).open("ab") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


def _append_durably(file: BinaryIO, line: bytes) -> None:
    """Append a line and fsync; for a file this creates, its directory entry too, or a
    power cut could lose the file that Twilio was told keeps the message. A line an
    earlier append left torn (no newline: killed mid-write, a full disk) is ended first,
    or this line would be glued to it and skipped with it when read."""
    size = os.fstat(file.fileno()).st_size
    if size and os.pread(file.fileno(), 1, size - 1) != b"\n":
        line = b"\n" + line
    file.write(line)
    file.flush()
    os.fsync(file.fileno())
    if not size:
        directory = os.open(Path(file.name).parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def _take_number(path: Path) -> int:
    """The order of a taken file: `replaying-<number>-<taker>.jsonl`. (Files taken by
    earlier versions are numbered by their modification time in nanoseconds, which the
    numbers given after them continue.)"""
    number = path.name.removeprefix(REPLAYING).split("-", 1)[0]
    return int(number) if number.isdigit() else 0


def _is_live(file: BinaryIO, live: Path) -> bool:
    opened = os.fstat(file.fileno())
    try:
        named = os.stat(live)
    except FileNotFoundError:
        return False
    return (opened.st_dev, opened.st_ino) == (named.st_dev, named.st_ino)


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
