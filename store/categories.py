"""Report categories, in the order citizens choose them. Labels live in templates/*/labels.toml."""

CATEGORIES: tuple[str, ...] = (
    "jalan_rusak",
    "sampah",
    "banjir",
    "saluran_air",
    "penerangan_jalan",
    "pohon_tumbang",
    "parkir_liar",
    "fasilitas_umum",
    "lainnya",
)


def category_by_choice(choice: int) -> str | None:
    """The category a citizen picked by its 1-based number in the list."""
    return CATEGORIES[choice - 1] if 1 <= choice <= len(CATEGORIES) else None
