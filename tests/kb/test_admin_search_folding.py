"""Every search box of the admin finds Vietnamese typed without diacritics, with the tone mark
placed either way ("hoà"/"hòa", "thuỷ"/"thủy") and as written.

The record under test is named the old way ("Hoà … Thuỷ"); it is searched folded, the new way
and as written, and a query with one word it lacks does not find it. Lists that Wagtail's
search backend serves (pages, images, documents) are searched through its index, which the
saves below keep up to date as the admin's do (kb.search_backend); the others fold in the
database query or in Python (kb.admin_search). Agencies and adoptions:
tests/practices/test_admin_search.py.
"""

import io

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.urls import reverse

from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, get_page_models
from wagtail.search import index

import pytest
from PIL import Image as PillowImage

from kb.admin_search import FoldedFields
from kb.models import GlossaryTermPage, GuidancePage, KnowledgeIndexPage, LegalDocumentPage, Source
from kb.search_backend import FoldedAutocompleteField, FoldedSearchField, folded_search_fields
from practices.models import Indicator
from reporting.models import AgencyMembership
from search.models import SynonymGroup
from tests import factories

pytestmark = pytest.mark.django_db

# The older placement of the tone marks, đ, and letters with two marks (ư + sắc, â + ngã),
# which SQLite's full-text tokenizer does not fold by itself.
NAME = "Hướng dẫn hoà giải ở Đồng Thuỷ"
FOUND = [
    "huong dan hoa giai dong thuy",
    "Hướng dẫn hòa giải Đồng Thủy",
    "Hướng dẫn hoà giải ở Đồng Thuỷ",
    "HUONG DAN DONG",
]
NOT_FOUND = ["huong dan hoa giai dong thuy ba vi", "hướng dẫn hòa giải ba vì"]


def _found(client, url_name, context_key, query, label, args=()):
    response = client.get(reverse(url_name, args=args), {"q": query})
    assert response.status_code == 200
    return {label(obj) for obj in response.context[context_key]}


def assert_folds(search, name=NAME):
    for query in FOUND:
        assert name in search(query), query
    for query in NOT_FOUND:
        assert name not in search(query), query


# == Pages: the explorer's search, "Tìm kiếm" in the header, the page chooser =============


def page_title(page):
    return page.title


PAGE_SEARCHES = {
    "header search": lambda client, q: _found(
        client, "wagtailadmin_pages:search_results", "object_list", q, page_title
    ),
    "explorer": lambda client, q: _found(
        client,
        "wagtailadmin_explore",
        "object_list",
        q,
        page_title,
        args=[KnowledgeIndexPage.objects.get().pk],
    ),
    "page chooser": lambda client, q: _found(
        client, "wagtailadmin_choose_page_search", "pages", q, page_title
    ),
}


def knowledge_page(page_class, title, **fields):
    index = KnowledgeIndexPage.objects.get()
    fields.setdefault("summary", "Tóm tắt")
    page = index.add_child(instance=page_class(title=title, **fields))
    page.save_revision().publish()
    return page


KNOWLEDGE_PAGES = {
    GuidancePage: {},
    LegalDocumentPage: {"document_number": "01/2025/TT-BTP"},
    GlossaryTermPage: {"term": "hoà giải"},
}


@pytest.mark.parametrize("search", PAGE_SEARCHES.values(), ids=PAGE_SEARCHES.keys())
@pytest.mark.parametrize("page_class", KNOWLEDGE_PAGES, ids=lambda cls: cls.__name__)
def test_knowledge_pages_are_found_folded(admin_client, seeded, page_class, search):
    title = f"{NAME} ({page_class.__name__})"
    knowledge_page(page_class, title, **KNOWLEDGE_PAGES[page_class])
    assert_folds(lambda query: search(admin_client, query), name=title)
    assert title in search(admin_client, "huong dan")


COPIES = {index.SearchField: FoldedSearchField, index.AutocompleteField: FoldedAutocompleteField}


def test_every_page_type_indexes_a_folded_copy_of_each_text_it_searches():
    """A page type added later and left out of the folding fails here."""
    for model in get_page_models():
        if model is Page:
            continue
        fields = model.get_search_fields()
        kinds = {(type(field), field.field_name) for field in fields}
        for field in fields:
            if type(field) in COPIES:
                assert (COPIES[type(field)], field.field_name) in kinds, (model, field)


def test_folded_copies_are_added_once():
    def kinds(fields):
        return [(type(field), field.field_name) for field in fields]

    fields = folded_search_fields(Page.search_fields)
    assert (FoldedSearchField, "title") in kinds(fields)
    assert kinds(folded_search_fields(fields)) == kinds(fields)


# == The image and document libraries, and their choosers ================================


def title_of(obj):
    return obj.title


def image(title):
    buffer = io.BytesIO()
    PillowImage.new("RGB", (4, 4), "white").save(buffer, "PNG")
    return get_image_model().objects.create(
        title=title, file=ImageFile(buffer, name="hoa-giai.png")
    )


def document(title):
    return get_document_model().objects.create(
        title=title, file=ContentFile(b"%PDF-1.4\n", name="hoa-giai.pdf")
    )


LIBRARIES = {
    "images": (image, "wagtailimages:index_results", "object_list"),
    "image chooser": (image, "wagtailimages_chooser:choose_results", "results"),
    "documents": (document, "wagtaildocs:index_results", "object_list"),
    "document chooser": (document, "wagtaildocs_chooser:choose_results", "results"),
}


@pytest.mark.parametrize("make, url_name, key", LIBRARIES.values(), ids=LIBRARIES.keys())
def test_library_titles_are_found_folded(admin_client, seeded, make, url_name, key):
    make(NAME)
    assert_folds(lambda query: _found(admin_client, url_name, key, query, title_of))


def test_image_tags_are_found_folded(admin_client, seeded):
    picture = image("Ảnh số 1")
    picture.tags.add("Thuỷ lợi Đức Phổ")
    picture.save()  # tags are indexed with the image, as the admin's form saves them

    def search(query):
        return _found(admin_client, "wagtailimages:index_results", "object_list", query, title_of)

    for query in ["thuy loi duc pho", "thủy lợi Đức Phổ", "Thuỷ lợi Đức Phổ"]:
        assert "Ảnh số 1" in search(query), query
    assert "Ảnh số 1" not in search("thuy dien duc pho")


# == Snippet lists and choosers searched in the database =================================


def source():
    Source.objects.create(key="hoa-giai", title=NAME, publisher="Bộ Tư pháp")


def synonym_group():
    SynonymGroup.objects.create(terms=f"{NAME}\nHGXT", note="thử")


def indicator():
    Indicator.objects.create(code="hoa-giai", name=NAME, unit="%")


def succession():
    old = factories.agency(name=f"Xã {NAME}")
    factories.succession(old, factories.agency(name="Xã Mới"))


# model (app_label_modelname) → (make the record, the record's label in the results)
SNIPPETS = {
    "kb_source": (source, str),
    "search_synonymgroup": (synonym_group, lambda group: group.variants[0]),
    "practices_indicator": (indicator, lambda obj: obj.name),
    "practices_succession": (succession, lambda link: link.predecessor.name.removeprefix("Xã ")),
}
VIEWS = {
    "list": ("wagtailsnippets_{}:list_results", "object_list"),
    "chooser": ("wagtailsnippetchoosers_{}:choose_results", "results"),
}


@pytest.mark.parametrize("url_name, key", VIEWS.values(), ids=VIEWS.keys())
@pytest.mark.parametrize("model", SNIPPETS)
def test_snippets_are_found_folded(admin_client, seeded, model, url_name, key):
    make, label = SNIPPETS[model]
    make()
    url_name = url_name.format(model)
    assert_folds(lambda query: _found(admin_client, url_name, key, query, label))


def test_a_snippet_chooser_shows_its_search_box(admin_client, seeded):
    response = admin_client.get(reverse("wagtailsnippetchoosers_practices_indicator:choose"))
    assert response.status_code == 200
    assert 'name="q"' in response.json()["html"]


@pytest.fixture
def official(seeded):
    return get_user_model().objects.create_user(
        "can-bo-hoa-giai",
        "hoagiai@example.org",
        "x",
        first_name="Thuỷ",
        last_name="Đặng Thị",
    )


def test_memberships_are_found_by_the_reporters_name_and_the_units_name(admin_client, official):
    agency = factories.agency(name=f"Xã {NAME}")
    AgencyMembership.objects.create(user=official, agency=agency)

    def search(query):
        return _found(
            admin_client,
            "wagtailsnippets_reporting_agencymembership:list_results",
            "object_list",
            query,
            lambda membership: membership.agency.name.removeprefix("Xã "),
        )

    assert_folds(search)
    for query in ["dang thi thuy", "Đặng Thị Thủy", "can-bo-hoa-giai", "hoagiai@example"]:
        assert NAME in search(query), query


# == Users and groups ====================================================================


def test_users_are_found_folded(admin_client, official):
    def search(query):
        return _found(
            admin_client,
            "wagtailusers_users:index_results",
            "object_list",
            query,
            lambda user: user.get_full_name(),
        )

    for query in ["dang thi thuy", "Đặng Thị Thủy", "Thuỷ", "can-bo-hoa"]:
        assert "Thuỷ Đặng Thị" in search(query), query
    assert "Thuỷ Đặng Thị" not in search("dang van thuy")


def test_groups_are_found_folded(admin_client, seeded):
    Group.objects.create(name=f"Tổ {NAME}")

    def search(query):
        return _found(
            admin_client,
            "wagtailusers_groups:index_results",
            "object_list",
            query,
            lambda group: group.name.removeprefix("Tổ "),
        )

    assert_folds(search)


def test_every_word_must_be_found_in_one_of_the_fields():
    search = FoldedFields("title", "publisher")
    Source.objects.create(key="a", title="Hoà giải", publisher="Bộ Tư pháp")
    Source.objects.create(key="b", title="Hoà giải", publisher="Sở Nội vụ")
    found = search(Source.objects.all(), "hoa giai tu phap")
    assert list(found.values_list("key", flat=True)) == ["a"]
    assert search(Source.objects.all(), "   ").count() == Source.objects.count()
