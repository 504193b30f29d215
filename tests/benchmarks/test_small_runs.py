"""Every benchmark, run small with its own functions: what it measures must be what it says
it measures. Its rows read like the rows the real code makes, its queries find them on every
engine, its imports write what they claim with the statements they count."""

import csv
import datetime
import io
import re
import statistics
import sys
import tempfile
import uuid

from django.conf import settings
from django.core.management.base import OutputWrapper
from django.test import override_settings

import pytest

from benchmarks import imports as import_benchmark
from benchmarks import search as search_benchmark
from benchmarks import search_corpus
from practices.models import Adoption, AdoptionStatus, PracticeCategory
from practices.text import fold, fold_aligned
from search import documents, queries, sync
from search.client import get_client
from search.models import DocumentType, SearchDocument

SEARCH_ROWS = 600
IMPORT_SIZES = (100, 300)
WORD = re.compile(r"\w+")
URLS = {
    DocumentType.ADOPTION: re.compile(r"^/co-quan/[a-z0-9-]+/\?giai-phap=[a-z0-9-]+#ap-dung-\d+$"),
    DocumentType.GUIDANCE: re.compile(r"^/kien-thuc/[a-z0-9-]+/$"),
}
RECORD_NUMBER = re.compile(r"(?:#ap-dung-|/tham-khao-)(\d+)")


def quiet():
    return OutputWrapper(io.StringIO())


def is_synthetic(url):
    number = RECORD_NUMBER.search(url)
    return bool(number) and int(number.group(1)) >= search_corpus.FIRST_PK


def one_letter_share(text):
    words = WORD.findall(text)
    return sum(len(word) == 1 for word in words) / len(words)


def mean_word_length(rows, field):
    return statistics.mean(len(word) for row in rows for word in WORD.findall(row[field]))


def by_type(rows):
    grouped = {DocumentType.ADOPTION: [], DocumentType.GUIDANCE: []}
    for row in rows:
        if row["type"] in grouped:
            grouped[row["type"]].append(row)
    return grouped


def test_search_benchmark_rows_read_like_the_real_rows(seeded):
    real = by_type(documents.public_rows())
    synthetic = by_type(search_corpus.synthetic_rows(SEARCH_ROWS))
    categories = set(PracticeCategory.objects.values_list("code", flat=True))
    for doc_type in (DocumentType.ADOPTION, DocumentType.GUIDANCE):
        assert real[doc_type], f"the seed has no {doc_type} row to compare with"
        assert len(synthetic[doc_type]) > SEARCH_ROWS // 10
        for rows in (real[doc_type], synthetic[doc_type]):
            for row in rows:
                # A title or body made of strings taken for lists of parts is one letter
                # per word: "T: ỉ: n: h: …", "Đ ã   á p …".
                assert one_letter_share(row["title"]) < 0.2, row["title"]
                assert one_letter_share(row["body"]) < 0.2, row["body"][:200]
                assert len(WORD.findall(row["body"])) >= 10, row["body"]
                assert row["title_folded"] == fold_aligned(row["title"]), row["title"]
                assert URLS[doc_type].match(row["url"]), row["url"]
                assert isinstance(row["year"], int), row
                if doc_type == DocumentType.ADOPTION:
                    # "<unit>: <practice>", as adoption_row joins the two.
                    assert len(row["title"].split(": ")) == 2, row["title"]
                    assert row["category"] in categories, row
                    assert row["status"] in AdoptionStatus.values, row
                    assert row["agency_kind"] and row["agency_code"], row
        for field in ("title", "body"):
            real_length = mean_word_length(real[doc_type], field)
            synthetic_length = mean_word_length(synthetic[doc_type], field)
            assert 0.6 < synthetic_length / real_length < 1.6, (doc_type, field)
    keys = [row["key"] for rows in synthetic.values() for row in rows]
    assert len(set(keys)) == len(keys)
    assert not SearchDocument.objects.filter(key__in=keys).exists()  # no clash with the seed


@pytest.mark.postgres
@pytest.mark.elasticsearch
@pytest.mark.filterwarnings("ignore:No directory at")  # WhiteNoise without autorefresh
def test_search_benchmark_small_run_finds_its_rows_on_every_engine(
    postgres, elasticsearch_url, seeded, monkeypatch, tmp_path
):
    """Elasticsearch and the database engine on PostgreSQL in this process, the database
    engine on SQLite in the benchmark's child process: one corpus, the same counts."""
    # The SQLite child's temporary folder, which must be gone once the run is over.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    prefix = f"{settings.SEARCH_INDEX_PREFIX}-bench-{uuid.uuid4().hex[:8]}"
    seeded_rows = SearchDocument.objects.filter(deleted=False).count()
    printed = io.StringIO()
    with (
        override_settings(ELASTICSEARCH_URL=elasticsearch_url),
        search_benchmark.bench_settings(prefix),
    ):
        es = get_client()
        try:
            run = search_benchmark.benchmark(
                es, OutputWrapper(printed), documents=SEARCH_ROWS, repeat=1, database_repeat=1
            )
            assert es.count(index=sync.alias())["count"] == SEARCH_ROWS + seeded_rows
        finally:
            assert search_benchmark.clean_up(es, prefix) == []

    assert list(tmp_path.iterdir()) == []
    # The child's output reached the report, its progress lines included.
    assert "Queries (database engine, SQLite): 1 passes" in printed.getvalue()
    assert run["indexed"] == SEARCH_ROWS + seeded_rows
    assert run["rows"] == dict.fromkeys(search_benchmark.ENGINES, SEARCH_ROWS + seeded_rows)
    synthetic = [doc for doc in SearchDocument.objects.all() if is_synthetic(doc.url)]
    assert len(synthetic) == SEARCH_ROWS
    totals, urls = run["totals"], run["urls"]
    for n, params in enumerate(search_corpus.QUERIES):
        # One corpus, three engines: they count the same results.
        assert totals["es"][n] == totals["pg"][n] == totals["sqlite"][n], params
        if set(params) <= {"q", "page"}:
            for engine in search_benchmark.ENGINES:
                assert totals[engine][n] > 0, (engine, params)
                assert any(is_synthetic(url) for url in urls[engine][n]), (
                    engine,
                    params,
                    urls[engine][n],
                )
        else:
            # A filter narrows to one unit, year or status, which a few hundred rows may not
            # hold with the words too; but each value filtered on is one the rows carry.
            for name, value in queries.parse(params).filters.items():
                assert any(getattr(doc, name) == value for doc in synthetic), (name, value)


def test_search_benchmark_sqlite_child_that_fails_leaves_no_folder(monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(
        search_benchmark,
        "_child_command",
        lambda *args: [sys.executable, "-c", "import sys; print('started'); sys.exit(3)"],
    )
    printed = io.StringIO()
    with pytest.raises(RuntimeError, match="exit status 3"):
        search_benchmark.sqlite_run(documents=10, repeat=1, out=OutputWrapper(printed))
    assert printed.getvalue() == "started\n"
    assert list(tmp_path.iterdir()) == []


def read_file(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    return header, rows


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # the timed imports commit, in forked children
def test_import_benchmark_small_run_writes_what_it_claims(postgres, seeded, tmp_path):
    with import_benchmark.bench_settings():
        run = import_benchmark.benchmark(tmp_path, IMPORT_SIZES, repeats=1)
    results = run["results"]
    for size in IMPORT_SIZES:
        tenth = -(-size // 10)
        assert results[size, "new"]["counts"] == (size, 0, 0)
        assert results[size, "unchanged"]["counts"] == (0, 0, size)
        assert results[size, "10 % changed"]["counts"] == (0, tenth, size - tenth)
    small, large = IMPORT_SIZES
    for step in ("new", "unchanged", "10 % changed"):
        assert results[small, step]["kinds"] == results[large, step]["kinds"], step
    # COPY goes around Django's execute wrappers: the counter must still see it.
    assert any(kind.startswith("COPY") for kind in results[large, "new"]["kinds"])
    assert all(met for what, met in run["checks"] if what.startswith("queries"))

    # The files read like an export, and the database now holds the changed file's values.
    header, rows = read_file(run["files"][large]["10 % changed"][0])
    assert header == import_benchmark.HEADERS
    assert len(rows) == large
    code_of = {}
    for code, name in run["agencies"]:
        code_of |= {code: code, name: code, fold(name).title(): code}
    word_status = {
        word: status for status, words in import_benchmark.STATUS_WORDS.items() for word in words
    }
    stored = {
        (slug, code): (status, decided_on, notes)
        for slug, code, status, decided_on, notes in Adoption.objects.filter(
            practice__slug__in={row[0] for row in rows}
        ).values_list("practice__slug", "agency__code", "status", "decided_on", "notes")
    }
    assert len(stored) == large
    for slug, agency, status, decided_on, *_, notes in rows:
        assert stored[slug, code_of[agency]] == (
            word_status[status],
            datetime.datetime.strptime(decided_on, "%d/%m/%Y").date(),
            notes,
        )

    # The import rebuilt the search rows of what it wrote, as the real rows are made.
    adoptions = sync._adoption_rows(
        Adoption.objects.filter(practice__slug__in={r[0] for r in rows})
    )
    made = {row["key"]: row for row in map(documents.adoption_row, adoptions)}
    kept = SearchDocument.objects.filter(key__in=made, deleted=False)
    assert len(made) == large
    assert {doc.key: (doc.title, doc.body) for doc in kept} == {
        key: (row["title"], row["body"]) for key, row in made.items()
    }


@pytest.mark.postgres
@pytest.mark.filterwarnings("ignore:No directory at")  # WhiteNoise without autorefresh
def test_dashboard_benchmark_small_run_measures_the_pages_it_names(postgres, seeded):
    """The dashboards' benchmark builds dated histories like the real ones (steps in order,
    inside their unit's period, the record's status its latest step's) and measures pages
    that answer with the same number of queries at both sizes."""
    from benchmarks import dashboards as dashboard_benchmark
    from indicators.models import IndicatorValue
    from practices.models import AdoptionStep

    with override_settings(DASHBOARDS_CACHE_SECONDS=600):
        outcome = dashboard_benchmark.benchmark(sizes=(120, 400), runs=1, indicator_values=3000)
    state = outcome["state"]
    assert Adoption.objects.filter(practice__title__contains="hiệu năng").count() == 400
    assert 1.5 < state["steps"] / state["adoptions"] < 4
    assert IndicatorValue.objects.measures().count() == state["indicator_values"] == 3000
    for adoption in Adoption.objects.filter(practice__title__contains="hiệu năng")[:50]:
        # As the record reads them (practices.models.step_order): by date, then as entered.
        steps = list(AdoptionStep.objects.filter(adoption=adoption).order_by("on", "pk"))
        assert steps[-1].status == adoption.status and steps[-1].on == adoption.decided_on
        assert all(adoption.agency.is_valid_on(step.on) for step in steps)
    labels = {label for _, label in outcome["results"]}
    assert {"practice dashboard", "national overview", "agency page", "map data"} <= labels
    assert dashboard_benchmark.CHANGED in labels
    for label in labels - {dashboard_benchmark.CHANGED}:
        small, large = (outcome["results"][size, label]["queries"] for size in (120, 400))
        assert small == large, label


@pytest.mark.elasticsearch
def test_relevance_benchmark_reads_its_figures_from_real_answers(
    elasticsearch_url, seeded, tmp_path, capsys
):
    """The relevance script's main(), on the test database and the real node: every query of
    the set is searched on both engines, the figures follow from the ranks found, and an
    expectation that no engine meets (inserted into a copy of the set) ranks 0."""
    from benchmarks import relevance

    cases = relevance.load_cases()
    copy = tmp_path / "relevance.toml"
    copy.write_text(
        relevance.CASES.read_text(encoding="utf-8")
        # An agency that has nothing to do with the query, and is never found by it.
        + '\n[[queries]]\nq = "trợ lý ảo hướng dẫn"\ntop3 = ["/co-quan/ca-mau/"]\n',
        encoding="utf-8",
    )
    prefix = f"{settings.SEARCH_INDEX_PREFIX}-bench-relevance-{uuid.uuid4().hex[:8]}"
    with override_settings(ELASTICSEARCH_URL=elasticsearch_url):
        run = relevance.main(["--current-database", "--cases", str(copy), "--index-prefix", prefix])
        assert relevance.clean_up(get_client(), prefix) == []
    printed = capsys.readouterr().out

    urls = set(SearchDocument.objects.filter(deleted=False).values_list("url", flat=True))
    assert run["cases"] == len(cases) + 1
    assert set(run["engines"]) == set(relevance.ENGINES)
    for engine, measured in run["engines"].items():
        outcomes = measured["outcomes"]
        ranks = [outcome["rank"] for outcome in outcomes]
        assert [outcome["q"] for outcome in outcomes] == [c["q"] for c in cases] + [
            "trợ lý ảo hướng dẫn"
        ]
        assert measured["queries"] == len(cases) + 1
        assert 0 <= measured["share_top3"] <= 1 and 0 <= measured["mrr"] <= 1
        assert measured == {**relevance.figures(ranks), "outcomes": outcomes}
        assert all(0 <= r <= relevance.DEPTH for r in ranks)
        # Answers of the engine, not placeholders: real rows, most of the set answered.
        assert {url for o in outcomes for _, _, url in o["top"]} <= urls
        assert measured["in_top3"] > measured["queries"] // 2, engine
        wrong = outcomes[-1]
        assert wrong["rank"] == 0 and wrong["misses"] == ["/co-quan/ca-mau/"], engine
        assert wrong["top"], engine  # the query was answered; the expectation is what fails
        assert f"{measured['share_top3']:.1%}" in printed and f"{measured['mrr']:.3f}" in printed


@pytest.mark.postgres
@pytest.mark.filterwarnings("ignore:No directory at")  # WhiteNoise without autorefresh
def test_download_benchmark_small_run_reads_every_row_of_its_files(
    postgres, transactional_db, seeded, tmp_path
):
    """The downloads' benchmark measures files that hold every row it says (its fetching
    processes read this test's committed database)."""
    from benchmarks import downloads as download_benchmark

    with import_benchmark.bench_settings():
        run = download_benchmark.benchmark(tmp_path, size=600)
    public = Adoption.objects.public().count()
    assert public >= 600
    assert run["rows"]["/api/v1/adoptions/?format=csv"] == public
    for url, figures in run["results"].items():
        assert figures["bytes"] > 0 and figures["rss"] >= figures["rss_warm"] > 0, url
    assert run["xlsx_rows"] == public + 1  # the header, then every record
    assert all(met for _, met in run["checks"])


@pytest.mark.postgres  # the server's binaries: the benchmark runs a PostgreSQL of its own
@pytest.mark.redis
@pytest.mark.elasticsearch_cluster  # kills a node of it, and starts it again
def test_load_benchmark_small_run_survives_its_faults(
    elasticsearch_cluster_url, redis_url, tmp_path
):
    """The load test, small (a few users, 12 s a run), in its own process (Locust patches the
    standard library with gevent): every kind of request is asked and answered, the faults
    happen at mid-run, errors come only while PostgreSQL restarts, what is published while a
    cluster node is down reaches the index, every draft saved is stored once, and everything
    it started is gone at the end."""
    import glob
    import json
    import os
    import pathlib
    import subprocess
    import urllib.request

    import redis

    from tests.conftest import require_service

    require_service(bool(glob.glob("/usr/lib/postgresql/*/bin/initdb")), "PostgreSQL's initdb")
    root = pathlib.Path(__file__).resolve().parents[2]
    out = tmp_path / "load.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env |= {"ELASTICSEARCH_CLUSTER_URL": elasticsearch_cluster_url, "REDIS_URL": redis_url}
    command = [sys.executable, "benchmarks/load.py", "--small", "--json", str(out)]
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        command, cwd=root, env=env, capture_output=True, text=True, timeout=1200, check=False
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    results = json.loads(out.read_text())
    runs = {run["fault"]: run for run in results["runs"]}
    assert list(runs) == ["steady", "es", "pg", "app"]

    asked = {kind for run in runs.values() for kind in run["kinds"]}
    assert set(results["kinds"]) - {"login"} <= asked  # (the sign-ins are made in the warm-up)
    assert runs["steady"]["errors"] == runs["steady"]["warmup_errors"] == 0
    assert set(runs["steady"]["engines"]) == {"elasticsearch"}
    assert runs["es"]["errors"] == 0
    assert set(runs["es"]["engines"]) <= {"elasticsearch"}
    # Published while the node was down: the lag fell to zero, and search finds every title.
    writes = runs["es"]["writes"]
    assert writes["published"] == writes["found"] > 0, writes
    assert writes["lag"][-1][1] == 0, writes
    for fault in ("es", "pg", "app"):
        detail = runs[fault]["fault_detail"]
        duration = results["options"]["duration"]
        assert abs(detail["at"] - duration / 2) < 3, (fault, detail)
        assert detail["errors"]["before"] == detail["errors"]["after"] == 0, (fault, detail)
    # Killed mid-run, app server 2 left requests that nginx sent on to app server 1, drafts
    # included: no one got an error.
    assert runs["app"]["fault_detail"]["proxy_retries"] >= 1
    assert runs["app"]["errors"] == 0, runs["app"]["errors_seen"]
    assert all(run["worker_alive"] for run in runs.values())
    for fault, run in runs.items():
        drafts = run["drafts"]
        assert drafts["succeeded"] > 0 and drafts["lost"] == drafts["twice"] == 0, fault
        assert run["rps"] > 0

    # Nothing left: the PostgreSQL instance, the indices, the Redis database, nginx.
    stack = results["stack"]
    assert not os.path.exists(stack["postgres"])
    assert not os.path.exists(os.path.join(stack["proxy_root"], "run", "nginx.pid"))
    node = elasticsearch_cluster_url.split(",")[0]
    indices = f"{node}/_cat/indices/{stack['prefix']}-*?format=json"
    with urllib.request.urlopen(indices) as answer:  # noqa: S310 - the cluster on the loopback
        assert json.loads(answer.read()) == []
    assert redis.Redis.from_url(stack["redis_url"]).dbsize() == 0
    health = f"{node}/_cluster/health?wait_for_nodes=3&timeout=60s"
    with urllib.request.urlopen(health) as answer:  # noqa: S310 - the cluster on the loopback
        assert json.loads(answer.read())["number_of_nodes"] == 3
