"""Page-type rules and the public pages of the seeded site."""

from django.utils.html import escape

from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

import pytest

from kb.models import (
    GlossaryTermPage,
    GuidancePage,
    HomePage,
    KnowledgeIndexPage,
    LegalDocumentPage,
)
from practices.models import PracticeIndexPage, PracticePage


class TestPageTypeRules(WagtailPageTestCase):
    def test_home_holds_the_catalogue_and_the_knowledge_base(self):
        self.assertAllowedSubpageTypes(HomePage, {PracticeIndexPage, KnowledgeIndexPage})

    def test_practices_live_only_in_the_catalogue(self):
        self.assertAllowedParentPageTypes(PracticePage, {PracticeIndexPage})
        self.assertAllowedSubpageTypes(PracticeIndexPage, {PracticePage})

    def test_knowledge_base_holds_guidance_legal_documents_and_glossary(self):
        self.assertAllowedSubpageTypes(
            KnowledgeIndexPage, {GuidancePage, LegalDocumentPage, GlossaryTermPage}
        )


def test_every_seeded_page_renders_with_its_title(client, seeded):
    pages = list(Page.objects.live().filter(depth__gt=1).specific())
    # Home, the catalogue and its six practices, the knowledge base and its four pages.
    assert len(pages) == 13
    assert {type(page) for page in pages} == {
        HomePage,
        PracticeIndexPage,
        PracticePage,
        KnowledgeIndexPage,
        GuidancePage,
        GlossaryTermPage,
        LegalDocumentPage,
    }
    for page in pages:
        response = client.get(page.url)
        assert response.status_code == 200, page.url
        assert escape(page.title) in response.content.decode(), page.url


def test_home_page_speaks_vietnamese_and_links_the_main_sections(client, seeded):
    html = client.get("/").content.decode()
    assert '<html lang="vi"' in html
    for href in (
        'href="/sang-kien/"',
        'href="/ma-tran/"',
        'href="/co-quan/"',
        'href="/kien-thuc/"',
    ):
        assert href in html


def test_catalogue_filters_by_category_and_status_with_counts(client, seeded):
    response = client.get("/sang-kien/", {"nhom": "fees"})
    catalogue = response.context["catalogue"]
    assert [p.slug for p in catalogue.practices] == ["giam-phi-le-phi-dvctt"]
    assert catalogue.practices[0].adopter_count == 7
    response = client.get("/sang-kien/", {"trang-thai": "adopted"})
    slugs = {p.slug for p in response.context["catalogue"].practices}
    # Only four of the six practices have an adopter in the article.
    assert len(slugs) == 4
    assert "tro-ly-ao-huong-dan-dvctt" not in slugs
    status_counts = {f.value: f.count for f in response.context["catalogue"].facets["trang-thai"]}
    assert status_counts["adopted"] == 4
    assert status_counts["planned"] == 0


def test_catalogue_shows_an_empty_state(client, seeded):
    response = client.get("/sang-kien/", {"trang-thai": "discontinued"})
    assert response.status_code == 200
    assert response.context["catalogue"].total == 0
    assert "Không có giải pháp nào" in response.content.decode()


def test_practice_page_lists_adopters_and_units_that_have_not(client, seeded):
    page = PracticePage.objects.get(slug="giam-phi-le-phi-dvctt")
    response = client.get(page.url)
    adoption = response.context["adoption"]
    assert len(adoption.adopters) == 7
    not_adopted = {agency.name for agency in adoption.not_adopted}
    assert "Thành phố Hà Nội" in not_adopted
    # Long An (2022) now belongs to Tây Ninh, so Tây Ninh is not listed as a non-adopter.
    assert "Tỉnh Tây Ninh" not in not_adopted


def test_agency_list_filters_and_paginates(client, seeded):
    response = client.get("/co-quan/", {"loai": "province", "thoi-ky": "truoc-day"})
    names = [a.name for a in response.context["page"].object_list]
    assert "Tỉnh Bắc Giang" in names
    assert all(a.kind == "province" for a in response.context["page"].object_list)
    response = client.get("/co-quan/", {"q": "ha tinh"})
    assert [a.name for a in response.context["page"].object_list] == ["Tỉnh Hà Tĩnh"]
    assert client.get("/co-quan/", {"trang": "999"}).status_code == 200


def test_unknown_agency_is_404(client, seeded):
    assert client.get("/co-quan/khong-ton-tai/").status_code == 404


@pytest.mark.parametrize(
    "scope", ["tinh-thanh", "tinh-thanh-2008-2025", "bo-nganh", "bo-nganh-2021-2025"]
)
def test_matrix_scopes_have_the_expected_number_of_rows(client, seeded, scope):
    expected = {
        "tinh-thanh": 34,
        "tinh-thanh-2008-2025": 63,
        "bo-nganh": 17,
        "bo-nganh-2021-2025": 22,
    }
    response = client.get("/ma-tran/", {"pham-vi": scope})
    assert len(response.context["matrix"].rows) == expected[scope]


def test_matrix_with_unknown_scope_falls_back_to_current_provinces(client, seeded):
    response = client.get("/ma-tran/", {"pham-vi": "<script>"})
    assert response.context["matrix"].scope.key == "tinh-thanh"
    assert "<script>" not in response.content.decode()
