"""Who runs the site and how to reach them: a Wagtail site setting that editors keep under
"Tùy chỉnh", seeded by `load_seed`, shown in the footer of every public page; and the favicon."""

import io
import re

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.urls import reverse

from wagtail.models import Site

import pytest

from kb.models import SiteContact
from kb.seed import DEFAULT_SITE_OWNER
from reporting.roles import EDITORS, REPORTERS

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    "/",
    "/sang-kien/",
    "/sang-kien/giao-chi-tieu-dvctt/",
    "/ma-tran/",
    "/co-quan/",
    "/co-quan/bac-ninh/",
    "/kien-thuc/",
    "/tim-kiem/?q=ph%C3%AD",
    "/trang-khong-co/",  # the 404 page has the footer too
]


def footer(client, path):
    response = client.get(path)
    assert response.status_code in (200, 404), path
    html = response.content.decode()
    return html[html.index('<footer class="site-footer">') :]


def user(name, group):
    account = get_user_model().objects.create_user(name, f"{name}@example.org", "mat-khau-thu-2025")
    account.groups.add(Group.objects.get(name=group))
    return account


def edit_url(site):
    return reverse("wagtailsettings:edit", args=["kb", "sitecontact", site.pk])


@pytest.fixture
def site(seeded):
    return Site.objects.get(is_default_site=True)


def test_load_seed_names_an_owner_and_every_public_page_shows_it(client, site):
    assert SiteContact.objects.get(site=site).owner == DEFAULT_SITE_OWNER
    for path in PUBLIC_PAGES:
        html = footer(client, path)
        assert f"Đơn vị chủ quản: <strong>{DEFAULT_SITE_OWNER}</strong>" in html, path
        # No contact set yet: the footer says so instead of showing nothing.
        assert "thông tin liên hệ đang được cập nhật" in html, path


def test_the_footer_shows_the_contact_editors_set(client, site):
    SiteContact.objects.filter(site=site).update(
        owner="Cục Thử Nghiệm",
        address="Số 1 phố Thử, Hà Nội",
        email="lienhe@example.vn",
        phone="+84 24 1234 5678",
    )
    for path in PUBLIC_PAGES:
        html = footer(client, path)
        assert "Đơn vị chủ quản: <strong>Cục Thử Nghiệm</strong>" in html, path
        assert "Địa chỉ: Số 1 phố Thử, Hà Nội" in html
        assert '<a href="mailto:lienhe@example.vn">lienhe@example.vn</a>' in html
        assert '<a href="tel:+842412345678">+84 24 1234 5678</a>' in html
        assert "đang được cập nhật" not in html


def test_load_seed_again_keeps_what_editors_set(site):
    SiteContact.objects.filter(site=site).update(owner="Cục Thử Nghiệm", email="a@example.vn")
    call_command("load_seed", stdout=io.StringIO())
    contact = SiteContact.objects.get(site=site)
    assert (contact.owner, contact.email) == ("Cục Thử Nghiệm", "a@example.vn")
    assert SiteContact.objects.count() == Site.objects.count()


def test_load_seed_fills_an_owner_left_empty(site):
    # A row Wagtail's admin made on a first visit has no owner yet: the seed gives it one.
    SiteContact.objects.filter(site=site).update(owner="")
    call_command("load_seed", stdout=io.StringIO())
    assert SiteContact.objects.get(site=site).owner == DEFAULT_SITE_OWNER


def test_a_request_for_a_site_without_the_setting_still_renders(client, site):
    SiteContact.objects.all().delete()
    response = client.get("/co-quan/")
    assert response.status_code == 200
    assert "Đơn vị chủ quản" not in footer(client, "/co-quan/")
    # Showing a page does not write the setting; only the seed and the admin do.
    assert not SiteContact.objects.exists()


def test_an_editor_sets_owner_and_contact_in_the_admin(client, site):
    client.force_login(user("bientap-lienhe", EDITORS))
    form = client.get(edit_url(site))
    assert form.status_code == 200
    html = form.content.decode()
    for label in ("Đơn vị chủ quản", "Địa chỉ", "Thư điện tử liên hệ", "Điện thoại"):
        assert label in html, label
    response = client.post(
        edit_url(site),
        {
            "owner": "Cục Thử Nghiệm",
            "address": "Số 1 phố Thử",
            "email": "lienhe@example.vn",
            "phone": "024 1234 5678",
        },
    )
    assert response.status_code == 302
    assert SiteContact.objects.get(site=site).phone == "024 1234 5678"
    assert '<a href="tel:02412345678">024 1234 5678</a>' in footer(client, "/")


def test_a_bad_phone_number_is_refused_in_vietnamese(client, site):
    client.force_login(user("bientap-lienhe", EDITORS))
    response = client.post(edit_url(site), {"owner": "Cục Thử Nghiệm", "phone": "gọi tôi nhé"})
    assert response.status_code == 200
    assert "Số điện thoại chỉ gồm chữ số" in response.content.decode()
    assert SiteContact.objects.get(site=site).owner == DEFAULT_SITE_OWNER


def test_a_reporter_cannot_change_it(client, site):
    client.force_login(user("baocao-lienhe", REPORTERS))
    response = client.post(edit_url(site), {"owner": "Ai đó"})
    assert response.status_code in (302, 403)
    assert SiteContact.objects.get(site=site).owner == DEFAULT_SITE_OWNER


def test_every_page_links_the_favicon(client, seeded):
    html = client.get("/co-quan/").content.decode()
    [href] = re.findall(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
    assert href == "/static/img/favicon.svg"
    path = finders.find("img/favicon.svg")
    assert path and open(path, encoding="utf-8").read().lstrip().startswith("<svg")
