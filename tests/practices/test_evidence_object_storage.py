"""Evidence files and library documents in an object store (S3 through django-storages),
against the real S3-compatible server of scripts/services/objectstore.sh.

Each test makes buckets of its own there and points `STORAGES["default"]` and
`STORAGES["evidence"]` at them with the function the production settings call
(`kb.settings.object_storage.s3_storages`), then goes through the real admin form and views:
what is uploaded lands in the bucket, the evidence rule decides who gets it exactly as on disk
(tests/practices/test_evidence_serving.py), the file is streamed by the application, and no
answer ever carries an address in the bucket.
"""

import io
import urllib.request
import uuid
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote, urlsplit

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection

import boto3
import pytest
from botocore.exceptions import ClientError

from kb.settings.object_storage import image_origin, s3_storages
from practices.evidence.object_storage import S3EvidenceStorage
from practices.evidence.storage import NAME_PATTERN, evidence_storage
from practices.models import Adoption, Agency, PracticePage
from reporting.roles import EDITORS, REVIEWERS
from tests.practices.test_evidence import PDF, png_bytes
from tests.practices.test_evidence_serving import (
    VIETNAMESE_NAME,
    approved,
    body,
    file_url,
    get,
    latest_file_name,
    make_reporter,
    national,
    report_as,
)
from tests.production import run_production

pytestmark = [pytest.mark.django_db, pytest.mark.objectstore]

REGION = "us-east-1"
KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def _s3(url):
    return boto3.client("s3", endpoint_url=url, region_name=REGION, **KEYS)


def _empty_and_remove(client, bucket):
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", ()):
            client.delete_object(Bucket=bucket, Key=item["Key"])
    client.delete_bucket(Bucket=bucket)


def _point_storages_at(settings, url, **environ):
    """The storages as the production settings make them from this environment."""
    environ = {"AWS_S3_ENDPOINT_URL": url, "AWS_S3_REGION_NAME": REGION, **environ}
    settings.AWS_S3_ACCESS_KEY_ID = KEYS["aws_access_key_id"]
    settings.AWS_S3_SECRET_ACCESS_KEY = KEYS["aws_secret_access_key"]
    settings.STORAGES = {**settings.STORAGES, **s3_storages(environ)}
    return environ


@pytest.fixture
def buckets(objectstore_url, settings, tmp_path):
    """Two new buckets, documents and evidence, with the storages pointed at them as the
    production settings point them; local folders of the test's own, to find them empty."""
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    client = _s3(objectstore_url)
    suffix = uuid.uuid4().hex[:12]
    made = SimpleNamespace(
        client=client,
        url=objectstore_url,
        media=f"dvctt-test-media-{suffix}",
        evidence=f"dvctt-test-evidence-{suffix}",
    )
    for bucket in (made.media, made.evidence):
        client.create_bucket(Bucket=bucket)
    made.environ = _point_storages_at(
        settings,
        objectstore_url,
        AWS_STORAGE_BUCKET_NAME=made.media,
        EVIDENCE_BUCKET_NAME=made.evidence,
    )
    yield made
    for bucket in (made.media, made.evidence):
        _empty_and_remove(client, bucket)


def keys(buckets, bucket):
    listed = buckets.client.list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in listed.get("Contents", ()))


def stored(buckets, bucket, key):
    return buckets.client.get_object(Bucket=bucket, Key=key)["Body"].read()


def assert_no_bucket_address(response, buckets):
    """Not a redirect, and neither the store's address nor a bucket's name in any header or
    in the body: the file came through the application."""
    assert not 300 <= response.status_code < 400, response.get("Location")
    assert not response.has_header("Location")
    netloc = urlsplit(buckets.url).netloc
    content = body(response)
    for needle in (netloc, buckets.media, buckets.evidence):
        assert needle.encode() not in content, needle
        for header, value in response.items():
            assert needle not in value, (header, value)


def local_files(settings):
    roots = [Path(settings.PRIVATE_MEDIA_ROOT), Path(settings.MEDIA_ROOT)]
    return [p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()]


@pytest.fixture
def practice(seeded):
    return PracticePage.objects.get(slug="tro-ly-ao-huong-dan-dvctt")


@pytest.fixture
def bac_ninh(seeded):
    return Agency.objects.resolve("24")


@pytest.fixture
def reporter(seeded):
    return make_reporter("baocao-bn-s3", "24")


@pytest.fixture
def other_reporter(seeded):
    return make_reporter("baocao-ls-s3", "20")


@pytest.fixture
def reviewer(seeded):
    return national("thamdinh-s3", REVIEWERS)


@pytest.fixture
def editor(seeded):
    return national("bientap-s3", EDITORS)


# --- evidence files ---------------------------------------------------------------------------


def test_a_draft_file_lands_in_the_bucket_and_goes_only_to_who_may_see_the_draft(
    client, buckets, settings, reporter, other_reporter, reviewer, editor, practice, bac_ninh
):
    report = report_as(client, reporter, practice, bac_ninh)
    assert not report.live
    name = report.evidence_file.name
    assert NAME_PATTERN.match(name), name
    # In the evidence bucket, under the evidence prefix, byte for byte; nowhere else.
    assert keys(buckets, buckets.evidence) == [f"evidence/{name}"]
    assert stored(buckets, buckets.evidence, f"evidence/{name}") == PDF
    assert keys(buckets, buckets.media) == []
    assert local_files(settings) == []
    # Private in the bucket too: no grant to anyone but its owner.
    acl = buckets.client.get_object_acl(Bucket=buckets.evidence, Key=f"evidence/{name}")
    assert all("URI" not in grant["Grantee"] for grant in acl["Grants"]), acl["Grants"]

    url = file_url(name)
    assert url.startswith("/minh-chung/")
    # Refused as on disk: a 404, as for a name that never existed.
    for user in (None, other_reporter):
        response = get(client, url, user)
        assert response.status_code == 404, user
        assert_no_bucket_address(response, buckets)
    for user in (reporter, reviewer, editor):
        response = get(client, url, user)
        assert response.status_code == 200, user
        assert response.streaming
        assert body(response) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == (
            'attachment; filename="Quyet dinh so 12 - Dong y.pdf"; '
            f"filename*=UTF-8''{quote(VIETNAMESE_NAME, safe='')}"
        )
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "private, no-store"
        assert response.has_header("Last-Modified")
        assert_no_bucket_address(response, buckets)
    # Not linked from the public page, which names no bucket either.
    page = get(client, bac_ninh.get_absolute_url())
    assert url not in page.content.decode()
    assert_no_bucket_address(page, buckets)


def test_the_approved_file_is_public_and_a_pending_revision_file_stays_private(
    client, buckets, reporter, other_reporter, reviewer, editor, practice, bac_ninh
):
    report = approved(client, editor, practice, bac_ninh, name="ban-cu.pdf")
    old = report.evidence_file.name
    new_content = PDF.replace(b"200 200", b"300 300")
    report_as(client, reporter, practice, bac_ninh, "bản mới.pdf", new_content, pk=report.pk)
    new = latest_file_name(report)
    assert new != old
    assert stored(buckets, buckets.evidence, f"evidence/{new}") == new_content

    response = get(client, file_url(old))
    assert response.status_code == 200
    assert body(response) == PDF
    assert response["Cache-Control"] == "public, max-age=600"
    assert_no_bucket_address(response, buckets)
    for user in (None, other_reporter):
        assert get(client, file_url(new), user).status_code == 404
    for user in (reporter, reviewer):
        response = get(client, file_url(new), user)
        assert response.status_code == 200
        assert body(response) == new_content
        assert response["Cache-Control"] == "private, no-store"

    # The pages that link the file link the evidence view, never the bucket; so does the
    # reviewer's edit view, which shows the version under review.
    for page in (
        get(client, practice.url),
        get(client, reverse("wagtailsnippets_practices_adoption:edit", args=[report.pk]), reviewer),
    ):
        assert page.status_code == 200
        assert_no_bucket_address(page, buckets)
    assert f'href="{file_url(old)}"' in get(client, practice.url).content.decode()


def test_the_storage_gives_the_evidence_views_address_not_the_buckets(buckets):
    name = evidence_storage().save("minh-chung/2026/01/" + "a" * 32 + ".pdf", ContentFile(PDF))
    assert evidence_storage().url(name) == "/minh-chung/2026/01/" + "a" * 32 + ".pdf"


def test_a_file_gone_from_the_bucket_is_404(client, buckets, editor, practice, bac_ninh):
    report = approved(client, editor, practice, bac_ninh)
    buckets.client.delete_object(
        Bucket=buckets.evidence, Key=f"evidence/{report.evidence_file.name}"
    )
    assert get(client, file_url(report.evidence_file.name)).status_code == 404


def test_x_accel_redirect_is_for_the_disk_only(
    client, buckets, settings, editor, practice, bac_ninh
):
    settings.EVIDENCE_ACCEL_REDIRECT_PREFIX = "/_private/minh-chung-noi-bo/"
    report = approved(client, editor, practice, bac_ninh)
    response = get(client, file_url(report.evidence_file.name))
    assert response.status_code == 200
    assert not response.has_header("X-Accel-Redirect")
    assert body(response) == PDF


def test_publishing_a_replacement_deletes_the_old_object(
    client, buckets, editor, practice, bac_ninh, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = approved(client, editor, practice, bac_ninh, name="ban-1.pdf")
    first = report.evidence_file.name
    with django_capture_on_commit_callbacks(execute=True):
        report_as(client, editor, practice, bac_ninh, "ban-2.pdf", pk=report.pk)
    second = latest_file_name(report)
    # A draft of a live record: both stay until one is published.
    assert keys(buckets, buckets.evidence) == sorted([f"evidence/{first}", f"evidence/{second}"])
    with django_capture_on_commit_callbacks(execute=True):
        report.refresh_from_db()
        report.latest_revision.publish(user=editor)
    report.refresh_from_db()
    assert report.evidence_file.name == second
    assert keys(buckets, buckets.evidence) == [f"evidence/{second}"]

    with django_capture_on_commit_callbacks(execute=True):
        report.delete()
    assert keys(buckets, buckets.evidence) == []


def test_a_bucket_that_refuses_a_delete_does_not_fail_the_request(
    client, buckets, editor, practice, bac_ninh, django_capture_on_commit_callbacks, monkeypatch
):
    report = approved(client, editor, practice, bac_ninh)
    name = report.evidence_file.name

    def refuse(self, name):
        error = {"Error": {"Code": "AccessDenied"}, "ResponseMetadata": {"HTTPStatusCode": 403}}
        raise ClientError(error, "DeleteObject")

    monkeypatch.setattr(S3EvidenceStorage, "delete", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        client.force_login(editor)
        response = client.post(
            reverse("wagtailsnippets_practices_adoption:delete", args=[report.pk])
        )
    assert response.status_code == 302
    assert not Adoption.objects.filter(pk=report.pk).exists()
    assert keys(buckets, buckets.evidence) == [f"evidence/{name}"]  # left, and logged


def test_one_bucket_with_two_prefixes(
    client, objectstore_url, settings, editor, practice, bac_ninh
):
    bucket = f"dvctt-test-both-{uuid.uuid4().hex[:12]}"
    s3 = _s3(objectstore_url)
    s3.create_bucket(Bucket=bucket)
    try:
        _point_storages_at(
            settings,
            objectstore_url,
            AWS_STORAGE_BUCKET_NAME=bucket,
            AWS_LOCATION="tep-cong-khai",
            EVIDENCE_LOCATION="minh-chung-rieng",
        )
        report = approved(client, editor, practice, bac_ninh)
        document = get_document_model().objects.create(
            title="Biên bản", file=ContentFile(PDF, name="bien-ban.pdf")
        )
        listed = sorted(item["Key"] for item in s3.list_objects_v2(Bucket=bucket)["Contents"])
        assert listed == sorted(
            [f"minh-chung-rieng/{report.evidence_file.name}", f"tep-cong-khai/{document.file.name}"]
        )
        assert body(get(client, file_url(report.evidence_file.name))) == PDF
        assert body(get(client, document.url)) == PDF
    finally:
        _empty_and_remove(s3, bucket)


def test_legacy_files_move_from_the_documents_bucket_to_the_evidence_bucket(
    client, buckets, practice, bac_ninh, django_capture_on_commit_callbacks
):
    legacy = default_storage.save("minh-chung/2026/01/Quyết định 7.pdf", ContentFile(PDF))
    assert keys(buckets, buckets.media) == [f"media/{legacy}"]
    report = Adoption.objects.create(practice=practice, agency=bac_ninh)
    Adoption.objects.filter(pk=report.pk).update(evidence_file=legacy)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("move_evidence_files", stdout=None, stderr=None)
    report.refresh_from_db()
    new = report.evidence_file.name
    assert NAME_PATTERN.match(new)
    assert report.evidence_file_name == "Quyết định 7.pdf"
    assert keys(buckets, buckets.media) == []
    assert stored(buckets, buckets.evidence, f"evidence/{new}") == PDF


# Run by another interpreter under kb.settings.production: another app server, which stores a
# file through its own storages.
OTHER_APP_SERVER = """import os
os.environ["DJANGO_SETTINGS_MODULE"] = "kb.settings.production"
import django
django.setup()
from django.core.files.base import ContentFile
from django.core.files.storage import storages
print(storages["evidence"].save(os.environ["TEST_NAME"], ContentFile(b"%PDF-1.4 khac")))
print(storages["default"].save("documents/bien-ban.pdf", ContentFile(b"%PDF-1.4 tai lieu")))
"""


def test_what_one_app_server_stores_another_serves(client, buckets, editor, practice, bac_ninh):
    """A production process, configured from its environment alone (credentials included),
    writes into the buckets; this process, another app server, finds the same bytes."""
    name = "minh-chung/2026/01/" + "b" * 32 + ".pdf"
    result = run_production(
        OTHER_APP_SERVER,
        STORAGE_BACKEND="s3",
        AWS_STORAGE_BUCKET_NAME=buckets.media,
        EVIDENCE_BUCKET_NAME=buckets.evidence,
        AWS_S3_ENDPOINT_URL=buckets.url,
        AWS_S3_REGION_NAME=REGION,
        AWS_ACCESS_KEY_ID=KEYS["aws_access_key_id"],
        AWS_SECRET_ACCESS_KEY=KEYS["aws_secret_access_key"],
        TEST_NAME=name,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [name, "documents/bien-ban.pdf"]
    with evidence_storage().open(name) as f:
        assert f.read() == b"%PDF-1.4 khac"
    with default_storage.open("documents/bien-ban.pdf") as f:
        assert f.read() == b"%PDF-1.4 tai lieu"
    for bucket, key in (
        (buckets.evidence, f"evidence/{name}"),
        (buckets.media, "media/documents/bien-ban.pdf"),
    ):
        acl = buckets.client.get_object_acl(Bucket=bucket, Key=key)
        assert all("URI" not in grant["Grantee"] for grant in acl["Grants"]), acl["Grants"]


# --- library documents --------------------------------------------------------------------------


@pytest.fixture
def uploaded_document(client, buckets, seeded):
    """A document uploaded through Wagtail's own admin form by a superuser."""
    admin = get_user_model().objects.create_superuser("quantri-s3", "q@example.org", "x")
    client.force_login(admin)
    response = client.post(
        reverse("wagtaildocs:add"),
        {
            "title": "Biên bản nghiệm thu",
            "file": SimpleUploadedFile("bien-ban-nghiem-thu.pdf", PDF, "application/pdf"),
            "collection": Collection.get_first_root_node().pk,
        },
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    client.logout()
    return get_document_model().objects.get(title="Biên bản nghiệm thu")


def test_a_document_lands_in_the_bucket_and_is_streamed_by_the_serve_view(
    client, buckets, settings, uploaded_document
):
    document = uploaded_document
    assert keys(buckets, buckets.media) == [f"media/{document.file.name}"]
    assert stored(buckets, buckets.media, f"media/{document.file.name}") == PDF
    assert local_files(settings) == []
    assert document.url == reverse("wagtaildocs_serve", args=[document.pk, document.filename])

    # Wagtail would redirect to a storage's own URL if asked to: it is not, and never may be.
    settings.DOCUMENTS_ACCEL_REDIRECT_PREFIX = "/_private/media/"
    response = get(client, document.url)
    assert response.status_code == 200
    assert body(response) == PDF
    assert response["X-Content-Type-Options"] == "nosniff"
    assert not response.has_header("X-Accel-Redirect")
    assert_no_bucket_address(response, buckets)


def test_two_documents_of_the_same_name_stay_two_files(client, buckets, seeded):
    Document = get_document_model()
    first = Document.objects.create(title="Một", file=ContentFile(PDF, name="bao-cao.pdf"))
    other = PDF.replace(b"200 200", b"300 300")
    second = Document.objects.create(title="Hai", file=ContentFile(other, name="bao-cao.pdf"))
    assert first.file.name != second.file.name
    assert len(keys(buckets, buckets.media)) == 2
    assert body(get(client, first.url)) == PDF
    assert body(get(client, second.url)) == other


def test_a_document_used_only_by_a_draft_is_for_who_may_see_the_draft(
    client, buckets, reporter, other_reporter, reviewer, practice, bac_ninh, uploaded_document
):
    document = uploaded_document
    report = report_as(client, reporter, practice, bac_ninh)
    Adoption.objects.filter(pk=report.pk).update(evidence_document=document)
    for user in (None, other_reporter):
        response = get(client, document.url, user)
        assert response.status_code == 404, user
        assert_no_bucket_address(response, buckets)
    for user in (reporter, reviewer):
        response = get(client, document.url, user)
        assert response.status_code == 200, user
        assert body(response) == PDF
        assert response["Cache-Control"] == "private, no-store"
        # Named as on disk (Wagtail's serve view names no file it streams from a bucket).
        assert response["Content-Disposition"] == 'attachment; filename="bien-ban-nghiem-thu.pdf"'
        assert_no_bucket_address(response, buckets)


# --- images ---------------------------------------------------------------------------------------


def test_images_are_linked_in_the_bucket_by_signed_urls_from_the_allowed_origin(buckets, db):
    """Images are no evidence and have no serve view: Wagtail links them in the storage. In
    the private bucket that is a signed URL that expires, from the one origin the production
    settings add to the CSP's img-src."""
    image = get_image_model().objects.create(
        title="Ảnh minh họa", file=ImageFile(io.BytesIO(png_bytes()), name="anh.png")
    )
    url = image.get_rendition("max-165x165").url
    assert url.startswith(image_origin(buckets.environ) + f"/{buckets.media}/media/images/")
    assert "Signature=" in url
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - the test's own server
        assert answer.read().startswith(b"\x89PNG")
