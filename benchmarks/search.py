"""Public search at scale: bulk indexing rate and query latency on synthetic data.

    set -a; . ./.services.env; set +a
    DJANGO_SETTINGS_MODULE=kb.settings.dev .venv/bin/python benchmarks/search.py

Nothing it does touches the development data:

- the rows live in a database of their own, created for the run and dropped at the end
  (`<database of DATABASE_URL>_bench_search` on the same PostgreSQL server, or `--database`,
  through Django's test-database machinery: migrate, then the reference data and the seed
  catalogue with `load_seed`);
- the indices carry the prefix `<SEARCH_INDEX_PREFIX>-bench` (or `--index-prefix`) and are
  deleted at the end.

The synthetic rows (adoptions and guidance in Vietnamese, across provinces, ministries and
departments, categories, statuses and years) are made by the functions that make every real
row, `search.documents.adoption_row` and `guidance_row`, from records built in memory and
never saved: the seeded units, categories, indicators and tags, and synthetic practice pages,
departments, adoptions, results and guidance, legal and glossary pages. A change of what those
functions take breaks this script instead of changing what it measures. Rows are written with
`bulk_create` in batches, so memory stays flat whatever `--documents`.

Indexing goes through `search.sync.rebuild` (new index, streaming bulk from the database,
refresh, alias swap, rows marked indexed). Its first step, `refresh_all`, rebuilds rows from
the source records; the synthetic rows have no source records and would be tombstoned, so
that step is skipped here, and the cost of building rows is reported on its own.

Latency: each query goes through the Django stack (`django.test.Client`, GET
`/api/v1/search/`) and, beside it, the same `queries.build_search(...)` is sent straight to
the node, whose own `took` is read. An answer from another engine than the one measured (the
database fallback when the node fails) stops the run. Then the same queries go through the
API with no node configured: the database engine, the fallback. Settings are those of
production where they matter (DEBUG off, WhiteNoise without autorefresh).

`benchmark()` is also what `tests/benchmarks/test_small_runs.py` runs, at a few hundred rows,
with assertions that the rows read like real ones and that the queries find them.
"""

import argparse
import datetime
import logging
import os
import pathlib
import random
import resource
import statistics
import sys
import time
import warnings
from decimal import Decimal
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

from taggit.models import Tag  # noqa: E402

from benchmarks.common import cpu_check, load_average, machine_facts  # noqa: E402
from kb.models import (  # noqa: E402
    GlossaryTermPage,
    GuidancePage,
    KnowledgeIndexPage,
    LegalDocumentPage,
)
from kb.progress import ProgressBar  # noqa: E402
from practices.models import (  # noqa: E402
    Adoption,
    AdoptionResult,
    AdoptionStatus,
    Agency,
    AgencyKind,
    Indicator,
    PracticeCategory,
    PracticePage,
)
from search import documents, queries, sync  # noqa: E402
from search.client import get_client  # noqa: E402
from search.models import SearchDocument  # noqa: E402

BATCH = 2000
FIRST_PK = 9_000_000  # of the synthetic records: far above the seed's
API_PATH = "/api/v1/search/"
TARGET_RATE = 1000  # documents/s
TARGET_P95_MS = 100
TARGET_RATIO = 2.0
ENGINES = ("elasticsearch", "database")

# ~30 queries people type: with and without diacritics, tone marks placed either way,
# abbreviations and synonyms, quoted phrases, a typo, filters and a deep page.
QUERIES = [
    {"q": "dịch vụ công trực tuyến"},
    {"q": "dich vu cong truc tuyen"},
    {"q": "DVCTT"},
    {"q": "TTHC", "type": "guidance"},
    {"q": "hồ sơ trực tuyến toàn trình"},
    {"q": "ho so truc tuyen toan trinh", "status": "adopted"},
    {"q": "thanh toán trực tuyến", "category": "fees"},
    {"q": "thanh toan truc tuyen bien lai dien tu"},
    {"q": "lệ phí"},
    {"q": "miễn giảm lệ phí", "year": "2024"},
    {"q": "trợ lý ảo"},
    {"q": "chatbot", "category": "virtual-assistant"},
    {"q": "Bắc Ninh"},
    {"q": "bac ninh", "agency_kind": "department"},
    {"q": "TP HCM"},
    {"q": "Hà Nội", "year": "2023", "status": "piloting"},
    {"q": "một cửa"},
    {"q": "mot cua cap xa", "region": "Đồng bằng sông Hồng"},
    {"q": "số hoá hồ sơ"},
    {"q": "so hoa ket qua giai quyet"},
    {"q": "rút ngắn thời gian"},
    {"q": "thoi gian giai quyet", "type": "adoption", "category": "processing-time"},
    {"q": "chữ ký số"},
    {"q": "chu ky so", "agency_kind": "province"},
    {"q": '"cổng dịch vụ công"'},
    {"q": "QĐ-UBND 2024"},
    {"q": "khảo sát mức độ hài lòng"},
    {"q": "khao sat hai long", "status": "discontinued"},
    {"q": "định danh điện tử VNeID"},
    {"q": "dinh danh", "type": "guidance", "year": "2025"},
    {"q": "dich vu cong truc tuyn"},
    {"q": "không giấy", "category": "paperless"},
    {"q": "đăng ký khai sinh", "page": "3"},
    {"q": "Nghị định 42/2022/NĐ-CP"},
]

# The one query of the set that is meant to find nothing (a typo, no suggestion matches it).
NOTHING_MATCHES = {"q": "dich vu cong truc tuyn"}

# --- Synthetic Vietnamese content --------------------------------------------------------

PRACTICES = [
    ("Tiếp nhận hồ sơ trực tuyến toàn trình", "targets"),
    ("Giao chỉ tiêu hồ sơ trực tuyến cho từng đơn vị", "targets"),
    ("Bộ phận một cửa hỗ trợ người dân nộp hồ sơ trực tuyến", "ux"),
    ("Đánh giá chất lượng giải quyết thủ tục bằng mã QR", "ux"),
    ("Khảo sát mức độ hài lòng của người dân", "ux"),
    ("Định danh điện tử VNeID khi nộp hồ sơ", "ux"),
    ("Thanh toán phí, lệ phí trực tuyến qua Cổng dịch vụ công quốc gia", "fees"),
    ("Miễn, giảm lệ phí khi nộp hồ sơ trực tuyến", "fees"),
    ("Biên lai điện tử khi thanh toán trực tuyến", "fees"),
    ("Rút ngắn thời gian giải quyết thủ tục hành chính", "processing-time"),
    ("Trả kết quả qua dịch vụ bưu chính công ích", "processing-time"),
    ("Liên thông đăng ký khai sinh, thường trú, cấp thẻ bảo hiểm y tế", "processing-time"),
    ("Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính", "paperless"),
    ("Không tiếp nhận hồ sơ giấy đối với thủ tục đủ điều kiện", "paperless"),
    ("Tái sử dụng dữ liệu đã số hóa", "paperless"),
    ("Chữ ký số miễn phí cho người dân", "paperless"),
    ("Trợ lý ảo hướng dẫn thủ tục hành chính", "virtual-assistant"),
    ("Tổng đài và chatbot trả lời câu hỏi về dịch vụ công", "virtual-assistant"),
]
PROCEDURES = [
    "đăng ký khai sinh",
    "cấp phiếu lý lịch tư pháp",
    "đăng ký kinh doanh hộ cá thể",
    "cấp giấy phép xây dựng",
    "chứng thực bản sao điện tử",
    "đăng ký thường trú",
    "cấp đổi giấy phép lái xe",
    "đăng ký kết hôn",
    "cấp giấy chứng nhận quyền sử dụng đất",
    "trợ cấp thất nghiệp",
    "cấp thẻ bảo hiểm y tế",
    "xác nhận tình trạng hôn nhân",
    "cấp giấy phép lao động",
    "đăng ký xe máy",
]
DEPARTMENTS = [
    "Sở Tư pháp",
    "Sở Tài chính",
    "Sở Xây dựng",
    "Sở Nội vụ",
    "Sở Y tế",
    "Sở Khoa học và Công nghệ",
    "Sở Nông nghiệp và Môi trường",
    "Sở Giáo dục và Đào tạo",
]
ADOPTION_SENTENCES = [
    "Tỷ lệ hồ sơ trực tuyến toàn trình đạt {pct} % trong năm {year}.",
    "Đã tiếp nhận {n} hồ sơ qua Cổng dịch vụ công của {place}.",
    "Người dân được hướng dẫn nộp hồ sơ {proc} tại bộ phận một cửa cấp xã.",
    "Giảm {pct} % lệ phí đối với hồ sơ {proc} nộp trực tuyến.",
    "Thời gian giải quyết thủ tục {proc} rút ngắn còn {d} ngày làm việc.",
    "Trợ lý ảo trả lời {n} câu hỏi về thủ tục hành chính mỗi tháng.",
    "Kết quả giải quyết được số hóa và trả bản điện tử có chữ ký số.",
    "Mức độ hài lòng của người dân đạt {pct} % theo khảo sát quý {q}.",
    "Ủy ban nhân dân {place} giao chỉ tiêu cho các sở, ngành và UBND cấp xã.",
    "Thanh toán trực tuyến qua ngân hàng và ví điện tử, có biên lai điện tử.",
    "Không tiếp nhận hồ sơ giấy đối với thủ tục {proc} từ ngày {date}.",
    "Tài khoản định danh điện tử VNeID mức 2 được dùng để đăng nhập.",
    "Dữ liệu {proc} đã số hóa được tái sử dụng, người dân không phải nộp lại giấy tờ.",
    "Tổ công nghệ số cộng đồng hỗ trợ {n} lượt người dân tại thôn, tổ dân phố.",
]
# (page model, title, other fields): guidance, legal documents and glossary terms, as the
# knowledge base holds them.
GUIDANCE_PAGES = [
    (GuidancePage, "Hướng dẫn nộp hồ sơ {proc} trên Cổng dịch vụ công", {}),
    (GuidancePage, "Câu hỏi thường gặp về {proc} trực tuyến", {}),
    (GuidancePage, "Quy trình số hóa hồ sơ {proc} tại bộ phận một cửa", {}),
    (
        LegalDocumentPage,
        "Nghị định số {no}/{year}/NĐ-CP về thủ tục hành chính trên môi trường điện tử",
        {"document_number": "{no}/{year}/NĐ-CP", "issuer": "Chính phủ"},
    ),
    (
        LegalDocumentPage,
        "Quyết định số {no}/QĐ-TTg phê duyệt chỉ tiêu dịch vụ công trực tuyến năm {year}",
        {"document_number": "{no}/QĐ-TTg", "issuer": "Thủ tướng Chính phủ"},
    ),
    (
        GlossaryTermPage,
        "Dịch vụ công trực tuyến toàn trình",
        {"term": "DVCTT toàn trình", "abbreviation": "DVCTT"},
    ),
    (
        GlossaryTermPage,
        "Thủ tục hành chính",
        {"term": "thủ tục hành chính", "abbreviation": "TTHC"},
    ),
]
GUIDANCE_HEADINGS = ["Đối tượng áp dụng", "Trình tự thực hiện", "Thành phần hồ sơ", "Lưu ý"]
GUIDANCE_SENTENCES = [
    "Người nộp hồ sơ đăng nhập bằng tài khoản định danh điện tử VNeID.",
    "Hồ sơ {proc} được tiếp nhận và trả kết quả hoàn toàn trên môi trường điện tử.",
    "Cán bộ bộ phận một cửa kiểm tra tính hợp lệ của hồ sơ trong ngày làm việc.",
    "Phí, lệ phí được thanh toán trực tuyến; biên lai điện tử gửi về tài khoản người nộp.",
    "Kết quả giải quyết thủ tục hành chính có chữ ký số của cơ quan có thẩm quyền.",
    "Theo Nghị định 42/2022/NĐ-CP, dịch vụ công trực tuyến gồm toàn trình và một phần.",
    "Thời hạn giải quyết thủ tục {proc} là {d} ngày làm việc kể từ khi nhận đủ hồ sơ.",
    "Người dân có thể gọi tổng đài hoặc hỏi trợ lý ảo để được hướng dẫn.",
    "Cơ quan giải quyết không yêu cầu nộp bản giấy đối với giấy tờ đã được số hóa.",
    "Mức độ hài lòng được khảo sát sau khi người dân nhận kết quả.",
]
STATUSES = [s.value for s in AdoptionStatus]
YEARS = list(range(2018, 2027))
PROVINCE_KINDS = (AgencyKind.PROVINCE, AgencyKind.CITY)


class Catalogue:
    """What synthetic records are made of. Read from the database: the seeded units (provinces
    then and now, ministries), categories, indicators and tags, and the knowledge index page.
    Made in memory, never saved: practice pages and departments."""

    def __init__(self):
        self.agencies = list(
            Agency.objects.exclude(kind=AgencyKind.DEPARTMENT).select_related("parent")
        )
        categories = {c.code: c for c in PracticeCategory.objects.all()}
        self.practices = [
            PracticePage(
                title=title, slug=f"giai-phap-thu-nghiem-{n:02d}", category=categories[code]
            )
            for n, (title, code) in enumerate(PRACTICES, start=1)
        ]
        self.indicators = list(Indicator.objects.order_by("pk"))
        self.tags = list(Tag.objects.order_by("pk"))
        self.guidance_path = KnowledgeIndexPage.objects.get().url_path
        self._departments = {}

    def department(self, province, n):
        """Department `n` of `province`, the same instance each time."""
        key = (province.pk, n)
        if key not in self._departments:
            self._departments[key] = Agency(
                name=f"{DEPARTMENTS[n]} {province.short_name or province.name}",
                kind=AgencyKind.DEPARTMENT,
                parent=province,
                code=f"{province.code}.S{n}",
                slug=f"{province.slug}-so-{n}",
                region=province.region,
                region_8=province.region_8,
            )
        return self._departments[key]


def synthetic_rows(count, seed=20221122):
    """`count` search rows, about 85 % adoptions and 15 % guidance, deterministic, each made
    by the function that makes the real rows of its type."""
    rng = random.Random(seed)
    catalogue = Catalogue()
    for i in range(count):
        pk = FIRST_PK + i
        year = rng.choice(YEARS)
        decided = datetime.date(year, rng.randint(1, 12), rng.randint(1, 28))
        fill = {
            "pct": rng.randint(20, 99),
            "n": rng.randint(100, 99_000),
            "no": rng.randint(1, 300),
            "d": rng.randint(1, 15),
            "q": rng.randint(1, 4),
            "year": year,
            "date": f"{decided:%d/%m/%Y}",
            "proc": rng.choice(PROCEDURES),
        }
        if rng.random() < 0.85:
            yield adoption(catalogue, rng, pk, decided, fill)
        else:
            yield guidance(catalogue, rng, pk, decided, fill)


def adoption(catalogue, rng, pk, decided, fill):
    agency = rng.choice(catalogue.agencies)
    fill["place"] = agency.name
    if agency.kind in PROVINCE_KINDS and rng.random() < 0.2:
        agency = catalogue.department(agency, rng.randrange(len(DEPARTMENTS)))
    record = Adoption()
    record.pk = pk
    record.practice = rng.choice(catalogue.practices)
    record.agency = agency
    record.status = rng.choice(STATUSES)
    record.decided_on = decided
    record.instrument = f"Quyết định số {rng.randint(1, 3000)}/QĐ-UBND ngày {fill['date']}"
    sentences = rng.sample(ADOPTION_SENTENCES, rng.randint(3, 7))
    record.notes = " ".join(s.format(**fill) for s in sentences)
    results = [
        AdoptionResult(
            indicator=rng.choice(catalogue.indicators),
            value=Decimal(rng.randint(5, 99)),
            note=rng.choice(["", f"Số liệu quý {fill['q']} năm {fill['year']}."]),
        )
        for _ in range(rng.randint(0, 2))
    ]
    return documents.adoption_row(record, results)


def guidance(catalogue, rng, pk, decided, fill):
    fill["place"] = rng.choice(catalogue.agencies).name
    model, title, fields = rng.choice(GUIDANCE_PAGES)
    sentences = [rng.choice(GUIDANCE_SENTENCES).format(**fill) for _ in range(rng.randint(8, 20))]
    half = len(sentences) // 2
    body = (
        f"## {rng.choice(GUIDANCE_HEADINGS)}\n\n"
        + " ".join(sentences[1:half])
        + "\n\n"
        + " ".join(sentences[half:])
    )
    page = model(
        title=title.format(**fill),
        slug=f"tham-khao-{pk}",
        url_path=f"{catalogue.guidance_path}tham-khao-{pk}/",
        summary=sentences[0],
        body=[("markdown", body)],
        published_on=decided,
        **{name: value.format(**fill) for name, value in fields.items()},
    )
    page.tags.add(*rng.sample(catalogue.tags, rng.randint(1, 3)))  # before the pk: no query
    page.pk = pk
    return documents.guidance_row(page)


# --- Measuring ----------------------------------------------------------------------------


def percentiles(values):
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50": cuts[49], "p95": cuts[94], "p99": cuts[98], "max": max(values)}


def machine(client):
    nodes = client.nodes.info(filter_path="nodes.*.version,nodes.*.jvm.mem.heap_max_in_bytes")
    node = next(iter(nodes["nodes"].values()))
    database = connection.vendor
    if database == "postgresql":
        version = connection.pg_version
        database = f"PostgreSQL {version // 10000}.{version % 10000}"
    heap = node["jvm"]["mem"]["heap_max_in_bytes"] // 2**20
    facts = machine_facts(Elasticsearch=f"{node['version']} (heap {heap} MB)", database=database)
    return facts | {"CPU check at start": cpu_check()}


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


def write_rows(count, out):
    """Build and store `count` synthetic rows; returns (seconds building, seconds storing)."""
    building = storing = 0.0
    bar = ProgressBar(out)
    rows = synthetic_rows(count)
    written = 0
    while written < count:
        started = time.perf_counter()
        batch = [SearchDocument(**row) for row in _take(rows, BATCH)]
        building += time.perf_counter() - started
        started = time.perf_counter()
        SearchDocument.objects.bulk_create(batch)
        storing += time.perf_counter() - started
        written += len(batch)
        bar(written, count)
    bar.finish()
    return building, storing


def _take(iterator, n):
    for _ in range(n):
        try:
            yield next(iterator)
        except StopIteration:
            return


def index(out):
    """`sync.rebuild` without its `refresh_all`: (index name, documents, seconds, phases)."""
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
    return name, indexed, seconds, phases


def run_queries(repeat, out, es=None, warm_up=True):
    """Each query of the set through `GET /api/v1/search/`, once to warm up (unless not
    `warm_up`), then `repeat` times. With `es` (the node) the API must answer from Elasticsearch, and the same search
    is also sent straight to the node; with None, no node is configured and the API must
    answer from the database. Returns {"api", "took", "round_trip": [(query, ms)], "totals":
    [results of each query], "capped": [whether the node stopped counting at its default
    10,000], "urls": [first page's result URLs of each query], "load": (before, after)}."""
    engine = "elasticsearch" if es is not None else "database"
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
    first = 0 if warm_up else 1
    for rep in range(first, repeat + 1):  # pass 0 warms caches and is not counted
        for n, (params, search) in enumerate(zip(QUERIES, searches, strict=True)):
            started = time.perf_counter()
            response = web.get(API_PATH, params)
            api_ms = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"{API_PATH} {params}: HTTP {response.status_code}")
            body = response.json()
            if body["engine"] != engine or body["notice"]:
                raise RuntimeError(
                    f"{API_PATH} {params}: answered by {body['engine']}, not {engine} "
                    f"({body['notice'] or 'no notice'}): this run would measure something else"
                )
            totals[n] = body["total"]
            urls[n] = [hit["url"] for hit in body["results"]]
            if rep:
                api.append((n, api_ms))
            if search is not None:
                started = time.perf_counter()
                response = search.execute(ignore_cache=True)
                trip_ms = (time.perf_counter() - started) * 1000
                capped[n] = response.hits.total.relation == "gte"
                if rep:
                    took.append((n, response.took))
                    round_trip.append((n, trip_ms))
            line(f"Queries ({engine}): pass {rep}/{repeat}, query {n + 1}/{len(QUERIES)}")
    line.done(
        f"Queries ({engine}): {repeat} passes × {len(QUERIES)} queries = {len(api)} measurements"
    )
    load = (load_before, os.getloadavg()[0])
    return {
        "api": api,
        "took": took,
        "round_trip": round_trip,
        "totals": totals,
        "capped": capped,
        "urls": urls,
        "load": load,
    }


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


def report(title, rows, out):
    out.write(f"\n{title}")
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        out.write(f"  {name.ljust(width)}  {value}")


def bench_settings(prefix):
    """The settings of a run: its own index prefix, and production's where they matter."""
    return override_settings(
        SEARCH_INDEX_PREFIX=prefix,
        DEBUG=False,  # no SQL logging
        WHITENOISE_AUTOREFRESH=False,
        ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
        # One client sends hundreds of searches a minute: the search is measured, not the
        # rate limit (empty: none), which would answer 429 and stop the run.
        RATELIMIT_SEARCH="",
    )


def clean_up(es, prefix):
    """Delete the run's indices; returns the names of any left."""
    es.indices.delete(index=f"{prefix}-*", ignore_unavailable=True, allow_no_indices=True)
    return sorted(es.indices.get(index=f"{prefix}-*", allow_no_indices=True))


def main():
    default_database = f"{settings.DATABASES['default']['NAME']}_bench_search"
    default_prefix = f"{settings.SEARCH_INDEX_PREFIX}-bench"
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20, help="passes over the query set")
    parser.add_argument(
        "--database-repeat",
        type=int,
        default=1,
        help="passes over the query set on the database engine (0: none)",
    )
    parser.add_argument("--database", default=default_database, help=f"({default_database})")
    parser.add_argument("--index-prefix", default=default_prefix, help=f"({default_prefix})")
    options = parser.parse_args()
    out = OutputWrapper(sys.stdout)
    if not settings.ELASTICSEARCH_URL:
        sys.exit("ELASTICSEARCH_URL is not set: the benchmark measures the Elasticsearch path.")
    # "Index does not exist" while load_seed pushes to the not yet built bench alias.
    logging.getLogger("search.sync").setLevel(logging.ERROR)
    # WhiteNoise without autorefresh (as in production) looks for STATIC_ROOT at start-up.
    warnings.filterwarnings("ignore", message="No directory at")

    with bench_settings(options.index_prefix):
        es = get_client()
        facts = machine(es)
        report("Machine", list(facts.items()), out)
        out.write("")

        database = settings.DATABASES["default"]
        database.setdefault("TEST", {})
        if connection.vendor == "postgresql":
            database["TEST"]["NAME"] = options.database
        line = Line(out)
        line(f"Creating the benchmark database ({options.database}): migrate and load_seed…")
        started = time.perf_counter()
        old_name = connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False
        )
        try:
            with open(os.devnull, "w") as quiet:
                call_command("load_seed", stdout=quiet)
            line.done(
                f"Benchmark database {connection.settings_dict['NAME']} ready "
                f"in {time.perf_counter() - started:.0f} s; indices {options.index_prefix}-*"
            )
            results = benchmark(es, out, options.documents, options.repeat, options.database_repeat)
        finally:
            left = clean_up(es, options.index_prefix)
            connection.creation.destroy_test_db(old_name, verbosity=0)
            out.write(
                f"Cleaned up: indices {options.index_prefix}-* deleted"
                + (f" (STILL THERE: {', '.join(left)})" if left else "")
                + f", database {options.database} dropped."
            )
    return results


def benchmark(es, out, documents=100_000, repeat=20, database_repeat=1):
    """Write `documents` synthetic rows next to the seed's, index them, run the query set
    `repeat` times through the API on Elasticsearch, and `database_repeat` times with no node
    configured (the database engine). Prints the figures; returns them, with the targets."""
    seeded = SearchDocument.objects.filter(deleted=False).count()
    out.write(f"Writing {documents:,} synthetic rows (+ {seeded} from the seed)…")
    building, storing = write_rows(documents, out)

    out.write("Indexing with sync.rebuild…")
    name, indexed, indexing, phases = index(out)
    assert es.count(index=sync.alias())["count"] == indexed == documents + seeded
    segments = settle(es, name, out)

    measured = {"elasticsearch": run_queries(repeat, out, es)}
    if database_repeat:
        # No warm-up pass: each query reads the whole table, several times (one count per
        # facet), and a pass at 100,000 rows takes minutes.
        with override_settings(ELASTICSEARCH_URL=""):
            measured["database"] = run_queries(database_repeat, out, warm_up=False)
    figures = {
        engine: {
            key: percentiles([ms for _, ms in run[key]])
            for key in ("api", "took", "round_trip")
            if run[key]
        }
        for engine, run in measured.items()
    }
    api_ms, took_ms = figures["elasticsearch"]["api"], figures["elasticsearch"]["took"]
    trip_ms = figures["elasticsearch"]["round_trip"]
    rate = indexed / indexing

    report(
        "Indexing",
        [
            ("documents", f"{indexed:,} ({segments} segments after merging)"),
            ("sync.rebuild", f"{indexing:.1f} s = {rate:,.0f} documents/s"),
            *((f"  {phase}", f"{seconds:.1f} s") for phase, seconds in phases.items()),
            (
                "  bulk phase alone",
                f"{indexed / phases['bulk (read rows, send, wait)']:,.0f} documents/s",
            ),
            ("building rows (documents.*_row)", f"{documents / building:,.0f} rows/s"),
            ("storing rows (bulk_create)", f"{documents / storing:,.0f} rows/s"),
            (
                "peak memory (RSS)",
                f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB",
            ),
        ],
        out,
    )
    es_load = measured["elasticsearch"]["load"]
    report(
        f"Latency (ms), {len(QUERIES)} queries × {repeat} passes, Elasticsearch",
        [
            ("path", "p50 / p95 / p99 / max"),
            (f"API: GET {API_PATH} through django.test.Client", _row_ms(api_ms)),
            ("node: took", _row_ms(took_ms)),
            ("node: client round trip", _row_ms(trip_ms)),
            ("load average (1 min)", f"{es_load[0]:.2f} before, {es_load[1]:.2f} after"),
            (
                "API ÷ took",
                f"{api_ms['p50'] / took_ms['p50']:.1f}× at p50, "
                f"{api_ms['p95'] / took_ms['p95']:.1f}× at p95",
            ),
        ],
        out,
    )
    if "database" in measured:
        db_load = measured["database"]["load"]
        report(
            f"Latency (ms), {len(QUERIES)} queries × {database_repeat} passes, database engine "
            "(no node configured)",
            [
                ("path", "p50 / p95 / p99 / max"),
                (f"API: GET {API_PATH}", _row_ms(figures["database"]["api"])),
                ("load average (1 min)", f"{db_load[0]:.2f} before, {db_load[1]:.2f} after"),
            ],
            out,
        )
    medians = {
        (engine, key): _medians(run[key])
        for engine, run in measured.items()
        for key in ("api", "took")
    }
    out.write(
        "\nPer query, p50 ms (API on Elasticsearch / node took / API on the database) and "
        "results (Elasticsearch, ≥ where the node stopped counting / database):"
    )
    for n, params in enumerate(QUERIES):
        label = _label(params)
        db_ms = medians.get(("database", "api"), {}).get(n)
        db_total = measured["database"]["totals"][n] if "database" in measured else None
        out.write(
            f"  {medians['elasticsearch', 'api'][n]:6.1f}  {medians['elasticsearch', 'took'][n]:6.1f}"
            f"  {_or_dash(db_ms, '7.1f')}  {_total(measured['elasticsearch'], n):>7}"
            f"  {_or_dash(db_total, '>7,')}  {label}"
        )
    checks = [
        (f"indexing ≥ {TARGET_RATE:,} documents/s", rate >= TARGET_RATE),
        (f"API p95 ≤ {TARGET_P95_MS} ms", api_ms["p95"] <= TARGET_P95_MS),
        (
            f"API p95 ≤ {TARGET_RATIO:g}× node took p95",
            api_ms["p95"] <= TARGET_RATIO * took_ms["p95"],
        ),
    ]
    report("Targets", [(what, "met" if ok else "MISSED") for what, ok in checks], out)
    report("What was measured", sanity(measured), out)
    report(
        "At the end",
        [("load average", load_average()), ("CPU check", cpu_check())],
        out,
    )
    out.write(f"\n(index {name}, {datetime.datetime.now():%Y-%m-%d %H:%M})")
    return {
        "indexed": indexed,
        "rate": rate,
        "figures": figures,
        "totals": {engine: run["totals"] for engine, run in measured.items()},
        "urls": {engine: run["urls"] for engine, run in measured.items()},
        "checks": checks,
    }


def sanity(measured):
    """Whether the queries found what they should: a query that finds nothing times an
    empty search, and engines that count differently searched different rows."""
    lines = []
    for engine, run in measured.items():
        empty = [
            _label(params)
            for params, total in zip(QUERIES, run["totals"], strict=True)
            if not total and params != NOTHING_MATCHES
        ]
        lines.append(
            (f"{engine}: queries that found nothing (but the typo)", "; ".join(empty) or "none")
        )
    if "database" in measured:
        es, db = measured["elasticsearch"], measured["database"]
        differ = [
            _label(params)
            for n, params in enumerate(QUERIES)
            if not es["capped"][n] and es["totals"][n] != db["totals"][n]
        ]
        lines.append(("engines counting differently", "; ".join(differ) or "none"))
    return lines


def _label(params):
    return " ".join(f"{k}={v}" for k, v in params.items())


def _medians(pairs):
    by_query = {}
    for n, ms in pairs:
        by_query.setdefault(n, []).append(ms)
    return {n: statistics.median(values) for n, values in by_query.items()}


def _total(run, n):
    return ("≥" if run["capped"][n] else "") + f"{run['totals'][n]:,}"


def _or_dash(value, spec):
    return "–".rjust(7) if value is None else format(value, spec)


def _row_ms(p):
    return f"{p['p50']:.1f} / {p['p95']:.1f} / {p['p99']:.1f} / {p['max']:.1f}"


if __name__ == "__main__":
    main()
