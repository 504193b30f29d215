"""Vietnamese text helpers: folding for matching, and alphabetical order."""

import re
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


# "hoà" and "hòa", "thuỷ" and "thủy": both placements of the tone mark are in use. In an
# open syllable ending in oa, oe or uy, the mark goes on the first vowel (not after "q").
# A vowel that carries another mark besides the tone is not such a syllable: "hoặc" (ă with
# a dot below, which NFD writes dot first) stays as it is.
_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
_OLD_STYLE_TONE = re.compile(
    rf"(?<![qQ])([oO][aAeE]|[uU][yY])([{_TONE_MARKS}])(?![^\W\d_]|[\u0300-\u036f])"
)
# Control characters (Unicode category Cc: C0, DEL and C1) become spaces, and so do the
# private-use characters reserved as highlight markers (search.queries).
_BLANKED = re.compile("[\x00-\x1f\x7f-\x9f\ue000\ue001]")


def _first_vowel_tone(match):
    pair, mark = match.group(1), match.group(2)
    return pair[0] + mark + pair[1]


def normalise(text):
    """The form every indexed or searched string is kept in.

    NFC, one placement of tone marks, control and reserved characters turned into spaces.
    Every step keeps the length of NFC text.
    """
    text = unicodedata.normalize("NFD", str(text or ""))
    text = unicodedata.normalize("NFC", _OLD_STYLE_TONE.sub(_first_vowel_tone, text))
    return _BLANKED.sub(" ", text)


class _AlignedFolding(dict):
    """A `str.translate` table, filled as characters come: code point → one character."""

    def __missing__(self, code):
        char = chr(code)
        folded = anyascii(char).lower()
        if len(folded) != 1:
            lowered = char.lower()
            folded = lowered if len(lowered) == 1 else char
        self[code] = folded
        return folded


_ALIGNED_FOLDING = _AlignedFolding()


def fold_aligned(text):
    """Fold `text` (already normalised) one character for one character.

    Unlike `fold`, the result has the same length as the input, so a match found at
    position i in the folded text is at position i in the original: highlights computed on
    folded text are drawn on the Vietnamese text with its diacritics intact.
    """
    return text.translate(_ALIGNED_FOLDING)
