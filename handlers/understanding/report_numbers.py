"""Whether text names a report number, by its shape alone: `CRM-YY-NNNNNN-C` typed with
spaces, dashes, lower case or without `CRM`, or shortened after the prefix
("CRM-26-123-4"). Which report it is, and whether its check digit holds, is read by
store/numbers.py (parse_number, find_number, split_leading_number) when a handler acts;
these answer "is there one?" as those answer "is it not None?", without the check digit,
and tests/test_report_numbers.py holds the two to the same answer."""

import re

PREFIX = "CRM"
# Hyphens, and the dashes and minus a phone's keyboard or autocorrect puts in their place.
_SEPARATORS = re.compile(r"[\s\-_./#:\u2010-\u2015\u2212]+")
_CANDIDATE = re.compile(r"^(?:CRM)?(\d{9,10})$")
_SHORT_FORM = re.compile(r"^CRM\s*(\d{2})\s+([1-9]\d{0,4})\s+(\d)$")
_LONGEST_NUMBER_IN_WORDS = 4  # "CRM 26 000123 3"
_PUNCTUATION = "?!.,;:()[]\"'*“”"  # around a number: "(CRM-26-000011-3?)", "*CRM-…*,"
_WORDS_SEARCHED = 40  # a number is asked about near the start, not in a 10,000-character essay


def is_typed_number(text: str, *, short_form: bool = False) -> bool:
    """The whole text is a report number as typed."""
    spaced = _SEPARATORS.sub(" ", text.upper()).strip()
    if short_form and _SHORT_FORM.match(spaced):
        return True
    return _CANDIDATE.match(spaced.replace(" ", "")) is not None


def starts_with_a_number(text: str, *, short_form: bool = False) -> bool:
    """A report number starts the text, typed in up to four words ("CRM 26 000123 3")."""
    words = text.split()
    return any(
        is_typed_number(" ".join(words[:count]).rstrip(_PUNCTUATION), short_form=short_form)
        for count in range(1, min(_LONGEST_NUMBER_IN_WORDS, len(words)) + 1)
    )


def names_a_number(text: str, *, with_prefix: bool = False, short_form: bool = False) -> bool:
    """A report number among the first words of the text ("cek laporan CRM-26-000123-3
    gimana?"); `with_prefix`: only one starting with CRM (digits alone may be a phone)."""
    words = [word.strip(_PUNCTUATION) for word in text.split()[:_WORDS_SEARCHED]]
    return any(
        starts_with_a_number(
            " ".join(words[start : start + _LONGEST_NUMBER_IN_WORDS]), short_form=short_form
        )
        for start, word in enumerate(words)
        if not with_prefix or word.upper().startswith(PREFIX)
    )
