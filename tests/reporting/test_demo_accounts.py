"""The demo accounts that `make run` creates: one per role, each with a name that says its role
and an address under example.org, so that the review e-mails show in the console; the same
accounts however often the command runs; refused on a site with DEBUG off."""

import io

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

import pytest

from practices.models import Adoption, Agency, PracticePage
from reporting.management.commands.seed_demo_accounts import DEMO_PASSWORD
from reporting.models import AgencyMembership
from reporting.roles import EDITORS, REPORTERS, REVIEWERS
from tests.reporting.test_reporting import form_data

ADMIN = "wagtailsnippets_practices_adoption"
EXPECTED = {
    "bientap": ("Biên tập viên quốc gia (minh họa)", "bientap@example.org", EDITORS),
    "thamdinh": ("Thẩm định viên quốc gia (minh họa)", "thamdinh@example.org", REVIEWERS),
    "baocao-bacninh": (
        "Báo cáo viên Tỉnh Bắc Ninh (minh họa)",
        "baocao-bacninh@example.org",
        REPORTERS,
    ),
}


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def seed_demo_accounts():
    out = io.StringIO()
    call_command("seed_demo_accounts", stdout=out)
    return out.getvalue()


def demo_users():
    return get_user_model().objects.filter(username__in=EXPECTED).order_by("username")


def state():
    """Everything the command writes, to compare two runs."""
    return [
        (
            user.username,
            user.get_full_name(),
            user.email,
            user.password,
            sorted(user.groups.values_list("name", flat=True)),
            sorted(
                AgencyMembership.objects.filter(user=user).values_list("agency__code", flat=True)
            ),
        )
        for user in demo_users()
    ]


def test_each_role_has_a_demo_name_and_an_example_address(seeded, debug):
    seed_demo_accounts()
    users = {user.username: user for user in demo_users()}
    assert set(users) == set(EXPECTED)
    for username, (name, email, group) in EXPECTED.items():
        user = users[username]
        assert user.get_full_name() == name
        assert user.email == email
        assert list(user.groups.values_list("name", flat=True)) == [group]
        assert user.check_password(DEMO_PASSWORD)
    reporter = users["baocao-bacninh"]
    assert [m.agency for m in AgencyMembership.objects.filter(user=reporter)] == [
        Agency.objects.resolve("24")
    ]


def test_running_again_changes_nothing_and_keeps_a_changed_password(seeded, debug):
    seed_demo_accounts()
    reviewer = get_user_model().objects.get(username="thamdinh")
    reviewer.set_password("mat-khau-rieng-2025")
    reviewer.save()
    before = state()
    seed_demo_accounts()
    assert state() == before
    assert get_user_model().objects.filter(username__in=EXPECTED).count() == 3


def test_an_account_left_by_an_older_version_gets_its_name_and_address(seeded, debug):
    get_user_model().objects.create_user("thamdinh", password="cu")
    seed_demo_accounts()
    reviewer = get_user_model().objects.get(username="thamdinh")
    assert (reviewer.get_full_name(), reviewer.email) == EXPECTED["thamdinh"][:2]


def test_refused_when_debug_is_off(seeded, settings):
    settings.DEBUG = False
    with pytest.raises(Exception, match="DEBUG"):
        call_command("seed_demo_accounts")
    assert not demo_users().exists()


def test_the_logins_are_printed_in_a_box(seeded, debug, settings):
    settings.WAGTAILADMIN_BASE_URL = "http://127.0.0.1:8123"
    lines = seed_demo_accounts().splitlines()
    assert lines[0].startswith("┌") and lines[-1].startswith("└")
    assert all(line.startswith("│") and line.endswith("│") for line in lines[1:-1])
    assert len({len(line) for line in lines}) == 1, "the box's sides do not line up"
    text = "\n".join(lines)
    assert "http://127.0.0.1:8123/admin/" in text
    for username in EXPECTED:
        assert username in text
    assert DEMO_PASSWORD in text


def test_a_report_submitted_by_the_demo_reporter_emails_the_demo_reviewer(
    client, seeded, debug, settings, capsys
):
    """What `make run` shows: the development settings' console backend prints the e-mail."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    seed_demo_accounts()
    capsys.readouterr()
    practice = PracticePage.objects.get(slug="tro-ly-ao-huong-dan-dvctt")
    bac_ninh = Agency.objects.resolve("24")
    client.force_login(get_user_model().objects.get(username="baocao-bacninh"))
    response = client.post(
        reverse(f"{ADMIN}:add"), form_data(practice, bac_ninh, **{"action-submit": "1"})
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    assert Adoption.objects.get(practice=practice, agency=bac_ninh).workflow_in_progress
    console = capsys.readouterr().out
    assert "To: thamdinh@example.org" in console
    assert "Chào Thẩm định viên quốc gia (minh họa)," in console
    assert "Người gửi: Báo cáo viên Tỉnh Bắc Ninh (minh họa)." in console
