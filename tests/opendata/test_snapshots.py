"""Dated snapshots (opendata/snapshots.py): a valid Frictionless package of the public data,
listed on the site, that the import commands read back into an empty database."""

import csv
import io
import json
import shutil

from django.core.management import call_command
from django.core.management.base import CommandError

import frictionless
import pytest

from opendata import snapshots
from practices.models import Adoption, PracticePage
from tests import factories


@pytest.fixture
def snapshot_root(settings, tmp_path):
    settings.SNAPSHOTS_ROOT = tmp_path / "snapshots"
    return settings.SNAPSHOTS_ROOT


def publish():
    call_command("publish_snapshot", stdout=io.StringIO())
    (snapshot,) = snapshots.published()
    return snapshot


def report_of(folder):
    limit = csv.field_size_limit()
    try:
        report = frictionless.validate(str(folder / "datapackage.json"))
    finally:
        # frictionless raises the csv module's limit for the whole process; the import
        # reader's tests rely on the module's own (tests/practices/test_import_limits.py).
        csv.field_size_limit(limit)
    return report, [error.message for task in report.tasks for error in task.errors]


@pytest.mark.django_db
def test_a_snapshot_is_a_valid_data_package_of_the_public_records(seeded, snapshot_root):
    practice = PracticePage.objects.get(slug="giao-chi-tieu-dvctt")
    factories.adoption(practice, factories.agency("Tỉnh Bản Nháp"), live=False, notes="nháp")
    snapshot = publish()
    report, errors = report_of(snapshot.folder)
    assert report.valid, errors
    package = json.loads((snapshot.folder / "datapackage.json").read_text(encoding="utf-8"))
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    tables = {resource["name"]: resource for resource in package["resources"]}
    assert set(tables) == {t.name for t in snapshots.TABLES}
    assert tables["adoptions"]["schema"]["primaryKey"] == ["practice", "agency_slug"]
    with open(snapshot.folder / "adoptions.csv", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == Adoption.objects.public().count()
    assert not any(row["notes"] == "nháp" for row in rows)  # a draft stays out
    # The checksums file reads as `sha256sum -c` reads it.
    sums = snapshots.read_sums(snapshot.folder)
    assert set(sums) == {f"{t.name}.csv" for t in snapshots.TABLES} | {"datapackage.json"}


@pytest.mark.django_db
def test_a_damaged_package_fails_validation_and_is_not_restored(seeded, snapshot_root, tmp_path):
    snapshot = publish()
    broken = tmp_path / "broken"
    shutil.copytree(snapshot.folder, broken)
    path = broken / "adoptions.csv"
    path.write_bytes(path.read_bytes().replace(b'"adopted"', b'"adoptedd"', 1))
    report, errors = report_of(broken)
    assert not report.valid  # the hash, and the value outside the statuses
    with pytest.raises(CommandError, match="adoptions.csv"):
        call_command("restore_snapshot", str(broken), stdout=io.StringIO())


def public_records(client):
    def listing(path):
        data = json.loads(client.get(f"{path}?page_size=500").content)
        assert data["next"] is None
        return data["results"]

    def unordered(items):  # the lists break ties by id, which a restore gives anew
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))

    adoptions = listing("/api/v1/adoptions/")
    for item in adoptions:
        item.pop("url")  # holds the record's id, which a restore gives anew
    return {
        "practices": listing("/api/v1/practices/"),
        "agencies": unordered(listing("/api/v1/agencies/")),
        "adoptions": unordered(adoptions),
        "indicator_values": body_of(client.get("/tai-ve/chi-so.csv")),
    }


def body_of(response):
    return b"".join(response.streaming_content)


@pytest.mark.django_db(transaction=True)
def test_a_snapshot_restores_into_an_empty_database(seeded, snapshot_root, client):
    before = public_records(client)
    assert len(before["adoptions"]) > 20 and len(before["agencies"]) > 100
    snapshot = publish()

    call_command("flush", interactive=False, verbosity=0)
    assert not PracticePage.objects.exists() and not Adoption.objects.exists()
    call_command("restore_snapshot", str(snapshot.folder), stdout=io.StringIO())

    after = public_records(client)
    for table in before:
        assert after[table] == before[table], table


@pytest.mark.django_db
def test_the_site_lists_the_snapshots_and_serves_their_files(seeded, snapshot_root, client):
    empty = client.get("/du-lieu-mo/ban-sao/")
    assert empty.status_code == 200
    assert "Chưa có bản sao" in empty.content.decode()
    snapshot = publish()
    page = client.get("/du-lieu-mo/ban-sao/").content.decode()
    assert f"{snapshot.date:%d/%m/%Y}" in page
    name, size, digest = snapshot.file("adoptions.csv")
    url = f"/du-lieu-mo/ban-sao/{snapshot.date:%Y-%m-%d}/{name}"
    assert url in page
    response = client.get(url)
    assert response.status_code == 200
    served = body_of(response)
    assert len(served) == size
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    for bad in ("../../settings.py", "khong-co.csv", "%2e%2e%2fSHA256SUMS"):
        assert client.get(f"/du-lieu-mo/ban-sao/{snapshot.date:%Y-%m-%d}/{bad}").status_code == 404
    assert client.get("/du-lieu-mo/ban-sao/2001-01-01/adoptions.csv").status_code == 404
