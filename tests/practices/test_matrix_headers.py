"""The matrix names each column by its practice, under a header for the practice's category:
two practices of one category are two distinct columns a reader can tell apart."""

import pytest
from bs4 import BeautifulSoup  # Wagtail's own dependency

from practices.models import PracticeCategory, PracticePage
from tests import factories

pytestmark = pytest.mark.django_db


def head_rows(client):
    html = client.get("/ma-tran/").content.decode()
    thead = BeautifulSoup(html, "html.parser").select_one("#ma-tran thead")
    return thead.find_all("tr")


@pytest.fixture
def second_fees_practice(seeded):
    return factories.practice("Miễn lệ phí cấp bản sao điện tử", category_code="fees")


def test_each_column_is_headed_by_its_practice_title_and_links_to_it(client, second_fees_practice):
    _, practice_row = head_rows(client)
    headers = [(th.get_text(strip=True), th.a["href"]) for th in practice_row.find_all("th")]
    live = PracticePage.objects.live().select_related("category")
    assert sorted(headers) == sorted((p.title, p.url) for p in live)
    # Both practices of "fees" are there, each under its own title.
    fees = set(live.filter(category__code="fees").values_list("title", flat=True))
    assert len(fees) == 2
    assert [title for title, _ in headers if title in fees] == sorted(fees)


def test_categories_head_groups_of_columns_over_their_practices(client, second_fees_practice):
    group_row, practice_row = head_rows(client)
    groups = group_row.select('th[scope="colgroup"]')
    spans = {th.get_text(strip=True): int(th["colspan"]) for th in groups}
    fees = PracticeCategory.objects.get(code="fees")
    assert spans[fees.name] == 2
    assert len(spans) == PracticeCategory.objects.filter(practices__live=True).distinct().count()
    # The group headers sit over their own practices: walk the columns in order.
    titles = iter(th.get_text(strip=True) for th in practice_row.find_all("th"))
    category_of = {p.title: p.category.name for p in PracticePage.objects.live()}
    for th in groups:
        for _ in range(int(th["colspan"])):
            assert category_of[next(titles)] == th.get_text(strip=True)
