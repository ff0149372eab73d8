"""Text from outside (Twilio's forms, API and Open311 bodies) without the characters XML
1.0 cannot carry, and so without what none of our answers may hold either: a TwiML reply
or an Open311 list holding one is no XML at all (Twilio's error 12100). Those are the
control characters (but tab and line breaks), lone surrogates (which JSON can escape,
"\\ud800", and PostgreSQL refuses) and the Unicode noncharacters. The C1 controls go
too: none of them belongs in a report."""

import re

_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(17)
)
_NOT_TEXT = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\\ud800-\\udfff{_NONCHARACTERS}]")
MAX_JSON_DEPTH = 16  # our bodies nest two deep (a report's location, its reporter)


class NestedTooDeep(ValueError):
    pass


def printable(text: str) -> str:
    return _NOT_TEXT.sub("", text)


def printable_json(value, *, depth: int = 0):
    """A JSON value with every string in it printable, the keys of objects too (a key
    that is no string, as a form part without a name gives, as its text); raises
    NestedTooDeep past MAX_JSON_DEPTH (no body of ours nests that deep)."""
    if depth > MAX_JSON_DEPTH:
        raise NestedTooDeep(f"nested deeper than {MAX_JSON_DEPTH}")
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {
            printable(str(key)): printable_json(item, depth=depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [printable_json(item, depth=depth + 1) for item in value]
    return value
