"""Migration reporting/0003 on a site set up before it: the reviewers lose "publish" and
"delete" on adoptions, and seed records wrongly flagged as having a draft are marked
published as they are, while a record with a real change waiting keeps its flag."""

import importlib

from django.apps import apps
from django.contrib.auth.models import Group, Permission

import pytest

from practices.models import Adoption, Agency, PracticePage
from reporting.roles import REVIEWERS

migration = importlib.import_module("reporting.migrations.0003_reviewers_publish_through_review")


@pytest.fixture
def bac_ninh(seeded):
    return Agency.objects.resolve("24")


def test_the_reviewers_lose_publish_and_delete(seeded):
    group = Group.objects.get(name=REVIEWERS)
    withdrawn = Permission.objects.filter(
        content_type__app_label="practices", codename__in=["publish_adoption", "delete_adoption"]
    )
    group.permissions.add(*withdrawn)
    migration.reviewers_publish_through_review(apps, None)
    assert not group.permissions.filter(pk__in=withdrawn).exists()
    assert group.permissions.filter(codename="change_adoption").exists()


def test_only_seed_records_flagged_by_mistake_are_marked_published(bac_ninh):
    practices = PracticePage.objects.live().exclude(
        pk__in=Adoption.objects.filter(agency=bac_ninh).values("practice")
    )
    flagged, changed, waiting = (
        Adoption.objects.create(practice=practice, agency=bac_ninh, status="planned", live=True)
        for practice in practices[:3]
    )
    for adoption in (flagged, changed, waiting):
        # As the old seed left them: live, one revision saved as a change.
        adoption.save_revision()
    changed.status = "piloting"
    changed.save_revision()  # a second revision: a real draft over the live record
    waiting.get_workflow().start(waiting, None)
    Adoption.objects.filter(pk__in=[flagged.pk, changed.pk, waiting.pk]).update(
        has_unpublished_changes=True, live_revision=None
    )

    migration.seed_records_are_published(apps, None)

    flags = dict(
        Adoption.objects.filter(pk__in=[flagged.pk, changed.pk, waiting.pk]).values_list(
            "pk", "has_unpublished_changes"
        )
    )
    assert flags == {flagged.pk: False, changed.pk: True, waiting.pk: True}
