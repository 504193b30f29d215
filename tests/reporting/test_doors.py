"""Every admin door that takes or lists adoptions holds only what the permission policy lets
the user see. The reporter of Tỉnh Bắc Ninh tries each one with a Hà Nội draft under review:
the tests enumerate the URL patterns that are actually served (the adoption viewset, its
chooser, the bulk actions, the reports), so a view that Wagtail adds later is tried too."""

import datetime
import io

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from wagtail.admin.views.bulk_action.registry import bulk_action_registry
from wagtail.models import TaskState, WorkflowState

import openpyxl
import pytest

from practices.models import Adoption, Agency
from practices.resources import import_adoptions
from reporting.guards import ScopedBulkActionMixin, guard_record_view
from reporting.roles import REVIEWERS
from tests import factories

pytestmark = pytest.mark.django_db

ADMIN = "wagtailsnippets_practices_adoption"
CHOOSER = "wagtailsnippetchoosers_practices_adoption"
SECRET_NOTES = "Ghi chú nội bộ của Hà Nội, chưa duyệt 7731"
SECRET_INSTRUMENT = "Quyết định số 7731/QĐ-UBND nội bộ"
SECRET_URL = "https://example.org/minh-chung-noi-bo-7731.pdf"


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
def bac_ninh(seeded):
    return Agency.objects.resolve("24")


@pytest.fixture
def ha_noi(seeded):
    return Agency.objects.resolve("01")


@pytest.fixture
def reporter(bac_ninh):
    return make_reporter("baocao-bacninh", "24")


@pytest.fixture
def foreign(ha_noi):
    """A Hà Nội draft with two revisions, submitted for review (a workflow and a task state)."""
    author = make_reporter("baocao-hanoi", "01")
    practice = factories.practice(title="Cổng tiếp nhận hồ sơ thử nghiệm")
    draft = Adoption(
        practice=practice,
        agency=ha_noi,
        status="planned",
        instrument=SECRET_INSTRUMENT,
        evidence_url=SECRET_URL,
        notes=SECRET_NOTES,
        live=False,
    )
    draft.save()
    draft.save_revision(user=author, log_action=True)
    draft.status = "piloting"
    draft.save_revision(user=author, log_action=True)
    draft.get_workflow().start(draft, author)
    draft.refresh_from_db()
    return draft


def secrets(record):
    return [SECRET_NOTES, SECRET_INSTRUMENT, SECRET_URL, str(record)]


def body(response):
    """The text of a response, spreadsheets included (an XLSX is a zip: read its cells)."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":
        sheets = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            str(cell)
            for sheet in sheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
        )
    return content.decode("utf-8", errors="replace")


def assert_holds_nothing_of(response, record):
    text = body(response)
    for secret in secrets(record):
        assert secret not in text, f"{response.request['PATH_INFO']} shows {secret!r}"


def assert_refused(response):
    """403 or 404 (405 for a method the view never takes), or Wagtail's way of refusing a
    page view: back to the dashboard."""
    path = response.request["PATH_INFO"]
    if response.status_code == 302:
        assert response["Location"] == reverse("wagtailadmin_home"), (
            f"{path} redirects to {response['Location']}"
        )
    else:
        assert response.status_code in (403, 404, 405), f"{path} answers {response.status_code}"


def served_patterns(prefix):
    """(name, argument names) of every URL pattern served under `prefix`, walking the real
    URL configuration (so patterns added by hooks or by a newer Wagtail are included)."""

    def walk(patterns, route, namespace, args):
        for entry in patterns:
            pattern = entry.pattern
            names = set(getattr(pattern, "converters", {})) | set(pattern.regex.groupindex)
            full = route + str(pattern)
            if isinstance(entry, URLResolver):
                inner = ":".join(filter(None, [namespace, entry.namespace]))
                if full.startswith(prefix) or prefix.startswith(full):
                    yield from walk(entry.url_patterns, full, inner, args | names)
            elif isinstance(entry, URLPattern) and full.startswith(prefix):
                yield ":".join(filter(None, [namespace, entry.name])), frozenset(args | names)

    return sorted(set(walk(get_resolver().url_patterns, "", "", set())))


def foreign_arguments(record):
    """How to fill each URL argument that the adoption views take, for `record`."""
    state = WorkflowState.objects.for_instance(record).get()
    task_state = TaskState.objects.get(workflow_state=state)
    return {
        "pk": record.pk,
        "revision_id": record.latest_revision_id,
        "revision_id_a": "earliest",
        "revision_id_b": "latest",
        "action_name": "approve",
        "task_state_id": task_state.pk,
        "task_id": task_state.task_id,
        "workflow_state_id": state.pk,
    }


def snapshot(record):
    record = Adoption.objects.filter(pk=record.pk).first()
    if record is None:
        return None
    state = record.current_workflow_state
    return (
        record.live,
        record.locked,
        record.status,
        record.revisions.count(),
        state and state.status,
    )


def test_every_adoption_view_that_takes_a_record_refuses_a_foreign_one(client, reporter, foreign):
    client.force_login(reporter)
    before = snapshot(foreign)
    arguments = foreign_arguments(foreign)
    patterns = served_patterns("admin/snippets/practices/adoption/")
    # The walk finds at least what the viewset says it serves.
    own = {f"{ADMIN}:{pattern.name}" for pattern in Adoption.snippet_viewset.get_urlpatterns()}
    assert own <= {name for name, _ in patterns}
    exercised = set()
    for name, names in patterns:
        unknown = names - set(arguments)
        assert not unknown, f"{name} takes {sorted(unknown)}: teach this test to fill it"
        url = reverse(name, kwargs={key: arguments[key] for key in names})
        get = client.get(url)
        post = client.post(url, {"status": "adopted", "action-publish": "1"})
        if names:
            assert_refused(get)
            assert_refused(post)
        assert_holds_nothing_of(get, foreign)
        assert_holds_nothing_of(post, foreign)
        exercised.add(name)
    assert exercised == {name for name, _ in patterns}
    assert snapshot(foreign) == before


def test_the_chooser_holds_only_public_and_own_records(client, reporter, foreign):
    client.force_login(reporter)
    patterns = served_patterns("admin/snippets/choose/practices/adoption/")
    assert {name.split(":")[-1] for name, _ in patterns} >= {
        "choose",
        "choose_results",
        "chosen",
        "chosen_multiple",
        "create",
    }
    before = Adoption.objects.count()
    for name, names in patterns:
        assert names <= {"pk"}, f"{name} takes {sorted(names)}: teach this test to fill it"
        url = reverse(name, kwargs={"pk": foreign.pk} if names else {})
        for response in (
            client.get(url, {"q": "Hà Nội", "id": foreign.pk}),
            client.post(url, {"practice": foreign.practice_id, "agency": foreign.agency_id}),
        ):
            assert response.status_code != 500
            assert_holds_nothing_of(response, foreign)
        if names:
            assert_refused(client.get(url))
    assert Adoption.objects.count() == before


def test_creating_from_the_chooser_is_a_clear_refusal_not_an_error(client, reporter, bac_ninh):
    client.force_login(reporter)
    url = reverse(f"{CHOOSER}:create")
    practice = factories.practice()
    data = {"practice": practice.pk, "agency": bac_ninh.pk, "status": "planned"}
    assert_refused(client.post(url, data))
    ajax = client.post(url, data, headers={"x-requested-with": "XMLHttpRequest"})
    assert ajax.status_code == 403
    assert not Adoption.objects.filter(practice=practice).exists()
    # The modal offers no "create" tab either.
    modal = client.get(reverse(f"{CHOOSER}:choose")).json()
    assert "create_action_url" not in modal["html"] and 'id="tab-create"' not in modal["html"]


def test_bulk_actions_neither_list_nor_touch_foreign_records(client, reporter, foreign):
    client.force_login(reporter)
    actions = list(bulk_action_registry.get_bulk_actions_for_model("practices", "adoption"))
    assert actions, "no bulk action registered for adoptions"
    for action in actions:
        # A bulk action Wagtail adds for snippets must be given the policy's scope too.
        assert issubclass(action, ScopedBulkActionMixin), f"{action} is not scoped"
    served = served_patterns("admin/bulk/")
    assert [names for _, names in served] == [{"app_label", "model_name", "action"}]
    before = snapshot(foreign)
    for action in actions:
        url = reverse(
            "wagtail_bulk_action",
            kwargs={
                "app_label": "practices",
                "model_name": "adoption",
                "action": action.action_type,
            },
        )
        for ids in ([foreign.pk], ["all"]):
            get = client.get(url, {"id": ids})
            assert get.status_code != 500
            assert_holds_nothing_of(get, foreign)
            post = client.post(f"{url}?id={ids[0]}")
            assert_holds_nothing_of(post, foreign)
    assert snapshot(foreign) == before


# Pairs of URL arguments by which a generic admin view names a model.
MODEL_ARGUMENTS = [
    ("app_label", "model_name"),
    ("app_name", "model_name"),
    ("content_type_app_name", "content_type_model_name"),
]


def test_generic_admin_views_that_name_a_model_refuse_a_foreign_adoption(client, reporter, foreign):
    """Views outside the viewset that take a model by name and an object (editing sessions,
    bulk actions, settings…), given practices.adoption and the foreign record."""
    client.force_login(reporter)
    before = snapshot(foreign)
    actions = [a.action_type for a in bulk_action_registry.get_bulk_actions_for_model(
        "practices", "adoption"
    )]  # fmt: skip
    fill = {"object_id": foreign.pk, "pk": foreign.pk, "session_id": 1, "parent_page_id": 1}
    tried = 0
    for name, names in served_patterns("admin/"):
        pairs = [pair for pair in MODEL_ARGUMENTS if set(pair) <= names]
        if not pairs:
            continue
        rest = names - set(pairs[0])
        unknown = rest - set(fill) - {"action"}
        assert not unknown, f"{name} takes {sorted(unknown)}: teach this test to fill it"
        for action in actions if "action" in rest else [None]:
            kwargs = dict(zip(pairs[0], ("practices", "adoption"), strict=True))
            kwargs |= {key: fill[key] for key in rest - {"action"}}
            if action:
                kwargs["action"] = action
            url = reverse(name, kwargs=kwargs)
            for response in (client.get(url, {"id": foreign.pk}), client.post(url)):
                assert response.status_code != 500, url
                assert_holds_nothing_of(response, foreign)
                if rest & {"object_id", "pk"}:
                    assert_refused(response)
            tried += 1
    assert tried >= 3  # bulk actions, editing sessions, settings at least
    assert snapshot(foreign) == before


def test_reports_and_their_exports_hold_nothing_of_foreign_records(client, reporter, foreign):
    client.force_login(reporter)
    patterns = served_patterns("admin/reports/")
    assert any(name.endswith("site_history") for name, _ in patterns)
    for name, names in patterns:
        assert not names
        url = reverse(name)
        for params in ({}, {"export": "csv"}, {"export": "xlsx"}):
            response = client.get(url, params)
            assert response.status_code != 500
            assert_holds_nothing_of(response, foreign)
            # Nor who worked on it.
            assert "baocao-hanoi" not in body(response), f"{url} {params} names the author"


def test_the_dashboard_holds_nothing_of_foreign_records(client, reporter, foreign):
    client.force_login(reporter)
    assert_holds_nothing_of(client.get(reverse("wagtailadmin_home")), foreign)


def test_the_usage_of_an_own_record_does_not_name_a_foreign_adaptation(
    client, reporter, bac_ninh, foreign
):
    own = factories.adoption(foreign.practice, bac_ninh, live=True)
    foreign.adapted_from = own
    foreign.save()
    client.force_login(reporter)
    response = client.get(reverse(f"{ADMIN}:usage", args=[own.pk]))
    assert response.status_code == 200
    assert_holds_nothing_of(response, foreign)


def test_site_history_and_its_exports_are_the_national_users(client, reporter, foreign):
    url = reverse("wagtailadmin_reports:site_history")
    client.force_login(reporter)
    for params in ({}, {"export": "csv"}, {"export": "xlsx"}):
        assert_refused(client.get(url, params))
    assert_refused(client.get(reverse("wagtailadmin_reports:site_history_results")))
    reviewer = get_user_model().objects.create_user("thamdinh-1", "thamdinh@example.org", "x")
    reviewer.groups.add(Group.objects.get(name=REVIEWERS))
    client.force_login(reviewer)
    for params in ({}, {"export": "csv"}, {"export": "xlsx"}):
        response = client.get(url, params)
        assert response.status_code == 200
        assert str(foreign) in body(response)


# == "Học tập từ" (adapted from) ==


def form_data(practice, agency, **extra):
    return {
        "practice": practice.pk,
        "agency": agency.pk,
        "status": "piloting",
        "decided_on": "2025-09-01",
        "instrument": "Quyết định số 12/QĐ-UBND",
        "evidence_level": "self-declared",
        "notes": "",
        "results-TOTAL_FORMS": "0",
        "results-INITIAL_FORMS": "0",
        "results-MIN_NUM_FORMS": "0",
        "results-MAX_NUM_FORMS": "1000",
        "steps-TOTAL_FORMS": "0",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
        **extra,
    }


@pytest.fixture
def public_foreign(ha_noi):
    """A Hà Nội record the public sees."""
    return factories.adoption(factories.practice(), ha_noi, live=True)


def test_a_reporter_cannot_learn_from_a_foreign_draft(client, reporter, bac_ninh, foreign):
    client.force_login(reporter)
    practice = factories.practice()
    response = client.post(
        reverse(f"{ADMIN}:add"), form_data(practice, bac_ninh, adapted_from=foreign.pk)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["adapted_from"] == [
        "Chỉ chọn được một kết quả đã công bố, hoặc một báo cáo của cơ quan mình, làm nơi "
        "“học tập từ”."
    ]
    assert not Adoption.objects.filter(practice=practice).exists()


def test_a_reporter_learns_from_a_public_record_or_their_own_draft(
    client, reporter, bac_ninh, public_foreign
):
    client.force_login(reporter)
    own_draft = factories.adoption(factories.practice(), bac_ninh, live=False)
    for source in (public_foreign, own_draft):
        practice = factories.practice()
        response = client.post(
            reverse(f"{ADMIN}:add"), form_data(practice, bac_ninh, adapted_from=source.pk)
        )
        assert response.status_code == 302, response.context["form"].errors
        saved = Adoption.objects.get(practice=practice, agency=bac_ninh)
        assert saved.latest_revision.as_object().adapted_from_id == source.pk


def test_the_chooser_offers_public_records_and_own_drafts_only(
    client, reporter, bac_ninh, foreign, public_foreign
):
    own_draft = factories.adoption(factories.practice(), bac_ninh, live=False)
    client.force_login(reporter)
    results = client.get(reverse(f"{CHOOSER}:choose_results")).context["results"]
    offered = {obj.pk for obj in results.paginator.object_list}
    assert {public_foreign.pk, own_draft.pk} <= offered
    assert foreign.pk not in offered
    assert offered == set(
        Adoption.objects.filter(live=True, practice__live=True).values_list("pk", flat=True)
    ) | set(Adoption.objects.filter(agency=bac_ninh).values_list("pk", flat=True))
    chosen = client.get(reverse(f"{CHOOSER}:chosen", args=[public_foreign.pk]))
    assert chosen.status_code == 200
    assert chosen.json()["result"]["id"] == str(public_foreign.pk)
    assert client.get(reverse(f"{CHOOSER}:chosen", args=["abc"])).status_code == 404


def test_the_public_page_links_only_to_a_public_source(client, bac_ninh, foreign, public_foreign):
    practice = factories.practice()
    hidden = factories.adoption(practice, bac_ninh, live=True, adapted_from=foreign)
    shown = factories.adoption(
        practice, Agency.objects.resolve("20"), live=True, adapted_from=public_foreign
    )
    html = client.get(practice.url).content.decode()
    assert hidden.agency.name in html
    assert foreign.get_absolute_url() not in html
    assert f'href="{public_foreign.get_absolute_url()}"' in html
    assert html.count("Học tập từ:") == 1
    assert shown.agency.name in html


# == Units that have ended ==

ENDED = "đã kết thúc hoạt động từ ngày 30/06/2025"


@pytest.fixture
def bac_giang(seeded):
    return Agency.objects.resolve("24", datetime.date(2025, 6, 1))


@pytest.fixture
def former_reporter(bac_giang):
    """The reporter of the former Bắc Giang, whose unit ended on 30/6/2025."""
    call_command(
        "create_reporter", "baocao-bacgiang", "--agency", "24", "--on", "2025-06-01",
        "--password", "mat-khau-thu-2025", stdout=None,
    )  # fmt: skip
    return get_user_model().objects.get(username="baocao-bacgiang")


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def test_a_reporter_of_an_ended_unit_reads_but_creates_and_submits_nothing(
    client, former_reporter, bac_giang
):
    old = factories.adoption(factories.practice(), bac_giang, live=False, status="planned")
    old.save_revision(user=former_reporter)
    client.force_login(former_reporter)

    listing = client.get(reverse(f"{ADMIN}:list"))
    listed = {obj.pk for obj in listing.context["object_list"]}
    assert old.pk in listed
    assert listed == set(Adoption.objects.filter(agency=bac_giang).values_list("pk", flat=True))
    assert any(ENDED in message for message in messages_of(listing))
    # The results the list fetches by script leave no message for the next page.
    client.get(reverse(f"{ADMIN}:list_results"))
    history = client.get(reverse(f"{ADMIN}:history", args=[old.pk]))
    assert not any(ENDED in message for message in messages_of(history))
    assert history.status_code == 200
    assert client.get(reverse(f"{ADMIN}:edit", args=[old.pk])).status_code == 200

    add = client.get(reverse(f"{ADMIN}:add"), follow=True)
    assert add.redirect_chain == [(reverse(f"{ADMIN}:list"), 302)]
    assert any(ENDED in message for message in messages_of(add))
    practice = factories.practice()
    client.post(reverse(f"{ADMIN}:add"), form_data(practice, bac_giang, decided_on="2025-01-10"))
    assert not Adoption.objects.filter(practice=practice).exists()

    revisions = old.revisions.count()
    submit = client.post(
        reverse(f"{ADMIN}:edit", args=[old.pk]),
        form_data(old.practice, bac_giang, decided_on="2025-01-10", **{"action-submit": "1"}),
        follow=True,
    )
    assert submit.redirect_chain == [(reverse(f"{ADMIN}:edit", args=[old.pk]), 302)]
    assert any(ENDED in message for message in messages_of(submit))
    old.refresh_from_db()
    assert old.revisions.count() == revisions
    assert old.current_workflow_state is None

    # Nothing to import for either: no import screen, and the function refuses.
    assert client.get(reverse("practices_import:upload")).status_code == 403
    rows = f"{old.practice.slug},Bắc Giang,thí điểm,10/01/2025,Quyết định số 1/QĐ-UBND,,,"
    with pytest.raises(PermissionDenied):
        import_adoptions(csv_bytes(rows), "csv", user=former_reporter)
    assert old.revisions.count() == revisions


def test_a_reporter_of_the_successor_too_reports_the_ended_units_history(
    client, former_reporter, bac_ninh, bac_giang
):
    """A reporter who kept the former Bắc Giang's membership and is now assigned to today's
    Bắc Ninh reports for both: Bắc Giang as a unit that became Bắc Ninh (issue 10; before, the
    ended unit was refused to them too), for dates within its period."""
    call_command("create_reporter", "baocao-bacgiang", "--agency", "24", stdout=None)
    client.force_login(former_reporter)
    practice = factories.practice()
    history = client.post(
        reverse(f"{ADMIN}:add"), form_data(practice, bac_giang, decided_on="2025-01-10")
    )
    assert history.status_code == 302, history.context["form"].errors
    assert Adoption.objects.get(practice=practice).agency == bac_giang
    other = factories.practice()
    accepted = client.post(reverse(f"{ADMIN}:add"), form_data(other, bac_ninh))
    assert accepted.status_code == 302, accepted.context["form"].errors
    assert Adoption.objects.get(practice=other).agency == bac_ninh

    imported = factories.practice()
    rows = f"{imported.slug},Bắc Giang,thí điểm,10/01/2025,Quyết định số 1/QĐ-UBND,,,"
    report = import_adoptions(csv_bytes(rows), "csv", user=former_reporter)
    assert report.ok, [str(error) for error in report.errors]
    assert Adoption.objects.get(practice=imported).agency == bac_giang


# == A province's scope: its departments, not another province's ==

HEADER = "Sáng kiến,Cơ quan,Trạng thái,Ngày quyết định,Văn bản,Minh chứng,Mức minh chứng,Ghi chú"


def csv_bytes(*rows):
    return ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")


@pytest.fixture
def departments(bac_ninh, seeded):
    """A department of Bắc Ninh and one of Lạng Sơn."""
    lang_son = Agency.objects.resolve("20")
    return (
        factories.agency("Sở Thử Nghiệm Bắc Ninh", kind="department", parent=bac_ninh),
        factories.agency("Sở Thử Nghiệm Lạng Sơn", kind="department", parent=lang_son),
    )


def test_the_scope_holds_the_provinces_departments_not_anothers_in_the_form(
    client, reporter, bac_ninh, departments
):
    own, other = departments
    client.force_login(reporter)
    form = client.get(reverse(f"{ADMIN}:add")).context["form"]
    choices = set(form.fields["agency"].queryset)
    assert {bac_ninh, own} <= choices
    assert other not in choices
    practice = factories.practice()
    refused = client.post(reverse(f"{ADMIN}:add"), form_data(practice, other))
    assert refused.context["form"].errors["agency"] == [
        "Đơn vị này không thuộc phạm vi báo cáo của bạn. Bạn báo cáo cho: Tỉnh Bắc Ninh (từ "
        "01/07/2025); Tỉnh Bắc Giang (đến 30/06/2025); Tỉnh Bắc Ninh (đến 30/06/2025), cùng các "
        "đơn vị trực thuộc. Hãy chọn lại trong danh sách."
    ]
    assert not Adoption.objects.filter(practice=practice).exists()
    accepted = client.post(reverse(f"{ADMIN}:add"), form_data(practice, own))
    assert accepted.status_code == 302, accepted.context["form"].errors
    assert Adoption.objects.get(practice=practice).agency == own


def test_the_scope_holds_the_provinces_departments_not_anothers_in_the_list_and_chooser(
    client, reporter, departments
):
    own, other = departments
    practice = factories.practice()
    mine = factories.adoption(practice, own, live=False)
    theirs = factories.adoption(practice, other, live=False)
    client.force_login(reporter)
    listed = {obj.pk for obj in client.get(reverse(f"{ADMIN}:list")).context["object_list"]}
    assert mine.pk in listed and theirs.pk not in listed
    results = client.get(reverse(f"{CHOOSER}:choose_results")).context["results"]
    offered = {obj.pk for obj in results.paginator.object_list}
    assert mine.pk in offered and theirs.pk not in offered
    assert client.get(reverse(f"{CHOOSER}:chosen", args=[mine.pk])).status_code == 200
    assert client.get(reverse(f"{CHOOSER}:chosen", args=[theirs.pk])).status_code == 404
    assert client.get(reverse(f"{ADMIN}:edit", args=[mine.pk])).status_code == 200
    assert_refused(client.get(reverse(f"{ADMIN}:edit", args=[theirs.pk])))


def test_the_scope_holds_the_provinces_departments_not_anothers_in_the_import(
    reporter, departments
):
    own, other = departments
    practice = factories.practice()
    row = "{slug},{name},thí điểm,01/09/2025,Quyết định số 3/QĐ-SXD,,,"
    accepted = import_adoptions(
        csv_bytes(row.format(slug=practice.slug, name=own.name)), "csv", user=reporter
    )
    assert accepted.ok, [str(error) for error in accepted.errors]
    assert Adoption.objects.get(practice=practice).agency == own
    other_practice = factories.practice()
    refused = import_adoptions(
        csv_bytes(row.format(slug=other_practice.slug, name=other.name)), "csv", user=reporter
    )
    [error] = refused.errors
    assert error.row == 2 and "Bạn không được báo cáo cho cơ quan" in error.reason
    assert not Adoption.objects.filter(practice=other_practice).exists()


def test_a_view_argument_the_guard_does_not_know_is_refused_to_reporters(rf, reporter, foreign):
    """What a newer Wagtail might add (a view naming its record some other way) stays closed
    to reporters until the guard is taught it; national users are not limited."""

    def view(request, **kwargs):
        return HttpResponse("vào được")

    guarded = guard_record_view(view)
    request = rf.get("/")
    request.user = reporter
    with pytest.raises(PermissionDenied):
        guarded(request, object_id=foreign.pk)
    request.user = get_user_model().objects.create_superuser("quantri", "qt@example.org", "x")
    assert guarded(request, object_id=foreign.pk).status_code == 200
