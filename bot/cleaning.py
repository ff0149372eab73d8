"""Text from outside (Twilio's forms, API and Open311 bodies) without control characters:
PostgreSQL refuses NUL in text, and none of them belongs in a report."""

import re

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def printable(text: str) -> str:
    return _CONTROL_CHARACTERS.sub("", text)
