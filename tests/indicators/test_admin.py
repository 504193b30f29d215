"""Indicator values in the admin: the import screens' kind (index, template, upload, preview,
confirm) and the snippet listing, for national editors only."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import pytest

from imports.models import ImportJob
from indicators.models import IndicatorValue
from practices.models import Indicator
from reporting.roles import EDITORS, REVIEWERS

pytestmark = pytest.mark.django_db

FILE = (
    "Chỉ số,Cơ quan,Loại kỳ,Ngày đầu kỳ,Giá trị,Nguồn\n"
    'online-dossier-rate,24,Quý,01/07/2025,"61,2",Cổng Dịch vụ công quốc gia\n'
).encode()


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = str(tmp_path / "uploads")


def _user(name, group):
    user = get_user_model().objects.create_user(name, f"{name}@example.org", "x")
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(seeded):
    return _user("bientap-cs", EDITORS)


@pytest.fixture
def reviewer(seeded):
    return _user("thamdinh-cs", REVIEWERS)


def test_the_index_offers_indicator_values_with_their_templates(client, editor):
    client.force_login(editor)
    page = client.get(reverse("practices_import:index")).content.decode()
    assert 'id="import-kind-indicator_values"' in page
    assert reverse("practices_import:upload_indicator_values") in page
    for file_format in ("csv", "xlsx"):
        url = reverse("practices_import:template", args=["indicator_values", file_format])
        assert url in page
        response = client.get(url)
        assert response.status_code == 200
        assert f'filename="mau-gia-tri-chi-so.{file_format}"' in response["Content-Disposition"]
    # The current data: a job (run in the request by the test settings), then its file.
    job_page = client.post(
        reverse("practices_import:export", args=["indicator_values", "json"]), follow=True
    )
    response = client.get(reverse("ops_jobs:download", args=[job_page.context["job"].pk]))
    assert response.status_code == 200 and b"126/Q" in b"".join(response.streaming_content)


def test_an_editor_previews_then_confirms_a_file(client, editor):
    client.force_login(editor)
    response = client.post(
        reverse("practices_import:upload_indicator_values"),
        {"file": SimpleUploadedFile("chi-so.csv", FILE, "text/csv")},
    )
    preview = ImportJob.objects.get()
    assert (preview.kind, preview.state, preview.summary["new"]) == ("indicator_values", "done", 1)
    assert not IndicatorValue.objects.measures().exists()  # a dry run
    page = client.get(response["Location"])
    assert page.context["token"] == str(preview.pk)
    response = client.post(reverse("practices_import:confirm"), {"token": str(preview.pk)})
    confirm = ImportJob.objects.get(preview=preview)
    assert confirm.state == "done", confirm.message
    assert IndicatorValue.objects.measures().get().agency.name == "Tỉnh Bắc Ninh"
    response = client.get(reverse("practices_import:status", args=[confirm.pk]))
    assert response["Location"] == reverse("wagtailsnippets_indicators_indicatorvalue:list")


def test_reviewers_neither_import_nor_edit_values(client, reviewer):
    client.force_login(reviewer)
    page = client.get(reverse("practices_import:index")).content.decode()
    assert "import-kind-indicator_values" not in page
    assert client.get(reverse("practices_import:upload_indicator_values")).status_code == 403
    url = reverse("practices_import:template", args=["indicator_values", "csv"])
    assert client.get(url).status_code == 403
    response = client.get(reverse("wagtailsnippets_indicators_indicatorvalue:list"))
    assert response.status_code in (302, 403)


def test_editors_list_values_filtered_by_indicator_unit_and_period(client, editor):
    client.force_login(editor)
    url = reverse("wagtailsnippets_indicators_indicatorvalue:list")
    page = client.get(url).content.decode()
    assert "Cả nước" in page and "Năm 2025" in page and "Giá trị chỉ số" in page
    dossiers = Indicator.objects.get(code="online-dossier-rate")
    query = {"indicator": dossiers.pk, "agency": "null", "year": "2025", "kind": "target"}
    page = client.get(url, query).content.decode()
    assert "en.vneconomy.vn" in page and "vietnamlawmagazine.vn" not in page
    response = client.get(url, {"period_kind": "month"})
    assert "Năm 2025" not in response.content.decode()


def test_the_screens_speak_vietnamese_and_the_form_refuses_in_vietnamese(client, editor):
    from tests.kb.english_strings import english_in

    client.force_login(editor)
    value = IndicatorValue.objects.targets().first()
    name = "wagtailsnippets_indicators_indicatorvalue"
    screens = [
        reverse(f"{name}:list"),
        reverse(f"{name}:add"),
        reverse(f"{name}:edit", args=[value.pk]),
        reverse("practices_import:upload_indicator_values"),
    ]
    for url in screens:
        response = client.get(url)
        assert response.status_code == 200, url
        assert not english_in(response.content.decode()), url
    response = client.post(
        reverse(f"{name}:add"),
        {
            "indicator": value.indicator_id,
            "agency": "",
            "period_kind": "quarter",
            "period_start": "15/03/2025",
            "value": "50",
            "kind": "measure",
            "source": "Thử",
        },
    )
    assert response.status_code == 200
    assert "Ngày đầu kỳ của kỳ quý phải là ngày 1" in response.content.decode()
    assert not IndicatorValue.objects.measures().exists()
