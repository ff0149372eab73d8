"""Whether a message is a supervisor's command (Biro Pemerintahan): `JAWAB <number>
<answer>`, the answer to a facilitator's TANYA about that report (the words are
`supervisor_commands` in words.id.toml and words.en.toml). handlers/supervisor.py
carries it out. A supervisor keeps no ANTRIAN, so a report is named by its number."""

from handlers import vocabulary
from handlers.understanding import report_numbers

_COMMANDS = vocabulary.StaffCommands(vocabulary.SUPERVISOR_COMMANDS)
verb_of = _COMMANDS.verb_of
is_command = _COMMANDS.is_command


def names_a_report(command: str) -> bool:
    """A JAWAB with a report number after it: unmistakable, even in the middle of a
    report the supervisor is filing themselves."""
    _, _, rest = command.partition(" ")
    return report_numbers.starts_with_a_number(rest)
