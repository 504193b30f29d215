"""ASCII slugs from Vietnamese titles (kb.slugs), the page form's Vietnamese answer to a slug
already taken, the searchable agency select of the page forms, and creation without autosave."""

import csv
import re
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from wagtail.models import get_page_models

import pytest

from kb.models import AsciiSlugMixin, GuidancePage, KnowledgeIndexPage
from kb.slugs import BROWSER_RULES, MAX_LENGTH, slugify_vi
from practices.models import Agency, PracticeCategory, PracticeIndexPage, PracticePage
from practices.resources import import_practices

REFERENCE = settings.BASE_DIR / "fixtures" / "reference"


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Đăng ký khai sinh trực tuyến", "dang-ky-khai-sinh-truc-tuyen"),
        ("ĐỒNG BẰNG SÔNG CỬU LONG", "dong-bang-song-cuu-long"),
        # Both placements of the tone mark, and a title typed in decomposed form.
        ("Thanh Hoá", "thanh-hoa"),
        ("Thanh Hóa", "thanh-hoa"),
        (unicodedata.normalize("NFD", "Thủy lợi Đắk Lắk"), "thuy-loi-dak-lak"),
        # Punctuation separates words, as the seed's slugs are written.
        ("Nghị định 42/2022/NĐ-CP", "nghi-dinh-42-2022-nd-cp"),
        ("“Một cửa” – liên thông, điện tử!", "mot-cua-lien-thong-dien-tu"),
        ("Sở KH&CN Đà Nẵng", "so-kh-cn-da-nang"),
        ("???", "trang"),
    ],
)
def test_a_vietnamese_title_makes_an_ascii_slug(title, slug):
    assert slugify_vi(title) == slug


def test_a_long_title_is_cut_at_a_word_within_the_limit():
    title = "Nghị định số 42/2022/NĐ-CP ngày 24/6/2022 của Chính phủ quy định về việc cung cấp "
    title += "thông tin và dịch vụ công trực tuyến của cơ quan nhà nước trên môi trường mạng"
    slug = slugify_vi(title)
    assert slug == "nghi-dinh-so-42-2022-nd-cp-ngay-24-6-2022-cua-chinh-phu-quy-dinh-ve-viec-cung"
    assert len(slug) <= MAX_LENGTH and not slug.endswith("-")
    assert slugify_vi("x" * 100) == "x" * MAX_LENGTH


def test_slugs_are_made_as_the_reference_data_writes_agency_slugs():
    with open(REFERENCE / "central_agencies.csv", encoding="utf-8-sig") as handle:
        central = list(csv.DictReader(handle))
    assert central and all(slugify_vi(row["name_vi"]) == row["slug"] for row in central)
    for name in ("provinces_2008_2025.csv", "provinces_2025.csv"):
        with open(REFERENCE / name, encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
        assert rows
        for row in rows:
            assert slugify_vi(row["short_name"]) == row["slug"].replace("_", "-"), row


def test_the_seed_departments_slugs_are_their_names_slugs(seeded):
    departments = Agency.objects.filter(kind="department", valid_to__isnull=True)
    assert departments.exists()
    for agency in departments:
        assert agency.slug == slugify_vi(agency.name)


def test_the_browser_rules_fold_every_vietnamese_letter_as_the_server_does():
    """The slug widget's formatters, applied as the browser applies them (in order, every
    match), give the server's slug before the widget's own clean-up (lower case)."""
    letters = "aàáạảãâầấậẩẫăằắặẳẵeèéẹẻẽêềếệểễiìíịỉĩoòóọỏõôồốộổỗơờớợởỡuùúụủũưừứựửữyỳýỵỷỹđ"
    titles = [letters, letters.upper(), unicodedata.normalize("NFD", letters), "Nghị định 42"]
    for title in titles:
        value = title
        for pattern, replacement in BROWSER_RULES:
            value = re.sub(pattern, replacement.replace("$1", r"\1"), value)
        assert value.lower() == slugify_vi(title), title


def test_every_page_type_of_the_site_makes_ascii_slugs():
    site_pages = [m for m in get_page_models() if m._meta.app_label in {"kb", "practices"}]
    assert {m.__name__ for m in site_pages} >= {"HomePage", "PracticePage", "GuidancePage"}
    assert all(issubclass(model, AsciiSlugMixin) for model in site_pages)


def test_a_page_saved_without_a_slug_gets_one_from_its_title(seeded):
    index = PracticeIndexPage.objects.get()
    category = PracticeCategory.objects.first()
    first = index.add_child(
        instance=PracticePage(title="Đăng ký đất đai trực tuyến", summary="x", category=category)
    )
    second = index.add_child(
        instance=PracticePage(title="Đăng ký đất đai trực tuyến", summary="x", category=category)
    )
    assert (first.slug, second.slug) == (
        "dang-ky-dat-dai-truc-tuyen",
        "dang-ky-dat-dai-truc-tuyen-2",
    )
    guidance = KnowledgeIndexPage.objects.get().add_child(
        instance=GuidancePage(title="Hướng dẫn đo lường mức độ hài lòng")
    )
    assert guidance.slug == "huong-dan-do-luong-muc-do-hai-long"


def test_a_page_saved_in_code_with_a_taken_slug_is_refused_in_vietnamese(seeded):
    index = PracticeIndexPage.objects.get()
    taken = PracticePage.objects.get(slug="tro-ly-ao-huong-dan-dvctt")
    page = PracticePage(
        title="Trợ lý ảo", slug=taken.slug, summary="x", category=PracticeCategory.objects.first()
    )
    with pytest.raises(ValidationError) as error:
        index.add_child(instance=page)
    message = error.value.message_dict["slug"][0]
    assert message == (
        f"Đường dẫn “{taken.slug}” đã được dùng cho trang “{taken.title}” (đang công khai) "
        "trong cùng mục."
    )


def test_an_imported_practice_without_a_slug_gets_its_titles_slug(seeded):
    header = "Tên sáng kiến,Nhóm,Tóm tắt"
    row = "Nộp hồ sơ đất đai qua Cổng DVC quốc gia,paperless,Tóm tắt."
    report = import_practices(f"{header}\r\n{row}".encode(), "csv")
    assert report.ok, [str(e) for e in report.errors]
    assert PracticePage.objects.filter(slug="nop-ho-so-dat-dai-qua-cong-dvc-quoc-gia").exists()


# --- The admin's page form ------------------------------------------------------------------


def create_url(parent, model=PracticePage):
    return reverse(
        "wagtailadmin_pages:add", args=[model._meta.app_label, model._meta.model_name, parent.pk]
    )


def practice_form(title, **fields):
    data = {
        "title": title,
        "slug": slugify_vi(title),
        "summary": "Tóm tắt.",
        "category": PracticeCategory.objects.first().pk,
        "body-count": "0",
        "comments-TOTAL_FORMS": "0",
        "comments-INITIAL_FORMS": "0",
        "comments-MIN_NUM_FORMS": "0",
        "comments-MAX_NUM_FORMS": "1000",
        "action-save": "1",
    }
    data.update(fields)
    return data


@pytest.fixture
def index(seeded):
    return PracticeIndexPage.objects.get()


def make_draft(index, title):
    page = index.add_child(
        instance=PracticePage(
            title=title, summary="x", category=PracticeCategory.objects.first(), live=False
        )
    )
    page.save_revision()
    return page


@pytest.mark.parametrize("live", [False, True])
def test_creating_a_page_whose_slug_exists_names_the_page_with_a_link(admin_client, index, live):
    existing = make_draft(index, "Đăng ký khai sinh trực tuyến")
    if live:
        existing.save_revision().publish()
    state = "đang công khai" if live else "bản nháp, chưa công khai"
    pages = PracticePage.objects.count()

    response = admin_client.post(create_url(index), practice_form("Đăng ký khai sinh trực tuyến"))

    assert response.status_code == 200
    assert PracticePage.objects.count() == pages
    errors = response.context["form"].errors
    edit_url = reverse("wagtailadmin_pages:edit", args=[existing.pk])
    link = f'<a href="{edit_url}" data-slug-taken-link>Mở trang “Đăng ký khai sinh trực tuyến” để sửa tiếp</a>'
    assert errors["slug"] == [
        "Đường dẫn “dang-ky-khai-sinh-truc-tuyen” đã được dùng cho trang “Đăng ký khai sinh trực "
        f"tuyến” ({state}) trong cùng mục. {link} hoặc đặt đường dẫn khác."
    ]
    # The slug came from the title: the title field, on the first tab, says it too.
    assert errors["title"] == [
        "Tiêu đề này cho đường dẫn “dang-ky-khai-sinh-truc-tuyen”, đã được dùng cho trang “Đăng "
        f"ký khai sinh trực tuyến” ({state}) trong cùng mục. {link}, hoặc đổi tiêu đề hay đường "
        "dẫn nếu đây là một trang khác."
    ]
    html = response.content.decode()
    assert link in html  # rendered as a link, not escaped
    assert "already in use" not in html


def test_a_slug_typed_by_hand_that_is_taken_is_named_on_the_slug_field_only(admin_client, index):
    existing = make_draft(index, "Một cửa điện tử")
    data = practice_form("Một cửa điện tử cấp tỉnh", slug=existing.slug)
    errors = admin_client.post(create_url(index), data).context["form"].errors
    assert "Một cửa điện tử" in errors["slug"][0] and "title" not in errors


def test_a_slug_with_diacritics_typed_by_hand_is_refused(admin_client, index):
    data = practice_form("Một cửa điện tử", slug="một-cửa")
    errors = admin_client.post(create_url(index), data).context["form"].errors
    assert errors["slug"] == [
        "Đường dẫn chỉ gồm chữ thường không dấu (a–z), chữ số và dấu gạch ngang, ví dụ “mot-cua”."
    ]


def test_a_new_page_is_saved_with_its_ascii_slug_and_several_agencies(admin_client, index):
    agencies = list(Agency.objects.filter(slug__in=["bac-ninh", "bac-ninh-den-2025", "bo-cong-an"]))
    assert len(agencies) == 3
    data = practice_form("Đăng ký đất đai trực tuyến")
    response = admin_client.post(
        create_url(index), {**data, "published_by": [a.pk for a in agencies]}
    )
    assert response.status_code == 302
    page = PracticePage.objects.get(slug="dang-ky-dat-dai-truc-tuyen")
    draft = page.get_latest_revision_as_object()
    assert {a.slug for a in draft.published_by.all()} == {a.slug for a in agencies}


def test_the_agency_select_is_searchable_and_labels_units_with_their_periods(admin_client, index):
    html = admin_client.get(create_url(index)).content.decode()
    select = re.search(r'<select name="published_by"[^>]*>(.*?)</select>', html, re.S)
    assert select and 'data-controller="kb-multiselect"' in select.group(0)
    labels = re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>', select.group(1))
    assert "Tỉnh Bắc Ninh (đến 30/06/2025)" in labels and "Tỉnh Bắc Ninh (từ 01/07/2025)" in labels
    assert "js/multiselect.js" in html and "tom-select.popular.min.js" in html


def editor_form_controllers(html):
    form = re.search(r'<form\s+id="page-edit-form".*?data-controller="([^"]*)"', html, re.S)
    assert form, "no page editor form"
    return form.group(1).split()


def test_the_create_screen_has_no_autosave_and_the_edit_screen_keeps_it(admin_client, index):
    create = admin_client.get(create_url(index)).content.decode()
    assert "w-autosave" not in editor_form_controllers(create)
    assert "w-autosave-indicator" not in create
    page = PracticePage.objects.first()
    edit = admin_client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content.decode()
    assert "w-autosave" in editor_form_controllers(edit)


def test_every_page_type_is_created_without_autosave(admin_client, seeded):
    knowledge = KnowledgeIndexPage.objects.get()
    create = admin_client.get(create_url(knowledge, GuidancePage)).content.decode()
    assert "w-autosave" not in editor_form_controllers(create)
