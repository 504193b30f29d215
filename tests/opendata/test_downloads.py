"""Downloads of the public lists (`/tai-ve/…` and the API's `?format=`): each file holds
exactly the rows its page shows for the same filters, in CSV, XLSX and JSON alike; it is
formula-safe; it never holds a draft; an unchanged one is answered `304`."""

import csv
import datetime
import io
import json

import openpyxl
import pytest
from bs4 import BeautifulSoup

from practices.models import Adoption, Agency, PracticePage
from tests import factories

pytestmark = pytest.mark.django_db


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response):
    data = body(response)
    assert data.startswith(b"\xef\xbb\xbf"), "a CSV starts with the BOM Excel reads as UTF-8"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def xlsx_rows(response):
    sheet = openpyxl.load_workbook(io.BytesIO(body(response)), read_only=True).active
    rows = [["" if cell is None else str(cell) for cell in row] for row in sheet.values]
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def json_rows(response):
    return [{k: str(v) for k, v in item.items()} for item in json.loads(body(response))]


READERS = {"csv": csv_rows, "xlsx": xlsx_rows, "json": json_rows}


def download(client, url, file_format):
    response = client.get(url.replace(".FMT", f".{file_format}"))
    assert response.status_code == 200, (url, response.status_code)
    assert "attachment" in response["Content-Disposition"]
    return READERS[file_format](response)


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return BeautifulSoup(response.content, "html.parser")


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "json"])
def test_a_filtered_catalogue_downloads_the_practices_it_lists(client, seeded, file_format):
    query = "?vung=Trung+du+v%C3%A0+mi%E1%BB%81n+n%C3%BAi+ph%C3%ADa+B%E1%BA%AFc&trang-thai=adopted"
    listed = [
        (a.get_text(strip=True), a["href"])
        for a in page(client, f"/sang-kien/{query}").select(".result__title a")
    ]
    everything = page(client, "/sang-kien/").select(".result__title a")
    assert 0 < len(listed) < len(everything), "the filter must narrow the list"
    rows = download(client, f"/tai-ve/giai-phap.FMT{query}", file_format)
    assert [(row["title"], row["url"].removeprefix("http://testserver")) for row in rows] == listed


def test_the_catalogues_control_carries_the_filters_on_screen(client, seeded):
    soup = page(client, "/sang-kien/?nhom=fees&trang=2")
    links = [a["href"] for a in soup.select(".download-links a[download]")]
    assert links == [f"/tai-ve/giai-phap.{f}?nhom=fees" for f in ("csv", "xlsx", "json")]


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "json"])
def test_a_practices_adopters_download_as_its_page_lists_them(client, seeded, file_format):
    practice = PracticePage.objects.get(slug="giao-chi-tieu-dvctt")
    soup = page(client, practice.url)
    for symbol in soup.select('[aria-hidden="true"]'):
        symbol.decompose()
    shown = [
        (row.select_one("th a").get_text(strip=True), row.select_one("td").get_text(strip=True))
        for row in soup.select("table.adopters tbody tr")
    ]
    assert len(shown) > 5
    rows = download(client, f"/tai-ve/giai-phap/{practice.slug}.FMT", file_format)
    labels = dict(Adoption._meta.get_field("status").choices)
    assert [(row["agency_name"], labels[row["status"]]) for row in rows] == shown
    assert {row["practice"] for row in rows} == {practice.slug}


def test_a_practices_adopters_on_a_past_day_are_those_of_that_day(client, seeded):
    practice = PracticePage.objects.get(slug="giao-chi-tieu-dvctt")
    later = factories.agency("Tỉnh Áp Dụng Sau")
    factories.adoption(practice, later, decided_on=datetime.date(2024, 5, 1))
    soup = page(client, f"{practice.url}?ngay=2023-01-01")
    shown = [
        row.select_one("th a").get_text(strip=True)
        for row in soup.select("table.adopters tbody tr")
    ]
    now = download(client, f"/tai-ve/giai-phap/{practice.slug}.FMT", "csv")
    then = download(client, f"/tai-ve/giai-phap/{practice.slug}.FMT?ngay=2023-01-01", "csv")
    assert [row["agency_name"] for row in then] == shown
    assert later.slug in {row["agency_slug"] for row in now}
    assert later.slug not in {row["agency_slug"] for row in then}


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "json"])
@pytest.mark.parametrize("query", ["?pham-vi=tinh-thanh", "?pham-vi=bo-nganh", "?ngay=2024-06-30"])
def test_the_matrix_downloads_cell_by_cell(client, seeded, file_format, query):
    soup = page(client, f"/ma-tran/{query}")
    practices = [
        a["href"].rstrip("/").rsplit("/", 1)[-1] for a in soup.select(".matrix__practice a")
    ]
    shown = []
    for row in soup.select("table.matrix tbody tr"):
        slug = row.select_one("th a")["href"].rstrip("/").rsplit("/", 1)[-1]
        statuses = [td["data-status"] for td in row.select("td.matrix__cell")]
        shown.append((slug, statuses))
    assert shown and any(s != "none" for _, statuses in shown for s in statuses)
    rows = download(client, f"/tai-ve/ma-tran.FMT{query}", file_format)
    assert [(row["agency_slug"], [row[p] or "none" for p in practices]) for row in rows] == shown


def test_an_agencys_records_download_every_page_of_them(client, seeded):
    province = factories.agency("Tỉnh Nhiều Ghi Nhận")
    for n in range(55):  # more than a page of the agency's table (50)
        factories.adoption(factories.practice(f"Giải pháp thử {n}"), province)
    rows = download(client, f"/tai-ve/co-quan/{province.slug}.FMT", "csv")
    first_page = page(client, province.get_absolute_url()).select("table.agency-adoptions tbody tr")
    assert len(first_page) == 50
    assert len(rows) == 55
    shown = [tr.select_one("th a").get_text(strip=True) for tr in first_page]
    assert [row["practice_title"] for row in rows[:50]] == shown


def test_the_agency_list_downloads_every_page_as_filtered(client, seeded):
    rows = download(client, "/tai-ve/co-quan.FMT?loai=province&thoi-ky=truoc-day", "json")
    soup = page(client, "/co-quan/?loai=province&thoi-ky=truoc-day")
    count = int(soup.select_one(".results__count").get_text().split()[0])
    assert len(rows) == count > 40  # the provinces that ended in 2025, across pages
    assert all(row["kind"] == "province" and row["valid_to"] for row in rows)
    assert all(row["successors"] for row in rows)


def test_a_draft_is_in_no_download(client, seeded):
    practice = PracticePage.objects.get(slug="giao-chi-tieu-dvctt")
    unit = factories.agency("Tỉnh Chưa Duyệt")
    factories.adoption(practice, unit, live=False, instrument="Bản nháp 1/QĐ")
    for url in (
        f"/tai-ve/giai-phap/{practice.slug}.csv",
        f"/tai-ve/co-quan/{unit.slug}.csv",
        "/api/v1/adoptions/?format=csv",
    ):
        assert "Bản nháp 1/QĐ" not in body(client.get(url)).decode("utf-8"), url


def test_cells_a_spreadsheet_would_run_are_neutralised(client, seeded):
    practice = PracticePage.objects.get(slug="giao-chi-tieu-dvctt")
    unit = factories.agency("Tỉnh Công Thức")
    factories.adoption(practice, unit, notes='=HYPERLINK("http://x.example","bấm")')
    url = f"/tai-ve/giai-phap/{practice.slug}"
    note = next(r for r in download(client, f"{url}.FMT", "csv") if r["agency_slug"] == unit.slug)
    assert note["notes"] == '\'=HYPERLINK("http://x.example","bấm")'
    sheet = openpyxl.load_workbook(io.BytesIO(body(client.get(f"{url}.xlsx")))).active
    cells = [c for row in sheet.iter_rows() for c in row if str(c.value).startswith("=HYPER")]
    assert cells and all(cell.data_type == "s" for cell in cells)  # text, not a formula


def test_an_unchanged_download_is_answered_304_and_a_change_makes_it_new(client, seeded):
    url = "/tai-ve/giai-phap/giao-chi-tieu-dvctt.csv"
    first = client.get(url)
    assert first["ETag"] and first["Last-Modified"]
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    assert client.get(f"{url}?ngay=2024-01-01", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200

    record = Adoption.objects.public().filter(practice__slug="giao-chi-tieu-dvctt").first()
    record.notes = "Đã cập nhật"
    record.save()
    from search import sync

    sync.refresh_all()  # as the signals do on commit
    changed = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


def test_bad_input_gets_a_clear_refusal(client, seeded):
    refused = client.get("/tai-ve/ma-tran.csv?ngay=31-31-2024")
    assert refused.status_code == 400
    assert "Ngày" in refused.content.decode()
    assert client.get("/tai-ve/ma-tran.pdf").status_code == 404
    assert client.get("/tai-ve/giai-phap/khong-co.csv").status_code == 404
    assert client.get("/tai-ve/chi-so.csv?co-quan=khong-co").status_code == 400


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_api_list_as_a_file_holds_every_row_as_filtered(client, seeded, file_format):
    practice = PracticePage.objects.get(slug="giao-chi-tieu-dvctt")
    units = [factories.agency(f"Tỉnh Tệp {n}") for n in range(60)]
    for unit in units:
        factories.adoption(practice, unit)
    api = f"/api/v1/adoptions/?practice={practice.slug}&status=adopted"
    listed = json.loads(client.get(api).content)
    assert listed["count"] > 60 and listed["next"]  # more than one page of JSON
    rows = download(client, f"{api}&format={file_format}", file_format)
    assert len(rows) == listed["count"]
    assert [row["agency"] for row in rows[:50]] == [item["agency"] for item in listed["results"]]
    assert "steps" not in rows[0]


def test_the_api_refuses_in_json_whatever_the_format(client, seeded):
    response = client.get("/api/v1/adoptions/?format=csv&ngay=2024-99-99")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "error" in json.loads(response.content)
    one = client.get("/api/v1/practices/giao-chi-tieu-dvctt/?format=csv")
    assert one["Content-Type"] == "application/json"


def test_an_agencys_indicator_values_include_its_predecessors(client, seeded):
    from indicators.models import IndicatorValue
    from practices.models import Indicator

    old, new = factories.agency("Tỉnh Cũ Chỉ Số"), factories.agency("Tỉnh Mới Chỉ Số")
    factories.succession(old, new)
    indicator = Indicator.objects.first()
    for unit, year in ((old, 2024), (new, 2025)):
        IndicatorValue.objects.create(
            indicator=indicator,
            agency=unit,
            period_kind="year",
            period_start=datetime.date(year, 1, 1),
            value=50,
            source="Báo cáo",
        )
    rows = download(client, f"/tai-ve/chi-so.FMT?co-quan={new.slug}", "csv")
    assert [row["agency_slug"] for row in rows] == [old.slug, new.slug]
    assert Agency.objects.filter(slug=old.slug).exists()


@pytest.mark.parametrize("file_format", ["csv", "json"])
def test_search_results_download_as_the_page_lists_them(client, seeded, settings, file_format):
    settings.ELASTICSEARCH_URL = ""  # the database's search (Elasticsearch: tests/search)
    from search import sync

    sync.refresh_all()
    soup = page(client, "/tim-kiem/?q=phi")
    titles = soup.select(".search-result__title a, .result__title a")
    shown = [" ".join(a.get_text().split()) for a in titles]
    rows = download(client, "/tai-ve/tim-kiem.FMT?q=phi", file_format)
    assert shown and [row["title"] for row in rows[: len(shown)]] == shown


def test_every_download_the_open_data_page_offers_answers_a_file(client, seeded):
    soup = page(client, "/du-lieu-mo/")
    links = [
        a["href"]
        for a in soup.select("#tai-ve ~ ul a")
        if "tai-ve" in a["href"] or "format=" in a["href"]
    ]
    assert len(links) > 10
    for url in links:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "attachment" in response["Content-Disposition"], url
