"""Page slugs made from Vietnamese titles: ASCII, lower case, words joined by hyphens.

"Nghị định 42/2022/NĐ-CP" becomes "nghi-dinh-42-2022-nd-cp", as the seed's slugs and the
reference data's agency slugs are written. The server (`slugify_vi`: pages saved without a
slug, imports) and the admin's slug field, which fills as the title is typed, apply the same
rules: the browser gets them as the formatters of Wagtail's slug widget (`BROWSER_RULES`),
regular expressions that the widget runs before its own clean-up. Folding is `fold`'s, so
đ → d and tone marks go whichever vowel carries them.
"""

import re
from collections import defaultdict

from wagtail.admin.widgets import SlugInput

from practices.text import fold

# Long enough for a title's first dozen words, short enough to read in a URL.
MAX_LENGTH = 80
# A slug as the site writes them; anything else typed into the slug field is refused.
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FALLBACK = "trang"

# After folding: runs of other characters become one hyphen, none at either end, and a slug
# longer than MAX_LENGTH is cut at the last hyphen that keeps it within (a single word that
# long is cut at MAX_LENGTH). Each rule is (pattern, replacement), applied in order by
# Python's `re.sub` and by the browser's `String.replaceAll` alike.
_SHAPING_RULES = [
    (r"[^A-Za-z0-9]+", "-"),
    (r"^-+|-+$", ""),
    (rf"^(?=.{{{MAX_LENGTH + 1}}})(.{{0,{MAX_LENGTH}}})-.*$", r"\1"),
    (rf"^(.{{{MAX_LENGTH}}}).+$", r"\1"),
]

# The letters with marks, ligatures and letter-like signs the browser folds as `fold` does:
# Latin-1, Latin Extended-A and -B, Vietnamese (Latin Extended Additional), super- and
# subscripts, letter-like symbols and number forms. Anything else is a separator there.
_BROWSER_FOLDED_RANGES = (
    range(0x00A0, 0x0250),
    range(0x1E00, 0x1F00),
    range(0x2070, 0x20A0),
    range(0x2100, 0x2190),
)
_COMBINING_MARKS = r"[\u0300-\u036f]"
_ALNUM = re.compile("[a-z0-9]")


def slugify_vi(text):
    """The slug of a title: `fold`ed, then shaped by the rules above; "trang" when nothing
    of the title is left (a title of punctuation only)."""
    slug = fold(text)
    for pattern, replacement in _SHAPING_RULES:
        slug = re.sub(pattern, replacement, slug)
    return slug or FALLBACK


def _folding_rules():
    """`fold` over the ranges above, as one character class per folded form."""
    by_folded = defaultdict(list)
    for code in (code for block in _BROWSER_FOLDED_RANGES for code in block):
        char = chr(code)
        folded = fold(char)
        if folded != char and _ALNUM.search(folded):
            by_folded[folded].append(char)
    return [
        ("[" + "".join(re.escape(char) for char in chars) + "]", folded)
        for folded, chars in sorted(by_folded.items())
    ]


def _browser_rules():
    # Marks first: a title typed in decomposed form (a + ◌́) folds like its composed form.
    rules = [(_COMBINING_MARKS, "")] + _folding_rules() + _SHAPING_RULES
    # JavaScript writes a group reference in a replacement as $1.
    return [(pattern, replacement.replace("\\1", "$1")) for pattern, replacement in rules]


BROWSER_RULES = _browser_rules()


def slug_input():
    """Wagtail's slug widget, folding and shaping as `slugify_vi` does."""
    return SlugInput(formatters=BROWSER_RULES)
