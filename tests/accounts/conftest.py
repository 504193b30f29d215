from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

import pytest

from reporting.roles import EDITORS, REPORTERS, REVIEWERS

PASSWORD = "mat-khau-dung-2025"


def make_user(username, group=None, **fields):
    user = get_user_model().objects.create_user(username, f"{username}@example.org", PASSWORD)
    for name, value in fields.items():
        setattr(user, name, value)
    user.save()
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def reporter(seeded):
    return make_user("baocao-tk", REPORTERS)


@pytest.fixture
def reviewer(seeded):
    return make_user("thamdinh-tk", REVIEWERS)


@pytest.fixture
def editor(seeded):
    return make_user("bientap-tk", EDITORS)


@pytest.fixture
def superuser(seeded):
    return make_user("quantri-tk", is_superuser=True, is_staff=True)


def sign_in(client, username, password=PASSWORD, url="/admin/login/", ip="10.0.0.1"):
    """The password step, as a browser posts it."""
    return client.post(
        url, {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=ip
    )


def signed_in_as(client):
    """The username the session holds, or None."""
    from django.contrib.auth import get_user

    class _Request:
        session = client.session

    user = get_user(_Request())
    return user.get_username() if user.is_authenticated else None
