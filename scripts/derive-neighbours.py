#!/usr/bin/env python3
"""Derive which provinces border each other from the two boundary files.

    python scripts/derive-neighbours.py ../shared/data/geo            # writes the two CSVs
    python scripts/derive-neighbours.py ../shared/data/geo --check    # exits 1 if they differ

Writes `fixtures/reference/province_neighbours_2025.csv` (the 34 units from 1/7/2025, from the
GeoJSON) and `fixtures/reference/province_neighbours_2008_2025.csv` (the 63 units of 2008–2025,
from the TopoJSON): one row per bordering pair, `code_a < code_b`, codes as two-digit strings.
Units are joined on the two-digit code, never on names. The method and its limits are in
`fixtures/reference/README.md`. Standard library only, so that it runs without the project.
"""

import argparse
import collections
import csv
import hashlib
import io
import json
import pathlib
import sys

REPO = pathlib.Path(__file__).resolve().parent.parent
REFERENCE = REPO / "fixtures" / "reference"

GEOJSON_34 = "vn_provinces_34_2025.geojson"
TOPOJSON_63 = "vn_provinces_63_2008_2025.topo.json"
TOPOJSON_OBJECT = "diaphantinh_63_fixednames"

# The GeoJSON's coordinates are rounded to 6 decimals, so two units' copies of one border
# vertex may differ by one unit of the last place: vertices match within this many
# millionths of a degree (about 0.1 m per unit).
TOLERANCE_MICRODEGREES = 1
# Units sharing a single vertex touch at a corner (four units meeting at a point); a border
# has a length, so at least two shared vertices.
MIN_SHARED_POINTS = 2


def _vertices(geometry):
    """Every (lon, lat) of a Polygon or MultiPolygon, in integer millionths of a degree."""
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    elif geometry["type"] != "MultiPolygon":
        raise ValueError(f"hình không phải vùng: {geometry['type']}")
    for polygon in polygons:
        for ring in polygon:
            for lon, lat, *_ in ring:
                yield round(lon * 1_000_000), round(lat * 1_000_000)


def geojson_pairs(collection, tolerance=TOLERANCE_MICRODEGREES, min_points=MIN_SHARED_POINTS):
    """Pairs of codes whose polygons share at least `min_points` boundary vertices.

    A vertex of one unit is shared with another when the other has a vertex within
    `tolerance` millionths of a degree on each axis.
    """
    owners = collections.defaultdict(set)  # grid point -> codes having a vertex there
    points_of = {}
    for feature in collection["features"]:
        code = _code(feature)
        if code in points_of:
            raise ValueError(f"mã {code} xuất hiện hai lần")
        points = set(_vertices(feature["geometry"]))
        points_of[code] = points
        for point in points:
            owners[point].add(code)
    shared = collections.Counter()
    offsets = range(-tolerance, tolerance + 1)
    for code, points in points_of.items():
        for x, y in points:
            near = set()
            for dx in offsets:
                for dy in offsets:
                    near |= owners.get((x + dx, y + dy), set())
            for other in near:
                if other > code:
                    shared[code, other] += 1
    return {pair for pair, count in shared.items() if count >= min_points}


def topojson_pairs(topology, object_name=TOPOJSON_OBJECT):
    """Pairs of codes whose geometries share an arc: TopoJSON stores a common border once."""
    users = collections.defaultdict(set)

    def walk(arcs, code):
        if isinstance(arcs, int):
            users[arcs if arcs >= 0 else ~arcs].add(code)  # ~i is arc i reversed
        else:
            for item in arcs:
                walk(item, code)

    seen = set()
    for geometry in topology["objects"][object_name]["geometries"]:
        code = _code(geometry)
        if code in seen:
            raise ValueError(f"mã {code} xuất hiện hai lần")
        seen.add(code)
        walk(geometry.get("arcs", []), code)
    pairs = set()
    for arc, codes in users.items():
        if len(codes) > 2:
            raise ValueError(f"cung {arc} thuộc hơn hai đơn vị: {sorted(codes)}")
        if len(codes) == 2:
            pairs.add(tuple(sorted(codes)))
    return pairs


def _code(feature):
    code = str(feature.get("properties", {}).get("code") or feature.get("id") or "")
    if len(code) != 2 or not code.isdigit():
        raise ValueError(f"mã tỉnh không hợp lệ: {code!r}")
    return code


def render(pairs):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["code_a", "code_b"])
    writer.writerows(sorted(pairs))
    return out.getvalue()


def _reference_codes(name):
    with open(REFERENCE / name, encoding="utf-8", newline="") as handle:
        return {row["code"] for row in csv.DictReader(handle)}


def _check_codes(pairs, expected, label):
    found = {code for pair in pairs for code in pair}
    unknown = found - expected
    if unknown:
        raise SystemExit(f"{label}: mã không có trong danh mục: {sorted(unknown)}")
    isolated = expected - found
    if isolated:
        # Every province of the mainland has a neighbour; an isolated one means a bad file.
        raise SystemExit(f"{label}: đơn vị không giáp đơn vị nào: {sorted(isolated)}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("geo_dir", type=pathlib.Path, help="thư mục chứa hai tệp ranh giới")
    parser.add_argument("--out", type=pathlib.Path, default=REFERENCE)
    parser.add_argument("--check", action="store_true", help="chỉ so sánh, không ghi")
    args = parser.parse_args(argv)

    outputs = {}
    for source, output, reference, derive in (
        (GEOJSON_34, "province_neighbours_2025.csv", "provinces_2025.csv", geojson_pairs),
        (TOPOJSON_63, "province_neighbours_2008_2025.csv", "provinces_2008_2025.csv", None),
    ):
        raw = (args.geo_dir / source).read_bytes()
        data = json.loads(raw)
        pairs = derive(data) if derive else topojson_pairs(data)
        _check_codes(pairs, _reference_codes(reference), source)
        digest = hashlib.sha256(raw).hexdigest()
        print(f"{source} (sha256 {digest}): {len(pairs)} cặp giáp ranh -> {output}")
        outputs[output] = render(pairs)

    stale = []
    for name, text in outputs.items():
        path = args.out / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        print("Khác với tệp đã có: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
