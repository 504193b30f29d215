"""Dated snapshots of the whole public data set: one folder per day under
`SNAPSHOTS_ROOT`, each a Frictionless data package (https://specs.frictionlessdata.io/):

- a CSV per table, written by the exports (`practices.resources.export`,
  `indicators.transfer`): the import format, so that the package is also a backup that the
  import commands read back (`restore`; `manage.py restore_snapshot`);
- `datapackage.json`: every table's fields (Vietnamese titles, types, allowed values), keys,
  size and SHA-256, the licence and the sources;
- `SHA256SUMS`: the checksum of every other file, as `sha256sum -c` reads it.

Only what the public sees goes in: published practices, approved records of published
practices, every unit, category, indicator and indicator value (all public). A record's dated
steps travel as the import's stage columns (the latest date of each status), evidence as its
public link; evidence files and knowledge pages are not tables and stay out.
"""

import csv
import dataclasses
import datetime
import hashlib
import json
import shutil
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from indicators.models import IndicatorValue, ValueKind
from indicators.periods import PeriodKind
from indicators.resources import COLUMNS as VALUE_COLUMNS
from indicators.transfer import export_indicator_values, import_indicator_values
from kb.seed import ensure_site_tree
from practices.models import (
    Adoption,
    AdoptionStatus,
    AgencyKind,
    EvidenceLevel,
    Indicator,
    PracticeCategory,
    PracticePage,
)
from practices.resources import (
    AGENCY_COLUMNS,
    COLUMNS,
    PRACTICE_COLUMNS,
    export_adoptions,
    export_agencies,
    export_practices,
    import_adoptions,
    import_agencies,
    import_practices,
    writers,
)

PACKAGE = "datapackage.json"
SUMS = "SHA256SUMS"
DATE_FORMAT = "%d/%m/%Y"  # as the exports write dates (practices.resources.widgets)
LICENCE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Ghi công 4.0 Quốc tế",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}


class SnapshotError(Exception):
    """A package that cannot be read back; the message says why, in Vietnamese."""


# --- The tables ----------------------------------------------------------------------------


def _categories():
    rows = PracticeCategory.objects.order_by("sort_order", "code").values_list(
        "code", "name", "description", "sort_order"
    )
    return writers.to_bytes("csv", ["code", "name", "description", "sort_order"], rows)


def _indicators():
    rows = Indicator.objects.order_by("code").values_list("code", "name", "unit", "description")
    return writers.to_bytes("csv", ["code", "name", "unit", "description"], rows)


@dataclasses.dataclass
class Table:
    name: str
    title: str
    write: object  # () → the CSV's bytes
    titles: dict  # column → its Vietnamese header
    primary_key: list
    foreign_keys: list = dataclasses.field(default_factory=list)  # (columns, table, columns)


def _titles(columns):
    return {name: aliases[0] for name, aliases in columns.items()}


TABLES = [
    Table(
        "categories",
        "Nhóm giải pháp",
        _categories,
        {"code": "Mã", "name": "Tên", "description": "Mô tả", "sort_order": "Thứ tự"},
        ["code"],
    ),
    Table(
        "indicators",
        "Chỉ số",
        _indicators,
        {"code": "Mã", "name": "Tên", "unit": "Đơn vị tính", "description": "Mô tả"},
        ["code"],
    ),
    Table(
        "agencies",
        "Cơ quan, đơn vị (kể cả các đơn vị trước sắp xếp năm 2025)",
        lambda: export_agencies(),
        _titles(AGENCY_COLUMNS),
        ["slug"],
        [(["parent"], "", ["slug"])],
    ),
    Table(
        "practices",
        "Giải pháp đang công bố",
        lambda: export_practices(PracticePage.objects.live()),
        _titles(PRACTICE_COLUMNS),
        ["slug"],
        [(["category"], "categories", ["code"])],
    ),
    Table(
        "adoptions",
        "Kết quả áp dụng đã được thẩm định và công bố",
        lambda: export_adoptions(Adoption.objects.public()),
        _titles(COLUMNS),
        ["practice", "agency_slug"],
        [(["practice"], "practices", ["slug"]), (["agency_slug"], "agencies", ["slug"])],
    ),
    Table(
        "indicator_values",
        "Số liệu chỉ số kết quả (số đo và chỉ tiêu)",
        lambda: export_indicator_values(IndicatorValue.objects.all()),
        _titles(VALUE_COLUMNS),
        [],
        [(["indicator"], "indicators", ["code"])],
    ),
]
DATES = {
    "decided_on",
    "planned_on",
    "piloting_on",
    "adopted_on",
    "discontinued_on",
    "valid_from",
    "valid_to",
    "period_start",
}
CHOICES = {
    ("adoptions", "status"): AdoptionStatus.values,
    ("adoptions", "evidence_level"): EvidenceLevel.values,
    ("agencies", "kind"): AgencyKind.values,
    ("indicator_values", "period_kind"): PeriodKind.values,
    ("indicator_values", "kind"): ValueKind.values,
}


def _field(table, name, required):
    field = {"name": name, "title": table.titles.get(name, name), "type": "string"}
    if name in DATES:
        field |= {"type": "date", "format": DATE_FORMAT}
    elif name == "sort_order":
        field["type"] = "integer"
    constraints = {}
    if (table.name, name) in CHOICES:
        constraints["enum"] = list(CHOICES[table.name, name])
    if required:
        constraints["required"] = True
    if constraints:
        field["constraints"] = constraints
    return field


def _headers(data):
    return data.decode("utf-8-sig").split("\r\n", 1)[0].strip('"').split('","')


def _resource(table, data):
    headers = _headers(data)
    schema = {
        "fields": [_field(table, name, name in table.primary_key) for name in headers],
        "missingValues": [""],
    }
    if table.primary_key:
        schema["primaryKey"] = table.primary_key
    schema["foreignKeys"] = [
        {"fields": fields, "reference": {"resource": resource, "fields": to}}
        for fields, resource, to in table.foreign_keys
    ]
    return {
        "name": table.name,
        "title": table.title,
        "path": f"{table.name}.csv",
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8-sig",  # with the BOM spreadsheets need to read UTF-8
        "dialect": {"delimiter": ",", "quoteChar": '"', "doubleQuote": True, "header": True},
        "bytes": len(data),
        "hash": f"sha256:{hashlib.sha256(data).hexdigest()}",
        "schema": schema,
    }


# --- Publishing ----------------------------------------------------------------------------


def root():
    return Path(settings.SNAPSHOTS_ROOT)


def publish(on=None, site_url="", progress=None):
    """Write today's package (replacing one written earlier today) and return its folder.
    Written in a folder beside it, then renamed: a reader never sees half a package (a publish
    killed mid-way leaves that hidden folder, which `remove_leftovers` removes).
    `progress(tables done, tables)` after each table."""
    on = on or timezone.localdate()
    root().mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{on:%Y-%m-%d}-", dir=root()))
    try:
        resources, sums = [], []
        with transaction.atomic():  # every table read in one snapshot of the database
            for done, table in enumerate(TABLES, 1):
                data = table.write()
                (work / f"{table.name}.csv").write_bytes(data)
                resources.append(_resource(table, data))
                sums.append((hashlib.sha256(data).hexdigest(), f"{table.name}.csv"))
                if progress:
                    progress(done, len(TABLES))
        package = {
            "profile": "tabular-data-package",
            "name": f"dvctt-giai-phap-hay-{on:%Y-%m-%d}",
            "title": f"Kho giải pháp hay về dịch vụ công trực tuyến: dữ liệu ngày {on:%d/%m/%Y}",
            "description": "Các giải pháp, cơ quan và đơn vị (với các đợt sắp xếp năm 2025), "
            "kết quả áp dụng đã công bố và số liệu chỉ số. Các tệp CSV có cùng cột với tệp "
            "nhập dữ liệu của trang; ô bắt đầu bằng =, +, - hoặc @ có thêm dấu ' phía trước.",
            "version": f"{on:%Y-%m-%d}",
            "created": timezone.now().replace(microsecond=0).isoformat(),
            "homepage": site_url,
            "licenses": [LICENCE],
            "sources": [{"title": "Nghị định 42/2022/NĐ-CP về dịch vụ công trực tuyến"}],
            "resources": resources,
        }
        text = json.dumps(package, ensure_ascii=False, indent=2).encode("utf-8")
        (work / PACKAGE).write_bytes(text)
        sums.append((hashlib.sha256(text).hexdigest(), PACKAGE))
        (work / SUMS).write_text("".join(f"{digest}  {name}\n" for digest, name in sums))
        work.chmod(0o755)
        final = root() / f"{on:%Y-%m-%d}"
        if final.exists():
            old = final.with_name(f".{final.name}-replaced")
            shutil.rmtree(old, ignore_errors=True)
            final.rename(old)
            work.rename(final)
            shutil.rmtree(old, ignore_errors=True)
        else:
            work.rename(final)
        return final
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def remove_leftovers(older_than):
    """What publishes killed mid-way left, untouched for `older_than` (a timedelta): the
    hidden folders they were writing (removed), and a package set aside while a new one of
    the same day replaced it (put back when the new one never arrived). Returns the names."""
    if not root().is_dir():
        return []
    cutoff = time.time() - older_than.total_seconds()
    found = []
    for folder in root().iterdir():
        if not folder.name.startswith(".") or not folder.is_dir():
            continue
        if folder.stat().st_mtime > cutoff:
            continue  # still being written
        found.append(folder.name)
        final = folder.with_name(folder.name[1:].removesuffix("-replaced"))
        if folder.name.endswith("-replaced") and not final.exists():
            folder.rename(final)
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return found


# --- Listing -------------------------------------------------------------------------------


@dataclasses.dataclass
class Snapshot:
    date: datetime.date
    folder: Path
    files: list  # (name, bytes, SHA-256), the package's own files

    @property
    def size(self):
        return sum(size for _, size, _ in self.files)

    def file(self, name):
        return next((f for f in self.files if f[0] == name), None)


def read_sums(folder):
    """{file name: SHA-256} of a package's SHA256SUMS."""
    sums = {}
    for line in (folder / SUMS).read_text().splitlines():
        digest, _, name = line.partition("  ")
        sums[name] = digest
    return sums


def published():
    """The packages under SNAPSHOTS_ROOT, newest first."""
    found = []
    if not root().is_dir():
        return found
    for folder in root().iterdir():
        try:
            date = datetime.date.fromisoformat(folder.name)
            sums = read_sums(folder)
        except (ValueError, OSError):
            continue  # not a package (a folder being written starts with ".")
        files = [
            (name, (folder / name).stat().st_size, digest)
            for name, digest in sums.items()
            if (folder / name).is_file()
        ]
        files.append((SUMS, (folder / SUMS).stat().st_size, ""))
        found.append(Snapshot(date, folder, files))
    return sorted(found, key=lambda snapshot: snapshot.date, reverse=True)


def find(date_text):
    return next((s for s in published() if f"{s.date:%Y-%m-%d}" == date_text), None)


# --- Restoring -----------------------------------------------------------------------------


def check(folder):
    """The package's files as its checksums say, or SnapshotError."""
    folder = Path(folder)
    if not (folder / SUMS).is_file() or not (folder / PACKAGE).is_file():
        raise SnapshotError(
            f"{folder} không phải một bản sao dữ liệu (thiếu {SUMS} hoặc {PACKAGE})."
        )
    for name, digest in read_sums(folder).items():
        path = folder / name
        if not path.is_file():
            raise SnapshotError(f"Thiếu tệp {name} của bản sao.")
        if hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            raise SnapshotError(f"Tệp {name} đã bị thay đổi hoặc hỏng (mã kiểm tra không khớp).")
    return json.loads((folder / PACKAGE).read_text(encoding="utf-8"))


def _reference(folder, name, model, fields):
    with open(folder / f"{name}.csv", encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            code = row.pop("code")
            values = {key: row[key] for key in fields}
            if "sort_order" in values:
                values["sort_order"] = int(values["sort_order"] or 100)
            model.objects.update_or_create(code=code, defaults=values)


IMPORTS = [
    ("agencies", import_agencies),
    ("practices", import_practices),
    ("adoptions", import_adoptions),
    ("indicator_values", import_indicator_values),
]


def restore(folder, progress=None):
    """Read a package back into this database with the import functions, all or nothing:
    the site's page tree, the categories and indicators, then each table's import. Returns
    {table: import report}; raises SnapshotError at the first table with errors."""
    folder = Path(folder)
    check(folder)
    reports = {}
    with transaction.atomic():
        ensure_site_tree()
        _reference(folder, "categories", PracticeCategory, ["name", "description", "sort_order"])
        _reference(folder, "indicators", Indicator, ["name", "unit", "description"])
        for name, run in IMPORTS:
            report = run(str(folder / f"{name}.csv"), file_format="csv", progress=progress)
            if report.errors:
                lines = "\n".join(f"  - {error}" for error in report.errors[:20])
                raise SnapshotError(
                    f"Bảng {name}: {len(report.errors)} lỗi, không nhập gì.\n{lines}"
                )
            reports[name] = report
    return reports
