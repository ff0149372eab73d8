"""The inbound spool: when the database is down, Twilio's fallback requests are written
here, one JSON line each, fsync'd, and replayed by the worker when it is back.

Appends from several web processes are serialised with an exclusive file lock. The
worker takes the live file by renaming it (atomic), replays it, and deletes it once
nothing in it waits; a replay file left by a crash, or still holding a message that
waits, is replayed again, harmlessly, since replies are keyed by MessageSid. One worker
replays at a time: the others skip their turn. That worker also keeps, in
`failures.json`, how many runs each kept message failed in while others got through
(scheduler/replay.py). An operator lists what the replay set aside, and gives it back to
the replay or deletes it (`flask --app bot crm spool`). They hold citizens' phones and
words: the folder is 0700 and every file in it 0600 (store/private_files.py).
"""

import contextlib
import fcntl
import hashlib
import json
import os
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from store.private_files import private_file, private_folder, private_opener

LIVE = "inbound.jsonl"
REPLAYING = "replaying-"
SET_ASIDE = "set-aside.jsonl"
HELD = "held"  # a folder of spools, one per sender (Spool.held_for)
BUSY = "busy-at"  # its time: when a message last met a busy database
REPLAY_LOCK = "replay.lock"
FAILURES = "failures.json"
RETRIED_AT = "retried_at"  # in an entry an operator gave back to the replay


class Spool:
    def __init__(self, directory: Path, *, set_aside_in: Path | None = None):
        self.directory = Path(directory)
        self._set_aside = Path(set_aside_in or directory) / SET_ASIDE

    def held_for(self, sender_key: str) -> "Spool":
        """The spool of one sender's messages, kept while the database was busy (a lock
        or a statement timeout) rather than down: only that sender's later messages join
        it, to keep their order, while everyone else is answered as usual. Named by a
        hash, so that no phone number is a file name; what it sets aside joins this
        spool's, where operators look."""
        name = hashlib.sha256(sender_key.encode()).hexdigest()[:32]
        return Spool(self.directory / HELD / name, set_aside_in=self.directory)

    def held_spools(self) -> list["Spool"]:
        try:
            with os.scandir(self.directory / HELD) as entries:
                names = sorted(entry.name for entry in entries if entry.is_dir())
        except FileNotFoundError:
            return []
        return [Spool(self.directory / HELD / name, set_aside_in=self.directory) for name in names]

    def met_a_busy_database(self, *, within_seconds: float) -> bool:
        """Whether another message met a busy database (db.gave_up_waiting) in the last
        `within_seconds`; notes that this one did. One such message is its own sender's
        trouble (a row of theirs locked); two in a few seconds, everyone's."""
        marker = self.directory / BUSY
        try:
            last = marker.stat().st_mtime
        except FileNotFoundError:
            last = None
        now = time.time()
        os.utime(private_file(marker), (now, now))
        return last is not None and 0 <= now - last <= within_seconds

    def count_files_waiting(self) -> int:
        """Files still to replay, in this spool and in each sender's own (for /healthz)."""
        return len(self.pending()) + sum(len(held.pending()) for held in self.held_spools())

    def remove_if_done(self) -> None:
        """Remove a held spool that has nothing left to replay, with its lock and counts.
        Only while its replay turn is not taken (one worker replays all held spools in
        the main spool's turn). A message kept meanwhile keeps the folder: rmdir refuses
        one that is not empty, and an append that finds it gone makes it again."""
        if self.pending():
            return
        for name in (REPLAY_LOCK, FAILURES):
            (self.directory / name).unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            self.directory.rmdir()

    @property
    def live(self) -> Path:
        return self.directory / LIVE

    def append(self, entry: dict) -> None:
        for attempt in (1, 2):
            private_folder(self.directory)
            try:
                with self._locked_live() as file:
                    _append_durably(file, _line(entry))
                return
            except FileNotFoundError:  # a held spool's folder, removed by its replay
                if attempt == 2:
                    raise

    def pending(self) -> list[Path]:
        """Files still to replay, oldest first: leftovers of a crash, then the live one."""
        if not self.directory.exists():
            return []
        leftovers = sorted(self.directory.glob(f"{REPLAYING}*.jsonl"), key=_take_number)
        live = [self.live] if self.live.exists() and self.live.stat().st_size else []
        return leftovers + live

    def entries_mentioning(self, value: str) -> Iterator[dict]:
        """The entries still to replay that hold `value` as a whole JSON string (a
        MessageSid, say). Lines are searched as bytes and only those holding it parsed,
        so it stays cheap: the spool holds only what an outage kept, about a kilobyte a
        message."""
        needle = json.dumps(value, ensure_ascii=False).encode()
        for path in self.pending():
            try:
                with path.open("rb") as file:
                    lines = [line for line in file if needle in line]
            except FileNotFoundError:  # replayed and deleted since it was listed
                continue
            for line in lines:
                try:
                    entry = json.loads(line)
                except ValueError:  # torn by a crash mid-write
                    continue
                if isinstance(entry, dict):
                    yield entry

    def holds_message(self, sid: str) -> bool:
        """Whether a file still to replay holds the message of this MessageSid."""
        return any(
            isinstance(entry.get("form"), dict)
            and sid in (entry["form"].get("MessageSid"), entry["form"].get("SmsMessageSid"))
            for entry in self.entries_mentioning(sid)
        )

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
            with open(self.live, "a+b", opener=private_opener) as file:  # read: _append_durably
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
        path = self._set_aside
        if self._is_set_aside(entry, message_sid):
            return path
        kept = {"set_aside_because": reason, "message_sid": message_sid, "entry": entry}
        with open(path, "a+b", opener=private_opener) as file:  # by the replay lock's holder
            _append_durably(file, _line(kept))
        return path

    def _is_set_aside(self, entry, message_sid: str | None) -> bool:
        path = self._set_aside
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
        """Only the holder of the replay lock (the worker replaying, an operator's
        release_set_aside) writes here."""
        _replace(self.directory / FAILURES, json.dumps(counts).encode() if counts else b"")

    def set_aside_entries(self) -> list[dict]:
        """What the replay set aside, oldest first: each with `set_aside_because`,
        `message_sid` and the kept `entry`."""
        path = self._set_aside
        if not path.exists():
            return []
        return [kept for kept in self.entries(path) if isinstance(kept, dict)]

    def release_set_aside(self, names: Collection[str] | None, *, replay: bool) -> list[dict]:
        """Take entries an operator has dealt with out of set-aside.jsonl: those `names`
        names (a MessageSid, or a position in `set_aside_entries` counted from 1), or
        every one for None. With `replay` they go back to the live file, their failure
        counts forgotten, for the next replay to answer (once what refused them is
        fixed); without, they are gone, the citizen's phone and words with them. A name
        that names no entry raises UnknownEntries and changes nothing. Waits for a replay
        in progress, which may be setting entries aside."""
        with self._replay_lock(blocking=True):
            kept = self.set_aside_entries()
            positions = _positions(kept, names)
            chosen = [kept[at] for at in sorted(positions)]
            if replay:
                for entry in chosen:  # in the live file before it leaves set-aside.jsonl
                    self.append(_retried(entry["entry"]))
                    if entry.get("message_sid"):
                        self.forget_failures(entry["message_sid"])
            rest = [entry for at, entry in enumerate(kept) if at not in positions]
            _replace(self._set_aside, b"".join(map(_line, rest)))
        return chosen

    def count_set_aside(self) -> int:
        """Entries set aside, for /healthz: each one waits for an operator."""
        return len(self.set_aside_entries())

    @contextmanager
    def replay_turn(self) -> Iterator[bool]:
        """Whether this process may replay now. Two workers replaying one file would
        both answer its messages (once each, by MessageSid, but for nothing)."""
        with self._replay_lock(blocking=False) as mine:
            yield mine

    @contextmanager
    def _replay_lock(self, *, blocking: bool) -> Iterator[bool]:
        private_folder(self.directory)
        with open(self.directory / REPLAY_LOCK, "ab", opener=private_opener) as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


def _retried(entry):
    """An entry given back by an operator, marked so: it still counts when it reached
    us, but is no sign of an outage now (store/outages.py)."""
    if not isinstance(entry, dict):
        return entry
    return {**entry, RETRIED_AT: datetime.now(UTC).isoformat()}


def is_retried(entry) -> bool:
    return isinstance(entry, dict) and RETRIED_AT in entry


def received_at(entry) -> datetime | None:
    """When the entry's message reached us: its `received_at`, which the webhook writes
    with every message it keeps (UTC, ISO 8601). None for an entry without one, or with
    one that is no time (written by hand): the replay counts those at its own time, as
    it counted every kept message before it counted them when they came."""
    moment = entry.get("received_at") if isinstance(entry, dict) else None
    try:
        parsed = datetime.fromisoformat(moment)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class UnknownEntries(LookupError):
    """Names of set-aside entries that name none."""

    def __init__(self, names: list[str]):
        super().__init__(", ".join(names))
        self.names = names


def _positions(kept: list[dict], names: Collection[str] | None) -> set[int]:
    """The 0-based positions in `kept` of the entries `names` names (see release_set_aside)."""
    if names is None:
        return set(range(len(kept)))
    by_name = {str(at + 1): {at} for at in range(len(kept))}
    for at, entry in enumerate(kept):
        if entry.get("message_sid"):
            by_name.setdefault(entry["message_sid"], set()).add(at)
    unknown = [name for name in names if name not in by_name]
    if unknown:
        raise UnknownEntries(unknown)
    return set().union(*(by_name[name] for name in names))


def _line(entry) -> bytes:
    return (json.dumps(entry, ensure_ascii=False) + "\n").encode()


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
        _sync_directory(Path(file.name).parent)


def _sync_directory(directory: Path) -> None:
    """Make a file's creation, renaming or removal in `directory` survive a power cut."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _replace(path: Path, content: bytes) -> None:
    """Write a new file and rename it over the old one, so a crash leaves one or the
    other whole; empty content removes the file."""
    if not content:
        path.unlink(missing_ok=True)
        _sync_directory(path.parent)  # or a power cut could bring it back
        return
    written = path.with_suffix(".tmp")
    with open(written, "wb", opener=private_opener) as file:
        file.write(content)
        file.flush()
        os.fsync(file.fileno())
    os.replace(written, path)
    _sync_directory(path.parent)


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
