"""Evidence files uploaded by reporters: the type is decided by content, the size is capped,
and a refused file never reaches storage or the database."""

import io
import zlib
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

import pytest

from practices.models import Adoption, Agency, PracticePage
from practices.validators import validate_evidence_file
from tests.reporting.test_reporting import form_data

ADMIN = "wagtailsnippets_practices_adoption"

# A complete, minimal one-page PDF.
PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
FAKE_PDF = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def png_bytes():
    """A valid 1x1 PNG, built rather than pasted."""

    def chunk(kind, data):
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    ihdr = (1).to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0])
    idat = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def upload(name, content, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files():
    """Every file in either place an evidence file could land: the private evidence storage
    or, as before it existed, MEDIA_ROOT."""
    roots = [Path(settings.PRIVATE_MEDIA_ROOT), Path(settings.MEDIA_ROOT) / "minh-chung"]
    return sorted(p for root in roots if root.exists() for p in root.rglob("*") if p.is_file())


# --- the validator -----------------------------------------------------------------------


def test_a_real_pdf_is_accepted():
    validate_evidence_file(upload("quyet-dinh.pdf", PDF))


def test_a_png_is_accepted():
    validate_evidence_file(upload("anh-chup.png", png_bytes(), "image/png"))


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("anh.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 32),
        ("anh.webp", b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32),
    ],
)
def test_jpeg_and_webp_are_accepted(name, content):
    validate_evidence_file(upload(name, content, "image/*"))


def test_an_html_page_named_pdf_is_refused():
    with pytest.raises(ValidationError) as error:
        validate_evidence_file(upload("quyet-dinh.pdf", FAKE_PDF))
    assert error.value.code == "invalid_file_type"
    assert "không phải là tài liệu PDF" in error.value.messages[0]


def test_a_pdf_under_a_misleading_name_is_refused():
    with pytest.raises(ValidationError) as error:
        validate_evidence_file(upload("quyet-dinh.html", PDF, "text/html"))
    assert error.value.code == "extension_mismatch"


def test_an_oversize_file_is_refused(settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    big = PDF + b"%" + b"0" * 2048
    with pytest.raises(ValidationError) as error:
        validate_evidence_file(upload("quyet-dinh.pdf", big))
    assert error.value.code == "file_too_large"
    assert "quá lớn" in error.value.messages[0]
    # Just under the limit passes.
    validate_evidence_file(upload("quyet-dinh.pdf", PDF))


def test_the_validator_leaves_the_read_position_alone():
    f = upload("quyet-dinh.pdf", PDF)
    f.seek(3)
    validate_evidence_file(f)
    assert f.tell() == 3


def test_the_model_field_runs_the_validator(seeded):
    adoption = Adoption(
        practice=PracticePage.objects.get(slug="tro-ly-ao-huong-dan-dvctt"),
        agency=Agency.objects.resolve("24"),
        evidence_file=upload("quyet-dinh.pdf", FAKE_PDF),
    )
    with pytest.raises(ValidationError) as error:
        adoption.full_clean(validate_unique=False, validate_constraints=False)
    assert "evidence_file" in error.value.message_dict


# --- through the admin, as a reporter ----------------------------------------------------


@pytest.fixture
def reporter(seeded):
    call_command(
        "create_reporter",
        "baocao-mc",
        "--agency",
        "24",
        "--password",
        "mat-khau-thu-2025",
        stdout=None,
    )
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="baocao-mc")


@pytest.fixture
def practice(seeded):
    return PracticePage.objects.get(slug="tro-ly-ao-huong-dan-dvctt")


@pytest.fixture
def bac_ninh(seeded):
    return Agency.objects.resolve("24")


def test_reporter_upload_of_a_fake_pdf_shows_a_form_error_and_writes_nothing(
    client, reporter, practice, bac_ninh
):
    client.force_login(reporter)
    before_rows = Adoption.objects.count()
    before_files = stored_files()
    response = client.post(
        reverse(f"{ADMIN}:add"),
        form_data(practice, bac_ninh, evidence_file=upload("quyet-dinh.pdf", FAKE_PDF)),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "evidence_file" in errors
    assert "không phải là tài liệu PDF" in errors["evidence_file"][0]
    assert "không phải là tài liệu PDF" in response.content.decode()
    assert Adoption.objects.count() == before_rows
    assert stored_files() == before_files


def test_reporter_upload_of_an_oversize_file_is_refused(
    client, reporter, practice, bac_ninh, settings
):
    settings.EVIDENCE_MAX_BYTES = 100
    client.force_login(reporter)
    before_files = stored_files()
    response = client.post(
        reverse(f"{ADMIN}:add"),
        form_data(practice, bac_ninh, evidence_file=upload("quyet-dinh.pdf", PDF)),
    )
    assert response.status_code == 200
    assert "quá lớn" in response.context["form"].errors["evidence_file"][0]
    assert not Adoption.objects.filter(practice=practice, agency=bac_ninh).exists()
    assert stored_files() == before_files


def test_reporter_upload_of_a_real_pdf_is_stored_and_shown_once_public(
    client, reporter, practice, bac_ninh
):
    client.force_login(reporter)
    response = client.post(
        reverse(f"{ADMIN}:add"),
        form_data(practice, bac_ninh, evidence_file=upload("quyet-dinh.pdf", PDF)),
    )
    assert response.status_code == 302
    report = Adoption.objects.get(practice=practice, agency=bac_ninh)
    assert report.evidence_file.name.startswith("minh-chung/")
    assert report.evidence_file.name.endswith(".pdf")
    with report.evidence_file.open("rb") as f:
        assert f.read() == PDF

    client.logout()
    url = report.evidence_file.url
    # A draft's file is not linked from the public pages...
    assert url not in client.get(bac_ninh.get_absolute_url()).content.decode()
    # ...the approved report's file is, on the agency page and the practice page.
    report.live = True
    report.save()
    assert url in client.get(bac_ninh.get_absolute_url()).content.decode()
    assert url in client.get(practice.url).content.decode()


def test_a_file_uploaded_while_editing_a_live_report_is_stored(client, practice, bac_ninh):
    """Editing a live report only saves a revision (no model save); the uploaded file must
    still be written (modelcluster's serialization runs the field's pre_save), so that the
    revision, and the version published from it, point to a file that exists."""
    from django.contrib.auth import get_user_model

    editor = get_user_model().objects.create_superuser("bientap-mc", "b@example.org", "x")
    report = Adoption.objects.create(practice=practice, agency=bac_ninh, status="planned")
    client.force_login(editor)
    response = client.post(
        reverse(f"{ADMIN}:edit", args=[report.pk]),
        form_data(practice, bac_ninh, evidence_file=upload("anh.png", png_bytes(), "image/png")),
    )
    assert response.status_code == 302
    revision = report.revisions.order_by("-created_at", "-pk").first()
    name = revision.as_object().evidence_file.name
    assert name.startswith("minh-chung/") and name.endswith(".png")
    storage = Adoption._meta.get_field("evidence_file").storage
    assert storage.exists(name)
    with storage.open(name, "rb") as f:
        assert io.BytesIO(f.read()).read(8) == b"\x89PNG\r\n\x1a\n"
