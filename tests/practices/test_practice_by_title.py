"""The adoption import's practice column: a slug, or the practice's title typed by hand
(folded as agency names are), with the candidates named when a title fits none or several."""

from django.contrib.auth import get_user_model
from django.core.management import call_command

import pytest

from practices.models import Adoption, Agency, PracticePage
from practices.resources import import_adoptions
from tests import factories

pytestmark = pytest.mark.django_db

HEADER = "Sáng kiến,Cơ quan,Trạng thái,Ngày quyết định"
UX = "chuan-hoa-trai-nghiem-nguoi-dung-dvctt"
UX_TITLE = "Chuẩn hóa và nâng cao trải nghiệm người dùng dịch vụ công trực tuyến"
ASSISTANT = "tro-ly-ao-huong-dan-dvctt"


def csv(*rows):
    return "\n".join([HEADER, *rows]).encode("utf-8")


@pytest.fixture
def bac_ninh(seeded):
    agency = Agency.objects.resolve("24")
    Adoption.objects.filter(agency=agency).delete()
    return agency


def imported(*rows, user=None):
    report = import_adoptions(csv(*rows), "csv", user=user)
    assert report.errors == [], report.errors
    return report


@pytest.mark.parametrize(
    "cell",
    [
        UX_TITLE,
        # no diacritics, any case
        "CHUAN HOA VA NANG CAO TRAI NGHIEM NGUOI DUNG DICH VU CONG TRUC TUYEN",
        # the old tone placement (hoá for hóa), and spaces around
        "  Chuẩn hoá và nâng cao trải nghiệm người dùng dịch vụ công trực tuyến ",
        # punctuation ignored, as in agency names
        "Chuẩn hóa, và nâng cao trải nghiệm người dùng - dịch vụ công trực tuyến.",
        UX,
        UX.upper(),
    ],
)
def test_a_practice_by_its_title_or_slug(bac_ninh, cell):
    report = imported(f'"{cell}",Bắc Ninh,đã áp dụng,01/09/2025')
    assert report.new == 1
    adoption = Adoption.objects.get(agency=bac_ninh)
    assert adoption.practice.slug == UX


def test_a_title_and_the_slug_of_one_practice_are_the_same_record(bac_ninh):
    imported(f"{UX},Bắc Ninh,thí điểm,01/09/2025")
    again = imported(f"{UX_TITLE},Bắc Ninh,thí điểm,01/09/2025")
    assert (again.new, again.unchanged) == (0, 1)

    report = import_adoptions(
        csv(f"{UX},Bắc Ninh,thí điểm,01/09/2025", f"{UX_TITLE},Bắc Ninh,thí điểm,01/09/2025"),
        "csv",
    )
    assert [(e.row, e.column, e.reason) for e in report.errors] == [
        (3, "Cơ quan", "Trùng với dòng 2.")
    ]


def test_an_unknown_title_names_the_nearest_practices(bac_ninh):
    report = import_adoptions(csv("Trợ lý ảo hướng dẫn người dân,Bắc Ninh,đã áp dụng,"), "csv")
    [error] = report.errors
    assert (error.row, error.column) == (2, "Sáng kiến")
    assert "Không có sáng kiến nào có đường dẫn (slug) hoặc tên “Trợ lý ảo" in error.reason
    assert f"(đường dẫn {ASSISTANT})" in error.reason
    assert "Giá trị hợp lệ" in error.reason
    assert not Adoption.objects.filter(agency=bac_ninh).exists()


def test_an_unknown_title_like_nothing_still_says_where_the_list_is(bac_ninh):
    report = import_adoptions(csv("Xây cầu vượt biển,Bắc Ninh,đã áp dụng,"), "csv")
    [error] = report.errors
    assert "Gần giống" not in error.reason
    assert "Giá trị hợp lệ" in error.reason


def test_a_title_two_practices_share_names_both(bac_ninh):
    first = factories.practice("Một cửa điện tử liên thông")
    second = factories.practice("Mot cua dien tu lien thong")
    report = import_adoptions(csv("một cửa điện tử liên thông,Bắc Ninh,đã áp dụng,"), "csv")
    [error] = report.errors
    assert "là tên của 2 sáng kiến" in error.reason
    assert f"(đường dẫn {first.slug})" in error.reason
    assert f"(đường dẫn {second.slug})" in error.reason
    # The slug still picks one.
    imported(f"{second.slug},Bắc Ninh,đã áp dụng,")
    assert Adoption.objects.get(agency=bac_ninh).practice == second


def test_a_reporter_imports_by_title(bac_ninh):
    call_command(
        "create_reporter",
        "baocao-tieude",
        "--agency",
        "24",
        "--password",
        "mat-khau-thu-2025",
        stdout=None,
    )
    reporter = get_user_model().objects.get(username="baocao-tieude")
    title = PracticePage.objects.get(slug=ASSISTANT).title
    report = imported(f"{title},Bắc Ninh,kế hoạch,", user=reporter)
    assert report.as_reports and report.new == 1
    assert Adoption.objects.get(agency=bac_ninh).practice.slug == ASSISTANT


def test_suggestions_stop_after_a_few_cells(bac_ninh, monkeypatch):
    from practices.resources.widgets import PracticeLookup

    monkeypatch.setattr(PracticeLookup, "SUGGESTED_CELLS", 1)
    report = import_adoptions(
        csv("Trợ lý ảo hướng dẫn,Bắc Ninh,đã áp dụng,", "Trợ lý ảo hướng dẫn ,Hà Nội,đã áp dụng,"),
        "csv",
    )
    first, second = (e.reason for e in report.errors)
    assert "Gần giống" in first  # the same text after stripping: resolved once
    assert first == second
    report = import_adoptions(
        csv("Trợ lý ảo hướng dẫn,Bắc Ninh,đã áp dụng,", "Trợ lý ảo giúp dân,Hà Nội,đã áp dụng,"),
        "csv",
    )
    first, second = (e.reason for e in report.errors)
    assert "Gần giống" in first and "Gần giống" not in second
