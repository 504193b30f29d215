"""Relevance of public search: the natural queries of tests/search/relevance.toml, run on both
engines over the seeded catalogue, with the share answered in the top 3 and the mean
reciprocal rank.

    set -a; . ./.services.env; set +a
    DJANGO_SETTINGS_MODULE=kb.settings.dev .venv/bin/python benchmarks/relevance.py

Nothing it does touches the development data:

- the rows live in a database of their own, created for the run and dropped at the end,
  through Django's test-database machinery (migrate, then `load_seed`): on PostgreSQL
  `<database of DATABASE_URL>_bench_relevance` (or `--database`), on SQLite the in-memory
  database Django makes for tests;
- the index carries the prefix `<SEARCH_INDEX_PREFIX>-bench-relevance` (or `--index-prefix`),
  is built with `search.sync.rebuild` and deleted at the end.

`--current-database` searches the configured database as it is (migrated and seeded) and
creates or drops nothing: `tests/benchmarks/test_small_runs.py` runs `main()` that way, on the
test database. Only for a database of its own: `sync.rebuild` rebuilds its search rows and
marks them indexed, though they reached only the run's index.

How each query is scored, from the first page of results (10):

- its rank is the place at which its expectations are met: for `top3`, the place of the
  expected result that comes last (all of them must be there, so the worst one decides); for
  `any_top3`, the place of the alternative that comes first; with both, the later of the two;
  0 when an expected result is not among the first 10;
- it is in the top 3 when its rank is 1, 2 or 3: exactly what `tests/search/test_relevance.py`
  requires of it;
- its reciprocal rank is 1/rank, 0 for rank 0. The mean over the set is the MRR.

A miss is listed with its rank, what came first instead, and the words of the query that no
document contains (no variant of a word or synonym group in any folded title or body): such a
query can only be answered by an engine that lets a word go unmatched.
"""

import argparse
import os
import pathlib
import re
import sqlite3
import sys
import time
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent
if __name__ == "__main__":
    # Run as a script, this file's folder comes first on sys.path, and benchmarks/search.py
    # would shadow the `search` app: put the project root there instead.
    sys.path[0] = str(ROOT)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings.dev")
    import django

    django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.management.base import OutputWrapper  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import override_settings  # noqa: E402

from benchmarks.common import machine_facts  # noqa: E402
from benchmarks.search import bench_settings, clean_up, report  # noqa: E402
from search import queries, sync  # noqa: E402
from search.client import get_client  # noqa: E402
from search.models import SearchDocument  # noqa: E402

CASES = ROOT / "tests" / "search" / "relevance.toml"
TOP = 3  # what a query must be answered within
DEPTH = 10  # how far a rank is looked for: the first page of results
WORD = re.compile(r"\w+")
ENGINES = ("elasticsearch", "database")


# --- The set and its figures ------------------------------------------------------------------


def load_cases(path=CASES):
    """The [[queries]] of a relevance file."""
    return tomllib.loads(pathlib.Path(path).read_text(encoding="utf-8"))["queries"]


def expectations(case):
    return [*case.get("top3", []), *case.get("any_top3", [])]


def position(expected, hits):
    """The 1-based place of the first hit whose URL or title is `expected`; 0 if none."""
    for n, hit in enumerate(hits[:DEPTH], 1):
        if expected in (hit.url, hit.title):
            return n
    return 0


def rank(case, hits):
    """Where `case` is answered in `hits` (see the module's docstring); 0 if it is not."""
    places = []
    required = [position(e, hits) for e in case.get("top3", [])]
    if required:
        places.append(0 if 0 in required else max(required))
    alternatives = [n for n in (position(e, hits) for e in case.get("any_top3", [])) if n]
    if case.get("any_top3"):
        places.append(min(alternatives, default=0))
    return 0 if 0 in places else max(places)


def misses(case, hits):
    """What `case` expects that is not in the top 3 of `hits`, as words to print."""
    top = hits[:TOP]
    problems = [e for e in case.get("top3", []) if not position(e, top)]
    alternatives = case.get("any_top3", [])
    if alternatives and not any(position(e, top) for e in alternatives):
        problems.append("one of " + " | ".join(alternatives))
    return problems


def figures(ranks):
    """Queries, how many are answered in the top 3, their share and the MRR, from the ranks."""
    ranks = list(ranks)
    in_top = sum(1 for r in ranks if 0 < r <= TOP)
    return {
        "queries": len(ranks),
        "in_top3": in_top,
        "share_top3": in_top / len(ranks) if ranks else 0.0,
        "mrr": sum(1 / r for r in ranks if r) / len(ranks) if ranks else 0.0,
    }


# --- Running the set --------------------------------------------------------------------------


def folded_texts():
    """Every live row's folded title and body, words one space apart and padded with one."""
    texts = []
    for title, body in SearchDocument.objects.filter(deleted=False).values_list(
        "title_folded", "body_folded"
    ):
        texts.append(" " + " ".join(WORD.findall(f"{title} {body}")) + " ")
    return texts


def absent_words(request, texts):
    """The words (synonym groups count as one) of `request` that no text contains."""
    return [
        unit.text
        for unit in request.units
        if not any(f" {variant} " in text for variant in unit.variants for text in texts)
    ]


def run_set(cases, engine):
    """Every case searched on the engine configured now; one outcome per case. Stops when the
    answer comes from another engine than `engine` (the fallback when the node fails)."""
    texts = folded_texts()
    outcomes = []
    for case in cases:
        request = queries.parse({"q": case["q"]})
        results = queries.run(request)
        if results.engine != engine:
            raise RuntimeError(
                f"{case['q']!r} was answered by {results.engine}, not {engine}: "
                f"{results.notice or 'no notice'}"
            )
        outcomes.append(
            {
                "q": case["q"],
                "rank": rank(case, results.hits),
                "misses": misses(case, results.hits),
                "absent": absent_words(request, texts),
                "total": results.total,
                "top": [(hit.type, hit.title, hit.url) for hit in results.hits[:TOP]],
            }
        )
    return outcomes


def benchmark(out, cases, engines=ENGINES):
    """Index the database (when Elasticsearch is measured), run `cases` on each engine, print
    the figures and the misses; return them per engine."""
    measured = {}
    for engine in engines:
        started = time.perf_counter()
        if engine == "elasticsearch":
            name, indexed = sync.rebuild()
            out.write(f"Index {name}: {indexed} documents ({time.perf_counter() - started:.1f} s)")
            outcomes = run_set(cases, engine)
        else:
            with override_settings(ELASTICSEARCH_URL=""):
                outcomes = run_set(cases, engine)
        seconds = time.perf_counter() - started
        measured[engine] = {**figures(o["rank"] for o in outcomes), "outcomes": outcomes}
        write_engine(engine, measured[engine], seconds, out)
    return measured


def _spread(measured):
    ranks = [o["rank"] for o in measured["outcomes"]]
    counts = (
        sum(r == 1 for r in ranks),
        sum(2 <= r <= TOP for r in ranks),
        sum(r > TOP for r in ranks),
        sum(r == 0 for r in ranks),
    )
    return " / ".join(map(str, counts))


def write_engine(engine, measured, seconds, out):
    report(
        f"{engine} ({seconds:.1f} s)",
        [
            ("queries", measured["queries"]),
            (
                f"expected results all in the top {TOP}",
                f"{measured['in_top3']} = {measured['share_top3']:.1%}",
            ),
            (f"mean reciprocal rank (first {DEPTH})", f"{measured['mrr']:.3f}"),
            (
                f"at rank 1 / 2–{TOP} / {TOP + 1}–{DEPTH} / not in the first {DEPTH}",
                _spread(measured),
            ),
        ],
        out,
    )
    missed = [o for o in measured["outcomes"] if not 0 < o["rank"] <= TOP]
    if missed:
        out.write(f"  Misses (rank 0: not in the first {DEPTH}):")
    for outcome in missed:
        reason = (
            "words no document contains: " + ", ".join(outcome["absent"])
            if outcome["absent"]
            else "ranking"
        )
        out.write(f"    rank {outcome['rank']:>2}  {outcome['q']!r} ({reason})")
        out.write(f"              expected in the top {TOP}: {'; '.join(outcome['misses'])}")
        for n, (kind, title, url) in enumerate(outcome["top"], 1):
            out.write(f"              {n}. [{kind}] {title[:80]} ({url})")
        if not outcome["top"]:
            out.write(f"              (nothing, {outcome['total']} results)")


# --- The script -------------------------------------------------------------------------------


def engine_list(text):
    names = {name.strip() for name in text.split(",") if name.strip()}
    if not names or names - set(ENGINES):
        raise argparse.ArgumentTypeError(f"a comma-separated choice of {', '.join(ENGINES)}")
    return tuple(engine for engine in ENGINES if engine in names)


def arguments(argv):
    default_database = f"{settings.DATABASES['default']['NAME']}_bench_relevance"
    default_prefix = f"{settings.SEARCH_INDEX_PREFIX}-bench-relevance"
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", default=str(CASES), help="a relevance file (the suite's)")
    parser.add_argument(
        "--engines", type=engine_list, default=ENGINES, help="(elasticsearch,database)"
    )
    parser.add_argument(
        "--database", default=default_database, help=f"on PostgreSQL ({default_database})"
    )
    parser.add_argument("--index-prefix", default=default_prefix, help=f"({default_prefix})")
    parser.add_argument(
        "--current-database",
        action="store_true",
        help="search the configured database (migrated, seeded, of its own: its search rows are "
        "rebuilt and marked indexed) instead of a new one",
    )
    return parser.parse_args(argv)


def database_name():
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite" and connection.creation.is_in_memory_db(name):
        return "in memory"
    return name


def database_version():
    if connection.vendor == "postgresql":
        major, minor = divmod(connection.pg_version, 10_000)
        return f"PostgreSQL {major}.{minor}"
    if connection.vendor == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    return connection.vendor


def _shown(path):
    path = pathlib.Path(path).resolve()
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def main(argv=None):
    """Run the set on both engines (see the module's docstring); returns the figures per
    engine, with the machine facts."""
    options = arguments(argv)
    cases = load_cases(options.cases)
    if "elasticsearch" in options.engines and not settings.ELASTICSEARCH_URL:
        sys.exit("ELASTICSEARCH_URL is not set: run without it (--engines database).")
    out = OutputWrapper(sys.stdout)
    old_name = None
    if not options.current_database:
        if connection.vendor == "postgresql":
            settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = options.database
        out.write(f"Creating the database of the run ({connection.vendor}): migrate, load_seed…")
        old_name = connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False
        )
    prefix = options.index_prefix
    es = None
    try:
        if old_name is not None:
            # Nothing to push yet: the index is built once the seed is in.
            with override_settings(ELASTICSEARCH_URL=""), open(os.devnull, "w") as quiet:
                call_command("load_seed", stdout=quiet)
        with bench_settings(prefix):
            es = get_client() if "elasticsearch" in options.engines else None
            extra = {"database": f"{database_version()} ({database_name()})"}
            if es is not None:
                nodes = es.nodes.info(filter_path="nodes.*.version")["nodes"]
                extra["Elasticsearch"] = next(iter(nodes.values()))["version"]
                extra["index prefix"] = prefix
            facts = machine_facts(**extra)
            report("Machine", list(facts.items()), out)
            out.write(f"\n{len(cases)} queries from {_shown(options.cases)}")
            measured = benchmark(out, cases, options.engines)
    finally:
        if es is not None:
            left = clean_up(es, prefix)
            out.write(
                f"\nCleaned up: indices {prefix}-* deleted"
                + (f" (STILL THERE: {', '.join(left)})." if left else ".")
            )
        if old_name is not None:
            dropped = database_name()
            connection.creation.destroy_test_db(old_name, verbosity=0)
            out.write(f"Cleaned up: database ({dropped}) dropped.")
    if len(options.engines) > 1:
        report(
            "Summary",
            [
                (engine, f"{m['share_top3']:.1%} in the top {TOP}, MRR {m['mrr']:.3f}")
                for engine, m in measured.items()
            ],
            out,
        )
    return {"cases": len(cases), "engines": measured, "machine": facts}


if __name__ == "__main__":
    main()
