"""The neighbour files and how they were derived: known pairs in both periods (codes are
reused, so a code is read with its period), a symmetric, irreflexive relation, and the
derivation's rules on small made-up maps."""

import csv
import datetime
import importlib.util
from pathlib import Path

from django.conf import settings

import pytest

from dashboards import neighbours

REFERENCE = Path(settings.BASE_DIR) / "fixtures" / "reference"


def derive_script():
    path = Path(settings.BASE_DIR) / "scripts" / "derive-neighbours.py"
    spec = importlib.util.spec_from_file_location("derive_neighbours", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rows(name):
    with open(REFERENCE / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize(
    "period, code, bordering, not_bordering",
    [
        # 34 units: Hà Nội borders Phú Thọ (25) and Bắc Ninh (24), not Cà Mau (96).
        (neighbours.PERIOD_34, "01", {"25", "24", "19"}, {"96", "79"}),
        # 63 units: Lào Cai (10) borders Yên Bái (15) and Hà Giang (02), not Hà Nội.
        (neighbours.PERIOD_63, "10", {"15", "02", "12"}, {"01", "96"}),
        # 63: Hà Nội borders Hà Nam (35) and Hòa Bình (17), both merged away in 2025.
        (neighbours.PERIOD_63, "01", {"35", "17", "26", "27"}, {"96"}),
        # Code 24: Bắc Giang in the 63 (bordered Hải Dương, 30); Bắc Ninh in the 34, which
        # borders Hải Phòng (31) now that Hải Dương is part of it.
        (neighbours.PERIOD_63, "24", {"30", "20", "27"}, {"31"}),
        (neighbours.PERIOD_34, "24", {"31", "01", "20"}, {"30"}),
        # Code 44: Quảng Bình in the 63 (north of Quảng Trị, no border with Huế); Quảng Trị in
        # the 34, which borders Huế (46).
        (neighbours.PERIOD_63, "44", {"42", "45"}, {"46"}),
        (neighbours.PERIOD_34, "44", {"42", "46"}, set()),
    ],
)
def test_known_pairs(period, code, bordering, not_bordering):
    found = neighbours.neighbours(code, period)
    assert bordering <= found
    assert not (not_bordering & found)


def test_a_code_is_read_with_the_period_of_its_date():
    assert "30" in neighbours.neighbours_on("24", datetime.date(2025, 6, 30))
    assert "31" in neighbours.neighbours_on("24", datetime.date(2025, 7, 1))
    assert "30" not in neighbours.neighbours_on("24", datetime.date(2025, 7, 1))
    assert neighbours.neighbours_on("99", datetime.date(2025, 7, 1)) == frozenset()


@pytest.mark.parametrize(
    "name, provinces, count",
    [
        ("province_neighbours_2025.csv", "provinces_2025.csv", 34),
        ("province_neighbours_2008_2025.csv", "provinces_2008_2025.csv", 63),
    ],
)
def test_each_file_is_a_symmetric_irreflexive_relation_on_its_units(name, provinces, count):
    pairs = [(row["code_a"], row["code_b"]) for row in rows(name)]
    assert len(pairs) == len(set(pairs)), "each pair once"
    assert all(a < b for a, b in pairs), "written once, in order, never a unit with itself"
    codes = {row["code"] for row in rows(provinces)}
    assert len(codes) == count
    assert {code for pair in pairs for code in pair} == codes, "every unit has a neighbour"
    period = neighbours.PERIOD_34 if count == 34 else neighbours.PERIOD_63
    for code in codes:
        found = neighbours.neighbours(code, period)
        assert code not in found
        for other in found:
            assert code in neighbours.neighbours(other, period)


def test_the_34_are_the_63_dissolved_by_the_succession():
    """The two maps come from different sources; their borders agree once the old units are
    merged into the new ones."""
    new_code = {row["old_code"]: row["new_code"] for row in rows("province_succession_2025.csv")}
    dissolved = set()
    for row in rows("province_neighbours_2008_2025.csv"):
        a, b = new_code[row["code_a"]], new_code[row["code_b"]]
        if a != b:
            dissolved.add(tuple(sorted((a, b))))
    found = {(row["code_a"], row["code_b"]) for row in rows("province_neighbours_2025.csv")}
    assert found == dissolved


def square(x, y, size=1.0):
    return [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]


def feature(code, *rings):
    return {
        "type": "Feature",
        "id": code,
        "properties": {"code": code},
        "geometry": {"type": "MultiPolygon", "coordinates": [[ring] for ring in rings]},
    }


def collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def test_geojson_units_sharing_an_edge_border():
    script = derive_script()
    maps = collection(
        feature("01", square(100, 10)),
        feature("02", square(101, 10)),  # shares the edge x = 101
        feature("03", square(102, 11)),  # touches 02 at one corner only
        feature("04", square(105, 10)),  # an island
    )
    assert script.geojson_pairs(maps) == {("01", "02")}


def test_geojson_vertices_match_within_the_rounding_tolerance():
    script = derive_script()
    near = [[101.000001, 10], [102, 10], [102, 11], [101.000001, 11], [101.000001, 10]]
    far = [[101.00002, 10], [102, 10], [102, 11], [101.00002, 11], [101.00002, 10]]
    assert script.geojson_pairs(collection(feature("01", square(100, 10)), feature("02", near)))
    assert not script.geojson_pairs(collection(feature("01", square(100, 10)), feature("02", far)))


def test_topojson_units_border_when_they_share_an_arc():
    script = derive_script()
    topology = {
        "type": "Topology",
        "arcs": [[[0, 0], [1, 0]], [[1, 0], [0, 1]], [[0, 0], [0, 1]], [[5, 5], [1, 1]]],
        "objects": {
            "units": {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": "Polygon", "id": "01", "properties": {"code": "01"}, "arcs": [[0, 1]]},
                    # ~1 is arc 1 reversed: the border with 01
                    {
                        "type": "Polygon",
                        "id": "02",
                        "properties": {"code": "02"},
                        "arcs": [[~1, 2]],
                    },
                    {"type": "Polygon", "id": "03", "properties": {"code": "03"}, "arcs": [[3]]},
                ],
            }
        },
    }
    assert script.topojson_pairs(topology, "units") == {("01", "02")}


def test_the_derivation_joins_on_codes_and_refuses_a_bad_one():
    script = derive_script()
    with pytest.raises(ValueError):
        script.geojson_pairs(collection(feature("1", square(0, 0))))
