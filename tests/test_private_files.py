"""What holds citizens' phones and words, or a secret, is the service user's alone: the
instance folder, the SQLite database and its -wal and -shm, the development auth token,
the spool and every file in it. Folders 0700, files 0600, whatever the umask."""

import os
import stat
from pathlib import Path

import pytest

from bot import create_app
from bot.media import open_store
from conftest import RESULT_PNG
from store.db import upgrade
from store.media import key_of
from store.spool import Spool

DEVELOPMENT = {"CRM_ENV": "development", "DATABASE_URL": "", "TWILIO_AUTH_TOKEN": ""}


@pytest.fixture(params=[0o022, 0o000], ids=["umask-022", "umask-000"])
def umask(request):
    earlier = os.umask(request.param)
    yield request.param
    os.umask(earlier)


def _modes(root: Path) -> dict[str, int]:
    return {
        str(path.relative_to(root.parent)): stat.S_IMODE(path.stat().st_mode)
        for path in [root, *root.rglob("*")]
    }


def _use_every_spool_file(spool: Spool) -> None:
    spool.append({"form": {"MessageSid": "SM" + "1" * 32}})
    with spool.replay_turn():
        spool.take(spool.live, taker="test")
        spool.set_aside({"form": {}}, reason="test", message_sid=None)
        spool.count_failure("SM" + "2" * 32)
    spool.append({"form": {"MessageSid": "SM" + "3" * 32}})


def test_a_development_instance_and_everything_in_it_are_private(umask, tmp_path):
    instance = tmp_path / "instance"
    app = create_app({**DEVELOPMENT, "CRM_INSTANCE_PATH": str(instance)})
    try:
        upgrade(app.extensions["crm.engine"])  # its pooled connection keeps -wal and -shm
        _use_every_spool_file(Spool(app.config["SETTINGS"].spool_dir))
        photo = key_of(RESULT_PNG, "image/png")
        open_store(app.config["SETTINGS"]).put(photo, RESULT_PNG, "image/png")
        modes = _modes(instance)
    finally:
        app.extensions["crm.engine"].dispose()

    assert {
        "instance/dev-twilio-auth-token",
        "instance/crm.db",
        "instance/crm.db-wal",
        "instance/crm.db-shm",
        "instance/spool/inbound.jsonl",
        "instance/spool/replaying-1-test.jsonl",
        "instance/spool/set-aside.jsonl",
        "instance/spool/failures.json",
        "instance/spool/replay.lock",
        "instance/secret-key",
        f"instance/media/{photo[:2]}/{photo}",
    } <= set(modes)
    folders = {"instance", "instance/spool", "instance/media", f"instance/media/{photo[:2]}"}
    assert {name: mode for name, mode in modes.items() if name in folders} == dict.fromkeys(
        folders, 0o700
    )
    assert {name: mode for name, mode in modes.items() if name not in folders} == dict.fromkeys(
        set(modes) - folders, 0o600
    )


def test_what_an_earlier_version_left_readable_to_all_is_made_private(umask, tmp_path):
    instance = tmp_path / "instance"
    (instance / "spool").mkdir(parents=True, mode=0o755)
    for name in ("dev-twilio-auth-token", "crm.db", "crm.db-wal", "spool/inbound.jsonl"):
        (instance / name).write_text("0123456789abcdef" if "token" in name else "")
        (instance / name).chmod(0o644)
    instance.chmod(0o755)
    (instance / "spool").chmod(0o755)

    app = create_app({**DEVELOPMENT, "CRM_INSTANCE_PATH": str(instance)})
    try:
        assert app.config["SETTINGS"].twilio_auth_token == "0123456789abcdef"
        Spool(app.config["SETTINGS"].spool_dir).append({"form": {}})
    finally:
        app.extensions["crm.engine"].dispose()

    assert _modes(instance) == {
        "instance": 0o700,
        "instance/dev-twilio-auth-token": 0o600,
        "instance/secret-key": 0o600,
        "instance/crm.db": 0o600,
        "instance/crm.db-wal": 0o600,
        "instance/spool": 0o700,
        "instance/spool/inbound.jsonl": 0o600,
    }


def test_a_sqlite_file_named_anywhere_is_private_and_so_are_folders_made_for_it(umask, tmp_path):
    database = tmp_path / "data" / "crm" / "crm.db"
    app = create_app({**DEVELOPMENT, "DATABASE_URL": f"sqlite:///{database}"})
    try:
        upgrade(app.extensions["crm.engine"])
        modes = _modes(tmp_path / "data")
    finally:
        app.extensions["crm.engine"].dispose()
    assert modes == {
        "data": 0o700,
        "data/crm": 0o700,
        "data/crm/crm.db": 0o600,
        "data/crm/crm.db-wal": 0o600,
        "data/crm/crm.db-shm": 0o600,
    }


def test_a_spool_in_a_folder_shared_by_design_leaves_that_folder_as_it_is(umask, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)  # sticky and open to all, as /tmp
    Spool(shared).append({"form": {}})
    assert _modes(shared) == {"shared": 0o1777, "shared/inbound.jsonl": 0o600}
