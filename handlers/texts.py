"""Rendering citizen-facing texts from `templates/<language>/`, and cutting them to
the size of a WhatsApp message.

Templates format values with filters in their own language: `{{ report.stage|stage }}`,
`{{ entry.at|wib }}` (a moment in Jakarta time), `{{ report.created_at|date }}`,
`{{ code|category }}`, `{{ stage|stage_meaning }}`, `{{ kind|breach }}`,
`{{ length|thousands }}` (10.000 or 10,000).
"""

import tomllib
from datetime import datetime
from functools import cache

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from store.clock import to_wib
from templates import TEMPLATES_DIR

DEFAULT_LANGUAGE = "id"
WHATSAPP_BODY_LIMIT = 1600


def split_for_whatsapp(replies: list[str], limit: int = WHATSAPP_BODY_LIMIT) -> list[str]:
    """Cut replies longer than one WhatsApp message at line breaks (or hard, if a single
    line is longer), keeping their order."""
    messages: list[str] = []
    for reply in replies:
        current = ""
        for line in reply.splitlines(keepends=True):
            while len(line) > limit:
                if current:
                    messages.append(current.rstrip())
                    current = ""
                messages.append(line[:limit])
                line = line[limit:]
            if len(current) + len(line) > limit:
                messages.append(current.rstrip())
                current = ""
            current += line
        if current.strip():
            messages.append(current.rstrip())
    return messages


@cache
def labels(language: str) -> dict:
    with (TEMPLATES_DIR / language / "labels.toml").open("rb") as file:
        return tomllib.load(file)


class Texts:
    """The texts of one language, with its labels and WIB date format."""

    def __init__(self, language: str = DEFAULT_LANGUAGE):
        self.language = language
        self._labels = labels(language)
        self._months = self._labels["months"]
        self._datetime_format = self._labels["datetime"]
        self._thousands_separator = self._labels["thousands_separator"]

    def stage(self, code: str) -> str:
        return self._labels["stages"][code]

    def stage_meaning(self, code: str) -> str:
        return self._labels["stage_meanings"][code]

    def breach(self, kind: str) -> str:
        return self._labels["breaches"][kind]

    def category(self, code: str) -> str:
        return self._labels["categories"][code]

    def wib(self, moment: datetime) -> str:
        local = to_wib(moment)
        return self._datetime_format.format(
            day=local.day,
            month=self._months[local.month - 1],
            year=local.year,
            hour=local.hour,
            minute=local.minute,
        )

    def thousands(self, amount: int) -> str:
        """10000 as its language writes it: "10.000", "10,000"."""
        return f"{amount:,}".replace(",", self._thousands_separator)

    def date(self, moment: datetime) -> str:
        local = to_wib(moment)
        return f"{local.day} {self._months[local.month - 1]} {local.year}"

    def say(self, template_name: str, **context) -> str:
        template = _environment(self.language).get_template(f"{self.language}/{template_name}.txt")
        return template.render(**context).strip()


@cache
def _environment(language: str) -> Environment:
    """One environment per language, its filters bound to that language's labels.
    (Filters, because Jinja calls them directly; a method call such as `t.wib(at)` goes
    through its generic call machinery, which doubled the cost of a STATUS reply.)"""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        autoescape=False,  # plain WhatsApp text; TwiML escaping happens when the reply is built
        auto_reload=False,  # templates change with a deploy, not while a process runs
    )
    texts = Texts(language)
    environment.filters.update(
        stage=texts.stage,
        stage_meaning=texts.stage_meaning,
        breach=texts.breach,
        category=texts.category,
        wib=texts.wib,
        date=texts.date,
        thousands=texts.thousands,
    )
    return environment
