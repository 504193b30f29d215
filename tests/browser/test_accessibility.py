"""axe-core on the public pages, with the seed's data: no serious or critical violation."""

import pytest

from practices.models import Agency, PracticePage
from tests.browser.axe import assert_accessible, violations

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_public_pages_pass_axe(page, live_server, seeded):
    practice = PracticePage.objects.get(slug="giam-phi-le-phi-dvctt")
    bac_ninh = Agency.objects.resolve("24")
    paths = [
        "/",
        "/sang-kien/",
        practice.url,
        "/ma-tran/",
        "/co-quan/",
        bac_ninh.get_absolute_url(),
        "/tim-kiem/?q=ho+so",
        "/du-lieu-mo/",
    ]
    failures = []
    for path in paths:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
        found = violations(page)
        if found:
            failures.append((path, found))
    assert not failures, "\n".join(
        f"{path}: {[v['id'] for v in found]}" for path, found in failures
    )
    # And the helper itself, as other tests call it.
    page.goto(f"{live_server.url}/")
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_axe_reports_a_serious_violation(page, live_server, seeded):
    """The check can fail: an image without a text alternative is one."""
    page.goto(f"{live_server.url}/")
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend',"
        " '<img src=\"/static/img/favicon.svg\">')"
    )
    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(page)
