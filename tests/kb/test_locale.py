"""The project's Vietnamese catalogue fills strings Wagtail's own leaves in English."""

from pathlib import Path

from django.conf import settings
from django.utils import translation

import polib

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES" / "django.po"


def entries():
    """(msgid, msgid_plural, msgstr) of each translated entry; a plural's one Vietnamese form."""
    for entry in polib.pofile(str(CATALOGUE)):
        if entry.translated() and not entry.obsolete:
            text = entry.msgstr_plural[0] if entry.msgid_plural else entry.msgstr
            yield entry.msgid, entry.msgid_plural, text


def test_every_entry_is_translated_by_the_compiled_catalogue():
    found = list(entries())
    assert len(found) > 1000
    with translation.override("vi"):
        untranslated = [
            msgid
            for msgid, plural, text in found
            if (translation.ngettext(msgid, plural, 2) if plural else translation.gettext(msgid))
            != text
        ]
    # A stale django.mo (edited .po, `make messages` not run) fails here.
    assert untranslated == []


def test_review_actions_read_in_vietnamese_in_the_admin(admin_client):
    from django.urls import reverse

    with translation.override("vi"):
        assert translation.gettext("Save draft") == "Lưu bản nháp"
        assert translation.gettext("Request changes") == "Yêu cầu chỉnh sửa"
    page = admin_client.get(reverse("wagtailsnippets_practices_adoption:add")).content.decode()
    assert "Lưu bản nháp" in page and "Save draft" not in page
