"""The browser's Vega libraries are the ones vl-convert draws with on the server, so one spec
gives one picture in both places."""

from pathlib import Path

import vl_convert

from dashboards import charts

VENDOR = Path(__file__).resolve().parents[2] / "static" / "vendor"


def vendored(name):
    return (VENDOR / name / "VERSION").read_text().strip()


def test_vega_lite_is_one_that_vl_convert_renders():
    version = vendored("vega-lite")
    minor = ".".join(version.split(".")[:2])
    assert minor == charts.VEGA_LITE_VERSION
    assert minor in vl_convert.get_vegalite_versions()
    assert charts.SCHEMA.endswith(f"/v{minor}.json")


def test_vega_and_vega_embed_are_vl_converts():
    assert vendored("vega") == vl_convert.get_vega_version()
    assert vendored("vega-embed") == vl_convert.get_vega_embed_version()


def test_each_library_comes_with_its_licence():
    for name in ("vega", "vega-lite", "vega-embed", "axe-core"):
        assert (VENDOR / name / "LICENSE").is_file(), name
