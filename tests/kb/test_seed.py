"""The demo catalogue loaded by `load_seed`: the facts of the source article (22/11/2022),
loaded once, idempotently, and all or nothing."""

import datetime
import io

from django.core.management import CommandError, call_command

from wagtail.models import Page, Revision, Site

import pytest

from kb.models import GlossaryTermPage, GuidancePage, LegalDocumentPage, Source
from kb.seed import CATALOGUE_PATH
from practices.models import (
    Adoption,
    AdoptionResult,
    AdoptionStatus,
    Agency,
    AgencyKind,
    EvidenceLevel,
    PracticeCategory,
    PracticePage,
    Succession,
)

ARTICLE_DATE = datetime.date(2022, 11, 22)
CANONICAL_CATEGORIES = {
    "targets",
    "ux",
    "fees",
    "processing-time",
    "paperless",
    "virtual-assistant",
}
TARGET_PROVINCES = {
    "Tỉnh Hà Tĩnh",
    "Tỉnh Bắc Giang",
    "Tỉnh Quảng Nam",
    "Tỉnh Quảng Ngãi",
    "Tỉnh Bến Tre",
    "Tỉnh Thái Nguyên",
    "Tỉnh Điện Biên",
    "Tỉnh Lạng Sơn",
    "Tỉnh Sóc Trăng",
    "Tỉnh Lào Cai",
    "Tỉnh Hoà Bình",  # spelt with the old tone-mark placement in the reference data
    "Tỉnh Vĩnh Long",
    "Tỉnh Thái Bình",
    "Tỉnh Bắc Kạn",
    "Tỉnh Kon Tum",
    "Tỉnh Cà Mau",
}
TARGET_MINISTRIES = {"Bộ Khoa học và Công nghệ", "Bộ Nông nghiệp và Phát triển nông thôn"}
FEE_ADOPTERS = {
    "Thành phố Hồ Chí Minh",
    "Tỉnh Lạng Sơn",
    "Tỉnh Thái Bình",
    "Tỉnh Quảng Ngãi",
    "Tỉnh Thái Nguyên",
    "Tỉnh Bắc Giang",
    "Tỉnh Long An",
}

pytestmark = pytest.mark.django_db


def _quiet():
    return io.StringIO()


def _load_seed(*args):
    call_command("load_seed", *args, verbosity=0, stdout=_quiet())


def _adopters(category):
    return Adoption.objects.filter(practice__category__code=category).select_related("agency")


def _counts():
    return {
        "agencies": Agency.objects.count(),
        "successions": Succession.objects.count(),
        "pages": Page.objects.count(),
        "practices": PracticePage.objects.count(),
        "adoptions": Adoption.objects.count(),
        "results": AdoptionResult.objects.count(),
        "sources": Source.objects.count(),
        "categories": PracticeCategory.objects.count(),
        "adoption_revisions": Revision.objects.filter(base_content_type__model="adoption").count(),
    }


# --- the practices -------------------------------------------------------------------------


def test_six_live_practices_one_per_canonical_category(seeded):
    practices = PracticePage.objects.live()
    assert practices.count() == 6
    codes = [page.category.code for page in practices]
    assert sorted(codes) == sorted(CANONICAL_CATEGORIES)
    assert set(PracticeCategory.objects.values_list("code", flat=True)) == CANONICAL_CATEGORIES


def test_targets_adopted_by_two_ministries_and_sixteen_provinces(seeded):
    adoptions = list(_adopters("targets"))
    assert len(adoptions) == 18
    ministries = {a.agency.name for a in adoptions if a.agency.kind == AgencyKind.MINISTRY}
    provinces = {a.agency.name for a in adoptions if a.agency.kind == AgencyKind.PROVINCE}
    assert ministries == TARGET_MINISTRIES
    assert provinces == TARGET_PROVINCES
    assert len({a.agency_id for a in adoptions}) == 18


def test_fees_adopted_by_seven_provincial_units(seeded):
    adoptions = list(_adopters("fees"))
    assert len(adoptions) == 7
    assert {a.agency.name for a in adoptions} == FEE_ADOPTERS
    hcmc = next(a.agency for a in adoptions if a.agency.name == "Thành phố Hồ Chí Minh")
    assert hcmc.kind == AgencyKind.CITY
    long_an = next(a.agency for a in adoptions if a.agency.name == "Tỉnh Long An")
    # Long An's code 80 is Tây Ninh's today; the record stays with the 2022 unit.
    assert long_an.code == "80" and long_an.valid_to == datetime.date(2025, 6, 30)


def test_da_nang_science_department_returns_results_10_to_20_percent_early(seeded):
    adoption = _adopters("processing-time").get()
    department = adoption.agency
    assert department.name == "Sở Khoa học và Công nghệ thành phố Đà Nẵng"
    assert department.kind == AgencyKind.DEPARTMENT
    assert department.parent.name == "Thành phố Đà Nẵng"
    assert department.parent.is_valid_on(ARTICLE_DATE)

    result = adoption.results.get()
    assert result.indicator.code == "processing-time-reduction"
    assert result.value == 10
    assert result.value_max == 20
    assert result.display_value == "10–20 %"


def test_ministry_of_education_piloted_paperless_service(seeded):
    adoption = _adopters("paperless").get()
    assert adoption.agency.name == "Bộ Giáo dục và Đào tạo"
    assert adoption.status == AdoptionStatus.ADOPTED


def test_ux_and_virtual_assistant_have_no_adopters(seeded):
    assert not _adopters("ux").exists()
    assert not _adopters("virtual-assistant").exists()


def test_every_seed_adoption_is_documented_and_dated_on_the_article(seeded):
    adoptions = list(Adoption.objects.select_related("agency", "source"))
    assert len(adoptions) == 18 + 7 + 1 + 1
    for adoption in adoptions:
        assert adoption.status == AdoptionStatus.ADOPTED, adoption
        assert adoption.evidence_level == EvidenceLevel.DOCUMENTED, adoption
        assert adoption.decided_on == ARTICLE_DATE, adoption
        assert adoption.agency.is_valid_on(ARTICLE_DATE), adoption
        assert adoption.source.key == "cchc-2022-11-22", adoption


def test_every_seed_adoption_has_a_revision(seeded):
    adoptions = list(Adoption.objects.all())
    assert adoptions
    for adoption in adoptions:
        assert adoption.revisions.count() >= 1, adoption
        assert adoption.latest_revision is not None, adoption


# --- the knowledge base and the citation ---------------------------------------------------


def test_glossary_and_legal_pages_exist_and_are_live(seeded):
    glossary = {page.term: page for page in GlossaryTermPage.objects.all()}
    assert set(glossary) == {"DVCTT toàn trình", "DVCTT một phần"}
    assert all(page.live for page in glossary.values())

    legal = LegalDocumentPage.objects.get(document_number="42/2022/NĐ-CP")
    assert legal.live
    assert legal.issuer == "Chính phủ"
    assert legal.issued_on == datetime.date(2022, 6, 24)

    assert GuidancePage.objects.live().filter(slug="nhan-rong-sau-giai-phap-dvctt").exists()


def test_source_citation_carries_the_article_date(seeded):
    source = Source.objects.get(key="cchc-2022-11-22")
    assert source.published_on == ARTICLE_DATE
    assert "22/11/2022" in source.citation
    assert source.title in source.citation


# --- idempotence ---------------------------------------------------------------------------


def test_running_load_seed_twice_changes_no_counts(seeded):
    before = _counts()
    _load_seed()
    assert _counts() == before


def test_running_load_seed_again_keeps_an_editors_change_to_a_practice(seeded):
    page = PracticePage.objects.get(slug="giam-phi-le-phi-dvctt")
    page.summary = "Tóm tắt do biên tập viên sửa."
    page.save_revision().publish()

    _load_seed()

    page.refresh_from_db()
    assert page.summary == "Tóm tắt do biên tập viên sửa."


def test_running_load_seed_again_keeps_an_editors_change_to_the_source(seeded):
    # The seed promises to leave existing records "as editors made them". The article's URL is
    # unknown in the catalogue; an editor who finds it must not lose it on the next run.
    source = Source.objects.get(key="cchc-2022-11-22")
    source.url = "https://example.gov.vn/bai-viet"
    source.save()

    _load_seed()

    source.refresh_from_db()
    assert source.url == "https://example.gov.vn/bai-viet"


# --- all or nothing ------------------------------------------------------------------------

BROKEN_ADOPTIONS = {
    "unknown agency code": """
[[adoptions]]
practice = "giam-phi-le-phi-dvctt"
agency = "99"
agency_on = 2022-11-22
status = "adopted"
decided_on = 2022-11-22
evidence_level = "documented"
""",
    "unknown practice": """
[[adoptions]]
practice = "khong-co-giai-phap-nay"
agency = "20"
agency_on = 2022-11-22
status = "adopted"
decided_on = 2022-11-22
evidence_level = "documented"
""",
    "unit not in existence on the decision date": """
[[adoptions]]
practice = "giam-phi-le-phi-dvctt"
agency = "27"
agency_on = 2022-11-22
status = "adopted"
decided_on = 2025-08-01
evidence_level = "documented"
""",
}


def _catalogue_with_new_records(broken):
    """The seed catalogue with a new source, department, practice and knowledge page, so a
    run would write new rows before reaching the broken adoption at the end."""
    text = CATALOGUE_PATH.read_text(encoding="utf-8")
    replacements = [
        ('key = "cchc-2022-11-22"', 'key = "nguon-moi"'),
        ('source = "cchc-2022-11-22"', 'source = "nguon-moi"'),
        (
            'code = "cuc-kiem-soat-thu-tuc-hanh-chinh"\nname = "Cục Kiểm soát thủ tục hành chính"',
            'code = "cuc-moi"\nname = "Cục Mới"',
        ),
        ('slug = "tro-ly-ao-huong-dan-dvctt"', 'slug = "tro-ly-ao-moi"'),
        (
            'practice = "giam-phi-le-phi-dvctt"\nagency = "79"',
            'practice = "giam-phi-le-phi-dvctt"\nagency = "01"',
        ),
        ('slug = "dvctt-mot-phan"', 'slug = "thuat-ngu-moi"'),
    ]
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    return text + broken


@pytest.mark.parametrize("broken", BROKEN_ADOPTIONS.values(), ids=BROKEN_ADOPTIONS.keys())
def test_a_broken_catalogue_raises_command_error_and_writes_nothing(seeded, tmp_path, broken):
    path = tmp_path / "catalogue.toml"
    path.write_text(_catalogue_with_new_records(broken), encoding="utf-8")
    before = _counts()
    pages_before = set(Page.objects.values_list("pk", flat=True))
    site_root_before = Site.objects.get(is_default_site=True).root_page_id

    with pytest.raises(CommandError):
        call_command("load_seed", "--catalogue", str(path), verbosity=0, stdout=_quiet())

    assert not Source.objects.filter(key="nguon-moi").exists()
    assert not Agency.objects.filter(code="cuc-moi").exists()
    assert not PracticePage.objects.filter(slug="tro-ly-ao-moi").exists()
    assert not GlossaryTermPage.objects.filter(slug="thuat-ngu-moi").exists()
    assert not Adoption.objects.filter(agency__code="01").exists()
    assert set(Page.objects.values_list("pk", flat=True)) == pages_before
    assert Site.objects.get(is_default_site=True).root_page_id == site_root_before
    assert _counts() == before


def test_the_command_error_names_the_unknown_agency_code(seeded, tmp_path):
    path = tmp_path / "catalogue.toml"
    path.write_text(_catalogue_with_new_records(BROKEN_ADOPTIONS["unknown agency code"]))

    with pytest.raises(CommandError, match="“99”"):
        call_command("load_seed", "--catalogue", str(path), verbosity=0, stdout=_quiet())


def test_the_modified_catalogue_itself_loads(seeded, tmp_path):
    # Guards the test above: without the broken adoption, the new records are written.
    path = tmp_path / "catalogue.toml"
    path.write_text(_catalogue_with_new_records(""), encoding="utf-8")

    _load_seed("--catalogue", str(path))

    assert Source.objects.filter(key="nguon-moi").exists()
    assert Agency.objects.filter(code="cuc-moi").exists()
    assert PracticePage.objects.filter(slug="tro-ly-ao-moi").live().exists()
    assert GlossaryTermPage.objects.filter(slug="thuat-ngu-moi").live().exists()
    assert Adoption.objects.filter(agency__code="01").exists()


def test_a_missing_catalogue_file_raises_command_error(seeded, tmp_path):
    before = _counts()
    with pytest.raises(CommandError):
        call_command("load_seed", "--catalogue", str(tmp_path / "khong-co.toml"), stdout=_quiet())
    assert _counts() == before
