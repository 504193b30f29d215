"""Vietnamese alphabetical order (folding is tested with search, tests/search/test_text.py)."""

from practices.text import sort_key


def test_sort_key_follows_the_vietnamese_alphabet():
    names = ["Đà Nẵng", "Dương", "Cà Mau", "Ăn", "Bắc Ninh", "An", "Âu", "Bạc Liêu"]
    assert sorted(names, key=sort_key) == [
        "An",
        "Ăn",
        "Âu",
        "Bạc Liêu",
        "Bắc Ninh",
        "Cà Mau",
        "Dương",
        "Đà Nẵng",
    ]


def test_sort_key_uses_tones_only_to_break_ties():
    assert sorted(["mã", "má", "ma", "mạ", "mà", "mả", "mai"], key=sort_key) == [
        "ma",
        "mà",
        "mả",
        "mã",
        "má",
        "mạ",
        "mai",
    ]
