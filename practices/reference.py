"""Load the reference data in fixtures/reference/: provinces before and after 1/7/2025,
central agencies before and after 1/3/2025, and the successions between them.

Loading is idempotent: every row is keyed on the agency's slug, which is unique across
periods even where the statistics code is reused.
"""

import csv
import datetime
from pathlib import Path

from django.conf import settings

from practices.models import Agency, AgencyKind, Succession

REFERENCE_DIR = Path(settings.BASE_DIR) / "fixtures" / "reference"
PROVINCE_REFORM_DATE = datetime.date(2025, 7, 1)
CENTRAL_REFORM_LEGAL_BASIS = "Nghị quyết số 176/2025/QH15 ngày 18/02/2025 của Quốc hội"
HISTORIC_SUFFIX = "-den-{year}"


def read_csv(name, directory=REFERENCE_DIR):
    with open(Path(directory) / name, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def parse_date(value):
    return datetime.date.fromisoformat(value) if value else None


def historic_slug(slug, valid_to):
    """Slug of a unit that has ended; its base slug may belong to its successor today."""
    return slug + HISTORIC_SUFFIX.format(year=valid_to.year)


def _province_kind(type_vi):
    return AgencyKind.PROVINCE if type_vi.strip() == "tỉnh" else AgencyKind.CITY


def _upsert(slug, **fields):
    agency, _ = Agency.objects.update_or_create(slug=slug, defaults=fields)
    return agency


def _link(predecessor, successor, effective_on, legal_basis):
    Succession.objects.update_or_create(
        predecessor=predecessor,
        successor=successor,
        defaults={
            "effective_on": effective_on,
            "relation": Succession.Relation.MERGED,
            "legal_basis": legal_basis[:500],
        },
    )


def vietnamese_notes(rows, directory=REFERENCE_DIR):
    """The public reads Vietnamese: the shared set's notes on central agencies are English, so
    each has our translation in central_agencies_notes_vi.csv. A note without one stops the
    load instead of reaching an agency page in English."""
    translated = {
        row["slug"]: row["notes_vi"] for row in read_csv("central_agencies_notes_vi.csv", directory)
    }
    missing = [row["slug"] for row in rows if row["notes"] and not translated.get(row["slug"])]
    if missing:
        raise ValueError(
            "central_agencies_notes_vi.csv thiếu bản tiếng Việt của ghi chú: " + ", ".join(missing)
        )
    return {row["slug"]: translated[row["slug"]] if row["notes"] else "" for row in rows}


def load_central_agencies(directory=REFERENCE_DIR):
    rows = read_csv("central_agencies.csv", directory)
    notes = vietnamese_notes(rows, directory)
    by_slug = {}
    for row in rows:
        by_slug[row["slug"]] = _upsert(
            row["slug"],
            code=row["slug"],
            name=row["name_vi"],
            short_name="",
            name_en=row["name_en"],
            kind=AgencyKind.MINISTRY if row["type"] == "bộ" else AgencyKind.MINISTERIAL,
            parent=None,
            region="",
            region_8="",
            valid_from=parse_date(row["valid_from"]),
            valid_to=parse_date(row["valid_to"]),
            notes=notes[row["slug"]],
            sources=f"central_agencies.csv: {row['sources']}",
        )
    for row in rows:
        if row["successor"]:
            predecessor = by_slug[row["slug"]]
            _link(
                predecessor,
                by_slug[row["successor"]],
                predecessor.valid_to + datetime.timedelta(days=1),
                CENTRAL_REFORM_LEGAL_BASIS,
            )
    return len(rows)


def load_provinces(directory=REFERENCE_DIR):
    """63 units of 2008–2025 and 34 of 2025; a unit the reform left untouched is one record."""
    old_rows = {row["code"]: row for row in read_csv("provinces_2008_2025.csv", directory)}
    new_rows = {row["code"]: row for row in read_csv("provinces_2025.csv", directory)}
    succession = read_csv("province_succession_2025.csv", directory)
    unchanged = {row["old_code"] for row in succession if row["relation"] == "unchanged"}

    new_units = {}
    for code, row in new_rows.items():
        base = row["slug"].replace("_", "-")
        continuing = code in unchanged
        old = old_rows.get(code) if continuing else None
        new_units[code] = _upsert(
            base,
            code=code,
            name=row["full_name"],
            short_name=row["short_name"],
            name_en=row["full_name_en"],
            kind=_province_kind(row["type"]),
            parent=None,
            # A continuing unit keeps its pre-reform regions; a merged one may straddle two.
            region=(old or row)["region_6"],
            region_8=(old or row)["region_8"],
            valid_from=None if continuing else parse_date(row["valid_from"]),
            valid_to=None,
            notes=row["later_changes"] or (old["notes"] if old else ""),
            sources="provinces_2025.csv" + ("; provinces_2008_2025.csv" if old else ""),
        )

    for row in succession:
        if row["old_code"] in unchanged:
            continue
        old = old_rows[row["old_code"]]
        valid_to = parse_date(old["valid_to"])
        predecessor = _upsert(
            historic_slug(old["slug"].replace("_", "-"), valid_to),
            code=old["code"],
            name=old["full_name"],
            short_name=old["short_name"],
            name_en=old["full_name_en"],
            kind=_province_kind(old["type"]),
            parent=None,
            region=old["region_6"],
            region_8=old["region_8"],
            valid_from=None,
            valid_to=valid_to,
            notes=old["notes"],
            sources="provinces_2008_2025.csv; province_succession_2025.csv",
        )
        _link(
            predecessor,
            new_units[row["new_code"]],
            parse_date(row["effective_date"]),
            row["legal_basis"],
        )
    return len(old_rows) + len(new_rows) - len(unchanged)


def load_reference_data(directory=REFERENCE_DIR):
    """Create or update every reference agency and succession; returns the number of units."""
    return load_central_agencies(directory) + load_provinces(directory)
