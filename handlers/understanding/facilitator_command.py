"""Whether a message is a TA Fasilitator's command, and which: `ANTRIAN`, `LIHAT`,
`VALIDASI`, `KEMBALIKAN` or `TANYA` (her question to the supervisors), typed with a
typo or two or in English (the words are `facilitator_commands` in words.id.toml and
words.en.toml). handlers/facilitator.py carries the command out.

A report is named by its number, or by its position in the facilitator's latest ANTRIAN
(`LIHAT 1`): whether a report number follows is read by its shape (report_numbers.py);
which one, by the action through store/numbers.py."""

import re
from collections.abc import Callable

from handlers import vocabulary
from handlers.understanding import report_numbers

_COMMANDS = vocabulary.StaffCommands(vocabulary.FACILITATOR_COMMANDS)
verb_of = _COMMANDS.verb_of
is_command = _COMMANDS.is_command


def names_a_report(command: str, commands: Callable[[str], str | None] = verb_of) -> bool:
    """A command (read by `commands`, a facilitator's by default) with a report number
    or a position after it, or ANTRIAN alone: unmistakable, even in the middle of a report
    the staff member is filing themselves. LIHAT takes nothing after its position: "Lihat
    2 lubang di depan sekolah" describes a problem, "LIHAT 2" asks for a report."""
    verb, _, rest = command.partition(" ")
    if not rest:
        return commands(verb) == "ANTRIAN"
    if report_numbers.starts_with_a_number(rest):
        return True
    position, after = split_leading_position(rest)
    return position is not None and (commands(verb) != "LIHAT" or not after)


# One or two digits alone: a position in the ANTRIAN (which lists at most 20), never a
# report number, which has nine or ten digits with its check digit ("1" is a position).
_POSITION = re.compile(r"#?(\d{1,2})")
_AROUND_A_POSITION = "?!.,:;()"


def split_leading_position(text: str) -> tuple[int | None, str]:
    """The position at the start of what follows the verb ("2 sesuai foto" → 2, "sesuai
    foto"), and what follows it; (None, text) when it does not start with one. Read only
    when no report number starts it ("26 000123 3" is a number typed with spaces). 0 is
    a position too, out of every ANTRIAN's range, so that its reply says how to count."""
    first, _, after = text.strip().partition(" ")
    match = _POSITION.fullmatch(first.strip(_AROUND_A_POSITION))
    if match is None:
        return None, text
    return int(match.group(1)), after.strip()
