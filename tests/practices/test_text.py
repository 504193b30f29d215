import unicodedata

from practices.text import fold, sort_key


def test_fold_drops_marks_whichever_vowel_carries_the_tone():
    assert fold("Hoà Bình") == fold("Hòa Bình") == "hoa binh"
    assert fold(unicodedata.normalize("NFD", "Đắk Lắk")) == "dak lak"


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
