"""Rendering citizen-facing texts from `templates/<language>/`."""

import tomllib
from datetime import datetime
from functools import cache

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from store.clock import to_wib
from templates import TEMPLATES_DIR

DEFAULT_LANGUAGE = "id"


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        autoescape=False,  # plain WhatsApp text; TwiML escaping happens when the reply is built
    )


@cache
def labels(language: str) -> dict:
    with (TEMPLATES_DIR / language / "labels.toml").open("rb") as file:
        return tomllib.load(file)


class Texts:
    """The texts of one language, with its labels and WIB date format."""

    def __init__(self, language: str = DEFAULT_LANGUAGE):
        self.language = language
        self._labels = labels(language)

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
        return self._labels["datetime"].format(
            day=local.day,
            month=self._labels["months"][local.month - 1],
            year=local.year,
            hour=local.hour,
            minute=local.minute,
        )

    def date(self, moment: datetime) -> str:
        local = to_wib(moment)
        return f"{local.day} {self._labels['months'][local.month - 1]} {local.year}"

    def say(self, template_name: str, **context) -> str:
        template = _environment().get_template(f"{self.language}/{template_name}.txt")
        return template.render(t=self, **context).strip()
