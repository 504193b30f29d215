"""The import menu's page and the template files: the import's Vietnamese headers, one
example row that a dry run by the right role imports without an error, and in the XLSX a
sheet "Giá trị hợp lệ" of what the cells may name, a reporter's units only for a reporter."""

import io

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

import pytest
from openpyxl import load_workbook

from practices import resources
from practices.models import Agency, AgencyKind, Indicator, PracticeCategory, PracticePage
from practices.resources import read_dataset
from reporting.roles import EDITORS, REVIEWERS
from tests import factories

pytestmark = pytest.mark.django_db

KINDS = ("adoptions", "agencies", "practices")
HEADERS = {
    "adoptions": [
        "Sáng kiến",
        "Cơ quan",
        "Trạng thái",
        "Ngày quyết định",
        "Văn bản",
        "Minh chứng",
        "Mức minh chứng",
        "Ghi chú",
        "Ngày đưa vào kế hoạch",
        "Ngày bắt đầu thí điểm",
        "Ngày áp dụng",
        "Ngày dừng áp dụng",
    ],
    "agencies": [
        "Mã",
        "Đường dẫn",
        "Tên",
        "Tên ngắn",
        "Tên tiếng Anh",
        "Loại",
        "Cơ quan cấp trên",
        "Vùng kinh tế - xã hội",
        "Vùng địa lý",
        "Hiệu lực từ ngày",
        "Hiệu lực đến ngày",
        "Đơn vị kế thừa",
        "Ghi chú",
        "Nguồn",
    ],
    "practices": [
        "Đường dẫn",
        "Tên sáng kiến",
        "Nhóm",
        "Tóm tắt",
        "Căn cứ pháp lý",
        "Cơ quan khởi xướng",
        "Cơ quan công bố",
        "Chỉ số",
        "Nội dung",
    ],
}
RESOURCE_COLUMNS = {
    "adoptions": (resources.COLUMNS, resources.REQUIRED_COLUMNS),
    "agencies": (resources.AGENCY_COLUMNS, resources.AGENCY_REQUIRED_COLUMNS),
    "practices": (resources.PRACTICE_COLUMNS, resources.PRACTICE_REQUIRED_COLUMNS),
}


def make_reporter(username, code):
    call_command(
        "create_reporter",
        username,
        "--agency",
        code,
        "--password",
        "mat-khau-thu-2025",
        stdout=None,
    )
    return get_user_model().objects.get(username=username)


@pytest.fixture
def reporter(seeded):
    return make_reporter("baocao-mau", "24")


@pytest.fixture
def editor(seeded):
    user = get_user_model().objects.create_user("bientap-mau", "bientap@example.org", "x")
    user.groups.add(Group.objects.get(name=EDITORS))
    return user


def download(client, user, kind, file_format):
    client.force_login(user)
    response = client.get(reverse("practices_import:template", args=[kind, file_format]))
    assert response.status_code == 200, response.content[:300]
    return response


def sheets(content):
    book = load_workbook(io.BytesIO(content))
    return book


def values_sheet(content):
    """The "Giá trị hợp lệ" sheet as {section title: [rows, each a tuple of its cells]},
    the header row of each section first."""
    rows = [
        tuple(cell for cell in row if cell is not None)
        for row in sheets(content)["Giá trị hợp lệ"].iter_rows(values_only=True)
    ]
    sections, title = {}, None
    for row in rows[2:]:  # an intro line, then a blank row
        if not row:
            title = None
        elif title is None:
            title = row[0]
            sections[title] = []
        else:
            sections[title].append(row)
    return sections


def section(sections, start):
    [found] = [rows for title, rows in sections.items() if title.startswith(start)]
    return found


def dry_run(kind, content, file_format, user):
    return getattr(resources, f"import_{kind}")(content, file_format, dry_run=True, user=user)


# --- headers -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_the_headers_are_those_the_import_reads(client, editor, kind):
    csv = download(client, editor, kind, "csv")
    assert csv["Content-Type"].startswith("text/csv")
    assert 'filename="mau-' in csv["Content-Disposition"]
    text = csv.content.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads it as UTF-8
    assert text[1:].splitlines()[0] == ",".join(f'"{header}"' for header in HEADERS[kind])

    xlsx = download(client, editor, kind, "xlsx")
    book = sheets(xlsx.content)
    assert book.sheetnames == ["Dữ liệu", "Giá trị hợp lệ"]
    header = next(book["Dữ liệu"].iter_rows(values_only=True))
    assert list(header) == HEADERS[kind]

    columns, required = RESOURCE_COLUMNS[kind]
    for content, file_format in ((csv.content, "csv"), (xlsx.content, "xlsx")):
        dataset, _, shown, ignored = read_dataset(content, file_format, columns, required)
        assert ignored == []
        assert list(shown.values()) == HEADERS[kind]
        assert len(dataset) == 1  # one example row


# --- the example row ---------------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", KINDS)
def test_the_example_row_imports_without_an_error(client, editor, kind, file_format):
    content = download(client, editor, kind, file_format).content
    report = dry_run(kind, content, file_format, editor)
    assert report.errors == []
    assert (report.total, report.new) == (1, 1)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_reporters_example_row_is_a_report_for_their_own_unit(client, reporter, file_format):
    content = download(client, reporter, "adoptions", file_format).content
    report = dry_run("adoptions", content, file_format, reporter)
    assert report.errors == [] and report.as_reports
    assert (report.total, report.new) == (1, 1)
    dataset, *_ = read_dataset(content, file_format)
    [row] = dataset.dict
    assert row["agency"] == "Tỉnh Bắc Ninh"
    # The practice by its title, as an official would write it.
    assert PracticePage.objects.filter(title=row["practice"]).exists()


def test_the_example_row_is_a_pair_with_no_record_yet(client, reporter):
    bac_ninh = Agency.objects.resolve("24")
    first = PracticePage.objects.live().order_by("path").first()
    factories.adoption(first, bac_ninh, decided_on=None)
    content = download(client, reporter, "adoptions", "csv").content
    dataset, *_ = read_dataset(content, "csv")
    assert dataset.dict[0]["practice"] != first.title
    assert dry_run("adoptions", content, "csv", reporter).new == 1


def test_the_example_still_imports_when_its_values_start_like_a_formula(client):
    """A unit whose name starts with "+": the CSV neutralises it, the import reads it back."""
    factories.agency("+Tỉnh Công Thức", code="CT1")
    user = make_reporter("baocao-congthuc", "CT1")
    csv = download(client, user, "adoptions", "csv").content.decode("utf-8")
    assert '"\'+Tỉnh Công Thức"' in csv
    for file_format in ("csv", "xlsx"):
        content = download(client, user, "adoptions", file_format).content
        report = dry_run("adoptions", content, file_format, user)
        assert report.errors == [] and report.new == 1


def test_formulas_in_the_values_sheet_are_text(client, editor):
    page = factories.practice('=HYPERLINK("https://example.org";"bấm")')
    content = download(client, editor, "adoptions", "xlsx").content
    sheet = load_workbook(io.BytesIO(content))["Giá trị hợp lệ"]
    [cell] = [c for row in sheet.iter_rows() for c in row if c.value == page.title]
    assert cell.data_type == "s"  # text, not a formula


# --- the values sheet, per role ----------------------------------------------------------


@pytest.fixture
def departments(seeded):
    bac_ninh, ha_noi = Agency.objects.resolve("24"), Agency.objects.resolve("01")
    own = factories.agency(
        "Sở Tư pháp tỉnh Bắc Ninh", code="24-STP", kind=AgencyKind.DEPARTMENT, parent=bac_ninh
    )
    other = factories.agency(
        "Sở Tư pháp thành phố Hà Nội", code="01-STP", kind=AgencyKind.DEPARTMENT, parent=ha_noi
    )
    return own, other


def test_a_reporter_sees_only_their_units_and_no_reviewers_level(client, reporter, departments):
    own, other = departments
    sections = values_sheet(download(client, reporter, "adoptions", "xlsx").content)
    units = section(sections, "Cơ quan, đơn vị bạn được báo cáo")
    assert units[0] == ("Mã", "Mã định danh (slug)", "Tên", "Thời kỳ hiệu lực")
    # Today's Bắc Ninh (24), its department, and the two provinces that became it in 2025: the
    # old Bắc Giang (also 24 then) and the old Bắc Ninh (27), whose history it reports.
    assert {(row[0], row[1]) for row in units[1:]} == {
        ("24", "bac-ninh"),
        ("24-STP", own.slug),
        ("24", "bac-giang-den-2025"),
        ("27", "bac-ninh-den-2025"),
    }
    assert ("24", "bac-ninh", "Tỉnh Bắc Ninh", "01/07/2025 – nay") in units
    assert ("24-STP", own.slug, own.name, "không giới hạn") in units

    practices = section(sections, "Sáng kiến")
    assert practices[0] == ("Đường dẫn (slug)", "Tên sáng kiến")
    live = PracticePage.objects.live().order_by("path")
    assert practices[1:] == [(page.slug, page.title) for page in live]

    assert section(sections, "Trạng thái")[1:] == [
        ("Kế hoạch", "planned"),
        ("Thí điểm", "piloting"),
        ("Đã áp dụng", "adopted"),
        ("Dừng áp dụng", "discontinued"),
    ]
    levels = section(sections, "Mức minh chứng")[1:]
    assert levels == [("Tự khai báo", "self-declared"), ("Có văn bản, tài liệu", "documented")]
    assert section(sections, "Ngày các bước trước")[1:] == [
        ("Ngày đưa vào kế hoạch", "Kế hoạch"),
        ("Ngày bắt đầu thí điểm", "Thí điểm"),
        ("Ngày áp dụng", "Đã áp dụng"),
        ("Ngày dừng áp dụng", "Dừng áp dụng"),
    ]


def test_an_editor_sees_every_unit_and_every_level(client, editor, departments):
    own, other = departments
    sections = values_sheet(download(client, editor, "adoptions", "xlsx").content)
    units = section(sections, "Cơ quan, đơn vị (cột")
    assert len(units) - 1 == Agency.objects.count()
    codes = {row[0] for row in units}
    assert {"24", "01", "27", own.code, other.code} <= codes  # 27: Bắc Ninh before 2025
    assert ("27", "bac-ninh-den-2025", "Tỉnh Bắc Ninh", "… – 30/06/2025") in units
    assert ("Đã thẩm định", "verified") in section(sections, "Mức minh chứng")


def test_the_agencies_template_lists_kinds_regions_and_units(client, editor):
    sections = values_sheet(download(client, editor, "agencies", "xlsx").content)
    kinds = section(sections, "Loại cơ quan")[1:]
    assert kinds == [(label, code) for code, label in AgencyKind.choices]
    assert ("Đồng bằng sông Hồng",) in section(sections, "Vùng kinh tế - xã hội")
    assert ("Tây Bắc Bộ",) in section(sections, "Vùng địa lý")
    assert len(section(sections, "Cơ quan, đơn vị hiện có")) - 1 == Agency.objects.count()


def test_the_practices_template_lists_categories_indicators_and_pages(client, editor):
    sections = values_sheet(download(client, editor, "practices", "xlsx").content)
    categories = section(sections, "Nhóm giải pháp")[1:]
    assert sorted(categories) == sorted(PracticeCategory.objects.values_list("name", "code"))
    indicators = section(sections, "Chỉ số")[1:]
    assert sorted(indicators) == sorted(Indicator.objects.values_list("name", "code"))
    pages = section(sections, "Sáng kiến hiện có")[1:]
    assert len(pages) == PracticePage.objects.count()


# --- who may download ---------------------------------------------------------------------


def test_a_reporter_gets_no_template_of_reference_data(client, reporter):
    client.force_login(reporter)
    for kind in ("agencies", "practices"):
        response = client.get(reverse("practices_import:template", args=[kind, "xlsx"]))
        assert response.status_code == 403


def test_a_template_exists_in_csv_and_xlsx_only(client, editor):
    client.force_login(editor)
    assert client.get("/admin/nhap-xuat/mau/adoptions/json/").status_code == 404
    assert client.get("/admin/nhap-xuat/mau/ca-phe/csv/").status_code == 404


def test_signed_out_users_are_sent_to_sign_in(client, seeded):
    response = client.get(reverse("practices_import:template", args=["adoptions", "csv"]))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


# --- the menu's own page ------------------------------------------------------------------


def kinds_on_index(client, user):
    client.force_login(user)
    response = client.get("/admin/nhap-xuat/")
    assert response.status_code == 200
    html = " ".join(response.content.decode().split())
    return html, [kind for kind in KINDS if f'id="import-kind-{kind}"' in html]


def test_the_index_lists_what_a_reporter_may_import(client, reporter):
    html, kinds = kinds_on_index(client, reporter)
    assert kinds == ["adoptions"]
    assert "Nhập, xuất dữ liệu" in html and "được gửi thẩm định" in html
    for href in (
        reverse("practices_import:upload"),
        reverse("practices_import:template", args=["adoptions", "csv"]),
        reverse("practices_import:template", args=["adoptions", "xlsx"]),
    ):
        assert f'href="{href}"' in html
    # The current data: a button that queues an export job (ops.jobs).
    assert f'formaction="{reverse("practices_import:export", args=["adoptions", "json"])}"' in html


def test_the_index_lists_every_kind_for_an_editor(client, editor):
    html, kinds = kinds_on_index(client, editor)
    assert kinds == list(KINDS)
    assert "Các dòng được lưu và công khai ngay." in html
    assert f'href="{reverse("practices_import:upload_practices")}"' in html


def test_the_index_lists_adoptions_only_for_a_reviewer(client, seeded):
    """A reviewer records adoptions nationally but keeps no reference data."""
    user = get_user_model().objects.create_user("thamdinh-mau", password="x")
    user.groups.add(Group.objects.get(name=REVIEWERS))
    html, kinds = kinds_on_index(client, user)
    assert kinds == ["adoptions"]
    assert "Các dòng được lưu và công khai ngay." in html
    assert reverse("practices_import:upload_agencies") not in html


def test_the_upload_page_says_where_a_csv_finds_its_valid_values(client, reporter):
    client.force_login(reporter)
    html = " ".join(client.get(reverse("practices_import:upload")).content.decode().split())
    assert "Tệp CSV chỉ có một bảng" in html and "“Giá trị hợp lệ” của tệp mẫu XLSX" in html
    xlsx = reverse("practices_import:template", args=["adoptions", "xlsx"])
    assert f'href="{xlsx}"' in html


def test_the_index_says_so_when_there_is_nothing_to_import(client, seeded):
    user = get_user_model().objects.create_user("chi-xem", password="x")
    user.user_permissions.add(*_admin_access())
    html, kinds = kinds_on_index(client, user)
    assert kinds == []
    assert 'id="import-none"' in html and "chưa được giao quyền nhập dữ liệu" in html


def _admin_access():
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(codename="access_admin")


def menu_labels(rf, user):
    from practices.wagtail_hooks import register_import_menu_item

    request = rf.get("/admin/")
    request.user = user
    item = register_import_menu_item()
    if not item.is_shown(request):
        return []
    return [(i.label, i.url) for i in item.menu.menu_items_for_request(request)]


def test_the_menu_opens_with_the_index_for_whoever_may_import(rf, reporter, editor):
    index = ("Hướng dẫn và tệp mẫu", "/admin/nhap-xuat/")
    assert menu_labels(rf, reporter) == [index, ("Kết quả áp dụng", "/admin/nhap-xuat/ap-dung/")]
    assert menu_labels(rf, editor)[0] == index and len(menu_labels(rf, editor)) == 5
    assert ("Giá trị chỉ số", "/admin/nhap-xuat/chi-so/") in menu_labels(rf, editor)
    nobody = get_user_model().objects.create_user("khong-quyen", password="x")
    nobody.user_permissions.add(*_admin_access())
    assert menu_labels(rf, nobody) == []
