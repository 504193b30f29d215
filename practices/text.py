"""Vietnamese text helpers: folding for matching, and alphabetical order."""

import functools
import unicodedata

from anyascii import anyascii

# Vietnamese alphabetical order is a ă â b c d đ e ê … o ô ơ … u ư …; tones (ngang, huyền,
# hỏi, ngã, sắc, nặng) only break ties between otherwise equal words.
_VOWEL_MODIFIERS = {"\u0306": "1", "\u0302": "2", "\u031b": "3"}  # breve, circumflex, horn
_TONES = {"\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}


def fold(text):
    """Lower-case ASCII form of Vietnamese text: diacritics and tone marks dropped, đ → d.

    Works the same whichever vowel carries the tone mark ("Hoà" and "Hòa") and for NFC or
    NFD input.
    """
    return " ".join(anyascii(text or "").lower().split())


def sort_key(text):
    """A string whose plain (byte) order is Vietnamese alphabetical order of `text`."""
    letters, tones = [], []
    for char in unicodedata.normalize("NFD", " ".join(str(text or "").lower().split())):
        if unicodedata.combining(char):
            if char in _VOWEL_MODIFIERS and letters:
                letters[-1] = letters[-1][0] + _VOWEL_MODIFIERS[char]
            elif char in _TONES and tones:
                tones[-1] = _TONES[char]
            continue
        letters.append("d4" if char == "đ" else char + "0")
        tones.append("0")
    # The separator sorts below every letter and the space, so "ma" comes before "mai".
    return "".join(letters) + "\x01" + "".join(tones)


def normalise(text):
    """NFC text with control characters turned into spaces; how every indexed string is kept."""
    text = unicodedata.normalize("NFC", str(text or ""))
    return "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)


@functools.lru_cache(maxsize=4096)
def _fold_char(char):
    folded = anyascii(char).lower()
    if len(folded) == 1:
        return folded
    lowered = char.lower()
    return lowered if len(lowered) == 1 else char


def fold_aligned(text):
    """Fold `text` (already normalised) one character for one character.

    Unlike `fold`, the result has the same length as the input, so a match found at
    position i in the folded text is at position i in the original: highlights computed on
    folded text are drawn on the Vietnamese text with its diacritics intact.
    """
    return "".join(_fold_char(char) for char in text)
