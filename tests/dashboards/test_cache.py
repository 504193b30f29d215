"""dashboards.cache: one data version, bumped when a record behind the dashboards changes."""

import datetime

import pytest

from dashboards import cache
from practices.models import Adoption, AdoptionStep
from tests import factories


@pytest.fixture
def caching(settings):
    settings.DASHBOARDS_CACHE_SECONDS = 3600


def test_cached_computes_once_per_version(caching):
    calls = []

    def build():
        calls.append(1)
        return len(calls)

    assert cache.cached("thu-nghiem", build) == 1
    assert cache.cached("thu-nghiem", build) == 1
    cache.bump()
    assert cache.cached("thu-nghiem", build) == 2
    assert len(calls) == 2


def test_a_result_read_once_is_kept_by_the_process_until_the_version_moves(caching, monkeypatch):
    """A page's charts each ask for the same figures: the second ask does not go back to
    Django's cache (and unpickle them again)."""
    from django.core.cache import cache as django_cache

    reads = []
    real_get_or_set = django_cache.get_or_set
    monkeypatch.setattr(
        django_cache,
        "get_or_set",
        lambda *args, **kwargs: reads.append(1) or real_get_or_set(*args, **kwargs),
    )
    first = cache.cached("thu-nghiem-giu", lambda: {"so": 1})
    assert cache.cached("thu-nghiem-giu", lambda: {"so": 2}) is first
    assert len(reads) == 1
    cache.bump()
    assert cache.cached("thu-nghiem-giu", lambda: {"so": 3}) == {"so": 3}
    assert len(reads) == 2


def test_a_lost_version_does_not_bring_back_old_results(caching):
    from django.core.cache import cache as django_cache

    first = cache.version()
    cache.cached("thu-nghiem-mat", lambda: "cũ")
    django_cache.delete(cache.VERSION_KEY)
    assert cache.version() != first
    assert cache.cached("thu-nghiem-mat", lambda: "mới") == "mới"


@pytest.mark.django_db
def test_saving_or_deleting_an_adoption_bumps_once_committed(
    caching, seeded, django_capture_on_commit_callbacks
):
    practice = factories.practice()
    agency = factories.agency()
    before = cache.version()
    with django_capture_on_commit_callbacks(execute=True):
        adoption = factories.adoption(practice, agency)
    after_save = cache.version()
    assert after_save != before
    with django_capture_on_commit_callbacks(execute=True):
        adoption.delete()
    assert cache.version() != after_save


@pytest.mark.django_db
def test_publishing_an_adoption_revision_bumps(caching, seeded, django_capture_on_commit_callbacks):
    adoption = Adoption.objects.public().first()
    revision = adoption.save_revision()
    before = cache.version()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        revision.publish()
    assert callbacks
    assert cache.version() != before


@pytest.mark.django_db
def test_unpublishing_a_practice_page_bumps(caching, seeded, django_capture_on_commit_callbacks):
    practice = factories.practice()
    before = cache.version()
    with django_capture_on_commit_callbacks(execute=True):
        practice.unpublish()
    assert cache.version() != before


@pytest.mark.django_db
def test_nothing_bumps_before_the_commit(caching, seeded, django_capture_on_commit_callbacks):
    before = cache.version()
    with django_capture_on_commit_callbacks(execute=False):
        factories.adoption(factories.practice(), factories.agency())
    assert cache.version() == before


@pytest.mark.django_db
def test_an_import_bumps_once_committed(caching, seeded, django_capture_on_commit_callbacks):
    from practices.resources import import_adoptions

    Adoption.objects.filter(practice__slug="tro-ly-ao-huong-dan-dvctt").delete()
    data = (
        "Sáng kiến,Cơ quan,Trạng thái,Ngày quyết định\n"
        "tro-ly-ao-huong-dan-dvctt,Tỉnh Bắc Giang,Đã áp dụng,15/03/2022\n"
    ).encode()
    before = cache.version()
    with django_capture_on_commit_callbacks(execute=True):
        report = import_adoptions(data, file_format="csv")
    assert report.ok, [str(e) for e in report.errors]
    assert cache.version() != before


@pytest.mark.django_db
def test_the_agency_pages_dashboard_is_kept_per_version(caching, seeded, client):
    """The agency page's timeline and gap list are drawn once per data version: a change
    that moves the version shows at once, and nothing else is served stale."""
    practice = factories.practice()
    agency = factories.agency()
    adoption = factories.adoption(practice, agency, instrument="Quyết định số 1/QĐ-UBND")
    cache.bump()

    def timeline():
        html = client.get(agency.get_absolute_url()).content.decode()
        return html[html.index('id="dien-bien"') : html.index('id="con-thieu"')]

    assert "Quyết định số 1/QĐ-UBND" in timeline()
    # Written behind the site's back (no signal): the kept drawing is served…
    AdoptionStep.objects.filter(adoption=adoption).update(instrument="Quyết định số 2")
    assert "Quyết định số 1/QĐ-UBND" in timeline()
    # …until the version moves, as every change made through the site moves it.
    cache.bump()
    assert "Quyết định số 2" in timeline()


@pytest.mark.django_db
def test_changing_a_unit_or_a_succession_bumps_once_committed(
    caching, seeded, django_capture_on_commit_callbacks
):
    """A unit's period or a succession decides whose records count for whom on a day."""
    agency = factories.agency()
    other = factories.agency()
    before = cache.version()
    with django_capture_on_commit_callbacks(execute=True):
        agency.valid_to = datetime.date(2025, 6, 30)
        agency.save()
    after_unit = cache.version()
    assert after_unit != before
    with django_capture_on_commit_callbacks(execute=True):
        factories.succession(agency, other)
    assert cache.version() != after_unit
