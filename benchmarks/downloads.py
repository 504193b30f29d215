"""Downloads at scale: peak memory and time of a 50,000-row file.

    set -a; . ./.services.env; set +a
    DJANGO_SETTINGS_MODULE=kb.settings.dev .venv/bin/python benchmarks/downloads.py

Like `benchmarks/imports.py`, whose synthetic data and forked children it uses, it touches
no development data: a database of its own (`<database of DATABASE_URL>_bench_downloads`,
migrated, `load_seed`), dropped at the end; no search node.

The data: 100 synthetic practices × 500 synthetic departments = 50,000 approved adoptions,
written by `import_adoptions` from one file (the import benchmark's rows).

Each download is fetched through Django's test client in a process of its own (started
afresh, not forked: a fork would start with the memory the import left), which first
serves the same list narrowed to a few hundred rows (what any first request loads: the
URLs, the templates, the first queries' caches), then the whole list, reading each answer to
its end as a browser would, a chunk at a time. It reports the bytes, seconds and RSS: idle
(Django and the project loaded), after the narrowed list, and the peak while the whole list
is written (VmHWM, started again after the narrowed list). The
export's own memory is the peak less the RSS after the narrowed list: a process of this stack
holds some 160 MB before it writes its first row (BENCHMARKS.md), and what the target bounds
is what 50,000 rows add to it:

- `/api/v1/adoptions/?format=csv` and `?format=xlsx`: every record, 50,000 rows;
- `/tai-ve/co-quan/<province>.csv`: a province's records, those of its departments
  rolled up into it (the page's `agency_records`, every page of them).

Target: ≤ 150 MB of the export's own memory for the 50,000-row files (`TARGET_PEAK_MB`). The
`benchmark()` function is also what `tests/benchmarks/test_small_runs.py` runs at a few
hundred rows, checking that each file holds every row.
"""

import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time
import warnings

ROOT = pathlib.Path(__file__).resolve().parent.parent
if __name__ == "__main__":
    sys.path[0] = str(ROOT)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings.dev")
    import django

    django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

from benchmarks import imports  # noqa: E402
from practices.models import Adoption, Agency  # noqa: E402
from practices.resources import import_adoptions  # noqa: E402
from search import sync  # noqa: E402

SIZE = 50_000
AGENCIES = imports.AGENCIES  # 500 departments
TARGET_PEAK_MB = 150
SEED = 20250701


def read(client, url):
    """One download, read to its end as a browser would, a chunk at a time."""
    started = time.perf_counter()
    response = client.get(url)
    size = lines = 0
    chunks = response.streaming_content if response.streaming else [response.content]
    for chunk in chunks:
        size += len(chunk)
        lines += chunk.count(b"\n")
    response.close()
    if response.status_code != 200:
        raise RuntimeError(f"{url}: {response.status_code}")
    return {"bytes": size, "lines": lines, "seconds": time.perf_counter() - started}


def measure(small, url):
    """In one process: `small` (the same list narrowed to a few hundred rows, so that what
    any first request loads is loaded), then `url`; the RSS after each and the peak."""
    connection.ensure_connection()
    client = Client(HTTP_HOST="localhost")
    idle = imports.rss_mb()
    read(client, small)
    warm = imports.rss_mb()
    reset_peak()
    figures = read(client, url)
    peak = peak_mb()
    return figures | {"rss_idle": idle, "rss_warm": warm, "rss": peak, "growth": peak - warm}


def peak_mb():
    """This process's peak RSS (VmHWM). Not `ru_maxrss`, which Linux carries across exec
    from the process that forked this one (here the benchmark, after its import)."""
    with open("/proc/self/status", encoding="ascii") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def reset_peak():
    """Start VmHWM again from the RSS of now (Linux ≥ 4.0)."""
    with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
        refs.write("5")


def fetch(small, url):
    """`measure(small, url)` in a new process (not a fork, which would start with the
    memory the import left in this one), on this run's database."""
    name = settings.DATABASES["default"]["NAME"]
    command = [sys.executable, __file__, "--fetch", small, url, "--database", name]
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    if done.returncode:
        raise RuntimeError(f"{url}: {done.stderr[-2000:]}")
    return json.loads(done.stdout.splitlines()[-1])


def xlsx_rows(url):
    """The rows of an XLSX download (header included), read back in a forked child."""

    def run():
        import io

        import openpyxl

        response = Client(HTTP_HOST="localhost").get(url)
        data = b"".join(response.streaming_content)
        sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
        return sum(1 for _ in sheet.iter_rows(values_only=True))

    return imports.in_child(run)


def create_adoptions(folder, size):
    """`size` approved adoptions of synthetic practices and departments, by one import."""
    practices = imports.create_practices(-(-size // AGENCIES))
    agencies = imports.create_agencies(AGENCIES)
    sync.refresh_all()
    rows = imports.make_rows(practices, agencies, SEED)[:size]
    path = folder / "adoptions.csv"
    imports.write_csv(path, rows)
    report = import_adoptions(path)
    if report.errors or report.new != size:
        raise RuntimeError(f"import: {report.summary()} {report.errors[:3]}")
    return agencies


def benchmark(folder, size=SIZE):
    """Prints the figures; returns {"results": {url: figures}, "rows": {url: expected rows},
    "xlsx_rows": rows read back from the XLSX, "checks": [(target, met)]}."""
    started = time.perf_counter()
    create_adoptions(folder, size)
    say(f"  {size:,} adoptions imported in {time.perf_counter() - started:.0f} s")
    province = (
        Agency.objects.filter(children__adoptions__isnull=False).distinct().order_by("code").first()
    )
    public = Adoption.objects.public().count()
    province_rows = Adoption.objects.public().filter(agency__parent=province).count()
    one = Adoption.objects.public().values_list("practice__slug", flat=True).first()
    department = Agency.objects.filter(parent=province, adoptions__isnull=False).first()
    # Each list, and the same list narrowed to a few hundred rows, served first.
    downloads = {
        "/api/v1/adoptions/?format=csv": (public, f"/api/v1/adoptions/?format=csv&practice={one}"),
        "/api/v1/adoptions/?format=xlsx": (
            public,
            f"/api/v1/adoptions/?format=xlsx&practice={one}",
        ),
        f"/tai-ve/co-quan/{province.slug}.csv": (
            province_rows,
            f"/tai-ve/co-quan/{department.slug}.csv",
        ),
    }
    expected = {url: rows for url, (rows, _) in downloads.items()}
    results = {}
    for url, (rows, small) in downloads.items():
        r = fetch(small, url)
        if ".csv" in url and r["lines"] != rows + 1:  # (no cell of these rows breaks a line)
            raise RuntimeError(f"{url}: {r['lines'] - 1} rows, not {rows}")
        results[url] = r
        say(
            f"  {url}: {rows:,} rows, {r['bytes'] / 2**20:.1f} MB in {r['seconds']:.1f} s; "
            f"RSS {r['rss_idle']:.0f} MB idle, {r['rss_warm']:.0f} MB after the narrowed "
            f"list, {r['rss']:.0f} MB at peak: +{r['growth']:.0f} MB"
        )
    rows_back = xlsx_rows("/api/v1/adoptions/?format=xlsx")
    large = [url for url, rows in expected.items() if rows >= size]
    checks = [
        (
            f"memory of the {size:,}-row files (peak RSS − RSS after the narrowed list) "
            f"≤ {TARGET_PEAK_MB} MB",
            all(results[url]["growth"] <= TARGET_PEAK_MB for url in large),
        )
    ]
    say("\nTargets")
    for what, met in checks:
        say(f"  {'met' if met else 'MISSED'}: {what}")
    return {"results": results, "rows": expected, "xlsx_rows": rows_back, "checks": checks}


def say(text=""):
    print(text, flush=True)


def main():
    default_database = f"{settings.DATABASES['default']['NAME']}_bench_downloads"
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=SIZE, help=f"adoptions ({SIZE:,})")
    parser.add_argument("--database", default=default_database, help=f"({default_database})")
    # One measure, in its own process: the small URL, then the large one.
    parser.add_argument("--fetch", nargs=2, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.fetch:
        settings.DATABASES["default"]["NAME"] = options.database
        with imports.bench_settings(), override_settings(ALLOWED_HOSTS=["*"]):
            print(json.dumps(measure(*options.fetch)))
        return None
    if connection.vendor != "postgresql":
        sys.exit("DATABASE_URL must point at PostgreSQL: set -a; . ./.services.env; set +a")
    warnings.filterwarnings("ignore", message="No directory at")
    with imports.bench_settings(), override_settings(ALLOWED_HOSTS=["*"]):
        imports.report("Machine", list(imports.machine().items()))
        database = settings.DATABASES["default"]
        database.setdefault("TEST", {})["NAME"] = options.database
        folder = pathlib.Path(tempfile.mkdtemp(prefix="dvctt-bench-downloads-"))
        say(f"\nCreating {options.database}: migrate and load_seed…")
        old_name = connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False
        )
        try:
            with open(os.devnull, "w") as quiet:
                call_command("load_seed", stdout=quiet)
            results = benchmark(folder, options.size)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
            shutil.rmtree(folder, ignore_errors=True)
            say(f"Cleaned up: database {options.database} dropped, {folder} removed.")
    return results


if __name__ == "__main__":
    main()
