"""The no-English check (tests/kb/english_strings.py) finds Wagtail's and Django's English where a
user reads it and stays quiet on a Vietnamese screen; and no Vietnamese translation glues a
filled-in placeholder to the next word."""

import re
from pathlib import Path

from django.conf import settings

import polib
import pytest

from tests.kb.english_strings import PACKAGES, english_in, english_phrases

# Strings the issue saw in English on the admin, each in the place a browser shows it.
SEEN_IN_ENGLISH = [
    ("<h1>Sign in to Wagtail</h1>", "Sign in to Wagtail"),
    ('<a href="/admin/password_reset/">Forgotten password?</a>', "Forgotten password"),
    ('<input name="q" placeholder="Search all pages…">', "Search all pages"),
    ('<button aria-label="Help"></button>', "Help"),
    ("<a>Reports</a>", "Reports"),
    ("<label>Page title*</label>", "Page title"),
    ('<a role="tab">Promote</a>', "Promote"),
    ('<button title="Collapse all"></button>', "Collapse all"),
    ("<p>There are no kết quả áp dụng to display. Why not add one?</p>", "There are no"),
    ("<span>Just now</span>", "Just now"),
    ("<span>New</span>", "New"),
    ("<span>Page 1 of 12</span>", "Page"),
    ('<input type="submit" value="Next">', "Next"),
    # The editor's side panels are drawn from JSON by Wagtail's scripts.
    ('<script type="application/json">{"label": "Collapse all"}</script>', "Collapse all"),
    # A modal's buttons sit in a <template> until the script shows them.
    ("<template><button>Cancel</button></template>", "Cancel"),
    # Wagtail hides with the attribute the parts its scripts show.
    ("<div hidden><button>Cancel</button></div>", "Cancel"),
]

VIETNAMESE_SCREEN = """<!doctype html><html lang="vi"><head><title>Trang tổng quan - Wagtail</title>
<script>window.label = "Collapse all";</script><style>.a::after{content:"Next"}</style></head>
<body><!-- Search all pages -->
<input name="q" placeholder="Tìm trong mọi trang…"><button aria-label="Trợ giúp">?</button>
<a href="/admin/pages/search/?q=Help">Báo cáo</a> <span>Trang 1 / 12</span>
<p>Tệp CSV, XLSX hoặc JSON; mã ĐVHC 24; Thu hồi; Múi giờ America/Port-au-Prince</p>
<button value="Next">Tiếp</button><p>English</p>
<button style="display: none;">Save Selected</button>
<option>Pacific/Auckland: GMT+13 (Giờ Mùa Hè New Zealand)</option></body></html>"""


@pytest.mark.parametrize(("html", "phrase"), SEEN_IN_ENGLISH)
def test_english_catalogue_string_is_found_where_a_user_reads_it(html, phrase):
    assert phrase in english_in(html)


def test_a_vietnamese_screen_has_no_english():
    # Scripts, styles, comments, URLs, codes, a time zone, a <button>'s value (sent, not shown)
    # a widget part hidden by an inline style, and the allow-listed names say nothing.
    assert english_in(VIETNAMESE_SCREEN) == {}


def test_phrases_come_from_the_catalogues_not_a_hand_list():
    phrases = english_phrases()
    # From wagtailadmin, Django's forms, auth and humanize.
    for phrase in ["Collapse all", "This field is required", "Forgotten password", "Just now"]:
        assert phrase in phrases
    assert len(phrases) > 2000
    # Single lowercase words and acronyms would match data and slugs.
    assert not {"draft", "live", "of", "CSV", "URL"} & phrases


# %(label)s, %s, {name}: a placeholder, then a letter.
GLUED = re.compile(r"(%\([^)]*\)[a-z]|%[sd]|\{[^{}]*\})(?=[^\W\d_])")


def _vietnamese_catalogues():
    yield Path(settings.BASE_DIR) / "locale/vi/LC_MESSAGES/django.po"
    for package in PACKAGES:
        yield from sorted(package.glob("**/locale/vi/LC_MESSAGES/django*.po"))


def test_no_translation_glues_a_placeholder_to_the_next_word():
    """Wagtail's Vietnamese wrote "%(label)svà Xuất bản", shown as "Phê chuẩnvà Xuất bản".
    The translation in force is ours where we have one (LOCALE_PATHS comes first)."""
    in_force = {}
    for path in _vietnamese_catalogues():
        for entry in polib.pofile(str(path)):
            if entry.translated() and not entry.obsolete:
                in_force.setdefault(entry.msgid, (path, entry))
    glued = [
        f"{path.parent.parent.parent.parent.name}: {entry.msgid!r} -> {text!r}"
        for path, entry in in_force.values()
        for text in [entry.msgstr, *entry.msgstr_plural.values()]
        if text and GLUED.search(text) and not GLUED.search(entry.msgid)
    ]
    assert not glued, "\n".join(glued)
