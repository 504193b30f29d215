"""Agency memberships are managed in the admin: assigning an agency makes a reporter."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

import pytest

from practices.models import Agency
from reporting.models import AgencyMembership
from reporting.permissions import agency_scope
from reporting.roles import REPORTERS, REVIEWERS

pytestmark = pytest.mark.django_db

ADD = "wagtailsnippets_reporting_agencymembership:add"
LIST = "wagtailsnippets_reporting_agencymembership:list"


@pytest.fixture
def newcomer(seeded):
    return get_user_model().objects.create_user("can-bo-moi", "moi@example.org", "x")


def test_an_administrator_assigns_an_agency_and_the_user_becomes_its_reporter(
    admin_client, newcomer
):
    agency = Agency.objects.resolve("33")
    assert agency_scope(newcomer) == set()
    response = admin_client.post(reverse(ADD), {"user": newcomer.pk, "agency": agency.pk})
    assert response.status_code == 302, response.context["form"].errors
    assert AgencyMembership.objects.filter(user=newcomer, agency=agency).exists()
    assert newcomer.groups.filter(name=REPORTERS).exists()
    assert agency.pk in agency_scope(newcomer)
    listing = admin_client.get(reverse(LIST), {"q": "can-bo-moi"}).content.decode()
    assert "can-bo-moi" in listing and agency.name in listing


def test_national_users_are_not_assigned(admin_client, newcomer):
    newcomer.groups.add(Group.objects.get(name=REVIEWERS))
    agency = Agency.objects.resolve("33")
    response = admin_client.post(reverse(ADD), {"user": newcomer.pk, "agency": agency.pk})
    assert response.status_code == 200
    assert "không cần gán" in response.content.decode()
    assert not AgencyMembership.objects.filter(user=newcomer).exists()
    assert not newcomer.groups.filter(name=REPORTERS).exists()


def test_reporters_cannot_assign_themselves(client, newcomer):
    newcomer.groups.add(Group.objects.get(name=REPORTERS))
    client.force_login(newcomer)
    agency = Agency.objects.resolve("33")
    assert client.get(reverse(LIST)).status_code != 200
    client.post(reverse(ADD), {"user": newcomer.pk, "agency": agency.pk})
    assert not AgencyMembership.objects.filter(user=newcomer).exists()
