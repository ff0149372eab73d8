"""Whether a message is a TA Fasilitator's command, and which: `ANTRIAN`, `LIHAT`,
`VALIDASI` or `KEMBALIKAN`, typed with a typo or two or in English (the words are
`facilitator_commands` in words.id.toml and words.en.toml). handlers/facilitator.py
carries the command out.

A report number is read by store/numbers.py, a parser of text with no database
(tests/test_import_rules.py allows it by name)."""

from handlers import vocabulary
from store import numbers

# Each word a facilitator may type, to the command it means: "ANTREAN" is ANTRIAN.
VERBS = {
    word: command for command, words in vocabulary.FACILITATOR_COMMANDS.items() for word in words
}


def verb_of(command: str) -> str | None:
    """The command a message starts with: `Antrian?`, `Lihat: CRM-…`, `validate CRM-…`."""
    return VERBS.get(command.split(" ", 1)[0].strip("?!.,:;"))


def is_command(command: str) -> bool:
    return verb_of(command) is not None


def names_a_report(command: str) -> bool:
    """A command with a report number after it, or ANTRIAN alone: unmistakable, even in
    the middle of a report the facilitator is filing themselves."""
    verb, _, rest = command.partition(" ")
    if not rest:
        return verb_of(verb) == "ANTRIAN"
    return numbers.split_leading_number(rest)[0] is not None
