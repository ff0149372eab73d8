"""The inbound spool on its own: appends racing a replay that takes the file, and
messages set aside by a replay, the failures it counts."""

import fcntl
import os
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine

from store.spool import REPLAY_LOCK, Spool, UnknownEntries, is_retried


def _wait_until_a_lock_is_awaited(path: Path, timeout: float = 5.0) -> None:
    """Until some process waits for a lock on `path` (a `->` line of /proc/locks)."""
    inode = f":{os.stat(path).st_ino} "
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(
            "->" in line and inode in line for line in Path("/proc/locks").read_text().splitlines()
        ):
            return
        time.sleep(0.001)
    raise AssertionError(f"nobody waited for a lock on {path}")


def test_an_append_opened_just_before_a_replay_took_the_file_lands_in_the_new_one(tmp_path):
    spool = Spool(tmp_path)
    spool.append({"n": 1})
    taken = tmp_path / "replaying-1-test.jsonl"
    with spool.live.open("ab") as held:  # a replay's take(), paused after its lock
        fcntl.flock(held, fcntl.LOCK_EX)
        appender = threading.Thread(target=spool.append, args=({"n": 2},))
        appender.start()
        _wait_until_a_lock_is_awaited(spool.live)  # the append has opened the old file
        os.rename(spool.live, taken)
        fcntl.flock(held, fcntl.LOCK_UN)
    appender.join(timeout=5)

    assert [entry["n"] for entry in Spool.entries(taken)] == [1]
    assert [entry["n"] for entry in Spool.entries(spool.live)] == [2]


def test_two_replays_taking_the_live_file_at_once_each_get_a_file_of_their_own(tmp_path):
    spool = Spool(tmp_path)
    spool.append({"n": 1})
    claimed = []
    with spool.live.open("ab") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        takers = [
            threading.Thread(target=lambda t=t: claimed.append(spool.take(spool.live, taker=t)))
            for t in ("a", "b")
        ]
        for taker in takers:
            taker.start()
        _wait_until_a_lock_is_awaited(spool.live)
        fcntl.flock(held, fcntl.LOCK_UN)
    for taker in takers:
        taker.join(timeout=5)

    assert len(set(claimed)) == 2
    assert sorted(entry["n"] for path in claimed for entry in Spool.entries(path)) == [1]


def test_a_message_set_aside_is_kept_but_no_longer_waits(tmp_path):
    spool = Spool(tmp_path)
    spool.append({"form": {"MessageSid": "SM1"}})
    taken = spool.take(spool.pending()[0], taker="test")
    [entry] = Spool.entries(taken)
    kept = spool.set_aside(entry, reason="ValueError", message_sid="SM1")
    spool.finish(taken)

    assert not spool.has_pending() and spool.pending() == []
    assert list(Spool.entries(kept)) == [
        {"set_aside_because": "ValueError", "message_sid": "SM1", "entry": entry}
    ]


def test_one_replay_at_a_time_the_others_skip_their_turn(tmp_path):
    spool = Spool(tmp_path)
    with spool.replay_turn() as first, spool.replay_turn() as second:
        assert first and not second
    with spool.replay_turn() as later:
        assert later


def test_failure_counts_outlive_the_process_and_go_with_the_message(tmp_path):
    Spool(tmp_path).count_failure("SM1")
    Spool(tmp_path).count_failure("SM1")
    Spool(tmp_path).count_failure("SM2")
    assert Spool(tmp_path).failures("SM1") == 2 and Spool(tmp_path).failures("SM3") == 0

    Spool(tmp_path).forget_failures("SM1")
    Spool(tmp_path).forget_failures("SM2")
    assert Spool(tmp_path).failures("SM1") == 0
    assert list(tmp_path.iterdir()) == []  # nothing left behind, nothing waits


def test_a_message_set_aside_again_is_kept_once(tmp_path):
    """By a replay cut short, or as another copy: Twilio's retry of the fallback, which
    may differ in its ErrorCode and in when it was kept."""
    spool = Spool(tmp_path)
    first = {"form": {"MessageSid": "SM1"}, "received_at": "2026-12-01T10:00:00"}
    again = {"form": {"MessageSid": "SM1", "ErrorCode": "11200"}, "received_at": "10:00:03"}
    spool.set_aside(first, reason="Conflict", message_sid="SM1")
    spool.set_aside(first, reason="Conflict", message_sid="SM1")
    spool.set_aside(again, reason="Conflict", message_sid="SM1")
    spool.set_aside({"form": {}}, reason="KeyError", message_sid=None)
    spool.set_aside({"form": {}}, reason="KeyError", message_sid=None)
    spool.set_aside(["no", "message"], reason="TypeError", message_sid=None)
    assert spool.count_set_aside() == 3


def test_a_line_torn_by_a_crash_does_not_swallow_the_next_message(tmp_path):
    spool = Spool(tmp_path)
    spool.append({"form": {"MessageSid": "SM1"}})
    with spool.live.open("ab") as file:  # killed halfway through the next append
        file.write(b'{"form": {"MessageSid": "SM')
    spool.append({"form": {"MessageSid": "SM3"}})

    kept = [entry["form"]["MessageSid"] for entry in Spool.entries(spool.live)]
    assert kept == ["SM1", "SM3"]


def test_files_taken_one_after_another_keep_their_order_whatever_the_clock(tmp_path):
    spool = Spool(tmp_path)
    older = tmp_path / "replaying-1764583200000000000-9.jsonl"  # by an earlier version
    older.write_text('{"n": 0}\n')
    taken = []
    for n in (1, 2, 3):
        spool.append({"n": n})
        os.utime(spool.live, ns=(0, 0))  # a clock gone back to 1970, the same for each
        taken.append(spool.take(spool.live, taker="w"))  # each left waiting, say

    assert spool.pending() == [older, *taken]
    assert [entry["n"] for path in spool.pending() for entry in Spool.entries(path)] == [0, 1, 2, 3]


def _three_set_aside(spool: Spool) -> None:
    spool.set_aside({"form": {"MessageSid": "SM1"}}, reason="Conflict", message_sid="SM1")
    spool.set_aside({"form": {}}, reason="KeyError", message_sid=None)
    spool.set_aside({"form": {"MessageSid": "SM3"}}, reason="Conflict", message_sid="SM3")


def test_entries_set_aside_are_released_by_message_sid_or_number_and_only_those(tmp_path):
    spool = Spool(tmp_path)
    _three_set_aside(spool)
    spool.count_failure("SM3")

    [retried] = spool.release_set_aside(["SM3"], replay=True)
    [discarded] = spool.release_set_aside(["2"], replay=False)  # numbered as they are now

    assert retried["message_sid"] == "SM3" and discarded["message_sid"] is None
    [back] = Spool.entries(spool.live)
    assert back["form"] == {"MessageSid": "SM3"}
    assert is_retried(back)  # no evidence of an outage now (store/outages.py)
    assert spool.failures("SM3") == 0  # counted afresh in the next replay
    assert [kept["message_sid"] for kept in spool.set_aside_entries()] == ["SM1"]
    assert spool.count_set_aside() == 1


def test_releasing_every_entry_set_aside_leaves_no_file_behind(tmp_path):
    spool = Spool(tmp_path)
    _three_set_aside(spool)

    assert len(spool.release_set_aside(None, replay=False)) == 3
    assert sorted(path.name for path in tmp_path.iterdir()) == [REPLAY_LOCK]
    assert spool.set_aside_entries() == [] and not spool.has_pending()


def test_a_name_that_names_nothing_set_aside_releases_nothing(tmp_path):
    spool = Spool(tmp_path)
    _three_set_aside(spool)

    with pytest.raises(UnknownEntries) as unknown:
        spool.release_set_aside(["SM1", "4", "SM9"], replay=True)

    assert unknown.value.names == ["4", "SM9"]
    assert spool.count_set_aside() == 3 and not spool.has_pending()


def test_releasing_waits_for_a_replay_in_progress(tmp_path):
    """The replay may be setting entries aside: rewriting the file then would lose one."""
    spool = Spool(tmp_path)
    _three_set_aside(spool)
    with spool.replay_turn() as mine:
        assert mine
        release = threading.Thread(
            target=spool.release_set_aside, args=(None,), kwargs={"replay": False}
        )
        release.start()
        _wait_until_a_lock_is_awaited(tmp_path / REPLAY_LOCK)
        spool.set_aside({"form": {"MessageSid": "SM4"}}, reason="Conflict", message_sid="SM4")
    release.join(timeout=5)

    assert spool.count_set_aside() == 0


def test_entries_mentioning_a_value_are_found_in_every_file_still_to_replay(tmp_path):
    spool = Spool(tmp_path)
    spool.append({"form": {"MessageSid": "SM1", "Body": "SM2 is not SM2's MessageSid"}})
    spool.take(spool.live, taker="test")
    spool.append({"form": {"MessageSid": "SM2"}})
    with spool.live.open("ab") as file:
        file.write(b'{"form": {"MessageSid": "SM2"')  # torn by a crash mid-write

    assert [entry["form"]["MessageSid"] for entry in spool.entries_mentioning("SM1")] == ["SM1"]
    assert [entry["form"]["MessageSid"] for entry in spool.entries_mentioning("SM2")] == ["SM2"]
    assert list(spool.entries_mentioning("SM")) == []
    spool.set_aside({"form": {"MessageSid": "SM3"}}, reason="test", message_sid="SM3")
    assert list(spool.entries_mentioning("SM3")) == []  # set aside: no longer waits


def test_a_senders_own_spool_is_named_without_their_number_and_removed_once_replayed(tmp_path):
    spool = Spool(tmp_path)
    held = spool.held_for("+6281234567890")
    held.append({"form": {"MessageSid": "SM1"}})
    assert "6281234567890" not in str(held.directory)
    assert [found.directory for found in spool.held_spools()] == [held.directory]
    assert spool.count_files_waiting() == 1 and not spool.has_pending()
    held.remove_if_done()
    assert held.directory.exists()  # a message still waits there
    for path in held.pending():
        Spool.finish(held.take(path, taker="test"))
    held.remove_if_done()
    assert spool.held_spools() == [] and spool.count_files_waiting() == 0
    held.append({"form": {"MessageSid": "SM2"}})  # a later message makes it again
    assert held.has_pending()


def test_a_busy_database_is_everyones_when_a_second_message_meets_it_within_seconds(tmp_path):
    spool = Spool(tmp_path)
    with time_machine.travel(datetime(2026, 12, 6, 10, 0, tzinfo=UTC), tick=False) as clock:
        assert not spool.met_a_busy_database(within_seconds=5)  # the first: its own
        clock.shift(4)
        assert spool.met_a_busy_database(within_seconds=5)  # a second within 5 s
        clock.shift(60)
        assert not spool.met_a_busy_database(within_seconds=5)
