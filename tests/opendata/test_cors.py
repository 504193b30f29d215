"""Any site's page may read the open-data API from a browser (CORS), for GET only and without
cookies; the rest of the site stays same-origin."""

import pytest

pytestmark = pytest.mark.django_db

ORIGIN = "https://bao-cao.example.vn"


def test_the_api_answers_any_origin_without_credentials(client, seeded):
    response = client.get("/api/v1/practices/", headers={"Origin": ORIGIN})
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    assert "ETag" in response["Access-Control-Expose-Headers"]


def test_a_preflight_allows_reading_only(client):
    response = client.options(
        "/api/v1/adoptions/",
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"},
    )
    assert response.status_code == 200
    assert set(response["Access-Control-Allow-Methods"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_pages_outside_the_api_give_no_cross_origin_access(client, seeded):
    response = client.get("/", headers={"Origin": ORIGIN})
    assert "Access-Control-Allow-Origin" not in response
