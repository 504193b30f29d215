"""Public pages run a fixed number of SQL queries, whatever the number of agencies and
adoptions: the count is measured at two data sizes and must not move.

A page that renders the same rows at both sizes cannot show a query per row, so the larger
size adds to every list each URL renders (units with predecessors in both matrix scopes,
ministries, departments, practices and categories, adoptions, knowledge pages and tags), and
the test checks that each URL's output did grow.
"""

import datetime
import json
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from kb.models import GuidancePage, KnowledgeIndexPage
from practices.models import Adoption, Agency, AgencyKind, PracticePage, Succession
from tests import factories

NEW_PRACTICES = 3
NEW_KNOWLEDGE_PAGES = 3


def merged_pair(key, n, kind, last_day, **fields):
    """A unit that ended on `last_day` and the one that succeeded it the next day."""
    old = Agency.objects.create(
        slug=f"{key}-{n}-den-2025",
        code=f"{key}-{n}",
        name=f"Đơn vị Giả {key} {n}",
        kind=kind,
        valid_to=last_day,
        **fields,
    )
    new = Agency.objects.create(
        slug=f"{key}-{n}",
        code=f"{key}-{n}",
        name=f"Đơn vị Giả {key} {n}",
        kind=kind,
        valid_from=last_day + datetime.timedelta(days=1),
        **fields,
    )
    return old, new


def grow(n_units):
    """Add `n_units` merged provinces, merged ministries and departments of Đà Nẵng, new
    practices in new categories, adoptions of every practice by each, and tagged guidance."""
    for n in range(NEW_PRACTICES):
        factories.practice(f"Giải pháp Thêm {n}", category_code=f"nhom-them-{n}")
    practices = list(PracticePage.objects.live())
    da_nang = Agency.objects.resolve("48")
    successions, adoptions = [], []

    def adopt(agency, status, decided_on):
        adoptions.extend(
            Adoption(practice=p, agency=agency, status=status, decided_on=decided_on)
            for p in practices
        )

    for i in range(n_units):
        for key, kind, last_day, fields in [
            ("tinh", AgencyKind.PROVINCE, datetime.date(2025, 6, 30), {"region": "Tây Nguyên"}),
            ("bo", AgencyKind.MINISTRY, datetime.date(2025, 2, 28), {}),
        ]:
            old, new = merged_pair(key, i, kind, last_day, **fields)
            successions.append(
                Succession(predecessor=old, successor=new, effective_on=new.valid_from)
            )
            adopt(old, "adopted", datetime.date(2023, 1, 1))
            adopt(new, "piloting", datetime.date(2025, 8, 1))
        department = factories.agency(
            f"Sở Giả {i} thành phố Đà Nẵng",
            kind=AgencyKind.DEPARTMENT,
            parent=da_nang,
            valid_from=datetime.date(2025, 7, 1),
        )
        adopt(department, "planned", datetime.date(2025, 9, 1))
    Succession.objects.bulk_create(successions)
    Adoption.objects.bulk_create(adoptions)

    index = KnowledgeIndexPage.objects.get()
    for n in range(NEW_KNOWLEDGE_PAGES):
        page = index.add_child(instance=GuidancePage(title=f"Hướng dẫn Thêm {n}", slug=f"hd-{n}"))
        page.tags.add(f"the-them-{n}")
        page.save_revision().publish()


def page_urls():
    practice = PracticePage.objects.live().get(slug="giao-chi-tieu-dvctt")
    da_nang = Agency.objects.resolve("48")
    return [
        "/ma-tran/",
        "/ma-tran/?pham-vi=tinh-thanh-2008-2025",
        "/ma-tran/?pham-vi=bo-nganh",
        "/ma-tran/?pham-vi=bo-nganh-2021-2025",
        practice.url,
        da_nang.get_absolute_url(),
        "/sang-kien/",
        "/sang-kien/?vung=T%C3%A2y+Nguy%C3%AAn&trang-thai=adopted",
        # 40 a page: the seed has fewer departments than that, each shown with its parent.
        "/co-quan/?loai=department",
        # Every period, 40 a page, each unit with its record count (predecessors included).
        "/co-quan/?thoi-ky=tat-ca&q=gia",
        "/",
        "/kien-thuc/",
        "/api/v1/adoptions/?current_agency=48",
        "/api/v1/agencies/?page_size=500",
        "/api/v1/practices/",
    ]


def rendered_size(response):
    """How much a response shows: elements of an HTML page, values of a JSON document."""
    if response["Content-Type"].startswith("application/json"):

        def leaves(node):
            if isinstance(node, dict):
                return sum(leaves(value) for value in node.values())
            if isinstance(node, list):
                return sum(leaves(value) for value in node)
            return 1

        return leaves(json.loads(response.content))
    return len(re.findall(r"<[a-z]", response.content.decode()))


def measure(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries), rendered_size(response)


@pytest.mark.django_db
def test_query_count_does_not_grow_with_data(client, seeded):
    urls = page_urls()
    client.get("/")  # warm per-process caches (site root paths)
    small = {url: measure(client, url) for url in urls}
    grow(60)
    large = {url: measure(client, url) for url in urls}

    not_grown = [url for url in urls if large[url][1] <= small[url][1]]
    assert not_grown == [], "these URLs render no more at the larger size"
    assert {url: queries for url, (queries, _) in large.items()} == {
        url: queries for url, (queries, _) in small.items()
    }
    # The matrix itself is a handful of queries, not one per row or cell.
    assert small["/ma-tran/"][0] <= 12
