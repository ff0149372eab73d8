"""Report numbers `CRM-YY-NNNNNN-C`: formatting, forgiving lookup, and a check digit
that tells a mistyped number from an unknown one."""

import re
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.understanding import report_numbers
from store import numbers
from store.numbers import damm_digit, format_number, parse_number

NUMBER_FORMAT = re.compile(r"^CRM-\d{2}-\d{6,7}-\d$")

# Every number of the first 2000 sequences of 2026, and a few past 999,999.
SAMPLE = [format_number(2026, sequence) for sequence in range(1, 2001)] + [
    format_number(2026, sequence) for sequence in (1_000_000, 1_234_567, 5_000_001, 9_999_999)
]


def _digit_positions(number: str) -> list[int]:
    return [index for index, char in enumerate(number) if char.isdigit()]


def _replace(number: str, index: int, char: str) -> str:
    return number[:index] + char + number[index + 1 :]


def single_digit_substitutions(number: str):
    for index in _digit_positions(number):
        for digit in "0123456789":
            if digit != number[index]:
                yield _replace(number, index, digit)


def adjacent_swaps(number: str):
    """Swap each pair of neighbouring digits (neighbours in the digit string, so a swap
    may cross a dash, as a typist's slip would)."""
    positions = _digit_positions(number)
    for left, right in pairwise(positions):
        if number[left] != number[right]:
            swapped = _replace(number, left, number[right])
            yield _replace(swapped, right, number[left])


# -- format --------------------------------------------------------------------------


def test_format_is_crm_two_digit_year_six_digit_sequence_and_check_digit():
    number = format_number(2026, 123)
    assert NUMBER_FORMAT.match(number)
    assert number.startswith("CRM-26-000123-")
    assert number[-1] == str(damm_digit("26000123"))


def test_format_uses_last_two_digits_of_year_zero_padded():
    assert format_number(2005, 1).startswith("CRM-05-000001-")
    assert format_number(2100, 1).startswith("CRM-00-000001-")


def test_format_grows_to_seven_digits_past_999999():
    assert format_number(2026, 999_999).startswith("CRM-26-999999-")
    assert format_number(2026, 1_000_000).startswith("CRM-26-1000000-")


def test_every_sample_number_has_the_format_and_a_valid_check_digit():
    for number in SAMPLE:
        assert NUMBER_FORMAT.match(number), number
        parsed = parse_number(number)
        assert parsed is not None and parsed.valid, number


def test_damm_digit_of_digits_followed_by_their_check_digit_is_zero():
    for digits in ("0", "5724", "26000001", "261234567", "99999999999"):
        assert damm_digit(digits + str(damm_digit(digits))) == 0


def test_damm_digit_matches_the_published_example():
    # Damm (2004) / Wikipedia: the check digit of 572 is 4.
    assert damm_digit("572") == 4
    assert damm_digit("5724") == 0


# -- forgiving lookup ----------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "CRM-26-000123-{c}",
        "crm-26-000123-{c}",
        "Crm 26 000123 {c}",
        "CRM26000123{c}",
        "crm26000123{c}",
        "26-000123-{c}",
        "26 000123 {c}",
        "26000123{c}",
        "  CRM - 26 - 000123 - {c}  ",
        "CRM-26-000-123-{c}",
        "\tcrm 26-000123{c}\n",
        "CRM–26–000123–{c}",  # en dashes, as autocorrect makes them
        "CRM—26—000123—{c}",
    ],
)
def test_lookup_forgives_spaces_dashes_case_and_missing_prefix(typed):
    check = damm_digit("26000123")
    parsed = parse_number(typed.format(c=check))
    assert parsed is not None
    assert parsed.digits == f"26000123{check}"
    assert parsed.valid
    assert parsed.display == format_number(2026, 123)


@pytest.mark.parametrize("typed", ["crm-26-123-{c}", "CRM 26 123 {c}", "CRM–26–123–{c}"])
def test_a_lookup_may_leave_out_the_sequences_zeros_after_the_prefix(typed):
    check = damm_digit("26000123")
    parsed = parse_number(typed.format(c=check), short_form=True)
    assert parsed is not None and parsed.valid and parsed.digits == f"26000123{check}"
    assert parse_number(typed.format(c=check)) is None  # not for commands that change one


@pytest.mark.parametrize("typed", ["26-123-4", "CRM-26-00123-4", "CRM-26-12345678-1"])
def test_a_short_form_needs_its_prefix_and_all_its_zeros_left_out(typed):
    assert parse_number(typed, short_form=True) is None


def test_lookup_of_a_seven_digit_sequence():
    number = format_number(2026, 1_234_567)
    parsed = parse_number(number.lower().replace("-", " "))
    assert parsed is not None and parsed.valid
    assert parsed.digits == number.replace("CRM", "").replace("-", "")
    assert parsed.display == number


def test_a_wrong_check_digit_is_recognised_as_a_number_but_not_valid():
    good = format_number(2026, 42)
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    parsed = parse_number(bad)
    assert parsed is not None
    assert parsed.valid is False


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "-",
        "halo",
        "LAPOR",
        "status",
        "CRM",
        "CRM-",
        "CRM-26",
        "081234567890",  # a phone number: 12 digits
        "+6281234567890",
        "0812-3456-7890",
        "12345678",  # too short
        "123456789012",
        "CRM-26-ABCDEF-1",
        "CRX-26-000123-4",
    ],
)
def test_things_that_are_not_report_numbers_give_none(text):
    assert parse_number(text) is None


# -- the check digit catches typos ---------------------------------------------------


def test_every_single_digit_substitution_is_rejected():
    accepted = [
        typo
        for number in SAMPLE
        for typo in single_digit_substitutions(number)
        if parse_number(typo).valid
    ]
    assert accepted == []


def test_every_swap_of_two_adjacent_different_digits_is_rejected():
    accepted = [
        typo for number in SAMPLE for typo in adjacent_swaps(number) if parse_number(typo).valid
    ]
    assert accepted == []


def test_typo_helpers_really_produce_every_typo():
    # 9 digits -> 9 positions x 9 other digits; 8 adjacent pairs minus equal neighbours.
    number = format_number(2026, 1)  # CRM-26-000001-C
    assert len(set(single_digit_substitutions(number))) == 9 * 9
    digits = number.replace("CRM", "").replace("-", "")
    different_pairs = sum(1 for a, b in pairwise(digits) if a != b)
    assert len(set(adjacent_swaps(number))) == different_pairs
    assert "CRM-62-000001-" + number[-1] in set(adjacent_swaps(number))


SHAPES = [
    "CRM-26-000123-3",
    "crm 26 000123 3",
    "260001233",
    "CRM-26-123-4",
    "CRM 26 9 7",
    "26 1000000 5",
    "CRM-2026-000001-9",
    "000001-9",
    "cek CRM-26-000123-3 gimana?",
    "(CRM-26-000011-3?)",
    "*CRM-26-000011-3*,",
    "0812 3456 7890",
    "Jl. Kramat 10",
    "CRM-26-000010-0 2 foto sesuai",
    "lihat 2",
    "",
    "CRM",
    "12345678901",
]


@given(
    st.one_of(
        st.sampled_from(SHAPES),
        st.text(alphabet="CRMcrm0123456789 -./:#()*?,", max_size=40),
    ),
    st.booleans(),
    st.booleans(),
)
def test_the_readers_shape_of_a_report_number_agrees_with_the_store(text, with_prefix, short):
    """understanding/report_numbers.py says whether a number is named; store/numbers.py
    which, with its check digit. They must see the same numbers."""
    assert report_numbers.is_typed_number(text, short_form=short) is (
        numbers.parse_number(text, short_form=short) is not None
    )
    assert report_numbers.starts_with_a_number(text, short_form=short) is (
        numbers.split_leading_number(text, short_form=short)[0] is not None
    )
    assert report_numbers.names_a_number(text, with_prefix=with_prefix, short_form=short) is (
        numbers.find_number(text, with_prefix=with_prefix, short_form=short) is not None
    )
