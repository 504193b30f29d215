"""The map's boundary files: what scripts/prepare-geo.py changes in the sources and what it must
keep (every polygon but An Giang's two Wai islets, Hoàng Sa and Trường Sa as drawn)."""

import json
from pathlib import Path

import pytest

from dashboards import geodata

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "fixtures" / "reference" / "geo"
STATIC = ROOT / "static" / "geo"
POINTS = ROOT / "dashboards" / geodata.LABEL_POINTS


def polygons_east_of(feature, longitude):
    return [
        p
        for p in feature["geometry"]["coordinates"]
        if all(x > longitude for ring in p for x, _ in ring)
    ]


@pytest.fixture(scope="module")
def source():
    return {
        f["id"]: f for f in json.loads(geodata.read_source(SOURCES, geodata.SOURCE_34))["features"]
    }


@pytest.fixture(scope="module")
def served():
    text = (STATIC / geodata.SERVED_34).read_text(encoding="utf-8")
    return {f["id"]: f for f in json.loads(text)["features"]}


def test_the_served_files_are_what_the_script_writes_from_the_sources(tmp_path):
    geodata.prepare(SOURCES, tmp_path / "geo", tmp_path / "points.json")
    for name in (geodata.SERVED_34, geodata.SERVED_63):
        assert (tmp_path / "geo" / name).read_bytes() == (STATIC / name).read_bytes(), name
    assert (tmp_path / "points.json").read_text() == POINTS.read_text()


def test_a_changed_source_is_refused(tmp_path):
    import gzip

    (tmp_path / f"{geodata.SOURCE_34}.gz").write_bytes(gzip.compress(b'{"features": []}'))
    with pytest.raises(ValueError, match="SHA-256"):
        geodata.read_source(tmp_path, geodata.SOURCE_34)


def test_an_giang_has_no_vertex_west_of_103_and_lost_exactly_the_two_wai_islets(source, served):
    xs = [x for p in served["91"]["geometry"]["coordinates"] for r in p for x, _ in r]
    assert min(xs) >= 103.0
    assert served["91"]["bbox"][0] >= 103.0
    before = len(source["91"]["geometry"]["coordinates"])
    assert len(served["91"]["geometry"]["coordinates"]) == before - 2


def test_every_other_unit_keeps_every_polygon(source, served):
    assert served.keys() == source.keys()
    assert len(served) == 34
    for code, feature in source.items():
        if code != "91":
            kept = len(served[code]["geometry"]["coordinates"])
            assert kept == len(feature["geometry"]["coordinates"]), code
            for ring in (r for p in served[code]["geometry"]["coordinates"] for r in p):
                assert len(ring) >= 4 and ring[0] == ring[-1], code


def test_hoang_sa_and_truong_sa_are_drawn_as_in_the_boundary_file(source, served):
    # Hoàng Sa is part of Đà Nẵng (48) and Trường Sa of Khánh Hòa (56), 46 and 138 polygons east
    # of 110°E in the source; each stays, within the rounding, where the source draws it.
    for code, islands in (("48", 46), ("56", 138)):
        kept = polygons_east_of(served[code], 110)
        assert len(kept) == len(polygons_east_of(source[code], 110)) == islands
        for mine, theirs in zip(kept, polygons_east_of(source[code], 110), strict=True):
            assert geodata.bbox([mine]) == pytest.approx(geodata.bbox([theirs]), abs=0.001)


def test_the_63_unit_file_is_served_unchanged_with_its_islands():
    topology = json.loads((STATIC / geodata.SERVED_63).read_text(encoding="utf-8"))
    assert (STATIC / geodata.SERVED_63).read_bytes() == geodata.read_source(
        SOURCES, geodata.SOURCE_63
    )
    geometries = {g["id"]: g for g in topology["objects"][geodata.TOPO_OBJECT]["geometries"]}
    assert len(geometries) == 63
    for code, islands in (("48", 22), ("56", 304)):
        polygons = geodata.topo_polygons(topology, geometries[code])
        east = [p for p in polygons if all(x > 110 for r in p for x, _ in r)]
        assert len(east) == islands, code


def test_an_islet_the_rounding_would_collapse_keeps_its_source_shape():
    tiny = [[112.00001, 16.00001], [112.0002, 16.00001], [112.0002, 16.0003], [112.00001, 16.00001]]
    collection = {"features": [{"id": "48", "geometry": {"coordinates": [[tiny]]}}]}
    (ring,) = geodata.reduce_precision(collection)["features"][0]["geometry"]["coordinates"][0]
    assert ring == tiny


def test_only_an_giangs_polygons_west_of_103_are_dropped():
    west = [[[102.9, 9.9], [102.95, 9.9], [102.95, 9.95], [102.9, 9.9]]]
    across = [[[102.9, 10.0], [103.5, 10.0], [103.5, 10.5], [102.9, 10.0]]]
    collection = {
        "features": [
            {"id": "91", "geometry": {"coordinates": [west, across]}},
            {"id": "96", "geometry": {"coordinates": [west]}},
        ]
    }
    an_giang, other = geodata.drop_wai_islands(collection)["features"]
    assert an_giang["geometry"]["coordinates"] == [across]
    assert other["geometry"]["coordinates"] == [west]


def test_every_unit_has_a_label_point_inside_its_own_outline(served):
    points = json.loads(POINTS.read_text())
    assert points["34"].keys() == served.keys()
    assert len(points["63"]) == 63
    for code, point in points["34"].items():
        polygons = served[code]["geometry"]["coordinates"]
        assert any(geodata._inside(tuple(point), [tuple(p) for p in poly[0]]) for poly in polygons)
