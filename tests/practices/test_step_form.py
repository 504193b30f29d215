"""The adoption form carries the history: the steps it shows are kept when the status changes,
and an earlier step must belong to the unit's period and come before the current decision."""

import datetime

from django.contrib.auth import get_user_model
from django.urls import reverse

import pytest

from practices.models import AdoptionStep, Agency
from tests import factories

D = datetime.date


@pytest.fixture
def editor(db):
    return get_user_model().objects.create_superuser(
        "bientap", "bientap@example.org", "mat-khau-thu"
    )


@pytest.fixture
def record(reference_data):
    practice = factories.practice("Giải pháp Biểu mẫu")
    agency = Agency.objects.resolve("24", D(2025, 6, 30))  # Bắc Giang, until 30/6/2025
    return factories.adoption(practice, agency, "piloting", D(2024, 2, 1), instrument="TĐ 1")


def post(client, record, status, decided_on, steps):
    """The edit form as a browser posts it: the record's fields and its steps' forms."""
    data = {
        "practice": record.practice_id,
        "agency": record.agency_id,
        "status": status,
        "decided_on": decided_on,
        "instrument": "QĐ 5/QĐ-UBND",
        "evidence_level": "self-declared",
        "results-TOTAL_FORMS": "0",
        "results-INITIAL_FORMS": "0",
        "results-MIN_NUM_FORMS": "0",
        "results-MAX_NUM_FORMS": "1000",
        "steps-TOTAL_FORMS": str(len(steps)),
        "steps-INITIAL_FORMS": str(sum(1 for s in steps if s.get("id"))),
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
        "action-publish": "action-publish",
    }
    for index, step in enumerate(steps):
        for key, value in step.items():
            data[f"steps-{index}-{key}"] = value
        data[f"steps-{index}-ORDER"] = str(index + 1)
    url = reverse("wagtailsnippets_practices_adoption:edit", args=[record.pk])
    return client.post(url, data)


def existing(record):
    return [
        {"id": str(s.pk), "status": s.status, "on": s.on.isoformat(), "instrument": s.instrument}
        for s in AdoptionStep.objects.filter(adoption=record)
    ]


def test_a_new_status_in_the_form_keeps_the_earlier_step(client, editor, record):
    client.force_login(editor)
    planned = {"status": "planned", "on": "2023-09-01", "instrument": "KH 3/KH-UBND"}
    response = post(client, record, "adopted", "2025-03-01", [*existing(record), planned])
    assert response.status_code == 302, response.context["form"].errors
    steps = [(s.status, s.on, s.instrument) for s in AdoptionStep.objects.filter(adoption=record)]
    assert steps == [
        ("planned", D(2023, 9, 1), "KH 3/KH-UBND"),
        ("piloting", D(2024, 2, 1), "TĐ 1"),
        ("adopted", D(2025, 3, 1), "QĐ 5/QĐ-UBND"),
    ]


@pytest.mark.parametrize(
    "on, message",
    [
        ("2025-08-01", "sau khi"),  # after Bắc Giang ended: names the unit of that day
        ("2025-04-01", "sau ngày quyết định của trạng thái hiện tại"),
    ],
)
def test_a_step_outside_the_history_is_refused(client, editor, record, on, message):
    client.force_login(editor)
    late = {"status": "planned", "on": on}
    response = post(client, record, "adopted", "2025-03-01", [*existing(record), late])
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    if on == "2025-08-01":
        assert "Tỉnh Bắc Ninh (từ 01/07/2025)" in html
    # Nothing was written: the record keeps its one step.
    assert [(s.status, s.on) for s in AdoptionStep.objects.filter(adoption=record)] == [
        ("piloting", D(2024, 2, 1))
    ]
