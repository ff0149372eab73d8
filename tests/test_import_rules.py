"""Imports flow one way. `bot` may import `scheduler`, never the other way round: the
worker's jobs get what they use from the process that runs them (bot/worker.py builds
it), not from the app: no module of `bot`, and no Flask (no `current_app`) either.

And the understanding layer (handlers/understanding/) reads a message with no store and
no Flask: text, media and an explicit context in, a reading out. The handlers act on the
reading; the layer imports none of them and nothing of the store. The message it reads
(handlers/message.py) may carry facts read with the store's parsers of text, allowed
below each with its reason."""

import ast
from pathlib import Path

import handlers.understanding
import scheduler

ROOT = Path(__file__).resolve().parent.parent
SCHEDULER = Path(scheduler.__file__).parent
FORBIDDEN = ("bot", "flask")
UNDERSTANDING = Path(handlers.understanding.__file__).parent
# What the layer reads with, held to the same rule: the message and the word classes.
READ_WITH = (ROOT / "handlers" / "message.py", ROOT / "handlers" / "vocabulary.py")
NOT_FOR_UNDERSTANDING = ("store", "handlers", "bot", "flask", "sqlalchemy", "sqlmodel")
ALLOWED_IN_UNDERSTANDING = {
    "handlers.understanding": "the layer itself",
    "handlers.message": "the message read, as plain values",
    "handlers.vocabulary": "the word classes, read from understanding/words*.toml",
}
# The message read may carry facts read with these (handlers/message.py only).
ALLOWED_IN_THE_MESSAGE = {
    "store.phones.to_e164": "parses a phone number: digits typed as one are not a report"
    " number (IncomingMessage.typed_a_phone)",
    "store.phones.Sender": "who sent a message, a plain value",
}
# What a store module allowed above must not import either: it would bring a database.
DATABASE = ("store", "sqlalchemy", "sqlmodel", "flask", "bot")


def imported_modules(source: str) -> set[str]:
    """Every module an `import` or `from … import` of `source` names, wherever it stands
    (in a function too); relative imports stay inside their package and are left out."""
    modules = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            modules.add(node.module)
    return modules


def forbidden(modules: set[str]) -> list[str]:
    return sorted(
        module
        for module in modules
        if any(module == top or module.startswith(f"{top}.") for top in FORBIDDEN)
    )


def test_the_rule_sees_an_import_of_bot_in_any_form():
    source = "import bot\ndef job():\n    from bot.media import media_store\nimport botocore\n"
    assert forbidden(imported_modules(source)) == ["bot", "bot.media"]


def test_no_module_of_the_scheduler_imports_bot_or_flask():
    modules = sorted(SCHEDULER.glob("*.py"))
    assert {"jobs.py", "replay.py", "sender.py"} <= {path.name for path in modules}
    found = {path.name: forbidden(imported_modules(path.read_text())) for path in modules}
    assert {name: imports for name, imports in found.items() if imports} == {}


def imported_names(source: str, package: str) -> set[str]:
    """Every module or name `source` imports, dotted and wherever it stands: `from store
    import numbers` is store.numbers, `from store.phones import Sender`
    store.phones.Sender; a relative import is resolved in `package`, the source's own."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(node, package)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def _absolute(node: ast.ImportFrom, package: str) -> str:
    if node.level == 0:
        return node.module
    base = package.rsplit(".", node.level - 1)[0]
    return f"{base}.{node.module}" if node.module else base


def _within(name: str, modules) -> bool:
    return any(name == module or name.startswith(f"{module}.") for module in modules)


def not_for_understanding(names: set[str], allowed=ALLOWED_IN_UNDERSTANDING) -> list[str]:
    return sorted(
        name
        for name in names
        if _within(name, NOT_FOR_UNDERSTANDING) and not _within(name, allowed)
    )


def _package_of(path: Path) -> str:
    return ".".join(path.parent.relative_to(ROOT).parts)


def _names_imported_by(path: Path) -> set[str]:
    return imported_names(path.read_text(encoding="utf-8"), _package_of(path))


def test_the_understanding_rule_sees_the_store_an_action_or_flask_in_any_form():
    source = (
        "from handlers import status, vocabulary\n"
        "from handlers.understanding import story\n"
        "from store import numbers, reports\n"
        "from store.phones import Sender, mask\n"
        "from .. import intake\n"
        "from . import words\n"
        "import sqlmodel, storetools\n"
        "def read():\n"
        "    from flask import g\n"
    )
    assert not_for_understanding(imported_names(source, "handlers.understanding")) == [
        "flask.g",
        "handlers.intake",
        "handlers.status",
        "sqlmodel",
        "store.numbers",
        "store.phones.Sender",
        "store.phones.mask",
        "store.reports",
    ]


def test_the_understanding_layer_imports_no_store_no_action_and_no_flask():
    modules = sorted(UNDERSTANDING.glob("*.py"))
    names = {path.name for path in modules}
    assert {"reading.py", "requests.py", "story.py", "status_request.py"} <= names
    assert {"reopening.py", "facilitator_command.py"} <= names
    found = {
        path.relative_to(ROOT).as_posix(): not_for_understanding(_names_imported_by(path))
        for path in modules
    }
    found |= {
        path.relative_to(ROOT).as_posix(): not_for_understanding(
            _names_imported_by(path), ALLOWED_IN_UNDERSTANDING | ALLOWED_IN_THE_MESSAGE
        )
        for path in READ_WITH
    }
    assert {name: imports for name, imports in found.items() if imports} == {}


def test_every_store_name_allowed_is_imported_and_brings_no_database():
    """No allowance outlives its use, and the store modules allowed import nothing but
    the standard library and a parser of phone numbers."""
    used = set().union(*(_names_imported_by(path) for path in READ_WITH))
    allowed_of_store = list(ALLOWED_IN_THE_MESSAGE)
    assert [name for name in allowed_of_store if name not in used] == []
    for name in allowed_of_store:
        path = _file_of(name)
        brought = [found for found in _names_imported_by(path) if _within(found, DATABASE)]
        assert brought == [], path


def _file_of(name: str) -> Path:
    """The file of a dotted module or of a name in one: store.phones.Sender is
    store/phones.py."""
    parts = name.split(".")
    while not ROOT.joinpath(*parts).with_suffix(".py").exists():
        parts.pop()
    return ROOT.joinpath(*parts).with_suffix(".py")
