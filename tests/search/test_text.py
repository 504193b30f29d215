"""Vietnamese folding as search uses it (no server, no database): every way a Vietnamese
letter can be typed folds to the same ASCII letter, and the aligned fold keeps positions so
highlights found on folded text land on the original."""

import random
import unicodedata

import pytest

from practices.text import fold, fold_aligned, normalise, sort_key

# Combining marks: vowel modifiers and the five written tones (ngang has no mark).
BREVE, CIRCUMFLEX, HORN = "\u0306", "\u0302", "\u031b"
TONES = {
    "ngang": "",
    "huyền": "\u0300",
    "hỏi": "\u0309",
    "ngã": "\u0303",
    "sắc": "\u0301",
    "nặng": "\u0323",
}
# The twelve vowels of the alphabet as (base letter, modifier).
VOWELS = {
    "a": ("a", ""),
    "ă": ("a", BREVE),
    "â": ("a", CIRCUMFLEX),
    "e": ("e", ""),
    "ê": ("e", CIRCUMFLEX),
    "i": ("i", ""),
    "o": ("o", ""),
    "ô": ("o", CIRCUMFLEX),
    "ơ": ("o", HORN),
    "u": ("u", ""),
    "ư": ("u", HORN),
    "y": ("y", ""),
}


def _letters():
    """Every toned vowel in upper and lower case, NFC, with the base it must fold to."""
    for vowel, (base, modifier) in VOWELS.items():
        for tone, mark in TONES.items():
            for case in (str.lower, str.upper):
                letter = unicodedata.normalize("NFC", case(base) + modifier + mark)
                yield pytest.param(letter, base, id=f"{vowel}-{tone}-{case.__name__}")


ALL_LETTERS = list(_letters())


@pytest.mark.parametrize(("letter", "base"), ALL_LETTERS)
def test_every_toned_vowel_folds_to_its_base_letter(letter, base):
    assert fold(letter) == base
    assert fold(unicodedata.normalize("NFD", letter)) == base
    assert fold_aligned(letter) == base


@pytest.mark.parametrize("letter", ["đ", "Đ"])
def test_d_with_stroke_folds_to_d(letter):
    assert fold(letter) == "d"
    assert fold_aligned(letter) == "d"
    assert fold(f"{letter}ường") == "duong"


@pytest.mark.parametrize(
    "text",
    [
        "Dịch vụ công trực tuyến",
        "Thủ tục hành chính",
        "Ủy ban nhân dân Thành phố Hồ Chí Minh",
        "Đắk Lắk, Đắk Nông, Thừa Thiên Huế",
        "Người đứng đầu; Sở Khoa học và Công nghệ Đà Nẵng",
        "NGHỊ ĐỊNH SỐ 42/2022/NĐ-CP",
    ],
)
def test_nfc_and_nfd_input_fold_the_same(text):
    nfc = unicodedata.normalize("NFC", text)
    nfd = unicodedata.normalize("NFD", text)
    assert nfc != nfd
    assert fold(nfc) == fold(nfd)
    assert fold(nfc).isascii()
    # What is stored is normalised first; both forms end up as the same indexed text.
    assert normalise(nfd) == nfc
    assert fold_aligned(normalise(nfd)) == fold_aligned(nfc)


@pytest.mark.parametrize(
    ("old_style", "new_style", "folded"),
    [
        ("hoà", "hòa", "hoa"),
        ("Hoà Bình", "Hòa Bình", "hoa binh"),
        ("Khánh Hoà", "Khánh Hòa", "khanh hoa"),
        ("thuỷ", "thủy", "thuy"),
        ("Thuỷ lợi", "Thủy lợi", "thuy loi"),
        ("uỷ ban", "ủy ban", "uy ban"),
        ("hoá đơn", "hóa đơn", "hoa don"),
        ("khoẻ", "khỏe", "khoe"),
        ("loà", "lòa", "loa"),
    ],
)
def test_tone_mark_placement_does_not_change_the_fold(old_style, new_style, folded):
    assert old_style != new_style
    assert fold(old_style) == fold(new_style) == folded
    assert fold_aligned(old_style) == fold_aligned(new_style) == folded
    assert fold(unicodedata.normalize("NFD", old_style)) == folded


@pytest.mark.parametrize("word", ["hoặc", "Hoặc", "hoạch", "khoặm", "xoắn", "hoằng"])
def test_a_vowel_with_two_marks_keeps_its_tone_where_it_is(word):
    assert normalise(word) == word
    assert normalise(unicodedata.normalize("NFD", word)) == word


def test_fold_lowercases_and_collapses_whitespace():
    assert fold("  DỊCH   VỤ\tCÔNG\n") == "dich vu cong"
    assert fold("") == ""
    assert fold(None) == ""


# --- fold_aligned keeps positions ---------------------------------------------------------

VIETNAMESE = "".join(
    unicodedata.normalize("NFC", case(base) + modifier + mark)
    for base, modifier in VOWELS.values()
    for mark in TONES.values()
    for case in (str.lower, str.upper)
)
ALPHABET = (
    VIETNAMESE
    + "bcdđghklmnpqrstvxĐBCDGHKLMNPQRSTVX"
    + "0123456789 .,;:!?-/()[]\"'\t"
    # Symbols and letters whose ASCII transliteration is longer than one character.
    + "…½¼ß€©®™ÆæŒœØøÞþ→≤“”‘’«»°№"
    + "😀👍🇻🇳✓★"
    + "中文한국어ąęłžçñ"
)


def _random_texts(count, seed):
    rng = random.Random(seed)
    for _ in range(count):
        yield "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 60)))


def test_fold_aligned_keeps_the_length_of_every_normalised_text():
    samples = [
        "…",
        "½",
        "ß",
        "😀",
        "Æsir",
        "İstanbul",
        "ŉ",
        "ǅ",
        "ﬁ",
        "Giảm phí… ½ giá 😀 Straße",
        *_random_texts(3000, seed=20221122),
    ]
    for text in samples:
        text = normalise(text)
        folded = fold_aligned(text)
        assert len(folded) == len(text), (text, folded)


def test_fold_aligned_agrees_with_fold_on_vietnamese_text():
    rng = random.Random(42)
    letters = VIETNAMESE + "bcdđghklmnpqrstvxĐ"
    for _ in range(500):
        words = [
            "".join(rng.choice(letters) for _ in range(rng.randint(1, 7)))
            for _ in range(rng.randint(1, 8))
        ]
        text = " ".join(words)
        assert " ".join(fold_aligned(text).split()) == fold(text), text


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Giảm phí, lệ phí… ½ giá 😀 cho DVCTT", "le phi"),
        ("Ưu tiên «trả kết quả sớm» → 10–20%", "tra ket qua som"),
        ("ß und Æ 👍🇻🇳 Thành phố Hồ Chí Minh", "ho chi minh"),
        ("中文 Đắk Lắk ½", "dak lak"),
    ],
)
def test_positions_found_on_the_folded_text_map_back_to_the_original(text, word):
    text = normalise(text)
    folded = fold_aligned(text)
    start = folded.index(word)
    original = text[start : start + len(word)]
    assert fold(original) == word
    assert original != word  # the original slice still carries its diacritics


# --- normalise --------------------------------------------------------------------------------


def test_normalise_turns_control_characters_into_spaces():
    assert normalise("hồ\x00sơ") == "hồ sơ"
    assert normalise("a\tb\nc\rd\x0be\x0cf") == "a b c d e f"
    assert normalise("x\x1fy\x7fz\x85w") == "x y z w"
    assert all(unicodedata.category(ch) != "Cc" for ch in normalise("".join(map(chr, range(160)))))


def test_normalise_composes_to_nfc_and_keeps_length_per_character():
    nfd = unicodedata.normalize("NFD", "Nghị định\x00số 42")
    result = normalise(nfd)
    assert result == "Nghị định số 42"
    assert unicodedata.is_normalized("NFC", result)
    assert normalise(None) == ""
    assert normalise(2022) == "2022"


def test_sort_key_is_the_same_for_nfc_and_nfd():
    for word in ["Đà Nẵng", "Hoà Bình", "Ủy ban", "ương"]:
        assert sort_key(word) == sort_key(unicodedata.normalize("NFD", word))
