"""Search engines and shared links: /sitemap.xml, /robots.txt, and on every public page a
canonical address with Open Graph and Twitter card tags."""

import re

from django.conf import settings

import pytest
from PIL import Image

from kb.models import KnowledgePage
from practices.models import Agency, PracticePage

pytestmark = pytest.mark.django_db


def locations(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    return re.findall(r"<loc>([^<]+)</loc>", response.content.decode())


def test_the_sitemap_lists_pages_units_dashboards_and_sections(client, seeded):
    found = set(locations(client))
    host = "http://testserver"
    practice = PracticePage.objects.get(slug="giam-phi-le-phi-dvctt")
    ended = Agency.objects.get(code="24", valid_to__isnull=False)
    expected = {
        f"{host}/",
        f"{host}{practice.url}",
        f"{host}{practice.url}lan-toa/",
        f"{host}{ended.get_absolute_url()}",  # a unit that ended keeps its page
        f"{host}/ma-tran/",
        f"{host}/tong-quan/",
        f"{host}/du-lieu-mo/",
        *(f"{host}{page.url}" for page in KnowledgePage.objects.live()[:5]),
    }
    assert expected <= found
    assert all(url.startswith(f"{host}/") for url in found)  # the request's host, always


def test_an_unpublished_page_leaves_the_sitemap(client, seeded):
    practice = PracticePage.objects.get(slug="giam-phi-le-phi-dvctt")
    practice.unpublish()
    found = locations(client)
    assert not any("giam-phi-le-phi-dvctt" in url for url in found)


def test_robots_keeps_crawlers_out_of_the_admin_evidence_and_search(client):
    text = client.get("/robots.txt").content.decode()
    for path in ("/admin/", "/minh-chung/", "/tim-kiem/"):
        assert f"Disallow: {path}\n" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text


def meta(page, name):
    found = re.search(rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)"', page)
    return found and found.group(1)


def test_every_public_page_has_a_canonical_address_and_a_card(client, seeded):
    practice = PracticePage.objects.get(slug="giam-phi-le-phi-dvctt")
    bac_ninh = Agency.objects.resolve("24")
    for path, title in [
        ("/", None),
        (practice.url, practice.title),
        (bac_ninh.get_absolute_url(), bac_ninh.name),
        ("/ma-tran/", None),
        ("/tong-quan/", None),
        ("/co-quan/", None),
        ("/du-lieu-mo/", "Dữ liệu mở"),
        ("/tim-kiem/?q=ho+so", None),
    ]:
        page = client.get(path).content.decode()
        assert re.search(r'<link rel="canonical" href="http://testserver/', page), path
        for name in ("og:title", "og:description", "og:image", "og:url", "twitter:card"):
            assert meta(page, name), (path, name)
        if title:
            assert meta(page, "og:title") == title, path
    assert meta(client.get(practice.url).content.decode(), "og:description").startswith(
        practice.summary[:40]
    )


def test_the_canonical_address_keeps_the_page_number_and_drops_the_rest(client, seeded):
    page = client.get("/co-quan/?trang=2&utm_source=zalo&q=ha").content.decode()
    assert '<link rel="canonical" href="http://testserver/co-quan/?trang=2">' in page


def test_the_card_image_is_the_size_large_cards_show():
    path = settings.BASE_DIR / "static" / "img" / "social.png"
    with Image.open(path) as image:
        assert image.size == (1200, 630)


def test_a_page_names_one_card_image(client, seeded):
    practice = PracticePage.objects.get(slug="giam-phi-le-phi-dvctt")
    for path in ("/", practice.url, "/du-lieu-mo/"):
        page = client.get(path).content.decode()
        assert page.count('property="og:image"') == 1, path
    page = client.get(practice.url).content.decode()
    assert meta(page, "og:image") == "http://testserver/static/img/social.png"


def test_the_home_page_is_the_website_and_a_practice_an_article(client, seeded):
    practice = PracticePage.objects.get(slug="giam-phi-le-phi-dvctt")
    assert meta(client.get("/").content.decode(), "og:type") == "website"
    assert meta(client.get(practice.url).content.decode(), "og:type") == "article"
