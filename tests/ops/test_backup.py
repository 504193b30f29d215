"""scripts/backup.sh and scripts/restore.sh, run as an operator runs them, on a scratch
PostgreSQL database of this module's own (migrated, seeded, a few records added by the
factories, dropped at the end).

A restore brings back every record of the backup exactly (each table's rows, compared by a
digest of all of them, and a few values by name) and, with --media, the files; a damaged backup
is refused before the database is touched; a dump that fails halfway through its restore
changes nothing (one transaction); a database holding tables the backup lacks is refused; and
with Elasticsearch the restore rebuilds the index from the restored records.
"""

import datetime
import hashlib
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit

from django.contrib.auth.models import User
from django.db import connection
from django.test import override_settings

from wagtail.models import Page, Revision

import psycopg
import pytest

from practices.models import Adoption, AdoptionStep, Agency, Succession
from search import sync
from search.client import get_client
from tests.conftest import require_service

REPO = Path(__file__).resolve().parents[2]
BACKUP = REPO / "scripts" / "backup.sh"
RESTORE = REPO / "scripts" / "restore.sh"
MARK = "Quyết định số 15/QĐ-SL"  # the instrument of the adoption the factories add
RECORD_TABLES = [m._meta.db_table for m in (Adoption, AdoptionStep, Agency, Succession, Page)]
RECORD_TABLES += [Revision._meta.db_table, User._meta.db_table]

# Run in the scratch database after the seed.
RECORDS = f"""import datetime
from tests import factories
agency = factories.agency(name="Tỉnh Sao Lưu", code="SL", slug="tinh-sao-luu")
practice = factories.practice(title="Giải pháp sao lưu")
factories.adoption(
    practice, agency, status="piloting", decided_on=datetime.date(2024, 3, 15), instrument={MARK!r}
)
"""


def changes():
    """What goes wrong after a backup: records deleted, one renamed, one added."""
    n = uuid.uuid4().hex[:6]
    return f"""from practices.models import Adoption, Agency
from tests import factories
Adoption.objects.filter(instrument={MARK!r}).delete()
first = Adoption.objects.order_by("pk").values_list("pk", flat=True)[:5]
Adoption.objects.filter(pk__in=list(first)).delete()
Agency.objects.filter(slug="bac-ninh").update(name="Tỉnh Đổi Tên")
factories.agency(name="Tỉnh Sau Sao Lưu {n}", code="S{n}", slug="sau-sao-luu-{n}")
"""


def state(url):
    """Each record table's count and a digest of all its rows, and a few values by name."""
    with psycopg.connect(url) as db:
        digest = "SELECT count(*), md5(string_agg(t::text, '|' ORDER BY t::text)) FROM {} t"
        tables = {table: db.execute(digest.format(table)).fetchone() for table in RECORD_TABLES}
        marked = db.execute(
            "SELECT a.id, a.status, a.decided_on, a.instrument, g.name FROM practices_adoption a"
            " JOIN practices_agency g ON g.id = a.agency_id WHERE a.instrument = %s",
            [MARK],
        ).fetchone()
        bac_ninh = db.execute("SELECT id, name FROM practices_agency WHERE slug = 'bac-ninh'")
        sequence = db.execute(
            "SELECT pg_sequence_last_value(pg_get_serial_sequence('practices_adoption', 'id'))"
        )
        public = db.execute("SELECT count(*) FROM search_searchdocument WHERE NOT deleted")
        return {
            "tables": tables,
            "marked adoption": marked,
            "bac-ninh": bac_ninh.fetchone(),
            "adoption id sequence": sequence.fetchone()[0],
            "public search rows": public.fetchone()[0],
        }


class Scratch:
    """The scratch database, its media folders, and the environment the scripts run in: the
    development settings (the test settings make a new MEDIA_ROOT in every process), no
    Elasticsearch and no Redis unless a test passes them."""

    def __init__(self, url, folder):
        self.url = url
        self.media, self.private = folder / "media", folder / "private"
        self.backups = folder / "backups"
        # Parallel runs against one node each set their own prefix (kb/settings/test.py).
        prefix = os.environ.get("TEST_SEARCH_INDEX_PREFIX", "dvctt-test")
        self.prefix = f"{prefix}-backup-{uuid.uuid4().hex[:8]}"
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in {"BACKUP_DIR", "PGPASSWORD"}},
            "BIN": str(Path(sys.executable).parent),
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "kb.settings.dev",
            "ELASTICSEARCH_URL": "",
            "REDIS_URL": "",
            "SEARCH_INDEX_PREFIX": self.prefix,
            "MEDIA_ROOT": str(self.media),
            "PRIVATE_MEDIA_ROOT": str(self.private),
            "IMPORT_PROGRESS_DIR": str(folder / "import-progress"),
        }

    def run(self, *command, **env):
        return subprocess.run(  # noqa: S603 - our own scripts and manage.py
            [str(part) for part in command],
            cwd=REPO,
            env=self.env | env,
            capture_output=True,
            text=True,
            errors="replace",  # pg_restore quotes the damaged bytes
            timeout=600,
        )

    def manage(self, *args, **env):
        done = self.run(sys.executable, "manage.py", *args, **env)
        assert done.returncode == 0, done.stdout + done.stderr
        return done

    def django(self, code):
        self.manage("shell", "--no-imports", "-c", code)

    def restore(self, *args, **env):
        return self.run("bash", RESTORE, *args, **env)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """A backup (with --media) of a seeded scratch database, and the state it holds."""
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    server = urlsplit(os.environ["DATABASE_URL"])
    name = f"dvctt_backup_{uuid.uuid4().hex[:8]}"
    admin = server._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}"')
    try:
        scratch = Scratch(server._replace(path=f"/{name}").geturl(), tmp_path_factory.mktemp("b"))
        scratch.manage("migrate", "--no-input", "-v0")
        scratch.manage("load_seed")
        scratch.django(RECORDS)
        (scratch.media / "documents").mkdir(parents=True)
        (scratch.media / "documents" / "huong-dan.pdf").write_bytes(b"%PDF-1.4 huong dan")
        (scratch.private / "evidence").mkdir(parents=True)
        (scratch.private / "evidence" / "minh-chung.pdf").write_bytes(b"%PDF-1.4 minh chung")

        done = scratch.run("bash", BACKUP, "--media", scratch.backups)
        assert done.returncode == 0, done.stdout + done.stderr
        [scratch.dump] = scratch.backups.glob("*.dump")
        assert {p.name for p in scratch.backups.iterdir()} == {
            scratch.dump.name,
            scratch.dump.name.replace(".dump", ".media.tar.gz"),
            scratch.dump.name.replace(".dump", ".private.tar.gz"),
            scratch.dump.name.replace(".dump", ".sha256"),
        }, "only the finished files, no temporary one"
        scratch.before = state(scratch.url)
        yield scratch
    finally:
        with psycopg.connect(admin, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def copy_of(dump, folder):
    """The dump and its sums, without the archives (a restore without --media needs no more)."""
    sums = dump.with_suffix(".sha256")
    shutil.copy(dump, folder)
    shutil.copy(sums, folder)
    return folder / dump.name


def damage(dump, reseal=False):
    """Flip a byte in a table's data (the table of contents, the statements that make the
    schema, comes first, a good two thirds of this dump). `reseal`: write the file's sum
    afresh, as if it had been damaged before the backup summed it."""
    data = bytearray(dump.read_bytes())
    data[len(data) * 9 // 10] ^= 0xFF
    dump.write_bytes(data)
    if reseal:
        sums = dump.with_suffix(".sha256")
        lines = [
            f"{hashlib.sha256(data).hexdigest()}  {dump.name}" if line.endswith(dump.name) else line
            for line in sums.read_text().splitlines()
        ]
        sums.write_text("\n".join(lines) + "\n")


@pytest.mark.postgres
def test_a_backup_that_fails_leaves_no_backup(scratch, tmp_path):
    """Here the evidence folder is missing: the dump was complete, and is removed with it."""
    folder = tmp_path / "backups"
    missing = tmp_path / "missing"
    done = scratch.run("bash", BACKUP, "--media", folder, PRIVATE_MEDIA_ROOT=str(missing))
    assert done.returncode != 0 and str(missing) in done.stderr
    assert "dumping the database" in done.stdout
    assert list(folder.iterdir()) == []


@pytest.mark.postgres
def test_a_restore_brings_back_the_records_and_the_files(scratch):
    before = scratch.before
    assert before["marked adoption"][1:] == (
        "piloting",
        datetime.date(2024, 3, 15),
        MARK,
        "Tỉnh Sao Lưu",
    )
    assert before["bac-ninh"][1] == "Tỉnh Bắc Ninh"
    scratch.django(changes())
    (scratch.private / "evidence" / "minh-chung.pdf").unlink()
    (scratch.media / "documents" / "huong-dan.pdf").write_bytes(b"overwritten")
    changed = state(scratch.url)
    assert changed["marked adoption"] is None
    assert changed["bac-ninh"][1] == "Tỉnh Đổi Tên"
    assert changed["tables"] != before["tables"]

    done = scratch.restore("--media", "--yes", scratch.dump)
    assert done.returncode == 0, done.stdout + done.stderr
    assert state(scratch.url) == before
    assert (scratch.private / "evidence" / "minh-chung.pdf").read_bytes() == b"%PDF-1.4 minh chung"
    assert (scratch.media / "documents" / "huong-dan.pdf").read_bytes() == b"%PDF-1.4 huong dan"
    said = done.stdout
    assert "checksums match" in said and "database restored" in said
    assert "ELASTICSEARCH_URL" in said
    scratch.manage("migrate", "--check")  # at the code's migrations, whatever the backup's


@pytest.mark.postgres
def test_a_damaged_backup_is_refused_and_the_database_untouched(scratch, tmp_path):
    dump = copy_of(scratch.dump, tmp_path)
    assert scratch.restore("--check", dump).returncode == 0
    damage(dump)
    scratch.django(changes())
    changed = state(scratch.url)

    for args in (["--check"], ["--yes"]):
        done = scratch.restore(*args, dump)
        assert done.returncode != 0
        assert "checksum mismatch" in done.stderr and "nothing restored" in done.stderr
        assert "restoring the database" not in done.stdout
    assert state(scratch.url) == changed

    dump.with_suffix(".sha256").unlink()
    done = scratch.restore("--yes", dump)
    assert done.returncode != 0 and "no checksum file" in done.stderr
    assert state(scratch.url) == changed


@pytest.mark.postgres
def test_a_dump_that_fails_halfway_restores_nothing(scratch, tmp_path):
    """The sums match (the file was damaged before they were taken), so pg_restore starts,
    drops and recreates tables, and fails on the damaged data: the transaction undoes it all."""
    dump = copy_of(scratch.dump, tmp_path)
    damage(dump, reseal=True)
    scratch.django(changes())
    changed = state(scratch.url)

    done = scratch.restore("--yes", dump)
    assert done.returncode != 0
    assert "restoring the database" in done.stdout
    assert "pg_restore" in done.stderr and "rolled back" in done.stderr
    assert state(scratch.url) == changed


@pytest.mark.postgres
def test_a_database_with_tables_the_backup_lacks_is_refused(scratch):
    """A later release's table, with a foreign key to one the restore would drop."""
    with psycopg.connect(scratch.url, autocommit=True) as db:
        db.execute(
            "CREATE TABLE later_release (id bigint PRIMARY KEY,"
            " agency_id bigint REFERENCES practices_agency (id))"
        )
    try:
        changed = state(scratch.url)
        done = scratch.restore("--yes", scratch.dump)
        assert done.returncode != 0
        assert "later_release" in done.stderr and "empty database" in done.stderr
        assert state(scratch.url) == changed
    finally:
        with psycopg.connect(scratch.url, autocommit=True) as db:
            db.execute("DROP TABLE later_release")


@pytest.mark.postgres
@pytest.mark.elasticsearch
def test_a_restore_rebuilds_the_search_index(scratch, elasticsearch_url):
    search = {"ELASTICSEARCH_URL": elasticsearch_url}
    marked = f"adoption:{scratch.before['marked adoption'][0]}"
    bac_ninh = f"agency:{scratch.before['bac-ninh'][0]}"
    scratch.django(changes())
    scratch.manage("search_rebuild", "--no-progress", **search)  # the index of the changes
    with override_settings(ELASTICSEARCH_URL=elasticsearch_url, SEARCH_INDEX_PREFIX=scratch.prefix):
        client, alias = get_client(), sync.alias()
    try:
        assert not client.exists(index=alias, id=marked)
        assert client.get(index=alias, id=bac_ninh)["_source"]["title"] == "Tỉnh Đổi Tên"

        done = scratch.restore("--yes", scratch.dump, **search)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "rebuilding the search index" in done.stdout and alias in done.stdout
        assert state(scratch.url) == scratch.before
        client.indices.refresh(index=alias)
        assert client.exists(index=alias, id=marked)
        assert client.get(index=alias, id=bac_ninh)["_source"]["title"] == "Tỉnh Bắc Ninh"
        assert client.count(index=alias)["count"] == scratch.before["public search rows"]
    finally:
        client.indices.delete(
            index=f"{scratch.prefix}-*", ignore_unavailable=True, allow_no_indices=True
        )


@pytest.mark.parametrize("script", [BACKUP, RESTORE], ids=["backup", "restore"])
def test_a_database_that_is_not_postgresql_is_refused(script, tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    dump = tmp_path / "dvctt-20250701T020000Z.dump"
    command = ["bash", str(script), str(tmp_path / "backups") if script == BACKUP else str(dump)]
    done = subprocess.run(  # noqa: S603 - our own scripts
        command, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0
    assert "is not a PostgreSQL database URL): sqlite://…" in done.stderr
    assert not (tmp_path / "backups").exists()
