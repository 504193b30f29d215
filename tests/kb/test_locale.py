"""The project's Vietnamese catalogue fills strings Wagtail's own leaves in English."""

import re
from pathlib import Path

from django.conf import settings
from django.utils import translation

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES" / "django.po"


def entries():
    text = CATALOGUE.read_text(encoding="utf-8")
    for msgid, msgstr in re.findall(r'^msgid "(.+)"\nmsgstr "(.*)"$', text, re.M):
        yield msgid.replace('\\"', '"'), msgstr.replace('\\"', '"')


def test_every_entry_is_translated_by_the_compiled_catalogue():
    found = list(entries())
    assert len(found) > 50
    with translation.override("vi"):
        untranslated = [m for m, s in found if translation.gettext(m) != s]
    # A stale django.mo (edited .po, `make messages` not run) fails here.
    assert untranslated == []


def test_review_actions_read_in_vietnamese_in_the_admin(admin_client):
    from django.urls import reverse

    with translation.override("vi"):
        assert translation.gettext("Save draft") == "Lưu bản nháp"
        assert translation.gettext("Request changes") == "Yêu cầu chỉnh sửa"
    page = admin_client.get(reverse("wagtailsnippets_practices_adoption:add")).content.decode()
    assert "Lưu bản nháp" in page and "Save draft" not in page
