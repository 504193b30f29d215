"""Adoption imports at scale: rows/s, SQL queries and peak memory of `import_adoptions`.

    set -a; . ./.services.env; set +a
    DJANGO_SETTINGS_MODULE=kb.settings.dev .venv/bin/python benchmarks/imports.py

Nothing it does touches the development data:

- everything lives in a database of its own, created for the run and dropped at the end
  (`<database of DATABASE_URL>_bench_imports` on the same PostgreSQL server, or `--database`,
  through Django's test-database machinery, as `benchmarks/search.py` does: migrate, then
  `load_seed`);
- the CSV files are written to a temporary folder, removed at the end;
- Elasticsearch is switched off (`ELASTICSEARCH_URL` empty): the import still rebuilds the
  search rows of the adoptions it wrote, in PostgreSQL (`search.sync.bulk_changes` with
  `touched_only` → `refresh_touched`), but nothing is pushed to a node.

The data: 360 synthetic practice pages published under the catalogue index page, and 500
synthetic departments (15 kinds of "Sở" × the 34 provinces of today, parent = the province),
so that every (practice, agency) pair in a file is unique. Each size has three files
(`REPEATS`), each on practices of its own: 20 practices per 10,000-row file, 100 per
50,000-row file, so that no two files share a pair and every file's first import writes new
rows only (the 50,000-row imports start with the 30,000 earlier adoptions in the database).
Files have the Vietnamese headers an export writes, dd/mm/yyyy dates, Vietnamese status and
evidence words (with and without diacritics), and agencies by code (half) or by name (half).
`VACUUM ANALYZE` follows, so that autovacuum does not analyse the new tables during the first
timed imports.

For each size, three imports through `practices.resources.import_adoptions`:

1. the file, into a database without those pairs (all rows new);
2. the same file again (all rows unchanged);
3. a copy with every tenth row changed (status and notes).

The files are all written before the first import, and the lists they were made from
freed, so that the process the imports are forked from holds Django, its connection
settings and little else. Each import is measured in forked children:

- **timed**, committed, once per file (three runs; the median is reported, since a shared
  machine's speed varies by a fifth from one run to the next): wall time (rows/s), SQL
  statements (counted with `connection.execute_wrapper`, where `executemany`, one statement
  sent with many parameter sets, counts once; and each COPY, which psycopg sends outside
  those wrappers), the RSS of the child before the import (what it shares with its parent)
  and its peak RSS (`resource.getrusage` ru_maxrss), so that no import inherits the memory
  another left;
- **traced**, on the first file, inside a transaction that is rolled back, with
  `tracemalloc` on (it slows Python down, so it is kept out of the timed runs): the peak of
  Python allocations.

`--profile ROWS` adds a cProfile run (forked, rolled back) of each import of that size and
prints the functions with the most own and cumulative time.

`benchmark()` is also what `tests/benchmarks/test_small_runs.py` runs, at a few hundred rows
and one run per import, with assertions on what each import wrote and on the statements.
"""

import argparse
import contextlib
import cProfile
import csv
import datetime
import gc
import io
import os
import pathlib
import pickle
import pstats
import random
import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
import warnings
from collections import Counter
from unittest import mock

ROOT = pathlib.Path(__file__).resolve().parent.parent
if __name__ == "__main__":
    # Run as a script, this file's folder comes first on sys.path: put the project root there.
    sys.path[0] = str(ROOT)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings.dev")
    import django

    django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.backends.signals import connection_created  # noqa: E402
from django.test import override_settings  # noqa: E402

import psycopg  # noqa: E402

from benchmarks.common import cpu_check, load_average, machine_facts  # noqa: E402
from kb.seed import ensure_site_tree  # noqa: E402
from practices.matching import AgencyIndex  # noqa: E402
from practices.models import (  # noqa: E402
    Adoption,
    Agency,
    AgencyKind,
    PracticeCategory,
    PracticePage,
)
from practices.resources import COLUMNS, import_adoptions  # noqa: E402
from practices.resources.columns import STAGE_COLUMNS  # noqa: E402
from practices.text import fold, sort_key  # noqa: E402
from search import sync  # noqa: E402

SIZES = (10_000, 50_000)
PRACTICES_PER_SIZE = {10_000: 20, 50_000: 100}
AGENCIES = 500
TARGET_RATE = 2000  # new rows/s
TARGET_PEAK_MB = 300  # for 50,000 rows
SEED = 20221122
REPEATS = 3  # timed runs of each import, on files of their own; the median is reported

DEPARTMENTS = [
    "Sở Tư pháp",
    "Sở Tài chính",
    "Sở Xây dựng",
    "Sở Nội vụ",
    "Sở Y tế",
    "Sở Khoa học và Công nghệ",
    "Sở Nông nghiệp và Môi trường",
    "Sở Giáo dục và Đào tạo",
    "Sở Công Thương",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Dân tộc và Tôn giáo",
    "Sở Ngoại vụ",
    "Sở Kế hoạch Đầu tư thử nghiệm",
    "Sở Giao thông thử nghiệm",
    "Sở Lao động thử nghiệm",
]
PRACTICE_TITLES = [
    "Tiếp nhận hồ sơ trực tuyến toàn trình",
    "Giao chỉ tiêu hồ sơ trực tuyến cho từng đơn vị",
    "Bộ phận một cửa hỗ trợ người dân nộp hồ sơ trực tuyến",
    "Khảo sát mức độ hài lòng của người dân",
    "Miễn, giảm lệ phí khi nộp hồ sơ trực tuyến",
    "Rút ngắn thời gian giải quyết thủ tục hành chính",
    "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính",
    "Trợ lý ảo hướng dẫn thủ tục hành chính",
]
# Words people write in the status and evidence columns (the importer folds them).
STATUS_WORDS = {
    "planned": ["Kế hoạch", "ke hoach"],
    "piloting": ["Thí điểm", "thi diem"],
    "adopted": ["Đã áp dụng", "da ap dung", "Áp dụng"],
    "discontinued": ["Dừng áp dụng", "dung", "Đã dừng"],
}
EVIDENCE_WORDS = ["", "Tự khai báo", "có văn bản", "Đã thẩm định"]
# The export's Vietnamese headers, less the agency's slug an export adds beside its code (the
# rows name agencies by code or name, as files made by hand do) and the optional stage dates
# (each row's one step comes from its status and date, as in the runs before they existed).
HEADERS = [
    names[0]
    for column, names in COLUMNS.items()
    if column != "agency_slug" and column not in STAGE_COLUMNS
]


# --- Synthetic data ------------------------------------------------------------------------


def create_practices(count):
    """`count` practice pages published under the catalogue index page, like the factories."""
    _, index, _ = ensure_site_tree()
    categories = list(PracticeCategory.objects.order_by("sort_order", "pk"))
    slugs = []
    with transaction.atomic(), sync.bulk_changes():
        for n in range(1, count + 1):
            page = PracticePage(
                title=f"{PRACTICE_TITLES[n % len(PRACTICE_TITLES)]} (mô hình thử nghiệm {n})",
                slug=f"giai-phap-thu-nghiem-{n:03d}",
                summary="Giải pháp tổng hợp để đo hiệu năng nhập dữ liệu.",
                category=categories[n % len(categories)],
            )
            index.add_child(instance=page)
            page.save_revision().publish()
            slugs.append(page.slug)
    return slugs


def create_agencies(count):
    """`count` departments with unique codes and names, valid at every date."""
    provinces = list(
        Agency.objects.current()
        .filter(kind__in=(AgencyKind.PROVINCE, AgencyKind.CITY))
        .order_by("code")
    )
    taken = AgencyIndex.load()
    units = []
    for department in DEPARTMENTS:
        for province in provinces:
            if len(units) == count:
                break
            short = province.short_name or province.name
            name = f"{department} {short}"
            if name_taken(taken, name):
                name = f"{name} (thử nghiệm)"
            code = f"TN{province.code}.{len(units):03d}"
            units.append(
                Agency(
                    slug=f"so-thu-nghiem-{len(units):03d}",
                    code=code,
                    name=name,
                    kind=AgencyKind.DEPARTMENT,
                    parent=province,
                    region=province.region,
                    region_8=province.region_8,
                    name_folded=fold(name),
                    sort_name=sort_key(name),
                )
            )
    Agency.objects.bulk_create(units)
    index = AgencyIndex.load()
    for unit in units:  # every name and code must lead to its own unit
        assert index.match(unit.code).code == unit.code, unit.code
        assert index.match(unit.name).code == unit.code, unit.name
    return [(unit.code, unit.name) for unit in units]


def name_taken(index, name):
    with contextlib.suppress(ValueError):
        index.match(name)
        return True
    return False


def write_csv(path, rows):
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows(rows)


def make_rows(practices, agencies, seed):
    """One row per (practice, agency) pair, in a shuffled order."""
    rng = random.Random(seed)
    pairs = [(p, a) for p in practices for a in agencies]
    rng.shuffle(pairs)
    rows = []
    for n, (slug, (code, name)) in enumerate(pairs):
        status = rng.choice(list(STATUS_WORDS))
        if n % 2:
            agency = code
        else:  # by name, half of those without diacritics
            agency = name if n % 4 else fold(name).title()
        date = datetime.date(2018, 1, 1) + datetime.timedelta(days=rng.randint(0, 365 * 8))
        rows.append(
            [
                slug,
                agency,
                rng.choice(STATUS_WORDS[status]),
                f"{date:%d/%m/%Y}",
                f"Quyết định số {rng.randint(1, 3000)}/QĐ-UBND" if n % 3 else "",
                f"https://dichvucong.example.gov.vn/van-ban/{n}" if n % 3 == 1 else "",
                EVIDENCE_WORDS[n % len(EVIDENCE_WORDS)],
                f"Ghi chú {n}: áp dụng tại bộ phận một cửa" if n % 5 == 0 else "",
            ]
        )
    return rows


def changed_copy(rows):
    """Every tenth row with another status and a note: 10 % of the rows change."""
    order = list(STATUS_WORDS)
    out = []
    for n, row in enumerate(rows):
        row = list(row)
        if n % 10 == 0:
            current = next(code for code, words in STATUS_WORDS.items() if row[2] in words)
            row[2] = STATUS_WORDS[order[(order.index(current) + 1) % len(order)]][0]
            row[7] = (row[7] + " " if row[7] else "") + "Cập nhật số liệu quý IV."
        out.append(row)
    return out


# --- Measuring ----------------------------------------------------------------------------


class QueryCounter:
    """Counts the statements sent, by verb and table (to see which ones grow with the rows)."""

    _TABLE = re.compile(r'(?:FROM|INTO|UPDATE|COPY)\s+"?([a-z_0-9]+)"?', re.IGNORECASE)

    def __init__(self):
        self.total = 0
        self.kinds = Counter()

    def count(self, sql):
        self.total += 1
        verb = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else "?"
        match = self._TABLE.search(sql)
        self.kinds[f"{verb} {match.group(1) if match else ''}".strip()] += 1

    def __call__(self, execute, sql, params, many, context):
        self.count(sql)
        return execute(sql, params, many, context)

    @contextlib.contextmanager
    def counting(self):
        """Count the statements of the block: queries, and COPY (see `kb.bulk.insert_rows`),
        which psycopg sends without passing through Django's execute wrappers."""
        copy = psycopg.Cursor.copy

        def counted_copy(cursor, statement, *args, **kwargs):
            self.count(str(statement))
            return copy(cursor, statement, *args, **kwargs)

        with (
            connection.execute_wrapper(self),
            mock.patch.object(psycopg.Cursor, "copy", counted_copy),
        ):
            yield


def rss_mb():
    """The RSS of this process now."""
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def in_child(function):
    """Run `function` in a forked child (own connection); return what it returns."""
    connection.close()  # parent and child each open their own connection
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read)
        try:
            result = ("ok", function())
        except BaseException as error:  # noqa: BLE001 - reported to the parent
            result = ("error", repr(error))
        with os.fdopen(write, "wb") as handle:
            pickle.dump(result, handle)
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as handle:
        data = handle.read()
    os.waitpid(pid, 0)
    status, value = pickle.loads(data)
    if status != "ok":
        raise RuntimeError(f"child failed: {value}")
    return value


class _Rollback(Exception):
    pass


def rolled_back(function):
    """Run `function` inside a transaction that is rolled back; return its result."""
    box = {}
    with contextlib.suppress(_Rollback), transaction.atomic():
        box["result"] = function()
        raise _Rollback
    return box["result"]


def traced_peak(path):
    """Peak Python allocations (MB) of one import, run in a rolled-back child."""

    def run():
        tracemalloc.start()
        rolled_back(lambda: import_adoptions(path))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return peak / 2**20

    return in_child(run)


def profiled(path, top):
    def run():
        profile = cProfile.Profile()
        profile.enable()
        rolled_back(lambda: import_adoptions(path))
        profile.disable()
        text = io.StringIO()
        stats = pstats.Stats(profile, stream=text)
        stats.sort_stats("tottime").print_stats(top)
        stats.sort_stats("cumulative").print_stats(top)
        return text.getvalue()

    return in_child(run)


def timed(path):
    """One import, committed, in a forked child: its seconds, statements and memory."""

    def run():
        counter = QueryCounter()
        connection.ensure_connection()  # opening the session is not part of the import
        before = rss_mb()
        started = time.perf_counter()
        with counter.counting():
            report = import_adoptions(path)
        seconds = time.perf_counter() - started
        return {
            "counts": (report.new, report.updated, report.unchanged),
            "errors": [str(error) for error in report.errors[:5]],
            "outcome": report.summary(),
            "seconds": seconds,
            "queries": counter.total,
            "kinds": counter.kinds,
            "rss_before": before,
            "rss": peak_rss_mb(),
        }

    return in_child(run)


def machine():
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
        cursor.execute("SHOW jit")
        jit = cursor.fetchone()[0]
    facts = machine_facts(PostgreSQL=f"{postgres}, jit {jit}")
    return facts | {"CPU check at start": cpu_check()}


def _jit_off(sender, connection, **kwargs):
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")


def say(text=""):
    print(text, flush=True)


def report(title, rows):
    say(f"\n{title}")
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        say(f"  {name.ljust(width)}  {value}")


# --- Run ------------------------------------------------------------------------------------


def bench_settings():
    """The settings of a run: production's where they matter, and no node."""
    return override_settings(
        DEBUG=False,  # no SQL logging in connection.queries
        ELASTICSEARCH_URL="",  # search rows are rebuilt in PostgreSQL, nothing is pushed
        IMPORT_MAX_BYTES=64 * 2**20,  # the 50,000-row file is larger than the default 5 MB
    )


def main():
    default_database = f"{settings.DATABASES['default']['NAME']}_bench_imports"
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=list(SIZES), help="rows per file (≤ 50,000)"
    )
    parser.add_argument("--database", default=default_database, help=f"({default_database})")
    parser.add_argument(
        "--no-jit",
        action="store_true",
        help="SET jit = off in the benchmark's sessions (see BENCHMARKS.md, Imports)",
    )
    parser.add_argument(
        "--profile", type=int, metavar="ROWS", help="also cProfile the imports of this size"
    )
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("DATABASE_URL must point at PostgreSQL: set -a; . ./.services.env; set +a")
    warnings.filterwarnings("ignore", message="No directory at")
    with bench_settings():
        if options.no_jit:
            connection_created.connect(_jit_off)
            connection.close()  # the next query opens a session with jit off
        facts = machine()
        report("Machine", list(facts.items()))

        database = settings.DATABASES["default"]
        database.setdefault("TEST", {})["NAME"] = options.database
        folder = pathlib.Path(tempfile.mkdtemp(prefix="dvctt-bench-imports-"))
        say(f"\nCreating {options.database}: migrate and load_seed…")
        started = time.perf_counter()
        old_name = connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False
        )
        try:
            with open(os.devnull, "w") as quiet:
                call_command("load_seed", stdout=quiet)
            say(f"  ready in {time.perf_counter() - started:.0f} s")
            results = benchmark(folder, options.sizes, profile=options.profile)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
            shutil.rmtree(folder, ignore_errors=True)
            say(f"Cleaned up: database {options.database} dropped, {folder} removed.")
    return results


def benchmark(folder, sizes=SIZES, repeats=REPEATS, profile=None):
    """Synthetic practices and departments, then for each size `repeats` files (in `folder`)
    imported new, unchanged and 10 % changed, each timed in a forked child. Prints the
    figures; returns {"results": {(size, step): figures}, "checks": [(target, met)],
    "files": {size: {step: [paths]}}, "agencies": [(code, name)]}."""
    sizes = sorted(sizes)
    needed = {size: -(-size // AGENCIES) for size in sizes}
    needed |= {size: PRACTICES_PER_SIZE.get(size, needed[size]) for size in sizes}
    started = time.perf_counter()
    slugs = create_practices(repeats * sum(needed.values()))
    agencies = create_agencies(AGENCIES)
    sync.refresh_all()  # search rows of the new pages and units, so imports only add adoptions
    with connection.cursor() as cursor:
        # Settle the tables now: autovacuum would otherwise analyse them during the first
        # timed imports, on the same two cores.
        cursor.execute("VACUUM ANALYZE")
    say(
        f"  {len(slugs)} synthetic practices and {len(agencies)} synthetic agencies "
        f"in {time.perf_counter() - started:.0f} s (then VACUUM ANALYZE)"
    )

    # files[size][step]: one file per repeat, each on practices of its own, so that every
    # repeat of "new" writes rows that are new.
    files, first = {}, 0
    for size in sizes:
        files[size] = {"new": [], "unchanged": [], "10 % changed": []}
        for repeat in range(repeats):
            practices = slugs[first : first + needed[size]]
            first += needed[size]
            rows = make_rows(practices, agencies, SEED + size + repeat)[:size]
            path = folder / f"adoptions_{size}_{repeat}.csv"
            changed = folder / f"adoptions_{size}_{repeat}_changed.csv"
            write_csv(path, rows)
            write_csv(changed, changed_copy(rows))
            files[size]["new"].append(path)
            files[size]["unchanged"].append(path)
            files[size]["10 % changed"].append(changed)
        megabytes = files[size]["new"][0].stat().st_size / 2**20
        say(
            f"  {size:,} rows: {repeats} files of {needed[size]} practices × {AGENCIES} "
            f"agencies, {megabytes:.1f} MB each"
        )
    del rows
    gc.collect()
    say(f"  RSS of the process the imports are forked from: {rss_mb():.0f} MB")

    results = {}
    for size in sizes:
        say(f"\n{size:,} rows")
        expected = {
            "new": (size, 0, 0),
            "unchanged": (0, 0, size),
            "10 % changed": (0, -(-size // 10), size - -(-size // 10)),
        }
        profiles = {}
        for step, paths in files[size].items():
            if profile == size:  # before the timed pass commits this step's rows
                say(f"  {step}: cProfile pass (forked, rolled back)…")
                profiles[step] = profiled(paths[0], 25)
            say(f"  {step}: tracemalloc pass (forked, rolled back)…")
            traced = traced_peak(paths[0])
            runs = []
            for repeat, path in enumerate(paths, 1):
                r = timed(path)
                if r["errors"] or r["counts"] != expected[step]:
                    raise RuntimeError(f"{size} {step}: {r['outcome']} {r['errors']}")
                runs.append(r)
                say(
                    f"    timed pass {repeat}/{repeats} (forked): {r['seconds']:.1f} s = "
                    f"{size / r['seconds']:,.0f} rows/s, {r['queries']} queries, "
                    f"RSS {r['rss_before']:.0f} MB before, {r['rss']:.0f} MB at peak"
                )
            if len({r["queries"] for r in runs}) != 1:
                raise RuntimeError(f"{size} {step}: queries differ between repeats")
            seconds = statistics.median(r["seconds"] for r in runs)
            results[size, step] = runs[0] | {
                "seconds": seconds,
                "rate": size / seconds,
                "rates": [size / r["seconds"] for r in runs],
                "rss": max(r["rss"] for r in runs),
                "traced": traced,
            }
        for step, text in profiles.items():
            say(f"\ncProfile, {size:,} rows, {step} (forked, rolled back):")
            say(text)
    assert Adoption.objects.count() >= repeats * sum(sizes)

    say(f"\nResults (seconds and rows/s: median of {repeats} runs; the runs' rows/s beside)")
    say(
        f"  {'rows':>6}  {'import':<13} {'seconds':>8} {'rows/s':>8} {'runs':>20} {'queries':>8} "
        f"{'tracemalloc peak':>17} {'RSS before':>11} {'peak RSS':>9}"
    )
    for (size, step), r in results.items():
        runs = " / ".join(f"{rate:,.0f}" for rate in r["rates"])
        say(
            f"  {size:>6,}  {step:<13} {r['seconds']:>8.1f} {r['rate']:>8,.0f} {runs:>20} "
            f"{r['queries']:>8} {r['traced']:>14.0f} MB {r['rss_before']:>8.0f} MB "
            f"{r['rss']:>6.0f} MB"
        )

    small, large = sizes[0], sizes[-1]
    say(f"\nQueries by statement, {small:,} vs {large:,} rows (only those that differ):")
    for step in ("new", "unchanged", "10 % changed"):
        a, b = results[small, step]["kinds"], results[large, step]["kinds"]
        grown = sorted(k for k in a.keys() | b.keys() if a[k] != b[k])
        say(
            f"  {step}: "
            + ("none" if not grown else ", ".join(f"{k} {a[k]}→{b[k]}" for k in grown))
        )

    checks = [
        (
            f"new rows ≥ {TARGET_RATE:,}/s",
            all(results[s, "new"]["rate"] >= TARGET_RATE for s in sizes),
        ),
        (
            f"queries do not grow with the rows ({small:,} vs {large:,})",
            all(
                results[small, step]["queries"] == results[large, step]["queries"]
                for step in ("new", "unchanged", "10 % changed")
            ),
        ),
        (
            f"peak memory < {TARGET_PEAK_MB} MB at {large:,} rows (tracemalloc and RSS)",
            all(
                max(results[large, step]["traced"], results[large, step]["rss"]) < TARGET_PEAK_MB
                for step in ("new", "unchanged", "10 % changed")
            ),
        ),
    ]
    report("Targets", [(what, "met" if ok else "MISSED") for what, ok in checks])
    report("At the end", [("load average", load_average()), ("CPU check", cpu_check())])
    say(f"\n({datetime.datetime.now():%Y-%m-%d %H:%M})")
    return {"results": results, "checks": checks, "files": files, "agencies": agencies}


if __name__ == "__main__":
    main()
