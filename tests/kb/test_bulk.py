"""kb.bulk: rows written from plain values, with ids drawn beforehand."""

import pytest

from kb.bulk import insert_rows, reserve_pks
from search.models import SearchDocument

pytestmark = pytest.mark.django_db


def test_reserved_ids_are_new_and_never_handed_out_again():
    before = SearchDocument.objects.create(key="kiem-thu:0", type="guidance", title="a", url="/")
    reserved = reserve_pks(SearchDocument, 3)
    assert reserved == list(range(reserved[0], reserved[0] + 3))
    assert reserved[0] > before.pk

    # Another record made meanwhile does not take one of them...
    after = SearchDocument.objects.create(key="kiem-thu:4", type="guidance", title="b", url="/")
    assert after.pk > reserved[-1]
    # ...and the reserved ids are free for the rows that name them.
    insert_rows(
        SearchDocument,
        ["id", "key", "type", "title", "title_folded", "url"],
        [(pk, f"kiem-thu:{pk}", "guidance", "Hòa", "hoa", "/x/") for pk in reserved],
    )
    assert set(SearchDocument.objects.filter(pk__in=reserved).values_list("title", flat=True)) == {
        "Hòa"
    }


def test_columns_not_named_take_their_default_and_now():
    insert_rows(
        SearchDocument,
        ["key", "type", "title", "title_folded", "url", "year"],
        ((f"kiem-thu:{n}", "agency", f"Sở {n}", f"so {n}", "/", None) for n in range(5)),
    )
    rows = SearchDocument.objects.filter(key__startswith="kiem-thu:")
    assert rows.count() == 5
    for row in rows:
        assert (row.body, row.deleted, row.indexed_at) == ("", False, None)
        assert row.updated_at is not None


def test_any_selects_what_in_selects():
    for n in range(4):
        SearchDocument.objects.create(key=f"kiem-thu:{n}", type="guidance", title="t", url="/")
    keys = ["kiem-thu:1", "kiem-thu:3", "khong-co"]
    by_any = SearchDocument.objects.filter(key__any=keys)
    by_in = SearchDocument.objects.filter(key__in=keys)
    assert sorted(by_any.values_list("key", flat=True)) == ["kiem-thu:1", "kiem-thu:3"]
    assert list(by_any.order_by("pk")) == list(by_in.order_by("pk"))
    assert not SearchDocument.objects.filter(key__any=[]).exists()
