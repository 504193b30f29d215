"""The chart pipeline (dashboards.charts): one spec, its SVG, PNG, CSV and table, the
registry's download view, and the home page's chart without JavaScript."""

import csv
import io
import re
from unittest import mock

import pytest

from dashboards import charts
from practices.models import Adoption, AdoptionStatus

HOME_CHART = "ket-qua-theo-trang-thai"
HOME_TITLE = "Kết quả áp dụng theo trạng thái"


def seeded_counts():
    counts = {status: 0 for status in AdoptionStatus.values}
    for status in Adoption.objects.public().values_list("status", flat=True):
        counts[status] += 1
    return counts


def read_csv(response):
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff"), "Excel needs the BOM to read the file as UTF-8"
    return list(csv.reader(io.StringIO(text[1:])))


# A chart of the tests' own: data that a spreadsheet would run, a parameter it checks.
@charts.register("thu-nghiem-bieu-do", params=("so",))
def _test_chart(params):
    number = params.get("so", "1")
    if not number.isdigit():
        raise charts.BadParams("Tham số “so” phải là một số nguyên dương.")
    values = [
        {"ten": '=HYPERLINK("http://example.org")', "gia_tri": int(number)},
        {"ten": "<script>alert(1)</script>", "gia_tri": 2.5},
    ]
    return charts.Chart(
        title="Biểu đồ thử nghiệm",
        description="Dùng trong kiểm thử.",
        spec={
            "data": {"values": values},
            "mark": "bar",
            "encoding": {
                "x": {"field": "ten", "type": "nominal"},
                "y": {"field": "gia_tri", "type": "quantitative"},
            },
        },
        columns=["Tên", "Giá trị"],
        rows=[[v["ten"], v["gia_tri"]] for v in values],
    )


@pytest.mark.django_db
def test_svg_download_is_the_chart_with_its_title_and_figures(client, seeded):
    response = client.get(f"/bieu-do/{HOME_CHART}.svg")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    svg = response.content.decode("utf-8")
    assert svg.startswith("<svg")
    assert HOME_TITLE in svg
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert str(seeded_counts()[AdoptionStatus.ADOPTED]) in texts
    assert "✓ Đã áp dụng" in texts


@pytest.mark.django_db
def test_png_download_is_a_png(client, seeded):
    response = client.get(f"/bieu-do/{HOME_CHART}.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.django_db
def test_csv_download_has_the_table_rows(client, seeded):
    response = client.get(f"/bieu-do/{HOME_CHART}.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == f'attachment; filename="{HOME_CHART}.csv"'
    rows = read_csv(response)
    counts = seeded_counts()
    assert rows[0] == ["Trạng thái", "Số kết quả áp dụng"]
    assert rows[1:] == [
        [charts.status_text(status), str(counts[status])] for status in charts.STATUS_ORDER
    ]


@pytest.mark.django_db
def test_csv_neutralises_formulas(client):
    rows = read_csv(client.get("/bieu-do/thu-nghiem-bieu-do.csv?so=7"))
    assert rows[1] == ['\'=HYPERLINK("http://example.org")', "7"]
    assert rows[2] == ["<script>alert(1)</script>", "2.5"]


@pytest.mark.django_db
def test_data_text_is_escaped_in_the_svg(client):
    svg = client.get("/bieu-do/thu-nghiem-bieu-do.svg").content.decode("utf-8")
    assert "<script" not in svg
    assert "&lt;script&gt;" in svg


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/bieu-do/khong-co.svg", f"/bieu-do/{HOME_CHART}.pdf", f"/bieu-do/{HOME_CHART}.SVG"],
)
def test_unknown_chart_or_format_is_404(client, path):
    assert client.get(path).status_code == 404


@pytest.mark.django_db
def test_bad_parameters_are_a_400_in_vietnamese(client):
    response = client.get("/bieu-do/thu-nghiem-bieu-do.svg?so=abc")
    assert response.status_code == 400
    assert "Tham số “so” phải là một số nguyên dương." in response.content.decode()


@pytest.mark.django_db
def test_a_rendering_failure_is_a_503_not_a_500(client, settings):
    with mock.patch.object(charts, "render_svg", side_effect=ValueError("vl-convert failed")):
        response = client.get("/bieu-do/thu-nghiem-bieu-do.svg?so=3")
    assert response.status_code == 503
    assert "Không vẽ được biểu đồ này lúc này" in response.content.decode()


def test_build_passes_only_the_declared_parameters():
    chart = charts.build("thu-nghiem-bieu-do", {"so": "4", "trang": "2", "q": "x"})
    assert chart.params == {"so": "4"}
    assert chart.dom_id.startswith("bieu-do-thu-nghiem-bieu-do-")
    assert chart.dom_id != charts.build("thu-nghiem-bieu-do", {"so": "5"}).dom_id
    assert chart.csv_url == "/bieu-do/thu-nghiem-bieu-do.csv?so=4"
    assert chart.svg_url == "/bieu-do/thu-nghiem-bieu-do.svg?so=4"


def test_a_name_is_registered_once():
    with pytest.raises(ValueError):
        charts.register("thu-nghiem-bieu-do")(lambda params: None)
    with pytest.raises(ValueError):
        charts.register("Tên có dấu")


def test_table_cells_read_as_vietnamese_and_csv_cells_as_data():
    import datetime

    chart = charts.Chart(
        title="t",
        description="d",
        spec={},
        columns=["Ngày", "Số", "Tỉ lệ"],
        rows=[[datetime.date(2025, 7, 1), 1234, 0.125]],
    )
    assert chart.table_rows == [[("01/07/2025", False), ("1.234", True), ("0,125", True)]]
    assert chart.csv().splitlines()[1] == '"2025-07-01","1234","0.125"'


def test_the_page_svg_is_safe_inline_under_the_csp():
    chart = charts.build("thu-nghiem-bieu-do", {})
    svg = str(chart.svg())
    assert svg.startswith("<svg")
    assert "style=" not in svg  # the CSP refuses inline style attributes
    assert "<script" not in svg
    # Vega's ARIA roles and labels are English; the template names the picture.
    assert "aria-roledescription" not in svg and "aria-label" not in svg
    assert 'role="graphics' not in svg


def test_ids_of_an_inline_svg_are_prefixed_with_the_chart():
    svg = '<svg><clipPath id="clip1"><rect/></clipPath><g clip-path="url(#clip1)"/></svg>'
    inline = charts._inline(svg, "bieu-do-a")
    assert 'id="bieu-do-a-clip1"' in inline
    assert "url(#bieu-do-a-clip1)" in inline
    assert 'id="clip1"' not in inline


def test_the_server_caches_a_drawing_by_its_spec():
    spec = charts.build("thu-nghiem-bieu-do", {"so": "9"}).page_spec()
    with mock.patch("vl_convert.vegalite_to_svg", return_value="<svg>x</svg>") as convert:
        charts.render_svg({**spec, "width": 111})
        charts.render_svg({**spec, "width": 111})
        charts.render_svg({**spec, "width": 112})
    assert convert.call_count == 2


@pytest.mark.django_db
def test_home_page_without_javascript_shows_the_svg_and_the_table(client, seeded):
    html = client.get("/").content.decode("utf-8")
    figure = html[html.index('<figure class="chart"') : html.index("</figure>")]
    assert HOME_TITLE in figure
    picture = figure[figure.index("data-chart-picture") :]
    # The server's drawing, asked by the browser without the page waiting for it.
    assert picture[picture.index(">") + 1 :].startswith(f'<img src="/bieu-do/{HOME_CHART}.svg"')
    counts = seeded_counts()
    for status in charts.STATUS_ORDER:
        assert re.search(
            rf'<th scope="row">{re.escape(charts.status_text(status))}</th>'
            rf'<td class="num">{counts[status]}</td>',
            figure,
        )
    assert f'href="/bieu-do/{HOME_CHART}.csv"' in figure
    assert f'href="/bieu-do/{HOME_CHART}.svg"' in figure
    # The spec for vega-embed, as data (never an inline script).
    assert f'<script id="bieu-do-{HOME_CHART}-spec" type="application/json">' in figure


@pytest.mark.django_db
def test_home_chart_counts_only_public_adoptions(client, seeded):
    before = seeded_counts()[AdoptionStatus.PLANNED]
    adoption = Adoption.objects.public().first()
    Adoption.objects.filter(pk=adoption.pk).update(status=AdoptionStatus.PLANNED, live=False)
    rows = read_csv(client.get(f"/bieu-do/{HOME_CHART}.csv"))
    planned = dict(rows[1:])[charts.status_text(AdoptionStatus.PLANNED)]
    assert planned == str(before)
    Adoption.objects.filter(pk=adoption.pk).update(live=True)
    rows = read_csv(client.get(f"/bieu-do/{HOME_CHART}.csv"))
    assert dict(rows[1:])[charts.status_text(AdoptionStatus.PLANNED)] == str(before + 1)


@pytest.mark.django_db
def test_home_page_names_the_charts_png_as_its_social_image(client, seeded):
    html = client.get("/").content.decode("utf-8")
    match = re.search(r'<meta property="og:image" content="([^"]+)">', html)
    assert match and match.group(1) == f"http://testserver/bieu-do/{HOME_CHART}.png"
    assert client.get(match.group(1)).content.startswith(b"\x89PNG")


def test_registered_chart_tag_takes_the_pages_and_its_own_parameters(rf):
    from django.template import Context, Template

    template = Template('{% load dashboards_tags %}{% registered_chart "thu-nghiem-bieu-do" %}')
    html = template.render(Context({"request": rf.get("/?so=5&khac=1")}))
    assert 'href="/bieu-do/thu-nghiem-bieu-do.csv?so=5"' in html
    bad = template.render(Context({"request": rf.get("/?so=x")}))
    assert "<figure" not in bad  # wrong parameters leave the chart out, never a 500


@pytest.mark.django_db
def test_chart_files_are_rate_limited_per_client(client, settings):
    from django.core.cache import cache

    settings.RATELIMIT_CHARTS = "2/m"
    cache.clear()
    with mock.patch("django_ratelimit.core.time") as clock:
        clock.time.return_value = 1_800_000_000.0
        for n in range(2):
            assert client.get(f"/bieu-do/thu-nghiem-bieu-do.csv?so={n + 1}").status_code == 200
        refused = client.get("/bieu-do/thu-nghiem-bieu-do.csv?so=3")
        assert refused.status_code == 429
        assert 1 <= int(refused["Retry-After"]) <= 60
        assert "Bạn đã gửi quá nhiều yêu cầu" in refused.content.decode()
        other = client.get("/bieu-do/thu-nghiem-bieu-do.csv?so=3", REMOTE_ADDR="10.0.0.9")
        assert other.status_code == 200
    cache.clear()


def test_the_table_body_escapes_every_cell_and_says_when_empty():
    chart = charts.Chart(
        title="t",
        description="d",
        spec={},
        columns=["Đơn vị", "Số"],
        rows=[['<img src=x onerror="alert(1)">', 3]],
    )
    html = str(chart.table_body)
    assert html == (
        '<tr><th scope="row">&lt;img src=x onerror=&quot;alert(1)&quot;&gt;</th>'
        '<td class="num">3</td></tr>'
    )
    chart.rows = []
    del chart.table_body  # made once per chart
    assert str(chart.table_body) == '<tr><td colspan="2">Chưa có số liệu.</td></tr>'
