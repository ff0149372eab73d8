"""Report numbers: `CRM-YY-NNNNNN-C`.

`YY` is the WIB year the report was created, `NNNNNN` its sequence within that year
(zero-padded to six digits, growing to seven past 999,999), `C` a Damm check digit
over all the digits before it. Damm catches every single-digit typo and every swap
of two adjacent digits, so a mistyped number is told apart from an unknown one.

Citizens may type the number with spaces, dashes, lower case or without `CRM`.
"""

import re
from dataclasses import dataclass

PREFIX = "CRM"
SEQUENCE_WIDTH = 6

# Damm's totally anti-symmetric quasigroup of order 10 (Damm 2004).
_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)

_CANDIDATE = re.compile(r"^(?:CRM)?(\d{9,10})$")
# Hyphens, and the dashes and minus a phone's keyboard or autocorrect puts in their place.
_SEPARATORS = re.compile(r"[\s\-_./#:\u2010-\u2015\u2212]+")
# "CRM-26-123-4": the sequence typed without its leading zeros, all of them, after the
# prefix (digits alone in three groups are as likely a date or a phone number).
_SHORT_FORM = re.compile(r"^CRM\s*(\d{2})\s+([1-9]\d{0,4})\s+(\d)$")


def damm_digit(digits: str) -> int:
    interim = 0
    for char in digits:
        interim = _DAMM[interim][int(char)]
    return interim


def format_number(year: int, sequence: int) -> str:
    yy = f"{year % 100:02d}"
    seq = f"{sequence:0{SEQUENCE_WIDTH}d}"
    return f"{PREFIX}-{yy}-{seq}-{damm_digit(yy + seq)}"


def canonical_digits(number: str) -> str:
    """The digits a stored number is looked up by (`CRM-26-000123-4` → `260001234`)."""
    return re.sub(r"\D", "", number)


@dataclass(frozen=True)
class ParsedNumber:
    digits: str
    valid: bool

    @property
    def display(self) -> str:
        return f"{PREFIX}-{self.digits[:2]}-{self.digits[2:-1]}-{self.digits[-1]}"


def parse_number(text: str, *, short_form: bool = False) -> ParsedNumber | None:
    """Read something a citizen typed as a report number.

    None: it does not look like a report number at all. Otherwise the canonical
    digits and whether the check digit holds. `short_form`: also "CRM-26-123-4",
    for looking a report up (a digit left out of it may name another report whose
    check digit holds, so commands that change a report don't take it).
    """
    spaced = _SEPARATORS.sub(" ", text.upper()).strip()
    if short_form and (short := _SHORT_FORM.match(spaced)):
        year, sequence, check = short.groups()
        digits = f"{year}{sequence.zfill(SEQUENCE_WIDTH)}{check}"
    elif match := _CANDIDATE.match(spaced.replace(" ", "")):
        digits = match.group(1)
    else:
        return None
    return ParsedNumber(digits=digits, valid=damm_digit(digits) == 0)


_LONGEST_NUMBER_IN_WORDS = 4  # "CRM 26 000123 3"


_PUNCTUATION = "?!.,;:()[]\"'*“”"  # around a number: "(CRM-26-000011-3?)", "*CRM-…*,"
_WORDS_SEARCHED = 40  # a number is asked about near the start, not in a 10,000-character essay


def find_number(
    text: str, *, with_prefix: bool = False, short_form: bool = False
) -> ParsedNumber | None:
    """The first report number among the words of `text`, typed with or without
    separators and punctuation around it ("cek laporan CRM-26-000123-3 gimana?");
    `with_prefix`: only one that starts with CRM (digits alone may be a phone number)."""
    words = [word.strip(_PUNCTUATION) for word in text.split()[:_WORDS_SEARCHED]]
    for start, word in enumerate(words):
        if with_prefix and not word.upper().startswith(PREFIX):
            continue
        typed = " ".join(words[start : start + _LONGEST_NUMBER_IN_WORDS])
        parsed, _ = split_leading_number(typed, short_form=short_form)
        if parsed is not None:
            return parsed
    return None


def split_leading_number(text: str, *, short_form: bool = False) -> tuple[ParsedNumber | None, str]:
    """The report number at the start of `text` (which may be typed with spaces), and
    what follows it (a note or a reason, as typed). The fewest words that make a valid
    number win, so that a note starting with a digit ("CRM-26-000010-0 2 foto sesuai")
    stays a note; with none valid, the fewest that look like one, for "Nomor tidak
    valid"."""
    words = text.split()
    looks_like: tuple[ParsedNumber, int] | None = None
    for count in range(1, min(_LONGEST_NUMBER_IN_WORDS, len(words)) + 1):
        typed = " ".join(words[:count]).rstrip(_PUNCTUATION)  # spaces kept: "CRM 26 9 7"
        parsed = parse_number(typed, short_form=short_form)
        if parsed is not None and parsed.valid:
            return parsed, " ".join(words[count:])
        if parsed is not None and looks_like is None:
            looks_like = parsed, count
    if looks_like is None:
        return None, text
    parsed, count = looks_like
    return parsed, " ".join(words[count:])
