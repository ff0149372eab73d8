"""Whether a message is a supervisor's command (Biro Pemerintahan): `JAWAB <number>
<answer>`, the answer to a facilitator's TANYA about that report (the words are
`supervisor_commands` in words.id.toml and words.en.toml). handlers/supervisor.py
carries it out. A supervisor keeps no ANTRIAN, so a report is named by its number."""

from handlers import vocabulary
from handlers.understanding import report_numbers

VERBS = {
    word: command for command, words in vocabulary.SUPERVISOR_COMMANDS.items() for word in words
}


def verb_of(command: str) -> str | None:
    """The command a message starts with: `JAWAB CRM-…`, `Jawaban: CRM-…`."""
    return VERBS.get(command.split(" ", 1)[0].strip("?!.,:;"))


def is_command(command: str) -> bool:
    return verb_of(command) is not None


def names_a_report(command: str) -> bool:
    """A JAWAB with a report number after it: unmistakable, even in the middle of a
    report the supervisor is filing themselves."""
    _, _, rest = command.partition(" ")
    return report_numbers.starts_with_a_number(rest)
