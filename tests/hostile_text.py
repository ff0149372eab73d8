"""Text and bytes a hostile or broken client may send, for property-based tests."""

from hypothesis import strategies as st

# Characters a generator seldom draws: noncharacters, lone surrogates, controls, what
# XML escapes (`]]>` comes of three), separators of lines and words.
RARE_CHARACTERS = [
    *"\x00\x08\x0b\x0c\x1b\x7f\x85\ud800\udbff\udc00\udfff\ufdd0\ufdef\ufffe\uffff",
    *"\U0001fffe\U0001ffff\U0010fffe\U0010ffff\u2028\u200b\ufeff&<>'\"]",
]
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=60)
WITH_A_RARE_CHARACTER = st.tuples(ANY_TEXT, st.sampled_from(RARE_CHARACTERS), ANY_TEXT).map("".join)
# A field's bytes: text as UTF-8 (a lone surrogate encoded as if it were a character),
# mostly with a rare character in it, or any bytes at all.
FIELD_BYTES = st.one_of(
    st.one_of(WITH_A_RARE_CHARACTER, WITH_A_RARE_CHARACTER, ANY_TEXT).map(
        lambda text: text.encode("utf-8", "surrogatepass")
    ),
    st.binary(max_size=100),
)


def xml_character(character: str) -> bool:
    """XML 1.0's Char production, less the Unicode noncharacters."""
    point = ord(character)
    allowed = (
        point in (0x9, 0xA, 0xD)
        or 0x20 <= point <= 0xD7FF
        or 0xE000 <= point <= 0xFFFD
        or 0x10000 <= point <= 0x10FFFF
    )
    return allowed and not (0xFDD0 <= point <= 0xFDEF or point & 0xFFFE == 0xFFFE)
