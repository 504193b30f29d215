"""The public "Dữ liệu mở" page: reached from every page's menu, it says what the data hold,
under which licence, how to cite them, and where the API and its schema are."""

import pytest

from opendata.views import rate_in_words

pytestmark = pytest.mark.django_db


def test_the_menu_leads_to_the_open_data_page(client, seeded):
    home = client.get("/").content.decode()
    assert 'href="/du-lieu-mo/"' in home
    assert 'href="/api/v1/">API mở' not in home  # the raw JSON is no longer the menu's target


def test_the_page_explains_the_data_the_licence_and_the_api(client, seeded, settings):
    settings.RATELIMIT_API = "60/m"
    response = client.get("/du-lieu-mo/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'aria-current="page">Dữ liệu mở' in page
    for text in (
        "CC BY 4.0",
        'rel="license"',
        "Cách trích dẫn",
        "60 yêu cầu mỗi phút",
        'href="/api/v1/schema/xem/"',
        "http://testserver/api/v1/schema/",
        "successors",
        "ngay=YYYY-MM-DD",
        "/api/v2/",
    ):
        assert text in page, text
    # Every example is a real query that the API answers.
    for url, _text in response.context["examples"]:
        assert client.get(url.removeprefix("http://testserver")).status_code == 200, url
    assert "q=thanh+toán+trực+tuyến</code>" in page


def test_the_limit_is_said_in_words():
    assert rate_in_words("60/m") == "60 yêu cầu mỗi phút"
    assert rate_in_words("100/5m") == "100 yêu cầu mỗi 5 phút"
    assert rate_in_words("1000/h") == "1000 yêu cầu mỗi giờ"
    assert rate_in_words("") == ""
