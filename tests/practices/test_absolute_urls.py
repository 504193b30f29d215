"""Every URL the open-data and search endpoints give is absolute and names the host and scheme
the caller used (`kb.links.absolute_url`), whatever host the Wagtail `Site` record carries
(`localhost` after `load_seed`)."""

import pytest

from practices.models import Adoption, Agency
from tests.search.test_views import database_engine  # noqa: F401 - fixture

HOST = "kho-giai-phap.example.vn"


def urls_in(node, key=None):
    """Every string value under a key named `url`, `next` or `previous`, and every value of
    the API root (which maps names to URLs)."""
    if isinstance(node, dict):
        for name, value in node.items():
            yield from urls_in(value, name)
    elif isinstance(node, list):
        for value in node:
            yield from urls_in(value, key)
    elif isinstance(node, str) and key in {"url", "next", "previous", "root"}:
        yield node


def endpoints():
    adoption = Adoption.objects.public().order_by("pk").first()
    agency = Agency.objects.get(slug="bac-ninh")
    return [
        ("/api/v1/", {}),
        ("/api/v1/practices/", {"page_size": 2}),
        ("/api/v1/practices/giao-chi-tieu-dvctt/", {}),
        ("/api/v1/agencies/", {"page_size": 2}),
        (f"/api/v1/agencies/{agency.slug}/", {}),
        ("/api/v1/adoptions/", {"page_size": 2}),
        (f"/api/v1/adoptions/{adoption.pk}/", {}),
        ("/api/v1/adoptions/", {"current_agency": "24"}),
        ("/api/v1/search/", {"q": "bac ninh"}),
        ("/api/v1/search/suggest/", {"q": "bac"}),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("secure", [False, True], ids=["http", "https"])
def test_every_endpoint_names_the_host_of_the_request(client, database_engine, secure):  # noqa: F811
    scheme = "https" if secure else "http"
    checked = 0
    for path, params in endpoints():
        response = client.get(path, params, HTTP_HOST=HOST, secure=secure)
        assert response.status_code == 200, (path, response.content[:500])
        data = response.json()
        if path == "/api/v1/":
            data = {"root": list(data.values())}
        urls = list(urls_in(data))
        assert urls, f"{path} gave no URL to check"
        wrong = [url for url in urls if not url.startswith(f"{scheme}://{HOST}/")]
        assert wrong == [], path
        checked += len(urls)
    assert checked > 20


@pytest.mark.django_db
def test_the_urls_lead_to_the_public_pages(client, database_engine):  # noqa: F811
    for path in ("/api/v1/practices/", "/api/v1/agencies/", "/api/v1/adoptions/"):
        for item in client.get(path, {"page_size": 3}, HTTP_HOST=HOST).json()["results"]:
            page = item["url"].removeprefix(f"http://{HOST}").split("#")[0]
            assert client.get(page, HTTP_HOST=HOST).status_code == 200, item["url"]
