"""A reporter's screens say where each report stands: the adoption list's state column and
filter, and the dashboard grouping their reports by state, returned ones first with the
reviewer's comment, with a "Báo cáo mới" button and three lines of guidance. And Wagtail's
default pages workflow is named in Vietnamese."""

import re

from django.urls import reverse
from django.utils.html import strip_tags

from wagtail.models import Task, Workflow

import pytest

from practices.models import Adoption, Agency, PracticePage
from tests.reporting.test_review import act, make_reporter, submit
from tests.reporting.test_workflow_buttons import national

ADMIN = "wagtailsnippets_practices_adoption"
COMMENT = "Thiếu quyết định đã ký, xin bổ sung"


@pytest.fixture
def reporter(seeded):
    return make_reporter("baocao-bn", "24", "baocao-bn@example.org")


@pytest.fixture
def reviewer(seeded):
    from reporting.roles import REVIEWERS

    return national("thamdinh-1", REVIEWERS)


@pytest.fixture
def reports(client, reporter, reviewer):
    """One report of Bắc Ninh's reporter in each of draft, waiting, returned and published,
    on four practices Bắc Ninh has no record of."""
    bac_ninh = Agency.objects.resolve("24")
    practices = list(
        PracticePage.objects.live()
        .exclude(pk__in=Adoption.objects.filter(agency=bac_ninh).values("practice"))
        .order_by("pk")[:4]
    )
    assert len(practices) == 4
    draft = Adoption(practice=practices[0], agency=bac_ninh, status="planned", live=False)
    draft.save()
    draft.save_revision(user=reporter)
    waiting = submit(client, reporter, practices[1], "24")
    returned = submit(client, reporter, practices[2], "24")
    act(client, reviewer, returned, "reject", comment=COMMENT)
    published = submit(client, reporter, practices[3], "24")
    act(client, reviewer, published, "approve")
    return {"draft": draft, "waiting": waiting, "returned": returned, "published": published}


def text(html):
    return " ".join(strip_tags(html).split())


def get(client, user, url, **params):
    client.force_login(user)
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


# The list ----------------------------------------------------------------------------------


def list_rows(html):
    """{report pk: the row's text} of the adoption list's table."""
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S)
    found = {}
    for row in rows:
        link = re.search(rf"{reverse(f'{ADMIN}:list')}edit/(\d+)/", row)
        if link:
            found[int(link.group(1))] = text(row)
    return found


def test_the_list_shows_each_reports_state(client, reporter, reports):
    html = get(client, reporter, reverse(f"{ADMIN}:list"))
    assert "Tình trạng báo cáo" in html
    rows = list_rows(html)
    for key, label in [
        ("draft", "Bản nháp"),
        ("waiting", "Chờ thẩm định"),
        ("returned", "Bị trả lại"),
        ("published", "Đã công bố"),
    ]:
        assert label in rows[reports[key].pk], key
    assert "Chờ thẩm định" not in rows[reports["draft"].pk]
    assert "Bị trả lại" not in rows[reports["waiting"].pk]


@pytest.mark.parametrize(
    ("state", "key"),
    [("draft", "draft"), ("waiting", "waiting"), ("returned", "returned")],
)
def test_the_list_filters_by_state(client, reporter, reports, state, key):
    rows = list_rows(get(client, reporter, reverse(f"{ADMIN}:list"), review_state=state))
    own = {pk for pk in rows if Adoption.objects.get(pk=pk).agency.code == "24"}
    assert own == {reports[key].pk}


def test_the_published_filter_lists_the_approved_report(client, reporter, reports):
    rows = list_rows(get(client, reporter, reverse(f"{ADMIN}:list"), review_state="published"))
    assert reports["published"].pk in rows
    assert not {reports[k].pk for k in ("draft", "waiting", "returned")} & set(rows)


def test_a_bad_state_in_the_filter_is_refused_in_vietnamese(client, reporter, reports):
    html = get(client, reporter, reverse(f"{ADMIN}:list"), review_state="xoa-het")
    # The list stays whole, with Django's error under the filter.
    assert {report.pk for report in reports.values()} <= set(list_rows(html))
    assert "Hãy chọn một lựa chọn hợp lệ. xoa-het không phải là một trong" in text(html)


# The dashboard -----------------------------------------------------------------------------


def dashboard_panel(client, user):
    html = get(client, user, reverse("wagtailadmin_home"))
    match = re.search(
        r'id="bao-cao-cua-ban-section".*?<div class="bao-cao-panel">(.*)</div>', html, re.S
    )
    return match.group(1) if match else None


def test_the_dashboard_groups_the_reports_returned_first_with_the_comment(
    client, reporter, reports
):
    panel = dashboard_panel(client, reporter)
    headings = re.findall(r'<h3 class="w-h4" id="bao-cao-([a-z-]+)-tieu-de">([^<]*)</h3>', panel)
    assert [state for state, _ in headings] == ["returned", "draft", "waiting", "published"]
    assert headings[0][1] == "Bị trả lại (1)"
    groups = {
        state: re.search(rf'<section[^>]*id="bao-cao-{state}".*?</section>', panel, re.S).group(0)
        for state, _ in headings
    }
    for key, state in [
        ("returned", "returned"),
        ("draft", "draft"),
        ("waiting", "waiting"),
        ("published", "published"),
    ]:
        assert f'data-bao-cao="{reports[key].pk}"' in groups[state], key
    returned = text(groups["returned"])
    assert f"Nhận xét của thẩm định viên: “{COMMENT}”" in returned
    assert "sửa theo nhận xét rồi bấm “Gửi lại”" in returned
    # The comment is the returned report's only.
    assert COMMENT not in text(groups["waiting"]) + text(groups["draft"])
    edit = reverse(f"{ADMIN}:edit", args=[reports["returned"].pk])
    assert f'href="{edit}"' in groups["returned"]


def test_the_dashboard_has_the_new_report_button_and_three_lines_of_guidance(
    client, reporter, reports
):
    panel = dashboard_panel(client, reporter)
    button = re.search(r'<a [^>]*id="them-bao-cao-moi"[^>]*>(.*?)</a>', panel, re.S)
    assert text(button.group(1)) == "Báo cáo mới"
    assert f'href="{reverse(f"{ADMIN}:add")}"' in button.group(0)
    guidance = re.search(r'<ol class="bao-cao-huong-dan"[^>]*>(.*?)</ol>', panel, re.S).group(1)
    lines = [text(line) for line in re.findall(r"<li>(.*?)</li>", guidance, re.S)]
    assert len(lines) == 3
    assert lines[0].startswith("Báo cáo gì:")
    assert "“Gửi thẩm định”" in lines[1] and "“Gửi lại”" in lines[1]
    assert lines[2].startswith("Hỏi ở đâu:")


def test_the_dashboard_names_the_help_address_when_set(client, reporter, settings):
    settings.REPORTING_HELP_EMAIL = "hotro@example.gov.vn"
    panel = dashboard_panel(client, reporter)
    assert 'href="mailto:hotro@example.gov.vn"' in panel


def test_a_new_reporters_dashboard_says_what_to_do_first(client, seeded):
    # A unit with no record at all (a new reporter's usual start).
    agency = (
        Agency.objects.filter(
            adoptions__isnull=True, valid_to__isnull=True, parent__isnull=True, code__gt=""
        )
        .order_by("pk")
        .first()
    )
    user = make_reporter("baocao-moi", agency.code, "baocao-moi@example.org")
    panel = dashboard_panel(client, user)
    assert "Bạn chưa có báo cáo nào." in text(panel)
    assert 'id="them-bao-cao-moi"' in panel


def test_national_users_keep_wagtails_dashboard(client, reviewer, reports):
    assert dashboard_panel(client, reviewer) is None


# Wagtail's pages workflow ------------------------------------------------------------------


def test_wagtails_default_pages_workflow_is_named_in_vietnamese(db):
    assert not Workflow.objects.filter(name="Moderators approval").exists()
    assert not Task.objects.filter(name="Moderators approval").exists()
    assert Workflow.objects.filter(name="Duyệt trang trước khi xuất bản").exists()
    assert Task.objects.filter(name="Duyệt trang trước khi xuất bản").exists()


def test_each_filter_offers_all_in_words(client, reporter, reports):
    html = get(client, reporter, reverse(f"{ADMIN}:list"))
    for name in ("review_state", "practice"):
        select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
        assert re.search(r'<option value=""[^>]*>\s*Tất cả\s*</option>', select), name
    for name in ("status", "evidence_level"):
        assert re.search(rf'<label[^>]*><input type="radio" name="{name}" value=""', html), name
    assert "---------" not in html
