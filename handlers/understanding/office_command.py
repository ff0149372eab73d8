"""Whether a message is a kelurahan's or an SKPD's staff member's command, and which:
`TERIMA`, `TOLAK`, `TERUSKAN`, `PROSES`, `SELESAI`, `ANTRIAN` or `LIHAT`, typed in either
language (the words are `office_commands` in words.id.toml and words.en.toml).
handlers/office_member.py carries the command out.

A report is named by its number or by its position in the member's latest ANTRIAN, read
as a facilitator's are (facilitator_command.py)."""

from handlers import vocabulary
from handlers.understanding import facilitator_command

_COMMANDS = vocabulary.StaffCommands(vocabulary.OFFICE_COMMANDS)
verb_of = _COMMANDS.verb_of
is_command = _COMMANDS.is_command


def names_a_report(command: str) -> bool:
    """As a facilitator's command (facilitator_command.names_a_report): taken as the
    member's even in the middle of a report they file as a citizen ("selesai" alone there
    ends their photos)."""
    return facilitator_command.names_a_report(command, verb_of)
