"""Every admin search of agencies, adoptions and practices finds Vietnamese names typed with or
without diacritics, and with either placement of the tone mark ("hoà"/"hòa"), as the public
search does: the agencies' list, the agency chooser, the adoptions' list, the page explorer's
search and listing, and the page chooser."""

from django.urls import reverse

import pytest
from modelsearch.query import And, Not, Phrase, PlainText

from kb.search_backend import with_folded
from practices.models import Agency, PracticePage
from tests import factories

pytestmark = pytest.mark.django_db

BAC_NINH = ["bac ninh", "Bac Ninh", "Bắc Ninh", "BẮC NINH"]
# The reference data writes "Hoà Bình" (the older placement); people type either.
HOA_BINH = ["hoà bình", "hòa bình", "hoa binh", "Hòa Bình"]


def names(objects):
    return {str(obj) for obj in objects}


def agency_list(client, query):
    response = client.get(reverse("wagtailsnippets_practices_agency:list_results"), {"q": query})
    assert response.status_code == 200
    return names(response.context["object_list"])


def agency_chooser(client, query):
    response = client.get(
        reverse("wagtailsnippetchoosers_practices_agency:choose_results"), {"q": query}
    )
    assert response.status_code == 200
    return names(response.context["results"])


@pytest.mark.parametrize("search", [agency_list, agency_chooser], ids=["list", "chooser"])
def test_agency_searches_fold_diacritics_and_tone_placement(admin_client, seeded, search):
    for query in BAC_NINH:
        assert search(admin_client, query) == {"Tỉnh Bắc Ninh", "Tỉnh Bắc Ninh (đến 30/06/2025)"}
    for query in HOA_BINH:
        assert search(admin_client, query) == {"Tỉnh Hoà Bình (đến 30/06/2025)"}
    assert search(admin_client, "bac ninh giang") == set()  # every word must be found
    assert search(admin_client, "24") >= {"Tỉnh Bắc Ninh", "Tỉnh Bắc Giang (đến 30/06/2025)"}


def test_the_adoption_list_search_folds_agency_names_and_practice_titles(admin_client, seeded):
    practice = factories.practice(title="Một cửa điện tử thử nghiệm")
    bac_ninh = factories.adoption(practice, Agency.objects.resolve("24"), decided_on=None)
    hoa_binh = Agency.objects.get(name="Tỉnh Hoà Bình")

    def found(query):
        response = admin_client.get(
            reverse("wagtailsnippets_practices_adoption:list_results"), {"q": query}
        )
        assert response.status_code == 200
        return {obj.pk for obj in response.context["object_list"]}

    for query in BAC_NINH:
        assert found(query) == {bac_ninh.pk}
    for query in HOA_BINH:
        assert found(query) == set(hoa_binh.adoptions.values_list("pk", flat=True)) != set()
    assert found("mot cua dien tu") == {bac_ninh.pk}
    assert found("Một cửa điện tử") == {bac_ninh.pk}
    assert found("một cửa hoà bình") == set()


def test_the_source_chooser_search_folds_agency_names_and_practice_titles(admin_client, seeded):
    """The "Học tập từ" chooser: a list of every public record, searched as the list is."""
    practice = factories.practice(title="Một cửa điện tử thử nghiệm")
    bac_ninh = factories.adoption(practice, Agency.objects.resolve("24"), decided_on=None)

    def found(query):
        response = admin_client.get(
            reverse("wagtailsnippetchoosers_practices_adoption:choose_results"), {"q": query}
        )
        assert response.status_code == 200
        return {obj.pk for obj in response.context["results"]}

    for query in BAC_NINH + ["mot cua dien tu", "Một cửa điện tử"]:
        assert found(query) == {bac_ninh.pk}
    hoa_binh = set(Agency.objects.get(name="Tỉnh Hoà Bình").adoptions.values_list("pk", flat=True))
    for query in HOA_BINH:
        assert found(query) == hoa_binh != set()


@pytest.fixture
def pages(seeded):
    return (
        factories.practice(title="Một cửa liên thông tỉnh Bắc Ninh"),
        factories.practice(title="Tiếp nhận hồ sơ tại Hòa Bình"),
    )


def explorer_search(client, query):
    response = client.get(reverse("wagtailadmin_pages:search_results"), {"q": query})
    assert response.status_code == 200
    return {page.title for page in response.context["object_list"]}


def explorer_listing(client, query):
    index = PracticePage.objects.first().get_parent()
    response = client.get(reverse("wagtailadmin_explore", args=[index.pk]), {"q": query})
    assert response.status_code == 200
    return {page.title for page in response.context["object_list"]}


def page_chooser(client, query):
    response = client.get(reverse("wagtailadmin_choose_page_search"), {"q": query})
    assert response.status_code == 200
    return {page.title for page in response.context["pages"]}


@pytest.mark.parametrize(
    "search",
    [explorer_search, explorer_listing, page_chooser],
    ids=["search", "explorer", "chooser"],
)
def test_page_searches_fold_diacritics_and_tone_placement(admin_client, pages, search):
    bac_ninh, hoa_binh = pages
    for query in BAC_NINH:
        assert bac_ninh.title in search(admin_client, query)
        assert hoa_binh.title not in search(admin_client, query)
    for query in HOA_BINH:
        assert hoa_binh.title in search(admin_client, query)
    # Titles of other pages are found as before, as written.
    assert "Ứng dụng trợ lý ảo để hướng dẫn người dân dùng dịch vụ công trực tuyến" in search(
        admin_client, "trợ lý ảo"
    )


def test_the_backend_searches_each_text_as_typed_or_folded():
    """What the page searches rely on, whatever the database: on PostgreSQL nothing else
    folds the words typed ("hoà" and "hòa" are different words to its full-text search)."""
    query = with_folded(And([PlainText("Hoà Bình"), Not(Phrase("Bắc Ninh")), PlainText("24")]))
    hoa_binh, negated, number = query.subqueries
    assert [q.query_string for q in hoa_binh.subqueries] == ["Hoà Bình", "hoa binh"]
    assert isinstance(negated, Not)
    assert [q.query_string for q in negated.subquery.subqueries] == ["Bắc Ninh", "bac ninh"]
    assert isinstance(number, PlainText) and number.query_string == "24"
