#!/usr/bin/env python3
"""Writes the map's boundary files into static/geo/ and the label points into dashboards/,
from the unchanged sources in fixtures/reference/geo/ (see dashboards/geodata.py for what is
changed and why). Run it from the repository after a source changes; commit the result.

    .venv/bin/python scripts/prepare-geo.py
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dashboards import geodata  # noqa: E402

if __name__ == "__main__":
    written = geodata.prepare(
        ROOT / "fixtures" / "reference" / "geo",
        ROOT / "static" / "geo",
        ROOT / "dashboards" / geodata.LABEL_POINTS,
    )
    for path in written:
        print(f"[geo] {path.relative_to(ROOT)} ({path.stat().st_size:,} bytes)")
