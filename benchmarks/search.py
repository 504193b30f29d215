"""Public search at scale: indexing rate, and query latency on three engines over one corpus.

    set -a; . ./.services.env; set +a
    DJANGO_SETTINGS_MODULE=kb.settings.dev .venv/bin/python benchmarks/search.py
    ... benchmarks/search.py --engines pg,sqlite --documents 2000   # fewer engines, fewer rows

One run measures the same synthetic corpus (`benchmarks/search_corpus.py`: rows made by the
real row builders, deterministic) and the same query set on each engine of `--engines`
(default all three):

- `es`: Elasticsearch. The rows are indexed through `search.sync.rebuild` (new index,
  streaming bulk from the database, refresh, alias swap, rows marked indexed), timed. Its
  first step, `refresh_all`, rebuilds rows from their source records; the synthetic rows have
  none and would be tombstoned, so that step is skipped here. Each query goes through the
  Django stack (`django.test.Client`, GET `/api/v1/search/`) and, beside it, the same
  `queries.build_search(...)` is sent straight to the node, whose own `took` is read.
- `pg`: the database engine (the fallback when no node is configured or it is down) on
  PostgreSQL: the same queries through the API with `ELASTICSEARCH_URL` unset.
- `sqlite`: the database engine on SQLite. Django holds one default database per process, so
  this part runs in a child process, this script with `--sqlite-child`, started with
  `DATABASE_URL` on a database file in a temporary folder and `ELASTICSEARCH_URL` empty. The
  child migrates the file, loads the seed, writes the same rows (same generator, same seed),
  runs the same queries through the API and writes its measurements as JSON, which the parent
  reads and reports. The folder is removed at the end, even after an error or Ctrl-C.

Each engine gets one warm-up pass, then `--repeat` measured passes on Elasticsearch and
`--database-repeat` on each database engine. An answer from another engine than the one
measured (the database fallback when the node fails) stops the run. The report gives
p50/p95/p99/max per engine and each database engine's p50 and p95 beside Elasticsearch's,
the p50 of every query on every engine, and the targets, met or missed. The engines must
search the same rows (as many, and a digest of the synthetic rows' content the same on both
databases) and count the same results for every query (Elasticsearch only where it counted
every hit): otherwise the run fails, after its report, since its figures would compare
different work.

Nothing it does touches the development data:

- the PostgreSQL rows live in a database of their own, created for the run and dropped at
  the end (`<database of DATABASE_URL>_bench_search` on the same server, or `--database`),
  through Django's test-database machinery: migrate, then the reference data and the seed
  catalogue with `load_seed`; the SQLite rows, in a file of the temporary folder;
- the indices carry the prefix `<SEARCH_INDEX_PREFIX>-bench` (or `--index-prefix`) and are
  deleted at the end; a run without `es` does not reach the node at all.

Settings are those of production where they matter (DEBUG off, WhiteNoise without
autorefresh); the search rate limit is off.

`benchmark()` is also what `tests/benchmarks/test_small_runs.py` runs, at a few hundred rows
on all three engines, with assertions that the rows read like real ones and that the queries
find them.
"""

import argparse
import codecs
import contextlib
import datetime
import json
import logging
import os
import pathlib
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from unittest import mock

ROOT = pathlib.Path(__file__).resolve().parent.parent
if __name__ == "__main__":
    # Run as a script, this file's folder comes first on sys.path, and its name would shadow
    # the `search` app: put the project root there instead.
    sys.path[0] = str(ROOT)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings.dev")
    import django

    django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.management.base import OutputWrapper  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

from benchmarks.common import cpu_check, load_average, machine_facts  # noqa: E402
from benchmarks.search_corpus import QUERIES, TYPO, corpus_digest, write_rows  # noqa: E402
from kb.progress import ProgressBar  # noqa: E402
from search import queries, sync  # noqa: E402
from search.client import get_client  # noqa: E402
from search.models import SearchDocument  # noqa: E402

API_PATH = "/api/v1/search/"
NODE_COUNTS_TO = 10_000  # Elasticsearch's default track_total_hits
ENGINES = {
    "es": "Elasticsearch",
    "pg": "database engine, PostgreSQL",
    "sqlite": "database engine, SQLite",
}
# What the API says answered: the database engine is "database" on either database.
ANSWERED_BY = {"es": "elasticsearch", "pg": "database", "sqlite": "database"}
TARGET_DOCUMENTS = 100_000  # the size the targets are set at
TARGET_RATE = 1000  # documents/s
TARGET_RATIO = 2.0  # API p95 ÷ node took p95
TARGET_P95_MS = {"es": 100, "pg": 150, "sqlite": 150}
TARGET_MAX_MS = 500  # on every engine


class SanityError(RuntimeError):
    """The engines did not search the same rows: the figures would compare different work."""


# --- Measuring ----------------------------------------------------------------------------


def percentiles(values):
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50": cuts[49], "p95": cuts[94], "p99": cuts[98], "max": max(values)}


def machine(es, engines):
    extra = {}
    if es is not None:
        nodes = es.nodes.info(filter_path="nodes.*.version,nodes.*.jvm.mem.heap_max_in_bytes")
        node = next(iter(nodes["nodes"].values()))
        heap = node["jvm"]["mem"]["heap_max_in_bytes"] // 2**20
        extra["Elasticsearch"] = f"{node['version']} (heap {heap} MB)"
    if {"es", "pg"} & set(engines):
        database = connection.vendor
        if database == "postgresql":
            version = connection.pg_version
            database = f"PostgreSQL {version // 10000}.{version % 10000}"
        extra["database"] = database
    if "sqlite" in engines:
        # The child runs this interpreter, so this library.
        extra["SQLite"] = sqlite3.sqlite_version
    return machine_facts(**extra) | {"CPU check at start": cpu_check()}


class Line:
    """A one-line progress display for phases that are not a bar."""

    def __init__(self, out):
        self.out = out

    def __call__(self, text):
        self.out.write(f"\r{text}\x1b[K", ending="")
        self.out.flush()

    def done(self, text):
        self(text)
        self.out.write("")


def index(out):
    """`sync.rebuild` without its `refresh_all`: {"name" of the index, "indexed" documents,
    "seconds", "phases": {phase: seconds}}."""
    bar = ProgressBar(out)
    marks = {}

    def progress(done, total):
        marks.setdefault("first", time.perf_counter())
        marks["last"] = time.perf_counter()
        bar(done, total)

    started = time.perf_counter()
    with mock.patch.object(sync, "refresh_all", lambda progress=None: (0, 0)):
        name, indexed = sync.rebuild(progress=progress)
    seconds = time.perf_counter() - started
    bar.finish()
    phases = {
        "count + create index": marks["first"] - started,
        "bulk (read rows, send, wait)": marks["last"] - marks["first"],
        "refresh, alias swap, mark rows indexed": started + seconds - marks["last"],
    }
    return {"name": name, "indexed": indexed, "seconds": seconds, "phases": phases}


def run_queries(engine, repeat, out, es=None):
    """Each query of the set through `GET /api/v1/search/`, once to warm up, then `repeat`
    times, answered by `engine` (a key of ENGINES). For "es", `es` is the node: the API must
    answer from it, and the same search is also sent straight to the node; otherwise no node
    is configured and the API must answer from the database. Returns {"api", "took",
    "round_trip": [(query, ms)], "totals": [results of each query], "capped": [whether the
    node stopped counting at its default 10,000], "urls": [first page's result URLs of each
    query], "load": (before, after), "passes"}."""
    web = Client(HTTP_ACCEPT="application/json")
    searches = [None] * len(QUERIES)
    if es is not None:
        synonyms = queries.load_synonyms()
        searches = [
            queries.build_search(queries.parse(params, synonyms), index=sync.alias()).using(es)
            for params in QUERIES
        ]
    api, took, round_trip = [], [], []
    totals, urls, capped = [None] * len(QUERIES), [None] * len(QUERIES), [False] * len(QUERIES)
    line = Line(out)
    load_before = os.getloadavg()[0]
    for rep in range(repeat + 1):  # pass 0 warms caches and is not counted
        for n, (params, search) in enumerate(zip(QUERIES, searches, strict=True)):
            started = time.perf_counter()
            body = _answer(web, params, ANSWERED_BY[engine])
            api_ms = (time.perf_counter() - started) * 1000
            totals[n] = body["total"]
            urls[n] = [hit["url"] for hit in body["results"]]
            if rep:
                api.append((n, api_ms))
            if search is not None:
                started = time.perf_counter()
                response = search.execute(ignore_cache=True)
                trip_ms = (time.perf_counter() - started) * 1000
                # The node stops counting at 10,000 in each request: in the full matches (the
                # request sent here) and in the partial ones the API adds after them.
                capped[n] = response.hits.total.relation == "gte" or body["total"] >= NODE_COUNTS_TO

                if rep:
                    took.append((n, response.took))
                    round_trip.append((n, trip_ms))
            line(f"Queries ({ENGINES[engine]}): pass {rep}/{repeat}, query {n + 1}/{len(QUERIES)}")
    line.done(
        f"Queries ({ENGINES[engine]}): {repeat} passes × {len(QUERIES)} queries "
        f"= {len(api)} measurements"
    )
    return {
        "api": api,
        "took": took,
        "round_trip": round_trip,
        "totals": totals,
        "capped": capped,
        "urls": urls,
        "load": (load_before, os.getloadavg()[0]),
        "passes": repeat,
    }


def _answer(web, params, engine):
    """The API's answer to `params`, which `engine` must have given."""
    response = web.get(API_PATH, params)
    if response.status_code != 200:
        raise RuntimeError(f"{API_PATH} {params}: HTTP {response.status_code}")
    body = response.json()
    # The engine, not the notice: the fallback says "database", and a notice can also be the
    # reader's (words cut, results with some words missing), part of what is measured.
    if body["engine"] != engine:
        raise RuntimeError(
            f"{API_PATH} {params}: answered by {body['engine']}, not {engine} "
            f"({body['notice'] or 'no notice'}): this run would measure something else"
        )
    return body


def settle(es, index, out, limit=120):
    """Wait for the merges the bulk load started, so latency is measured in the steady state
    a rebuilt index serves in. Returns the number of segments searched."""
    line = Line(out)
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        stats = es.indices.stats(index=index, metric="merge,segments")["_all"]["primaries"]
        if not stats["merges"]["current"]:
            break
        line(f"Waiting for {stats['merges']['current']} merge(s) to finish…")
        time.sleep(1)
    segments = stats["segments"]["count"]
    line.done(f"Index settled in {time.perf_counter() - started:.0f} s: {segments} segments")
    return segments


# --- SQLite, in a process of its own ------------------------------------------------------


def sqlite_run(documents, repeat, out):
    """The corpus and the queries on SQLite: this script as `--sqlite-child`, on a database
    file in a temporary folder that is removed afterwards, whatever happens. Its output is
    copied to `out`; returns its measurements (those of `run_queries`, and its rows)."""
    with tempfile.TemporaryDirectory(prefix="dvctt-bench-sqlite-") as folder:
        measured = pathlib.Path(folder) / "measured.json"
        # DJANGO_SETTINGS_MODULE and the rest of the environment: this process's.
        environment = os.environ | {
            "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
            "ELASTICSEARCH_URL": "",
            # The temporary folders the settings make (the test settings make three) go in
            # this one, and go with it.
            "TMPDIR": folder,
            "PYTHONUNBUFFERED": "1",  # progress lines as they come, not at the end
        }
        command = _child_command(documents, repeat, measured)
        with subprocess.Popen(command, env=environment, cwd=ROOT, stdout=subprocess.PIPE) as child:
            try:
                _forward(child.stdout, out)
            except BaseException:  # Ctrl-C too: the child goes before its folder does
                child.kill()
                raise
        if child.returncode:
            raise RuntimeError(f"The SQLite run failed (exit status {child.returncode}).")
        return json.loads(measured.read_text(encoding="utf-8"))


def _child_command(documents, repeat, measured):
    return [
        sys.executable,
        str(pathlib.Path(__file__).resolve()),
        "--sqlite-child",
        f"--documents={documents}",
        f"--database-repeat={repeat}",
        f"--out={measured}",
    ]


def _forward(stream, out):
    """Copy the child's output to `out` as it comes, progress lines (no newline) included."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    while chunk := os.read(stream.fileno(), 4096):
        out.write(decoder.decode(chunk), ending="")
        out.flush()


def sqlite_child(options):
    """`--sqlite-child`: in the process `sqlite_run` started, a fresh database file, the
    seed, the same rows and the same queries with no node; the measurements go to
    `options.out` as JSON."""
    if connection.vendor != "sqlite" or settings.ELASTICSEARCH_URL:
        sys.exit("--sqlite-child runs on a SQLite DATABASE_URL with ELASTICSEARCH_URL empty.")
    out = OutputWrapper(sys.stdout)
    # The test machinery's own name would be an in-memory database; a file is what a site on
    # SQLite searches.
    name = settings.DATABASES["default"]["NAME"]
    with bench_settings(), bench_database(out, name):
        run = measure_sqlite(options.documents, options.database_repeat, out)
    pathlib.Path(options.out).write_text(json.dumps(run), encoding="utf-8")


def measure_sqlite(documents, repeat, out):
    seeded = SearchDocument.objects.filter(deleted=False).count()
    out.write(f"SQLite: writing {documents:,} synthetic rows (+ {seeded} from the seed)…")
    building, storing = write_rows(documents, out)
    return run_queries("sqlite", repeat, out) | {
        "rows": SearchDocument.objects.filter(deleted=False).count(),
        "corpus": corpus_digest(),
        "building": building,
        "storing": storing,
    }


# --- A run --------------------------------------------------------------------------------


def report(title, rows, out):
    out.write(f"\n{title}")
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        out.write(f"  {name.ljust(width)}  {value}")


def bench_settings(prefix=None):
    """The settings of a run: its own index prefix, and production's where they matter."""
    return override_settings(
        SEARCH_INDEX_PREFIX=prefix or settings.SEARCH_INDEX_PREFIX,
        DEBUG=False,  # no SQL logging
        WHITENOISE_AUTOREFRESH=False,
        ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
        # One client sends hundreds of searches a minute: the search is measured, not the
        # rate limit (empty: none), which would answer 429 and stop the run.
        RATELIMIT_SEARCH="",
    )


@contextlib.contextmanager
def bench_database(out, name=None):
    """A database of the run's own, through Django's test-database machinery: created as
    `name` (replacing one a killed run left), migrated and seeded with `load_seed`; dropped at
    the end, even after an error."""
    if name:
        settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = name
    line = Line(out)
    line(f"Creating the benchmark database ({name or connection.vendor}): migrate, load_seed…")
    started = time.perf_counter()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        with open(os.devnull, "w") as quiet:
            call_command("load_seed", stdout=quiet)
        line.done(
            f"Benchmark database {connection.settings_dict['NAME']} ready "
            f"in {time.perf_counter() - started:.0f} s"
        )
        yield
    finally:
        dropped = connection.settings_dict["NAME"]
        connection.creation.destroy_test_db(old_name, verbosity=0)
        out.write(f"Cleaned up: database {dropped} dropped.")


def clean_up(es, prefix):
    """Delete the run's indices; returns the names of any left."""
    es.indices.delete(index=f"{prefix}-*", ignore_unavailable=True, allow_no_indices=True)
    return sorted(es.indices.get(index=f"{prefix}-*", allow_no_indices=True))


def engine_list(text):
    """`es,pg,sqlite` (any of them, any order) -> the engines in the order they run."""
    names = {name.strip() for name in text.split(",") if name.strip()}
    if not names or names - set(ENGINES):
        raise argparse.ArgumentTypeError(f"a comma-separated choice of {', '.join(ENGINES)}")
    return tuple(engine for engine in ENGINES if engine in names)


def passes(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("at least one pass")
    return value


def arguments():
    default_database = f"{settings.DATABASES['default']['NAME']}_bench_search"
    default_prefix = f"{settings.SEARCH_INDEX_PREFIX}-bench"
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=TARGET_DOCUMENTS)
    parser.add_argument(
        "--engines", type=engine_list, default=tuple(ENGINES), help="(es,pg,sqlite)"
    )
    parser.add_argument("--repeat", type=passes, default=20, help="passes on Elasticsearch")
    parser.add_argument(
        "--database-repeat", type=passes, default=5, help="passes on each database engine"
    )
    parser.add_argument("--database", default=default_database, help=f"({default_database})")
    parser.add_argument("--index-prefix", default=default_prefix, help=f"({default_prefix})")
    parser.add_argument("--sqlite-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)  # where the child writes its JSON
    return parser.parse_args()


def main():
    options = arguments()
    # "Index does not exist" while load_seed pushes to the not yet built bench alias.
    logging.getLogger("search.sync").setLevel(logging.ERROR)
    # WhiteNoise without autorefresh (as in production) looks for STATIC_ROOT at start-up.
    warnings.filterwarnings("ignore", message="No directory at")
    if options.sqlite_child:
        return sqlite_child(options)
    engines = options.engines
    if "es" in engines and not settings.ELASTICSEARCH_URL:
        sys.exit("ELASTICSEARCH_URL is not set: measure without es (--engines pg,sqlite).")
    if "pg" in engines and connection.vendor != "postgresql":
        sys.exit("DATABASE_URL is not on PostgreSQL: measure without pg (--engines es,sqlite).")
    out = OutputWrapper(sys.stdout)
    # Without es, nothing reaches the node (load_seed would push to it).
    node = contextlib.nullcontext() if "es" in engines else override_settings(ELASTICSEARCH_URL="")
    try:
        with node, bench_settings(options.index_prefix):
            es = get_client()
            report("Machine", list(machine(es, engines).items()), out)
            out.write("")
            return measure(es, options, out)
    except SanityError as error:
        sys.exit(f"\nThe run FAILED its sanity check: {error}")


def measure(es, options, out):
    """`benchmark()` in the run's own database (when es or pg needs one) and indices."""
    name = options.database if connection.vendor == "postgresql" else None
    database = bench_database(out, name) if {"es", "pg"} & set(options.engines) else None
    with database or contextlib.nullcontext():
        try:
            return benchmark(
                es, out, options.documents, options.repeat, options.database_repeat, options.engines
            )
        finally:
            if es is not None:
                left = clean_up(es, options.index_prefix)
                out.write(
                    f"Cleaned up: indices {options.index_prefix}-* deleted"
                    + (f" (STILL THERE: {', '.join(left)})." if left else ".")
                )


def benchmark(
    es, out, documents=TARGET_DOCUMENTS, repeat=20, database_repeat=5, engines=tuple(ENGINES)
):
    """Write `documents` synthetic rows next to the seed's, index them, run the query set
    through the API on each of `engines`: `repeat` times on Elasticsearch (the node `es`),
    `database_repeat` times on the database engine on PostgreSQL (this process's database,
    with no node configured) and on SQLite (a child process). Prints the figures; returns
    them, with the targets; raises SanityError, after printing, if the engines did not search
    the same rows."""
    if "pg" in engines and connection.vendor != "postgresql":
        raise RuntimeError(f"pg measures PostgreSQL; this database is {connection.vendor}")
    measured, stored, indexing = {}, {}, None
    if {"es", "pg"} & set(engines):
        seeded = SearchDocument.objects.filter(deleted=False).count()
        out.write(f"Writing {documents:,} synthetic rows (+ {seeded} from the seed)…")
        stored[connection.vendor] = write_rows(documents, out)
        rows = SearchDocument.objects.filter(deleted=False).count()
        corpus = corpus_digest()
    if "es" in engines:
        out.write("Indexing with sync.rebuild…")
        indexing = index(out)
        assert es.count(index=sync.alias())["count"] == indexing["indexed"] == rows
        indexing["segments"] = settle(es, indexing["name"], out)
        measured["es"] = run_queries("es", repeat, out, es) | {
            "rows": indexing["indexed"],
            "corpus": corpus,
        }
    if "pg" in engines:
        with override_settings(ELASTICSEARCH_URL=""):
            measured["pg"] = run_queries("pg", database_repeat, out) | {
                "rows": rows,
                "corpus": corpus,
            }
    if "sqlite" in engines:
        out.write("SQLite, in a child process: a database file of its own, the same rows…")
        measured["sqlite"] = sqlite_run(documents, database_repeat, out)
        stored["sqlite"] = (measured["sqlite"]["building"], measured["sqlite"]["storing"])
    figures = {
        engine: {
            key: percentiles([ms for _, ms in run[key]])
            for key in ("api", "took", "round_trip")
            if run[key]
        }
        for engine, run in measured.items()
    }

    report_rows(documents, stored, indexing, out)
    report_latency(measured, figures, out)
    report_per_query(measured, out)
    checks = targets(figures, indexing)
    report(
        "Targets"
        + ("" if documents == TARGET_DOCUMENTS else f" (set for {TARGET_DOCUMENTS:,} documents)"),
        [(what, "met" if ok else "MISSED") for what, ok in checks],
        out,
    )
    lines, problems = sanity(measured)
    report("What was measured", lines, out)
    report("At the end", [("load average", load_average()), ("CPU check", cpu_check())], out)
    out.write(f"\n({datetime.datetime.now():%Y-%m-%d %H:%M})")
    if problems:
        raise SanityError("; ".join(problems))
    return {
        "indexed": indexing and indexing["indexed"],
        "rate": indexing and indexing["indexed"] / indexing["seconds"],
        "figures": figures,
        "rows": {engine: run["rows"] for engine, run in measured.items()},
        "totals": {engine: run["totals"] for engine, run in measured.items()},
        "urls": {engine: run["urls"] for engine, run in measured.items()},
        "checks": checks,
    }


# --- The report ---------------------------------------------------------------------------


def report_rows(documents, stored, indexing, out):
    """Writing the rows on each database, and indexing them on Elasticsearch."""
    rows = []
    for database, (building, storing) in stored.items():
        rows += [
            (f"{database}: building rows (documents.*_row)", f"{documents / building:,.0f} rows/s"),
            (f"{database}: storing rows (bulk_create)", f"{documents / storing:,.0f} rows/s"),
        ]
    # Of this process only: the SQLite child's ru_maxrss starts from this one's (Linux carries
    # the figure over to a process started from it), so it would say nothing of its own.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    rows.append(("peak memory (RSS), this process", f"{peak} MB"))
    if indexing:
        indexed, seconds = indexing["indexed"], indexing["seconds"]
        bulk = indexing["phases"]["bulk (read rows, send, wait)"]
        rows += [
            (
                "index",
                f"{indexing['name']}: {indexed:,} documents "
                f"({indexing['segments']} segments after merging)",
            ),
            ("sync.rebuild", f"{seconds:.1f} s = {indexed / seconds:,.0f} documents/s"),
            *((f"  {phase}", f"{took:.1f} s") for phase, took in indexing["phases"].items()),
            ("  bulk phase alone", f"{indexed / bulk:,.0f} documents/s"),
        ]
    report("Rows and indexing", rows, out)


def report_latency(measured, figures, out):
    """Each engine's own figures, then the engines side by side."""
    n = len(QUERIES)
    if "es" in measured:
        api_ms, took_ms = figures["es"]["api"], figures["es"]["took"]
        report(
            f"Latency (ms), {n} queries × {measured['es']['passes']} passes, Elasticsearch",
            [
                ("path", "p50 / p95 / p99 / max"),
                (f"API: GET {API_PATH} through django.test.Client", _row_ms(api_ms)),
                ("node: took", _row_ms(took_ms)),
                ("node: client round trip", _row_ms(figures["es"]["round_trip"])),
                ("load average (1 min)", _load(measured["es"])),
                (
                    "API ÷ took",
                    f"{api_ms['p50'] / took_ms['p50']:.1f}× at p50, "
                    f"{api_ms['p95'] / took_ms['p95']:.1f}× at p95",
                ),
            ],
            out,
        )
    out.write(
        f"\nLatency (ms), {n} queries through GET {API_PATH} after one warm-up pass, each "
        "engine beside Elasticsearch (÷ es)"
    )
    width = max(map(len, ENGINES.values()))
    out.write(
        f"  {'engine':<{width}}  passes  {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}"
        f"  p50 ÷ es  p95 ÷ es  load average (1 min)"
    )
    for engine, run in measured.items():
        api_ms = figures[engine]["api"]
        es_ms = figures.get("es", {}).get("api")
        ratios = [f"{api_ms[p] / es_ms[p]:.1f}×" if es_ms else "–" for p in ("p50", "p95")]
        out.write(
            f"  {ENGINES[engine]:<{width}}  {run['passes']:>6}"
            + "".join(f" {api_ms[p]:7.1f}" for p in ("p50", "p95", "p99", "max"))
            + f"  {ratios[0]:>8}  {ratios[1]:>8}  {_load(run)}"
        )


def report_per_query(measured, out):
    medians = {
        (engine, key): _medians(run[key])
        for engine, run in measured.items()
        for key in ("api", "took")
    }
    out.write(
        "\nPer query: p50 ms of the API on each engine (and of the node's took), then results "
        "(≥: the node stopped counting)"
    )
    out.write(
        f"  {'es':>7} {'took':>6} {'pg':>7} {'sqlite':>7}  {'es':>7} {'pg':>7} {'sqlite':>7}  query"
    )
    for n, params in enumerate(QUERIES):
        ms = [medians.get((e, "api"), {}).get(n) for e in ENGINES]
        took = medians.get(("es", "took"), {}).get(n)
        totals = [_total(measured[e], n) if e in measured else "–" for e in ENGINES]
        out.write(
            f"  {_ms(ms[0])} {_ms(took, 6)} {_ms(ms[1])} {_ms(ms[2])}"
            f"  {totals[0]:>7} {totals[1]:>7} {totals[2]:>7}  {_label(params)}"
        )


def targets(figures, indexing):
    """(what, met) for each target of the engines measured."""
    checks = []
    if indexing:
        rate = indexing["indexed"] / indexing["seconds"]
        checks.append((f"indexing ≥ {TARGET_RATE:,} documents/s", rate >= TARGET_RATE))
    for engine, figure in figures.items():
        api_ms = figure["api"]
        limit = TARGET_P95_MS[engine]
        checks.append((f"{ENGINES[engine]}: API p95 ≤ {limit} ms", api_ms["p95"] <= limit))
        if engine == "es":
            checks.append(
                (
                    f"{ENGINES[engine]}: API p95 ≤ {TARGET_RATIO:g}× node took p95",
                    api_ms["p95"] <= TARGET_RATIO * figure["took"]["p95"],
                )
            )
        checks.append(
            (
                f"{ENGINES[engine]}: no query slower than {TARGET_MAX_MS} ms (max)",
                api_ms["max"] <= TARGET_MAX_MS,
            )
        )
    return checks


def sanity(measured):
    """Whether the queries found what they should, as (report lines, problems). A query that
    finds nothing times an empty search (reported); engines that search different rows (their
    number, or the synthetic rows' digest) or count differently compare different work (a
    problem, which fails the run). Elasticsearch's count is compared only where it counted
    every hit. With the digests equal, a count that differs is the engine's, not the rows'."""
    lines = []
    for engine, run in measured.items():
        empty = [
            _label(params)
            for params, total in zip(QUERIES, run["totals"], strict=True)
            if not total and params != TYPO
        ]
        lines.append(
            (f"{engine}: queries that found nothing (but the typo)", "; ".join(empty) or "none")
        )
    problems = []
    rows = {engine: run["rows"] for engine, run in measured.items()}
    lines.append(("rows searched", ", ".join(f"{e} {n:,}" for e, n in rows.items())))
    if len(set(rows.values())) > 1:
        problems.append(f"the engines searched different numbers of rows ({lines[-1][1]})")
    corpus = {engine: run["corpus"] for engine, run in measured.items()}
    lines.append(("synthetic rows' digest", ", ".join(f"{e} {d}" for e, d in corpus.items())))
    if len(set(corpus.values())) > 1:
        problems.append(f"the databases hold different rows ({lines[-1][1]})")
    differ = []
    for n, params in enumerate(QUERIES):
        counted = {
            engine: run["totals"][n] for engine, run in measured.items() if not run["capped"][n]
        }
        if len(set(counted.values())) > 1:
            differ.append(
                f"{_label(params)} ({', '.join(f'{e} {t:,}' for e, t in counted.items())})"
            )
    lines.append(("engines counting differently", "; ".join(differ) or "none"))
    if differ:
        problems.append(f"the engines counted differently: {'; '.join(differ)}")
    return lines, problems


def _label(params):
    return " ".join(f"{k}={v}" for k, v in params.items())


def _medians(pairs):
    by_query = {}
    for n, ms in pairs:
        by_query.setdefault(n, []).append(ms)
    return {n: statistics.median(values) for n, values in by_query.items()}


def _total(run, n):
    return ("≥" if run["capped"][n] else "") + f"{run['totals'][n]:,}"


def _ms(value, width=7):
    return "–".rjust(width) if value is None else f"{value:{width}.1f}"


def _load(run):
    before, after = run["load"]
    return f"{before:.2f} before, {after:.2f} after"


def _row_ms(p):
    return f"{p['p50']:.1f} / {p['p95']:.1f} / {p['p99']:.1f} / {p['max']:.1f}"


if __name__ == "__main__":
    main()
