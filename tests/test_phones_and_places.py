"""Who sent a message (phone numbers to E.164, opaque WhatsApp ids, masking for logs)
and where a report is (kelurahan by name, with typos, or by postal code)."""

import time
from collections import Counter

import pytest

from store import phones
from store.phones import MASKED_NUMBER, mask, mask_numbers, sender_from, to_e164
from store.places import MAX_SUGGESTIONS, all_kelurahan, kelurahan_by_id, match_kelurahan

# -- phone numbers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "0812-3456-7890",
        "081234567890",
        "0812 3456 7890",
        "6281234567890",
        "62-812-3456-7890",
        "+6281234567890",
        "+62 812-3456-7890",
        "+62 (812) 3456-7890",
        "whatsapp:+6281234567890",
        "WhatsApp:+6281234567890",
        "  whatsapp:+6281234567890  ",
        "sms:081234567890",
    ],
)
def test_indonesian_mobile_in_any_form_becomes_e164(raw):
    assert to_e164(raw) == "+6281234567890"


@pytest.mark.parametrize("raw", ["(021) 3822255", "021 3822255", "021-3822255", "+62 21 3822255"])
def test_jakarta_landline_becomes_e164(raw):
    assert to_e164(raw) == "+62213822255"


def test_foreign_numbers_in_international_form_are_kept():
    assert to_e164("whatsapp:+14155238886") == "+14155238886"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "whatsapp:",
        "halo",
        "LAPOR",
        "whatsapp:ID.abc",
        "0812 3456 789O",  # letter O for a zero
        "081234",
        "12345678901234567890",
        "+62",
        "-- -- --",
    ],
)
def test_garbage_is_not_a_phone_number(raw):
    assert to_e164(raw) is None


def test_long_inputs_are_parsed_but_not_kept_in_the_cache():
    """The API's phone fields can be a megabyte: the cache must not keep such keys."""
    padded = "62" + " " * 10_000 + "81234567890"
    before = phones._cached_e164.cache_info().currsize
    assert to_e164(padded) == "+6281234567890"
    assert to_e164("x" * 100_000) is None
    assert phones._cached_e164.cache_info().currsize == before


def test_sender_with_a_phone_number_is_filed_by_its_e164_number():
    for raw in ("whatsapp:+6281234567890", "0812-3456-7890"):
        sender = sender_from(raw)
        assert sender.key == "+6281234567890"
        assert sender.phone == "+6281234567890"


def test_same_phone_in_different_forms_is_the_same_sender():
    forms = ["whatsapp:+6281234567890", "+62 812-3456-7890", "081234567890", "6281234567890"]
    assert len({sender_from(raw).key for raw in forms}) == 1


@pytest.mark.parametrize("raw", ["whatsapp:ID.abc", "whatsapp:ID.9f8e7d6c5b4a"])
def test_sender_with_an_opaque_whatsapp_id_is_filed_by_that_id(raw):
    sender = sender_from(raw)
    assert sender.phone is None
    assert sender.key == raw


def test_opaque_sender_key_ignores_surrounding_blanks():
    assert sender_from("  whatsapp:ID.abc\n").key == "whatsapp:ID.abc"


# -- masking for logs ------------------------------------------------------------------


@pytest.mark.parametrize(
    "sender",
    ["+6281234567890", "whatsapp:+6281234567890", "081234567890", "+62 21 5551234"],
)
def test_mask_of_an_indonesian_phone_shows_its_country_code_only(sender):
    assert mask(sender) == "+62*****"


def test_mask_of_a_foreign_phone_shows_its_country_code_only():
    assert mask("+14155238886") == "+1*****"


@pytest.mark.parametrize("sender", ["whatsapp:ID.9f8e7d6c5b4a", "ID.9f8e7d6c5b4a", "x", "Siti"])
def test_mask_of_anything_but_a_phone_shows_nothing_of_it(sender):
    assert mask(sender) == "*****"


def test_mask_of_nothing_is_a_dash():
    assert mask(None) == "-"
    assert mask("") == "-"


# -- kelurahan -------------------------------------------------------------------------


def test_all_kelurahan_are_jakartas_267_in_44_kecamatan():
    everything = all_kelurahan()
    assert len(everything) == 267
    assert len({kel.kecamatan for kel in everything}) == 44
    assert len({kel.id for kel in everything}) == 267
    assert {kel.kota for kel in everything} == {
        "Jakarta Pusat",
        "Jakarta Utara",
        "Jakarta Barat",
        "Jakarta Selatan",
        "Jakarta Timur",
        "Kepulauan Seribu",
    }
    assert all(kel.postal_code.isdigit() and len(kel.postal_code) == 5 for kel in everything)


def test_kelurahan_by_id_finds_each_one():
    for kel in all_kelurahan():
        assert kelurahan_by_id(kel.id) == kel
    assert kelurahan_by_id(-1) is None


def test_every_kelurahan_is_matched_by_its_exact_name():
    for kel in all_kelurahan():
        if kel.name == "Jatinegara":  # in Cakung; Kec. Jatinegara is the likelier meaning
            continue
        assert match_kelurahan(kel.name).chosen == kel, kel.name


def _chosen_name(typed: str) -> str | None:
    chosen = match_kelurahan(typed).chosen
    return chosen.name if chosen else None


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("Gambir", "Gambir"),
        ("GAMBIR", "Gambir"),
        ("gambir", "Gambir"),
        ("  gambir  ", "Gambir"),
        ("kebon   sirih", "Kebon Sirih"),
        ("Kebon-Sirih", "Kebon Sirih"),
        ("cengkareng barat", "Cengkareng Barat"),
        ("Tanjung Priok", "Tanjung Priok"),
    ],
)
def test_name_matches_whatever_the_case_and_spacing(typed, name):
    assert _chosen_name(typed) == name


@pytest.mark.parametrize(
    ("typed", "name"),
    [("Gambr", "Gambir"), ("kebon sirh", "Kebon Sirih"), ("Kramatt", "Kramat")],
)
def test_name_matches_with_a_small_typo(typed, name):
    assert _chosen_name(typed) == name


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("Kel. Gambir", "Gambir"),
        ("kel.pluit", "Pluit"),
        ("Kel Menteng", "Menteng"),
        ("Kelurahan Cikini", "Cikini"),
        ("kelurahan kebon sirih", "Kebon Sirih"),
    ],
)
def test_name_matches_with_a_kelurahan_prefix(typed, name):
    assert _chosen_name(typed) == name


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("di kramat", "Kramat"),
        ("kp melayu", "Kampung Melayu"),
        ("tj priok", "Tanjung Priok"),
        ("kb jeruk", "Kebon Jeruk"),
        ("kel kramat jakpus", "Kramat"),
        ("kramat, senen", "Kramat"),
        ("kramat jakarta pusat", "Kramat"),
        ("kramat jati", "Kramat Jati"),  # the longer name first
        ("di kelurahan gambir jakarta pusat", "Gambir"),
        ("Kebon Kacang, Tanah Abang, Jakarta Pusat", "Kebon Kacang"),
        ("kelurahan kramat kecamatan senen", "Kramat"),
        ("cililitan kramat jati", "Cililitan"),
        ("kramat jatii", "Kramat Jati"),  # a typo of a longer name, not Kramat and more
        ("menteng atass", "Menteng Atas"),
        ("Ujung Menteng, Cakung", "Ujung Menteng"),  # a name that ends like a kecamatan
        ("ujng menteng", "Ujung Menteng"),
    ],
)
def test_name_matches_as_people_type_it_shortened_or_with_its_kecamatan_or_city(typed, name):
    assert _chosen_name(typed) == name


@pytest.mark.parametrize("typed", ["gunung sahari", "cipinang besar"])
def test_the_start_of_longer_names_offers_them_rather_than_a_shorter_name(typed):
    found = match_kelurahan(typed)
    assert found.chosen is None and all(
        kel.name.startswith(typed.title()) for kel in found.suggestions
    )
    assert len(found.suggestions) == 2


def test_ambiguous_name_gives_suggestions_not_a_choice():
    found = match_kelurahan("Kebon")
    assert found.chosen is None
    names = {kel.name for kel in found.suggestions}
    assert {"Kebon Kacang", "Kebon Jeruk"} <= names
    assert len(found.suggestions) == MAX_SUGGESTIONS


def _kelurahan_of(kecamatan):
    return sorted(kel.name for kel in all_kelurahan() if kel.kecamatan == kecamatan)


@pytest.mark.parametrize(
    "typed",
    ["Tanah Abang", "tanahabang", "Kec. Tanah Abang", "kecamatan tanah abang jakarta pusat"],
)
def test_a_kecamatan_typed_instead_offers_every_kelurahan_in_it(typed):
    found = match_kelurahan(typed)
    assert found.chosen is None and found.kecamatan == "Tanah Abang"
    assert [kel.name for kel in found.suggestions] == _kelurahan_of("Tanah Abang")
    assert "Kebon Kacang" in _kelurahan_of("Tanah Abang") and len(found.suggestions) == 7


@pytest.mark.parametrize(
    ("typed", "kelurahan", "kecamatan"),
    [
        ("menteng", "Menteng", "Menteng"),
        ("setia budi", "Setiabudi", "Setia Budi"),
        ("setiabudi", "Setiabudi", "Setia Budi"),
        ("kebonjeruk", "Kebon Jeruk", "Kebon Jeruk"),
        ("durensawit", "Duren Sawit", "Duren Sawit"),
    ],
)
def test_a_kecamatan_with_a_kelurahan_of_its_name_chooses_that_kelurahan(
    typed, kelurahan, kecamatan
):
    chosen = match_kelurahan(typed).chosen
    assert (chosen.name, chosen.kecamatan) == (kelurahan, kecamatan)


@pytest.mark.parametrize(
    "typed",
    [
        "Jatinegara",
        "Jatinegara, Jakarta Timur",
        "jatinegara jaktim",
        "kec. jatinegara",
        "Jatinegara, East Jakarta",
    ],
)
def test_a_kecamatan_named_like_a_kelurahan_elsewhere_offers_that_one_first(typed):
    found = match_kelurahan(typed)
    first, *within = found.suggestions
    assert (first.name, first.kecamatan) == ("Jatinegara", "Cakung")
    assert [kel.name for kel in within] == _kelurahan_of("Jatinegara")
    assert found.kecamatan == "Jatinegara"
    assert match_kelurahan("jatinegara, cakung").chosen == first
    assert match_kelurahan("kel. jatinegara").chosen == first  # said to be the kelurahan
    assert match_kelurahan("jatinegara cakung jakarta timur").chosen == first


@pytest.mark.parametrize("typed", ["kec. menteng", "Kecamatan Menteng"])
def test_a_kecamatan_said_as_one_lists_its_kelurahan_even_with_one_of_its_name(typed):
    found = match_kelurahan(typed)
    assert found.chosen is None and found.kecamatan == "Menteng"
    assert [kel.name for kel in found.suggestions] == _kelurahan_of("Menteng")


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("cengkareng barat rt 05 rw 02", "Cengkareng Barat"),
        ("rt 3 rw 5 kel. pegangsaan", "Pegangsaan"),
        ("RT.003/RW.005 Kramat", "Kramat"),
        ("kode pos 10320", "Pegangsaan"),
        ("postal code 10320", "Pegangsaan"),
        ("pak saya di kebon jeruk", "Kebon Jeruk"),
        ("Menteng, Central Jakarta", "Menteng"),
    ],
)
def test_a_kelurahan_typed_with_its_rt_rw_or_as_kode_pos_is_found(typed, name):
    assert _chosen_name(typed) == name


def test_a_kelurahan_named_with_its_kecamatan_is_still_that_kelurahan():
    assert _chosen_name("kebon kacang, tanah abang") == "Kebon Kacang"


def test_unique_postal_code_chooses_its_kelurahan():
    by_code = Counter(kel.postal_code for kel in all_kelurahan())
    unique = [kel for kel in all_kelurahan() if by_code[kel.postal_code] == 1]
    assert unique
    for kel in unique:
        assert match_kelurahan(kel.postal_code).chosen == kel
    assert _chosen_name("10110") == "Gambir"


def test_shared_postal_code_suggests_every_kelurahan_that_has_it():
    found = match_kelurahan("11730")
    assert found.chosen is None
    assert {kel.name for kel in found.suggestions} == {"Cengkareng Barat", "Cengkareng Timur"}
    by_code = Counter(kel.postal_code for kel in all_kelurahan())
    for code, count in by_code.items():
        if count > 1:
            found = match_kelurahan(code)
            assert found.chosen is None
            assert len(found.suggestions) == count
            assert all(kel.postal_code == code for kel in found.suggestions)


@pytest.mark.parametrize("typed", ["", "   ", "qwertyuiop", "zzzzzz", "12345", "99999", "Kel."])
def test_nonsense_matches_nothing(typed):
    found = match_kelurahan(typed)
    assert found.chosen is None
    assert found.suggestions == ()


M = MASKED_NUMBER
# Texts as citizens, officers and Twilio write them; the phone numbers in them (and an
# NIK) masked whole, everything else kept as written.
MASKED_IN_TEXTS = [
    ("Hubungi saya di 0812-3456-7890", f"Hubungi saya di {M}"),
    ("HP: 0812 3456 7890, terima kasih", f"HP: {M}, terima kasih"),
    ("telp (0812) 3456-7890 a.n. Budi", f"telp {M} a.n. Budi"),
    ("WA 0812/3456/7890", f"WA {M}"),
    ("nomor saya 0812,3456,7890", f"nomor saya {M}"),
    ("0812–3456–7890 (en dash)", f"{M} (en dash)"),
    ("0812—3456—7890 (em dash)", f"{M} (em dash)"),
    ("kantor kelurahan (021) 5551234", f"kantor kelurahan {M}"),
    ("kantor 021-555-1234 jam kerja", f"kantor {M} jam kerja"),
    ("Puskesmas (0251) 8312345", f"Puskesmas {M}"),
    ("telepon +62 21 5551234", f"telepon {M}"),
    ("Hubungi Pak RT di +62 813 1111 2222", f"Hubungi Pak RT di {M}"),
    ("+62 (0)812 3456 7890", M),
    ("62812 3456 7890 (WA)", f"{M} (WA)"),
    ("HP-081234567890", f"HP-{M}"),
    ("hp081234567890", f"hp{M}"),
    ("telp 0812.3456.7890", f"telp {M}"),
    ("0812 - 3456 - 7890", M),
    (
        "Invalid 'To' Phone Number: whatsapp:+6281234567890",
        f"Invalid 'To' Phone Number: whatsapp:{M}",
    ),
    ("NIK 3171012345670001", f"NIK {M}"),
    ("NIK: 3171 0123 4567 0001", f"NIK: {M}"),
    ("rumah Bu Siti (0812-9999-0000), RT 05 RW 03", f"rumah Bu Siti ({M}), RT 05 RW 03"),
    ("０８１２３４５６７８９０", M),  # full-width digits
    ("hubungi 0812 3456 7890 sebelum 28-11-2026", f"hubungi {M} sebelum 28-11-2026"),
    ("Laporan CRM-26-000001-9, hubungi 0812-3456-7890", f"Laporan CRM-26-000001-9, hubungi {M}"),
    ("crm 26 000001 9 dan 0812 3456 7890", f"crm 26 000001 9 dan {M}"),
    # with nothing after the area code's parenthesis, in brackets, or split by other marks
    ("telp(021)5551234", f"telp{M}"),
    ("(0812)3456-7890 a.n. Budi", f"{M} a.n. Budi"),
    ("(0812)34567890", M),
    ("[0812] 3456 7890", M),
    ("0812\t3456\t7890", M),
    ("HP:\n0812\n3456\n7890", f"HP:\n{M}"),
    ("0812_3456_7890", M),
    ("0812|3456|7890", M),
    ("0812:3456:7890", M),
    ("0812;3456;7890", M),
]
KEPT_IN_TEXTS = [
    "Laporan CRM-26-000123-3 sudah diproses",
    "status crm 26 000123 3 ya pak",
    "CRM 26 000123 3",
    "CRM-26-1000000-5",
    "Diperbaiki 28-11-2026, biaya Rp 1 500 000",
    "jadwal perbaikan 05/12/2026 10.30 WIB",
    "28.11.2026 pukul 22.38 WIB",
    "2026-11-28 10:30:00",
    "Laporan *CRM-26-000001-9* (1 Des 2026 pukul 22.38 WIB)",
    "biaya Rp 1.500.000",
    "anggaran Rp 12.500.000",
    "anggaran Rp. 125.000.000,-",
    "Rp1.500.000.000,00 dari APBD",
    "nilai kontrak 125.000.000 rupiah",
    "RT 05 RW 03 Kel. Kramat",
    "RT 005/003",
    "RT.05/RW.03 kode pos 10320",
    "Jl. Kramat Raya No. 10, 10450",
    "kode pos 10320 28-11-2026 pukul 10.30",
    "lokasi -6.20880, 106.84560",
    "sejak 12 05 2024",
    "tiang listrik nomor 12, 14 dan 16",
    "lubang 3 x 2 meter, dalam 30 cm",
    "pukul 10:30 - 11:45",
    "1. Lubang\n2. Genangan\n3. Sampah",
    "(RT 05) (RW 03)",
]


@pytest.mark.parametrize(("text", "masked"), MASKED_IN_TEXTS)
def test_phone_numbers_in_text_are_masked_whole_in_every_style(text, masked):
    assert mask_numbers(text) == masked


@pytest.mark.parametrize("text", KEPT_IN_TEXTS)
def test_report_numbers_dates_times_sums_and_rt_rw_stay_readable(text):
    assert mask_numbers(text) == text


@pytest.mark.parametrize(
    "text",
    ["1 " * 50_000, "(1-" * 30_000, "12-12-" * 20_000, "-6.2088" * 15_000, "( 1 ) " * 20_000],
)
def test_masking_takes_time_in_proportion_to_the_text(text):
    started = time.perf_counter()
    mask_numbers(text)
    assert time.perf_counter() - started < 2
