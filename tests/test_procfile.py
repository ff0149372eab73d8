"""The Procfile and `dev.py start`: what runs where, bound to what, for how long."""

import importlib.util
import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TWILIO_WAITS_SECONDS = 15


def procfile() -> dict[str, list[str]]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return {name: shlex.split(command) for name, command in (line.split(":", 1) for line in lines)}


def option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def test_web_serves_twilio_and_gives_up_on_a_request_before_twilio_does():
    web = procfile()["web"]
    assert web[0] == "CRM_SURFACE=web"
    assert int(option(web, "--timeout")) < TWILIO_WAITS_SECONDS
    assert int(option(web, "--graceful-timeout")) <= int(option(web, "--timeout"))


def test_public_reads_run_in_a_process_of_their_own_at_a_lower_priority():
    public = procfile()["public"]
    assert public[:4] == ["CRM_SURFACE=public", "nice", "-n", "10"]
    assert option(public, "--bind").endswith(":${PUBLIC_PORT:-5001}")
    assert "CRM_SURFACE" not in " ".join(procfile()["worker"])


@pytest.mark.parametrize("name", ["web", "public"])
def test_the_procfile_binds_where_host_says_and_every_interface_by_default(name):
    """A platform's router reaches the processes from outside; a developer's machine
    does not need to be reached (dev.py start binds 127.0.0.1)."""
    assert re.fullmatch(
        r"\$\{HOST:-0\.0\.0\.0\}:\$\{\w+:-\d+\}", option(procfile()[name], "--bind")
    )


@pytest.mark.parametrize("name", ["web", "public"])
def test_access_logs_show_paths_without_their_query_strings(name):
    """A link to a photo opens it by its query string (store/media_links.py): written to a
    log, it would open the photo for whoever reads the log."""
    log_format = option(procfile()[name], "--access-logformat")
    assert "%(U)s" in log_format
    assert not {"%(r)s", "%(q)s", "%({query_string}e)s"} & set(
        re.findall(r"%\([^)]*\)s", log_format)
    )


def _dev():
    spec = importlib.util.spec_from_file_location("dev", ROOT / "dev.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_dev_start_binds_loopback_unless_told_otherwise():
    dev = _dev()
    assert dev.start_environment({"PATH": "/usr/bin"})["HOST"] == "127.0.0.1"
    assert dev.start_environment({"HOST": "0.0.0.0"})["HOST"] == "0.0.0.0"


def test_dev_start_puts_public_reads_on_the_port_after_the_webhooks():
    ports = _dev().start_environment({"PORT": "5300"})
    assert (ports["PORT"], ports["PUBLIC_PORT"]) == ("5300", "5301")
