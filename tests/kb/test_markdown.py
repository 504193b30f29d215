"""Markdown written by editors is shown to the public as sanitised HTML."""

import pytest

from kb.markdown import markdown_to_text, render_markdown
from tests import factories

# --- what editors rely on being kept -------------------------------------------------------


def test_headings_are_kept():
    html = render_markdown("## Nội dung giải pháp\n\n### Gợi ý cách áp dụng\n\nVăn bản.")
    assert "<h2>Nội dung giải pháp</h2>" in html
    assert "<h3>Gợi ý cách áp dụng</h3>" in html
    assert "<p>Văn bản.</p>" in html


def test_bulleted_and_numbered_lists_are_kept():
    html = render_markdown("- Hà Tĩnh\n- Bắc Giang\n\n1. Rà soát\n2. Phân bổ chỉ tiêu\n")
    assert "<ul>\n<li>Hà Tĩnh</li>\n<li>Bắc Giang</li>\n</ul>" in html
    assert "<ol>\n<li>Rà soát</li>\n<li>Phân bổ chỉ tiêu</li>\n</ol>" in html


def test_emphasis_and_code_are_kept():
    html = render_markdown("**DVCTT toàn trình** và *một phần*, `mã 24`")
    assert "<strong>DVCTT toàn trình</strong>" in html
    assert "<em>một phần</em>" in html
    assert "<code>mã 24</code>" in html


def test_links_are_kept_and_marked_nofollow():
    html = render_markdown('[Cổng Dịch vụ công quốc gia](https://dichvucong.gov.vn/ "DVC")')
    assert 'href="https://dichvucong.gov.vn/"' in html
    assert 'title="DVC"' in html
    assert ">Cổng Dịch vụ công quốc gia</a>" in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_mailto_links_are_kept():
    html = render_markdown("[Liên hệ](mailto:hotro@example.gov.vn)")
    assert 'href="mailto:hotro@example.gov.vn"' in html


def test_tables_are_kept():
    html = render_markdown("| Tỉnh | Mã |\n|---|---|\n| Bắc Giang | 24 |\n| Long An | 80 |\n")
    for tag in ("<table>", "<thead>", "<tbody>", "<th>Tỉnh</th>", "<th>Mã</th>", "<td>24</td>"):
        assert tag in html
    assert "<td>Long An</td>" in html


def test_table_column_alignment_is_kept():
    # Editors align numeric columns with `--:`; `align` is on the allow-list for th/td, so the
    # alignment is expected to survive sanitising.
    html = render_markdown("| Tỉnh | Mức giảm |\n|:--|--:|\n| Long An | 50 |\n")
    assert '<th align="right">Mức giảm</th>' in html
    assert '<td align="right">50</td>' in html


# --- what must never reach the public page -------------------------------------------------


def test_script_tags_and_their_content_are_removed():
    html = render_markdown("Trước <script>alert(1)</script> sau")
    assert "<script" not in html
    assert "alert(1)" not in html
    assert "Trước" in html and "sau" in html


def test_event_handler_attributes_are_removed():
    html = render_markdown(
        '<a href="https://dichvucong.gov.vn/" onerror="steal()" onclick="steal()">x</a>\n\n'
        '<p onmouseover="steal()">đoạn văn</p>'
    )
    assert "onerror" not in html
    assert "onclick" not in html
    assert "onmouseover" not in html
    assert "steal()" not in html
    assert 'href="https://dichvucong.gov.vn/"' in html
    assert "đoạn văn" in html


@pytest.mark.parametrize(
    "source",
    [
        "[bấm vào đây](javascript:alert(1))",
        "[bấm vào đây](JaVaScRiPt:alert(1))",
        '<a href="javascript:alert(1)">bấm vào đây</a>',
        "[bấm vào đây](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    ],
)
def test_javascript_and_data_links_lose_their_href(source):
    html = render_markdown(source)
    assert "javascript" not in html.lower()
    assert "data:" not in html
    assert "href" not in html
    assert "bấm vào đây" in html


@pytest.mark.parametrize(
    "source",
    [
        "![ảnh](https://example.com/x.png)",
        '<img src="x" onerror="alert(1)">',
        '<img src="https://example.com/pixel.gif">',
    ],
)
def test_images_are_removed(source):
    html = render_markdown(source)
    assert "<img" not in html
    assert "onerror" not in html
    assert "example.com" not in html


def test_iframes_and_other_embedding_tags_are_removed():
    html = render_markdown(
        '<iframe src="https://example.com/"></iframe>\n\n'
        '<object data="x.swf"></object><embed src="x.swf">\n\n'
        "<svg onload=alert(1)></svg><style>body{display:none}</style>còn lại"
    )
    for needle in ("<iframe", "<object", "<embed", "<svg", "<style", "onload", "display:none"):
        assert needle not in html
    assert "còn lại" in html


def test_headings_outside_the_allow_list_keep_their_text():
    html = render_markdown("# Tiêu đề cấp một")
    assert "<h1" not in html
    assert "Tiêu đề cấp một" in html


def test_empty_source_renders_empty():
    assert render_markdown("") == ""
    assert render_markdown(None) == ""
    assert markdown_to_text("") == ""


# --- plain text for search and summaries ---------------------------------------------------


def test_markdown_to_text_drops_markup_and_keeps_words():
    text = markdown_to_text(
        "## Nội dung\n\n- **Giao chỉ tiêu** cho [16 tỉnh](https://example.gov.vn/)\n\n"
        "| Tỉnh | Mã |\n|---|---|\n| Bắc Giang | 24 |\n"
    )
    assert "<" not in text and ">" not in text
    assert "**" not in text and "##" not in text and "](" not in text
    assert "https://example.gov.vn" not in text
    for word in ("Nội dung", "Giao chỉ tiêu", "16 tỉnh", "Bắc Giang", "24"):
        assert word in text


def test_markdown_to_text_drops_script_content():
    text = markdown_to_text("An toàn <script>alert(1)</script>")
    assert "alert" not in text
    assert text == "An toàn"


def test_markdown_to_text_is_plain_text_not_html_escaped():
    # Search indexes and summaries get this text as is; "Sở KH&CN" must stay "Sở KH&CN".
    text = markdown_to_text("Sở KH&CN Đà Nẵng rút ngắn 10 < 20 % thời gian")
    assert text == "Sở KH&CN Đà Nẵng rút ngắn 10 < 20 % thời gian"


# --- the public page ------------------------------------------------------------------------


@pytest.mark.django_db
def test_markdown_block_in_a_practice_page_is_sanitised_on_the_public_page(client):
    page = factories.practice(title="Giải pháp có Markdown")
    page.body = [
        (
            "markdown",
            "## Mô tả an toàn\n\n"
            "Đoạn văn có **chữ đậm**.\n\n"
            "<script>alert(1)</script>\n\n"
            '<img src="x" onerror="alert(2)">\n\n'
            "[liên kết độc](javascript:alert(3))\n",
        )
    ]
    page.save_revision().publish()

    response = client.get(page.url)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h2>Mô tả an toàn</h2>" in html
    assert "<strong>chữ đậm</strong>" in html
    assert "liên kết độc" in html
    assert "<script>alert" not in html
    assert "alert(1)" not in html
    assert "onerror" not in html
    assert "alert(2)" not in html
    assert "javascript:alert" not in html
