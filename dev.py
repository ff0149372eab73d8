"""The README's two commands: `python3 dev.py start` and `python3 dev.py test`.

Both first make sure `.venv` exists and holds this project (editable) with its
development extras, reinstalling only when `pyproject.toml` changed, so a newcomer
with nothing but Python and pip needs no other step.
"""

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed-from"


def _wanted_stamp() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def ensure_environment() -> None:
    if STAMP.exists() and STAMP.read_text() == _wanted_stamp():
        return
    if not (BIN / "python").exists():
        print("dev.py: creating .venv", flush=True)
        venv.create(VENV, with_pip=True)
    print("dev.py: installing the project and its dependencies into .venv", flush=True)
    subprocess.run(
        [
            BIN / "python",
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-e",
            f"{ROOT}[dev]",
        ],
        check=True,
    )
    STAMP.write_text(_wanted_stamp())


def start_environment(environ: dict[str, str]) -> dict[str, str]:
    """The Procfile's processes' environment on a developer's machine: loopback only
    unless HOST says otherwise (the Procfile's own default is every interface, as a
    platform's router needs), public reads on the port after the webhook's."""
    port = environ.get("PORT", "5000")
    return {
        **environ,
        "HOST": environ.get("HOST", "127.0.0.1"),
        "PORT": port,
        "PUBLIC_PORT": environ.get("PUBLIC_PORT", str(int(port) + 1)),
        "PATH": f"{BIN}{os.pathsep}{environ.get('PATH', '')}",
    }


def start() -> int:
    env = start_environment(dict(os.environ))
    port, public_port = env["PORT"], env["PUBLIC_PORT"]
    subprocess.run(
        [BIN / "flask", "--app", "bot", "crm", "db", "upgrade"], check=True, cwd=ROOT, env=env
    )
    # The chat signs for PUBLIC_BASE_URL, which defaults to this port: say it when not 5000.
    with_port = "" if port == "5000" else f"PORT={port} "
    print(
        "dev.py: starting web, public and worker. In another terminal, talk to the bot with:\n"
        f"  {with_port}.venv/bin/flask --app bot chat --phone 081234567890   (web on port {port})\n"
        f"The dashboard: http://127.0.0.1:{public_port}/dashboard (public reads on their own port)",
        flush=True,
    )
    return subprocess.call(
        [BIN / "honcho", "start", "--port", port, "web", "public", "worker"], cwd=ROOT, env=env
    )


def test(args: list[str]) -> int:
    print("dev.py: running the test suite: python -m pytest " + " ".join(args), flush=True)
    return subprocess.call([BIN / "python", "-m", "pytest", *args], cwd=ROOT)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"start", "test"}:
        print(__doc__)
        return 2
    ensure_environment()
    return start() if argv[0] == "start" else test(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
