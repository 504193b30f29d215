"""Small builders for test data; the page tree comes from the seed's `ensure_site_tree`."""

import datetime
import itertools

from kb.seed import ensure_site_tree
from practices.models import (
    Adoption,
    Agency,
    AgencyKind,
    PracticeCategory,
    PracticePage,
    Succession,
)

_numbers = itertools.count(1)


def agency(name=None, code=None, kind=AgencyKind.PROVINCE, **fields):
    n = next(_numbers)
    name = name or f"Tỉnh Thử Nghiệm {n}"
    return Agency.objects.create(
        slug=fields.pop("slug", f"don-vi-thu-{n}"),
        code=code or f"T{n}",
        name=name,
        kind=kind,
        **fields,
    )


def succession(predecessor, successor, effective_on=datetime.date(2025, 7, 1)):
    return Succession.objects.create(
        predecessor=predecessor, successor=successor, effective_on=effective_on
    )


def category(code=None):
    code = code or f"nhom-{next(_numbers)}"
    return PracticeCategory.objects.get_or_create(code=code, defaults={"name": f"Nhóm {code}"})[0]


def practice(title=None, category_code=None):
    _, index, _ = ensure_site_tree()
    n = next(_numbers)
    page = PracticePage(
        title=title or f"Giải pháp {n}",
        slug=f"giai-phap-{n}",
        summary="Tóm tắt",
        category=category(category_code),
    )
    index.add_child(instance=page)
    page.save_revision().publish()
    return page


def adoption(practice, agency, status="adopted", decided_on=datetime.date(2022, 11, 22), **fields):
    return Adoption.objects.create(
        practice=practice, agency=agency, status=status, decided_on=decided_on, **fields
    )
