"""Finds English strings of Wagtail's and Django's own catalogues in a rendered admin screen.

The phrases come from the English source catalogues those packages ship (every msgid, with
its plural), not from a hand list, so a string that a new Wagtail release adds, or one that a
new screen of ours starts showing, is caught as soon as it shows untranslated. A msgid is cut
into fragments at its placeholders and HTML tags ("There are no %(items)s to display. Why not
add one?" gives "There are no" and "to display. Why not add one"), since the placeholders
are filled with Vietnamese words at render time.

`english_in(html)` lists the fragments found in what a user reads or hears: text (outside
`<script>` and `<style>`, inside `<template>`, whose content Wagtail's scripts show), the
page's `<title>`, the attributes that are read out or shown (`title`, `aria-label`,
`placeholder`, `alt`, the values of input buttons, tooltips), and the strings of the JSON
blocks that Wagtail's scripts turn into the sidebar and the editor. The browser tours can pass
`page.content()`.
"""

import functools
import html as html_lib
import json
import re
from pathlib import Path

import django
from django.utils.text import capfirst

import wagtail

import polib
from bs4 import BeautifulSoup, Comment, Declaration, Doctype

PACKAGES = [Path(wagtail.__file__).parent, Path(django.__file__).parent]
# Django's catalogues whose strings reach the admin's screens: forms, validators and dates
# (conf), sign-in and passwords (auth), "… ago" (humanize), content types and the Django admin
# that superusers use. Its other contrib apps are not installed.
DJANGO_CATALOGUES = [
    "conf",
    "contrib/admin",
    "contrib/auth",
    "contrib/contenttypes",
    "contrib/humanize",
]

# Placeholders: %(name)s, %s, %d, {name}, {0}, and HTML tags; a fragment is what lies between.
SPLIT = re.compile(r"%\([^)]*\)[a-z]|%[sdif]|\{[^{}]*\}|<[^>]+>")
EDGE = " \t\n.,;:!?\"'“”‘’()[]*/|-–—…"
WORD = re.compile(r"[^\W\d_]+")

# Fragments that are the same in a Vietnamese admin, so their presence says nothing:
# product and format names, units and abbreviations officials read as they are.
SAME_IN_VIETNAMESE = {
    "Wagtail",
    "Django",
    "Draftail",
    "Gravatar",
    "Markdown",
    "Email",  # the project says "thư điện tử" in prose; a label "Email" is read as is
    "OK",
    # The account's choice of language names each language in that language.
    "English",
    # Python's None, which Wagtail prints in a hidden counter of the status side panel.
    "None",
}

# Place names in the browser's own Vietnamese time-zone labels, which the account's time zone
# choice shows ("Giờ Mùa Hè New Zealand"): "New" is also a Wagtail msgid.
PLACE_NAMES = re.compile(r"\bNew (?:Zealand|York|Guinea|Caledonia|South Wales|Mexico)\b")

# A Vietnamese syllable written without tone marks: initial consonant, vowels, final consonant.
# A single English word of this shape ("Thu", "Mon", "Sat", "Cut") is also Vietnamese ("Thu
# hồi", "Sơn" typed as "Son") and proves nothing on its own.
VIETNAMESE_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
    r"(?:uye|uya|oai|oay|uoi|uou|ieu|yeu|uay|uy|oa|oe|ua|ue|uo|ia|ie|ye|ai|ao|au|ay|eo|eu|iu"
    r"|oi|ui|ou|[aeiouy])"
    r"(?:ch|ng|nh|[cmnpt]|[iyou])?",
    re.IGNORECASE,
)

# A JSON value that is a name, a URL, an icon or a class, not text ("workflow_tasks").
IDENTIFIER = re.compile(r"[a-z0-9_\-./:#?=&%]*")

INLINE_HIDDEN = re.compile(r"display:\s*none")

VISIBLE_ATTRIBUTES = [
    "title",
    "aria-label",
    "aria-description",
    "placeholder",
    "alt",
    "data-w-tooltip-content-value",
]


def _catalogues():
    for package in PACKAGES:
        pattern = "**/locale/en/LC_MESSAGES/*.po"
        for path in sorted(package.glob(pattern)):
            relative = path.relative_to(package).as_posix()
            if package.name == "django" and not any(
                relative.startswith(f"{name}/locale/") for name in DJANGO_CATALOGUES
            ):
                continue
            yield path


def fragments(msgid):
    """The literal parts of one msgid, as they would appear on a screen."""
    for part in SPLIT.split(msgid):
        text = " ".join(html_lib.unescape(part).split()).strip(EDGE)
        if text:
            yield text


def significant(fragment):
    """Whether finding this fragment on a Vietnamese screen means English was left.

    Kept: any fragment of two words or more ("Page title", "to display"), and single words
    that start with a capital and have three letters or more ("Help", "Next", "Reports").
    Left out: single lowercase words ("of", "live", "draft") and single acronyms ("CSV",
    "PDF", "URL", "ID"), which appear in slugs, file names, codes and data; single words
    spelt like a Vietnamese syllable; and the names in SAME_IN_VIETNAMESE."""
    words = WORD.findall(fragment)
    if not words or fragment in SAME_IN_VIETNAMESE:
        return False
    if len(words) >= 2:
        return any(len(word) > 1 for word in words)
    word = words[0]
    if VIETNAMESE_SYLLABLE.fullmatch(word):
        return False
    return len(word) >= 3 and word[0].isupper() and not word.isupper()


@functools.cache
def english_phrases():
    """Every significant fragment of the catalogues' msgids."""
    phrases = set()
    for path in _catalogues():
        for entry in polib.pofile(str(path)):
            if entry.obsolete:
                continue
            for msgid in filter(None, [entry.msgid, entry.msgid_plural]):
                for fragment in fragments(msgid):
                    # Labels are shown with a capital first ("submitted notifications").
                    for variant in {fragment, capfirst(fragment)}:
                        if significant(variant):
                            phrases.add(variant)
    return frozenset(phrases)


@functools.cache
def _pattern():
    # Longest first, so that "Page title" is reported rather than "Page". The boundaries keep
    # "Page" from matching inside "Pages" or a Vietnamese word, and a word from matching
    # inside a slug, a path or a time zone ("America/Port-au-Prince").
    alternatives = sorted(english_phrases(), key=len, reverse=True)
    return re.compile(r"(?<![\w/.-])(?:" + "|".join(map(re.escape, alternatives)) + r")(?![\w/-])")


def _json_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)


def readable_texts(html):
    """What a user reads or hears on the screen: text nodes, the attributes above, and the
    strings of the JSON data blocks from which Wagtail's scripts draw the sidebar, the
    editor's panels and blocks, and the accessibility checks."""
    soup = BeautifulSoup(html, "html.parser")
    for block in soup.find_all("script", type="application/json"):
        for text in _json_strings(json.loads(block.string or "null")):
            if IDENTIFIER.fullmatch(text):  # names, URLs, icons: never shown
                continue
            if "<" in text:
                yield from readable_texts(text)
            elif text.strip():
                yield " ".join(text.split())
    for element in soup(["script", "style"]):
        element.decompose()
    # A widget's script hides the parts it never shows with an inline style (the date picker's
    # "Save Selected" button, which its options leave off); Wagtail's own hidden parts use the
    # `hidden` attribute or a class and are read, since its scripts show them.
    for element in soup.find_all(style=INLINE_HIDDEN):
        element.decompose()
    for node in soup.find_all(string=True):
        if isinstance(node, Comment | Declaration | Doctype):
            continue
        text = " ".join(node.split())
        if text:
            yield text
    for element in soup.find_all(True):
        for name in VISIBLE_ATTRIBUTES:
            if element.has_attr(name):
                yield " ".join(str(element[name]).split())
        # An input button shows its value; a <button>'s value is only sent.
        is_button = element.name == "input" and element.get("type") in {"submit", "button", "reset"}
        if is_button and element.has_attr("value"):
            yield " ".join(str(element["value"]).split())


def english_in(html):
    """The English catalogue fragments in a screen, each with the text it was found in."""
    found = {}
    pattern = _pattern()
    for text in readable_texts(html):
        for match in pattern.finditer(PLACE_NAMES.sub(" ", text)):
            found.setdefault(match.group(0), text[:120])
    return found
