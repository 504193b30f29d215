"""Preparing the province boundary files the map serves (no Django: run by scripts/prepare-geo.py).

The sources are the shared boundary files, kept gzip-compressed and unchanged in
fixtures/reference/geo/ (their SHA-256 is checked). Two things are done to them:

- An Giang (code 91) in the 34-unit file carries two islets west of 103°E that are Koh Poulo
  Wai, administered by Cambodia; the two polygons of feature 91 whose vertices all lie west of
  103°E are dropped, and nothing else.
- The 34-unit file is made smaller: coordinates rounded to `DIGITS` decimals (about 110 m, far
  below a pixel of a national map) and points repeated by the rounding dropped. A ring that the
  rounding would collapse keeps its source coordinates, so every polygon, each islet of Hoàng Sa
  and Trường Sa included, is still drawn.

The 63-unit TopoJSON is served as it is. Each unit also gets a label point (where the map writes
its status symbol), computed here once rather than in the browser.
"""

import gzip
import hashlib
import json
from pathlib import Path

DIGITS = 3
WAI_WEST_OF = 103.0
AN_GIANG = "91"
TOPO_OBJECT = "diaphantinh_63_fixednames"

SOURCE_34 = "vn_provinces_34_2025.geojson"
SOURCE_63 = "vn_provinces_63_2008_2025.topo.json"
SHA256 = {
    SOURCE_34: "fe934b6e94cbf20ae2e5b4a587b9b933d8c310162151b6c2fbe9d6b4987522ab",
    SOURCE_63: "f2eccaea386d703756efd9a8d1fcdd9b7165cd715be38502091814e9c7446c4d",
}
SERVED_34 = "vn_provinces_34_2025.json"
SERVED_63 = "vn_provinces_63_2008_2025.topo.json"
LABEL_POINTS = "label_points.json"


def read_source(directory, name):
    """The source file's bytes, refused if they are not the ones the shared README describes."""
    data = gzip.decompress((Path(directory) / f"{name}.gz").read_bytes())
    digest = hashlib.sha256(data).hexdigest()
    if digest != SHA256[name]:
        raise ValueError(f"{name}: SHA-256 {digest} is not the recorded {SHA256[name]}")
    return data


def is_wai_polygon(polygon):
    return all(x < WAI_WEST_OF for ring in polygon for x, _ in ring)


def drop_wai_islands(collection):
    """A copy of the 34-unit collection without An Giang's polygons lying wholly west of 103°E."""
    features = []
    for feature in collection["features"]:
        if feature["id"] == AN_GIANG:
            geometry = feature["geometry"]
            kept = [p for p in geometry["coordinates"] if not is_wai_polygon(p)]
            feature = {**feature, "geometry": {**geometry, "coordinates": kept}}
            feature["bbox"] = bbox(kept)
        features.append(feature)
    return {**collection, "features": features}


def round_ring(ring, digits=DIGITS):
    rounded = []
    for x, y in ring:
        point = [round(x, digits), round(y, digits)]
        if not rounded or rounded[-1] != point:
            rounded.append(point)
    # A closed ring needs four points (three distinct); a smaller islet keeps its source shape.
    return rounded if len(rounded) >= 4 else [list(p) for p in ring]


def reduce_precision(collection, digits=DIGITS):
    features = []
    for feature in collection["features"]:
        geometry = feature["geometry"]
        polygons = [[round_ring(r, digits) for r in p] for p in geometry["coordinates"]]
        features.append({**feature, "geometry": {**geometry, "coordinates": polygons}})
    return {**collection, "features": features}


def bbox(polygons):
    xs = [x for p in polygons for r in p for x, _ in r]
    ys = [y for p in polygons for r in p for _, y in r]
    return [min(xs), min(ys), max(xs), max(ys)]


def topo_polygons(topology, geometry):
    """A TopoJSON geometry's polygons as coordinate rings (quantized, delta-encoded arcs)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        decoded.append(points)

    def ring(indexes):
        points = []
        for index in indexes:
            arc = decoded[index] if index >= 0 else decoded[~index][::-1]
            points.extend(arc if not points else arc[1:])
        return points

    arcs = geometry["arcs"]
    polygons = [arcs] if geometry["type"] == "Polygon" else arcs
    return [[ring(r) for r in polygon] for polygon in polygons]


def _area_and_centroid(ring):
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    area /= 2
    if not area:
        return 0.0, ring[0]
    return area, (cx / (6 * area), cy / (6 * area))


def _inside(point, ring):
    x, y = point
    inside = False
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y0 > y) != (y1 > y) and x < (x1 - x0) * (y - y0) / (y1 - y0) + x0:
            inside = not inside
    return inside


def _edge_distance(point, ring):
    x, y = point
    best = float("inf")
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        dx, dy = x1 - x0, y1 - y0
        t = max(0.0, min(1.0, ((x - x0) * dx + (y - y0) * dy) / ((dx * dx + dy * dy) or 1)))
        best = min(best, (x - x0 - t * dx) ** 2 + (y - y0 - t * dy) ** 2)
    return best


def label_point(polygons):
    """Where a unit's symbol goes: inside its largest polygon, at the centroid when that falls
    inside, otherwise at the sampled point farthest from the edge (a long or curved unit)."""
    outer = max((p[0] for p in polygons), key=lambda r: abs(_area_and_centroid(list(r))[0]))
    outer = [tuple(p) for p in outer]
    _, centroid = _area_and_centroid(outer)
    coarse = outer[:: max(1, len(outer) // 400)]
    if _inside(centroid, outer) and _edge_distance(centroid, coarse) > 0.0025:
        return [round(centroid[0], 4), round(centroid[1], 4)]
    xs, ys = [x for x, _ in outer], [y for _, y in outer]
    steps = 24
    candidates = [
        (
            min(xs) + (max(xs) - min(xs)) * (i + 0.5) / steps,
            min(ys) + (max(ys) - min(ys)) * (j + 0.5) / steps,
        )
        for i in range(steps)
        for j in range(steps)
    ]
    inside = [c for c in candidates if _inside(c, outer)] or [centroid]
    best = max(inside, key=lambda c: _edge_distance(c, coarse))
    return [round(best[0], 4), round(best[1], 4)]


def prepare(source_dir, static_dir, points_path):
    """Write the served boundary files and the label points; return what was written."""
    collection = json.loads(read_source(source_dir, SOURCE_34))
    served = reduce_precision(drop_wai_islands(collection))
    topo_bytes = read_source(source_dir, SOURCE_63)
    topology = json.loads(topo_bytes)

    static_dir, points_path = Path(static_dir), Path(points_path)
    static_dir.mkdir(parents=True, exist_ok=True)
    text_34 = json.dumps(served, ensure_ascii=False, separators=(",", ":"))
    (static_dir / SERVED_34).write_text(text_34, encoding="utf-8")
    (static_dir / SERVED_63).write_bytes(topo_bytes)

    points = {
        "34": {f["id"]: label_point(f["geometry"]["coordinates"]) for f in served["features"]},
        "63": {
            g["id"]: label_point(topo_polygons(topology, g))
            for g in topology["objects"][TOPO_OBJECT]["geometries"]
        },
    }
    lines = ",\n".join(
        f'  "{size}": {json.dumps(by_code, sort_keys=True)}' for size, by_code in points.items()
    )
    points_path.write_text("{\n" + lines + "\n}\n", encoding="utf-8")
    return [static_dir / SERVED_34, static_dir / SERVED_63, points_path]
