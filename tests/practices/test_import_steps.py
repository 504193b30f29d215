"""The dated steps an adoption import leaves: one per new record, the same status corrected,
a new status added; the stage columns as a history; export then import keeps them; reports
carry them in their revision until approved."""

import datetime
import json

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from practices.history import History
from practices.models import Adoption, AdoptionStep, Agency, PracticePage, step_order
from practices.resources import export_adoptions, import_adoptions
from practices.resources import steps as import_steps

pytestmark = pytest.mark.django_db

ASSISTANT = "tro-ly-ao-huong-dan-dvctt"
FEES = "giam-phi-le-phi-dvctt"
HEADER = "Sáng kiến,Cơ quan,Trạng thái,Ngày quyết định,Văn bản,Minh chứng"
STAGED = HEADER + ",Ngày đưa vào kế hoạch,Ngày bắt đầu thí điểm,Ngày áp dụng,Ngày dừng áp dụng"
URL = "https://bacninh.gov.vn/qd.pdf"


def csv_bytes(*rows, header=HEADER):
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def day(text):
    return datetime.datetime.strptime(text, "%d/%m/%Y").date()


@pytest.fixture
def bac_ninh(seeded):
    agency = Agency.objects.resolve("24")  # Bắc Ninh from 1/7/2025
    Adoption.objects.filter(agency=agency).delete()
    return agency


def record(agency, slug=ASSISTANT):
    return Adoption.objects.get(agency=agency, practice__slug=slug)


def steps_of(adoption):
    return [
        (s.status, s.on, s.instrument, s.evidence_url)
        for s in sorted(adoption.steps.all(), key=step_order)
    ]


def imported(data, **kwargs):
    report = import_adoptions(data, file_format="csv", **kwargs)
    assert report.ok, [str(e) for e in report.errors]
    return report


def revision_matches_the_record(adoption):
    """The revision the import wrote holds the record's steps as Wagtail serialises them."""
    adoption.refresh_from_db()
    wagtail = json.loads(json.dumps(adoption.serializable_data(), cls=DjangoJSONEncoder))
    assert adoption.latest_revision.content["steps"] == wagtail["steps"]
    return wagtail["steps"]


def test_steps_as_lists_sort_as_the_model_sorts_them():
    made = [
        AdoptionStep(pk=3, status="adopted", on=datetime.date(2025, 9, 1)),
        AdoptionStep(pk=1, status="planned", on=None),
        AdoptionStep(pk=2, status="piloting", on=datetime.date(2025, 9, 1)),
        AdoptionStep(pk=None, status="adopted", on=datetime.date(2025, 8, 1)),
        AdoptionStep(pk=None, status="adopted", on=None),
    ]
    as_lists = [[s.pk, 1, s.status, s.on, "", "", ""] for s in made]
    assert [s[0:4:3] for s in sorted(as_lists, key=import_steps.order)] == [
        [s.pk, s.on] for s in sorted(made, key=step_order)
    ]


def test_a_new_row_gets_its_step_and_the_history_sees_it(bac_ninh):
    imported(csv_bytes(f"{ASSISTANT},24,thí điểm,01/09/2025,Quyết định số 12/QĐ-UBND,{URL}"))

    adoption = record(bac_ninh)
    assert steps_of(adoption) == [
        ("piloting", datetime.date(2025, 9, 1), "Quyết định số 12/QĐ-UBND", URL)
    ]
    [step] = revision_matches_the_record(adoption)
    assert step["status"] == "piloting" and step["pk"] == adoption.steps.get().pk
    history = History.load()
    practice = adoption.practice_id
    assert history.status_on(bac_ninh.pk, practice, datetime.date(2025, 8, 31)) is None
    assert history.status_on(bac_ninh.pk, practice, datetime.date(2025, 9, 1)) == "piloting"


def test_a_changed_status_adds_a_step_and_keeps_the_earlier_one(bac_ninh):
    imported(csv_bytes(f"{ASSISTANT},24,thí điểm,01/09/2025,Quyết định số 12/QĐ-UBND,"))
    first = record(bac_ninh).steps.get().pk

    report = imported(csv_bytes(f"{ASSISTANT},24,đã áp dụng,01/03/2026,Quyết định số 40/QĐ-UBND,"))
    assert report.updated == 1

    adoption = record(bac_ninh)
    assert steps_of(adoption) == [
        ("piloting", datetime.date(2025, 9, 1), "Quyết định số 12/QĐ-UBND", ""),
        ("adopted", datetime.date(2026, 3, 1), "Quyết định số 40/QĐ-UBND", ""),
    ]
    assert sorted(adoption.steps.values_list("pk", flat=True))[0] == first
    assert len(revision_matches_the_record(adoption)) == 2
    # What a revert or a later publish reads back.
    restored = adoption.latest_revision.as_object()
    assert [(s.status, s.on) for s in restored.steps.all()] == [s[:2] for s in steps_of(adoption)]
    history = History.load()
    assert history.status_on(bac_ninh.pk, adoption.practice_id, day("01/12/2025")) == "piloting"
    assert history.status_on(bac_ninh.pk, adoption.practice_id, day("01/04/2026")) == "adopted"


def test_the_same_status_corrects_its_step(bac_ninh):
    imported(csv_bytes(f"{ASSISTANT},24,thí điểm,01/09/2025,Quyết định số 12/QĐ-UBND,"))
    first = record(bac_ninh).steps.get().pk

    imported(csv_bytes(f"{ASSISTANT},24,thí điểm,15/09/2025,Quyết định số 13/QĐ-UBND,{URL}"))

    adoption = record(bac_ninh)
    assert steps_of(adoption) == [
        ("piloting", datetime.date(2025, 9, 15), "Quyết định số 13/QĐ-UBND", URL)
    ]
    assert adoption.steps.get().pk == first
    revision_matches_the_record(adoption)


def test_stage_columns_build_the_history(bac_ninh):
    row = f"{ASSISTANT},24,đã áp dụng,01/03/2026,Quyết định số 40/QĐ-UBND,{URL}"
    imported(csv_bytes(f"{row},01/08/2025,01/10/2025,,", header=STAGED))

    adoption = record(bac_ninh)
    assert steps_of(adoption) == [
        ("planned", datetime.date(2025, 8, 1), "", ""),
        ("piloting", datetime.date(2025, 10, 1), "", ""),
        ("adopted", datetime.date(2026, 3, 1), "Quyết định số 40/QĐ-UBND", URL),
    ]
    revision_matches_the_record(adoption)
    history = History.load()
    assert history.status_on(bac_ninh.pk, adoption.practice_id, day("15/08/2025")) == "planned"
    assert history.status_on(bac_ninh.pk, adoption.practice_id, day("15/10/2025")) == "piloting"

    # The same file again changes nothing.
    again = imported(csv_bytes(f"{row},01/08/2025,01/10/2025,,", header=STAGED))
    assert (again.updated, again.unchanged) == (0, 1)

    # An earlier step of the same status and date keeps its instrument; a date moved is a
    # new step; an emptied cell removes its step.
    adoption.steps.filter(status="planned").update(instrument="Kế hoạch số 5/KH-UBND")
    report = imported(csv_bytes(f"{row},01/08/2025,,,", header=STAGED))
    assert report.updated == 1
    adoption = record(bac_ninh)
    assert steps_of(adoption) == [
        ("planned", datetime.date(2025, 8, 1), "Kế hoạch số 5/KH-UBND", ""),
        ("adopted", datetime.date(2026, 3, 1), "Quyết định số 40/QĐ-UBND", URL),
    ]
    revision_matches_the_record(adoption)


def test_a_file_without_a_stage_column_keeps_that_status_steps(bac_ninh):
    row = f"{ASSISTANT},24,đã áp dụng,01/03/2026,Quyết định số 40/QĐ-UBND,"
    imported(csv_bytes(f"{row},01/08/2025,01/10/2025,,", header=STAGED))

    only_planned = HEADER + ",Ngày đưa vào kế hoạch"
    imported(csv_bytes(f"{row},05/08/2025", header=only_planned))

    assert [(s[0], s[1]) for s in steps_of(record(bac_ninh))] == [
        ("planned", datetime.date(2025, 8, 5)),
        ("piloting", datetime.date(2025, 10, 1)),
        ("adopted", datetime.date(2026, 3, 1)),
    ]


def test_a_bad_stage_date_writes_nothing_and_names_row_and_column(bac_ninh):
    far = (datetime.date.today() + datetime.timedelta(days=800)).strftime("%d/%m/%Y")
    before = (Adoption.objects.count(), AdoptionStep.objects.count())
    data = csv_bytes(
        f"{ASSISTANT},24,đã áp dụng,01/03/2026,,,01/08/2025,,,",  # good
        f"{FEES},24,đã áp dụng,01/03/2026,,,,01/04/2026,,",  # piloting after the decision
        "giao-chi-tieu-dvctt,24,thí điểm,01/03/2026,,,01/01/2025,,,",  # before the unit
        f"chuan-hoa-trai-nghiem-nguoi-dung-dvctt,24,dừng áp dụng,,,,,,{far},",
        header=STAGED,
    )
    report = import_adoptions(data, file_format="csv")

    assert not report.ok
    errors = {(e.row, e.column): e for e in report.errors}
    assert set(errors) == {
        (3, "Ngày bắt đầu thí điểm"),
        (4, "Ngày đưa vào kế hoạch"),
        (5, "Ngày áp dụng"),
    }, [str(e) for e in report.errors]
    assert (
        "sau ngày quyết định của trạng thái hiện tại (01/03/2026)"
        in errors[3, "Ngày bắt đầu thí điểm"].reason
    )
    assert "Tỉnh Bắc Ninh" in errors[4, "Ngày đưa vào kế hoạch"].reason
    assert "Tỉnh Bắc Giang" in errors[4, "Ngày đưa vào kế hoạch"].reason  # the unit then
    assert errors[5, "Ngày áp dụng"].reason == "Ngày quá xa trong tương lai."
    assert (Adoption.objects.count(), AdoptionStep.objects.count()) == before


def test_a_stage_date_needs_a_decision_date(bac_ninh):
    data = csv_bytes(f"{ASSISTANT},24,đã áp dụng,,,,01/08/2025,,,", header=STAGED)
    report = import_adoptions(data, file_format="csv")
    [error] = report.errors
    assert (error.row, error.column) == (2, "Ngày đưa vào kế hoạch")
    assert "cần ghi cả ngày quyết định" in error.reason
    assert not Adoption.objects.filter(agency=bac_ninh).exists()


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_then_import_into_an_empty_database_keeps_the_steps(bac_ninh, file_format):
    imported(
        csv_bytes(
            f"{ASSISTANT},24,đã áp dụng,01/03/2026,Quyết định số 40/QĐ-UBND,,01/08/2025,01/10/2025,,",
            f"{FEES},24,dừng áp dụng,01/06/2026,,,,01/09/2025,01/12/2025,",
            header=STAGED,
        )
    )

    def histories():
        return {
            (a.practice.slug, a.agency.slug): [(s.status, s.on) for s in a.steps.all()]
            for a in Adoption.objects.select_related("practice", "agency").prefetch_related("steps")
        }

    before = histories()
    assert before[FEES, bac_ninh.slug] == [
        ("piloting", datetime.date(2025, 9, 1)),
        ("adopted", datetime.date(2025, 12, 1)),
        ("discontinued", datetime.date(2026, 6, 1)),
    ]
    data = export_adoptions(file_format=file_format)
    Adoption.objects.all().delete()
    assert not AdoptionStep.objects.exists()

    report = import_adoptions(data, file_format=file_format)
    assert report.ok, [str(e) for e in report.errors[:5]]
    assert histories() == before


def test_an_export_writes_the_latest_date_of_each_status(bac_ninh):
    imported(csv_bytes(f"{ASSISTANT},24,đã áp dụng,01/03/2026,,", header=HEADER))
    adoption = record(bac_ninh)
    # adopted, discontinued, adopted again: a file keeps the latest adoption.
    for status, on in (("adopted", "2025-08-01"), ("discontinued", "2025-10-01")):
        AdoptionStep.objects.create(adoption=adoption, status=status, on=on)

    rows = export_adoptions(Adoption.objects.filter(pk=adoption.pk)).decode("utf-8-sig")
    header, row = [line.split('","') for line in rows.strip().splitlines()]
    cells = dict(zip((h.strip('"') for h in header), (c.strip('"') for c in row), strict=True))
    assert (cells["planned_on"], cells["piloting_on"]) == ("", "")
    assert (cells["adopted_on"], cells["discontinued_on"]) == ("01/03/2026", "01/10/2025")


# --- Reports -------------------------------------------------------------------------------


@pytest.fixture
def reporter(bac_ninh):
    call_command(
        "create_reporter", "baocao-bn", "--agency", "24", "--password", "mat-khau-thu-2025"
    )
    return get_user_model().objects.get(username="baocao-bn")


@pytest.fixture
def reviewer(seeded):
    from django.contrib.auth.models import Group

    from reporting.roles import REVIEWERS

    user = get_user_model().objects.create_user("thamdinh-1", "thamdinh@example.org", "x")
    user.groups.add(Group.objects.get(name=REVIEWERS))
    return user


def approve(adoption, reviewer):
    task_state = adoption.current_workflow_state.current_task_state
    task_state.task.specific.on_action(task_state, reviewer, "approve")
    adoption.refresh_from_db()
    return adoption


def test_a_new_report_carries_its_step_and_approval_keeps_it(reporter, reviewer, bac_ninh):
    imported(
        csv_bytes(f"{ASSISTANT},24,thí điểm,01/09/2025,Quyết định số 12/QĐ-UBND,"), user=reporter
    )
    adoption = record(bac_ninh)
    assert not adoption.live
    [step] = adoption.latest_revision.content["steps"]
    assert (step["status"], step["on"]) == ("piloting", "2025-09-01")

    adoption = approve(adoption, reviewer)
    assert adoption.live
    assert steps_of(adoption) == [
        ("piloting", datetime.date(2025, 9, 1), "Quyết định số 12/QĐ-UBND", "")
    ]
    assert History.load().status_on(bac_ninh.pk, adoption.practice_id, day("01/10/2025"))


def test_a_reported_change_waits_in_its_revision_until_approved(reporter, reviewer, bac_ninh):
    imported(csv_bytes(f"{ASSISTANT},24,thí điểm,01/09/2025,Quyết định số 12/QĐ-UBND,"))
    imported(
        csv_bytes(
            f"{ASSISTANT},24,đã áp dụng,01/03/2026,Quyết định số 40/QĐ-UBND,,01/08/2025,"
            "01/09/2025,,",
            header=STAGED,
        ),
        user=reporter,
    )
    adoption = record(bac_ninh)
    # The approved record keeps its one step; the revision holds the history reported.
    assert [s[0] for s in steps_of(adoption)] == ["piloting"]
    content = adoption.latest_revision.content["steps"]
    assert [(s["status"], s["on"]) for s in content] == [
        ("planned", "2025-08-01"),
        ("piloting", "2025-09-01"),
        ("adopted", "2026-03-01"),
    ]

    adoption = approve(adoption, reviewer)
    assert [s[:3] for s in steps_of(adoption)] == [
        ("planned", datetime.date(2025, 8, 1), ""),
        ("piloting", datetime.date(2025, 9, 1), "Quyết định số 12/QĐ-UBND"),  # kept
        ("adopted", datetime.date(2026, 3, 1), "Quyết định số 40/QĐ-UBND"),
    ]


# --- Queries -------------------------------------------------------------------------------


def staged_file(pairs, changed=False):
    lines = []
    for practice, agency in pairs:
        status, decided = ("đã áp dụng", "01/03/2026") if changed else ("thí điểm", "01/02/2026")
        lines.append(f"{practice},{agency},{status},{decided},,,01/08/2025,01/10/2025,,")
    return csv_bytes(*lines, header=STAGED)


def queries(data):
    with CaptureQueriesContext(connection) as captured:
        report = import_adoptions(data, file_format="csv")
    assert report.ok, [str(e) for e in report.errors[:3]]
    return len(captured)


def test_a_staged_import_takes_the_same_queries_whatever_its_size(postgres, seeded, settings):
    settings.ELASTICSEARCH_URL = ""
    agencies = list(Agency.objects.provincial().valid_on(datetime.date(2026, 1, 1)))
    slugs = list(PracticePage.objects.values_list("slug", flat=True))
    pairs = [(p, a.code) for p in slugs for a in agencies]
    counts = {}
    for n in (10, 100):
        Adoption.objects.all().delete()
        counts[n] = (
            queries(staged_file(pairs[:n])),
            queries(staged_file(pairs[:n], changed=True)),
            queries(staged_file(pairs[:n], changed=True)),
        )
    assert counts[10] == counts[100], counts
