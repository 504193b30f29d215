"""A form that the proxy sends again (ops/retries.py): carried out once, the second attempt
answered as the first was; a first attempt that failed leaves the key free; a key from anyone
but the proxy, or on a GET, changes nothing."""

import threading
import uuid

from django.db import connection
from django.http import HttpResponseRedirect
from django.test import RequestFactory
from django.urls import reverse

import pytest

from kb.models import Source
from ops import retries
from ops.models import HandledPost
from practices.models import Adoption, Agency, PracticePage
from tests.reporting.test_reporting import ADMIN, form_data
from tests.reporting.test_review import reporter  # noqa: F401

PROXY = "127.0.0.1"


@pytest.fixture(autouse=True)
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY]


def attempt(client, data, key, address=PROXY):
    return client.post(reverse(f"{ADMIN}:add"), data, HTTP_X_RETRY_KEY=key, REMOTE_ADDR=address)


@pytest.fixture
def report_form(reporter, seeded):  # noqa: F811
    practice = PracticePage.objects.get(slug="tro-ly-ao-huong-dan-dvctt")
    agency = Agency.objects.resolve("24")
    return practice, agency, form_data(practice, agency)


def reports(practice, agency):
    return Adoption.objects.filter(practice=practice, agency=agency).count()


def test_a_draft_sent_twice_by_the_proxy_is_saved_once(client, reporter, report_form):  # noqa: F811
    practice, agency, data = report_form
    client.force_login(reporter)
    key = uuid.uuid4().hex
    first = attempt(client, data, key)
    assert first.status_code == 302
    again = attempt(client, data, key)
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert again[retries.REPLAYED] == "1"
    assert reports(practice, agency) == 1


def test_without_the_proxys_key_each_post_is_its_own(client, reporter, report_form):  # noqa: F811
    practice, agency, data = report_form
    client.force_login(reporter)
    key = uuid.uuid4().hex
    assert attempt(client, data, key, address="203.0.113.9").status_code == 302
    # The same key from a client: not believed, so the form runs and refuses a second report.
    second = attempt(client, data, key, address="203.0.113.9")
    assert retries.REPLAYED not in second
    assert not HandledPost.objects.filter(key=key).exists()


def test_a_first_attempt_that_failed_leaves_the_request_to_the_next(rf, db):
    calls = []

    def view(request):
        calls.append(1)
        Source.objects.create(key=f"nguon-{len(calls)}", title=f"Nguồn {len(calls)}")
        if len(calls) == 1:
            raise RuntimeError("the server died under it")
        return HttpResponseRedirect("/xong/")

    middleware = retries.RetriedPostMiddleware(view)
    key = uuid.uuid4().hex
    request = rf.post("/mau/", HTTP_X_RETRY_KEY=key, REMOTE_ADDR=PROXY)
    with pytest.raises(RuntimeError):
        middleware(request)
    assert not Source.objects.filter(key="nguon-1").exists(), "its writes went with it"
    answer = middleware(rf.post("/mau/", HTTP_X_RETRY_KEY=key, REMOTE_ADDR=PROXY))
    assert answer.status_code == 302 and retries.REPLAYED not in answer
    assert list(
        Source.objects.filter(key__startswith="nguon-").values_list("title", flat=True)
    ) == ["Nguồn 2"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_retry_waits_for_the_attempt_still_running_then_answers_as_it_did():
    """The first server is slow, not dead: the second attempt waits on the key until the first
    commits, then replays its answer instead of writing again."""
    if connection.vendor != "postgresql":
        pytest.fail("needs PostgreSQL (DATABASE_URL)")
    writing, finish = threading.Event(), threading.Event()

    def slow(request):
        Source.objects.create(key="nguon-cham", title="Nguồn chậm")
        writing.set()
        finish.wait(10)
        return HttpResponseRedirect("/xong/")

    def fast(request):
        Source.objects.create(key="nguon-hai-lan", title="Nguồn ghi hai lần")
        return HttpResponseRedirect("/khac/")

    key = uuid.uuid4().hex
    factory = RequestFactory()
    answers = {}

    def run(name, view):
        try:
            request = factory.post("/mau/", HTTP_X_RETRY_KEY=key, REMOTE_ADDR=PROXY)
            answers[name] = retries.RetriedPostMiddleware(view)(request)
        finally:
            connection.close()

    first = threading.Thread(target=run, args=("first", slow))
    first.start()
    assert writing.wait(10)
    second = threading.Thread(target=run, args=("second", fast))
    second.start()
    second.join(1)
    assert second.is_alive(), "the second attempt waits while the first holds the key"
    finish.set()
    first.join(10)
    second.join(10)
    assert answers["first"]["Location"] == answers["second"]["Location"] == "/xong/"
    assert answers["second"][retries.REPLAYED] == "1"
    assert Source.objects.filter(key="nguon-cham").exists()
    assert not Source.objects.filter(key="nguon-hai-lan").exists()
