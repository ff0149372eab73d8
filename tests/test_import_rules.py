"""Imports flow one way: `bot` may import `scheduler`, never the other way round. The
worker's jobs get what they use from the process that runs them (bot/worker.py builds
it), not from the app: no module of `bot`, and no Flask (no `current_app`) either."""

import ast
from pathlib import Path

import scheduler

SCHEDULER = Path(scheduler.__file__).parent
FORBIDDEN = ("bot", "flask")


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
