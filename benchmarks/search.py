"""Public search at scale: bulk indexing rate and query latency on synthetic data.

    set -a; . ./.services.env; set +a
    DJANGO_SETTINGS_MODULE=kb.settings.dev .venv/bin/python benchmarks/search.py --documents 100000

Nothing it does touches the development data:

- the rows live in a database of their own, created for the run and dropped at the end
  (`dvctt_bench` on the PostgreSQL server of DATABASE_URL, through Django's test-database
  machinery: migrate, then the reference data and seed catalogue with `load_seed`);
- the indices carry the prefix `dvctt-bench` and are deleted at the end.

The synthetic rows (adoptions and guidance in Vietnamese, across provinces, ministries and
departments, categories, statuses and years) are built with `search.documents._row`, the
function that builds every real row, and written with `bulk_create` in batches, so memory
stays flat whatever `--documents`.

Indexing goes through `search.sync.rebuild` (new index, streaming bulk from the database,
refresh, alias swap, rows marked indexed). Its first step, `refresh_all`, rebuilds rows from
the source records; the synthetic rows have no source records and would be tombstoned, so
that step is skipped here, and the cost of building rows (`_row`: normalising and folding)
is reported on its own.

Latency: each query goes through the Django stack (`django.test.Client`, GET
`/api/v1/search/`) and, beside it, the same `queries.build_search(...)` is sent straight to
the node, whose own `took` is read. Settings are those of production where they matter
(DEBUG off, WhiteNoise without autorefresh).
"""

import argparse
import csv
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
from unittest import mock

ROOT = pathlib.Path(__file__).resolve().parent.parent
# Run as a script, this file's folder comes first on sys.path, and its name would shadow the
# `search` app: put the project root there instead.
sys.path[0] = str(ROOT)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings.dev")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.management.base import OutputWrapper  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import Resolver404, resolve  # noqa: E402

from benchmarks.common import machine_facts  # noqa: E402
from kb.progress import ProgressBar  # noqa: E402
from practices.models import AdoptionStatus, AgencyKind  # noqa: E402
from search import documents, queries, sync  # noqa: E402
from search.client import get_client  # noqa: E402
from search.models import DocumentType, SearchDocument  # noqa: E402

PREFIX = "dvctt-bench"
DATABASE = "dvctt_bench"
BATCH = 2000
API_PATH = "/api/v1/search/"
TARGET_RATE = 1000  # documents/s
TARGET_P95_MS = 100
TARGET_RATIO = 2.0

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
GUIDANCE_TITLES = [
    "Hướng dẫn nộp hồ sơ {proc} trên Cổng dịch vụ công",
    "Câu hỏi thường gặp về {proc} trực tuyến",
    "Nghị định {n}/{year}/NĐ-CP về thủ tục hành chính trên môi trường điện tử",
    "Quyết định {n}/QĐ-TTg phê duyệt chỉ tiêu dịch vụ công trực tuyến năm {year}",
    "Thuật ngữ: dịch vụ công trực tuyến toàn trình",
    "Quy trình số hóa hồ sơ {proc} tại bộ phận một cửa",
]
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
STATUS_LABELS = dict(AdoptionStatus.choices)
YEARS = list(range(2018, 2027))


def _agencies():
    """(name, short name, code, kind, region, slug) for provinces then and now, and ministries."""
    reference = ROOT / "fixtures" / "reference"
    units = []
    for file, suffix in (("provinces_2025.csv", ""), ("provinces_2008_2025.csv", "-den-2025")):
        with open(reference / file, encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                kind = AgencyKind.CITY if row["type_en"] == "municipality" else AgencyKind.PROVINCE
                slug = row["slug"].replace("_", "-") + suffix
                units.append(
                    (row["full_name"], row["short_name"], row["code"], kind, row["region_6"], slug)
                )
    with open(reference / "central_agencies.csv", encoding="utf-8") as handle:
        for n, row in enumerate(csv.DictReader(handle)):
            kind = AgencyKind.MINISTRY if row["type"] == "bộ" else AgencyKind.MINISTERIAL
            units.append((row["name_vi"], "", f"B{n:02d}", kind, "", row["slug"]))
    return units


def synthetic_rows(count, seed=20221122):
    """`count` search rows: about 85 % adoptions and 15 % guidance, deterministic."""
    rng = random.Random(seed)
    agencies = _agencies()
    provinces = [a for a in agencies if a[3] in (AgencyKind.PROVINCE, AgencyKind.CITY)]
    for i in range(count):
        year = rng.choice(YEARS)
        fill = {
            "pct": rng.randint(20, 99),
            "n": rng.randint(100, 99_000),
            "d": rng.randint(1, 15),
            "q": rng.randint(1, 4),
            "year": year,
            "date": f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{year}",
            "proc": rng.choice(PROCEDURES),
        }
        key = f"{{}}:{9_000_000 + i}"
        if rng.random() < 0.85:
            title, category = rng.choice(PRACTICES)
            name, short, code, kind, region, slug = rng.choice(agencies)
            fill["place"] = name
            owner = ""
            if kind != AgencyKind.MINISTRY and rng.random() < 0.2:
                owner = name
                name = f"{rng.choice(DEPARTMENTS)} {short or name}"
                kind, code, slug = AgencyKind.DEPARTMENT, f"{code}.S{i % 8}", f"{slug}-so-{i % 8}"
            status = rng.choice(STATUSES)
            instrument = f"Quyết định số {rng.randint(1, 3000)}/QĐ-UBND ngày {fill['date']}"
            sentences = rng.sample(ADOPTION_SENTENCES, rng.randint(3, 7))
            body = " ".join(
                [STATUS_LABELS[status], instrument, *(s.format(**fill) for s in sentences)]
                + [short, owner]
            )
            yield documents._row(
                key.format("adoption"),
                DocumentType.ADOPTION,
                f"{name}: {title}",
                body,
                f"/co-quan/{slug}/#ap-dung-{9_000_000 + i}",
                category=category,
                region=region,
                agency_kind=kind,
                agency_code=code,
                status=status,
                year=year,
            )
        else:
            fill["place"] = rng.choice(provinces)[0]
            title = rng.choice(GUIDANCE_TITLES).format(**fill)
            sentences = [rng.choice(GUIDANCE_SENTENCES) for _ in range(rng.randint(8, 20))]
            body = " ".join(s.format(**fill) for s in sentences)
            yield documents._row(
                key.format("guidance"),
                DocumentType.GUIDANCE,
                title,
                body,
                f"/kien-thuc/tham-khao-{9_000_000 + i}/",
                year=year,
            )


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
    return machine_facts(Elasticsearch=f"{node['version']} (heap {heap} MB)", database=database)


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


def run_queries(repeat, out, es):
    """Latency of each query through the API (or in-process) and on the node, in ms."""
    api_available = True
    try:
        resolve(API_PATH)
    except Resolver404:
        api_available = False
    web = Client(HTTP_ACCEPT="application/json")
    synonyms = queries.load_synonyms()
    requests = [queries.parse(params, synonyms) for params in QUERIES]
    searches = [queries.build_search(r, index=sync.alias()).using(es) for r in requests]

    def through_django(params):
        if api_available:
            response = web.get(API_PATH, params)
            if response.status_code != 200:
                raise RuntimeError(f"{API_PATH} {params}: HTTP {response.status_code}")
            return response.json()["total"]
        return queries.run(queries.parse(params)).total

    api, took, round_trip, totals = [], [], [], {}
    line = Line(out)
    for rep in range(repeat + 1):  # the first pass warms caches and is not counted
        for n, (params, search) in enumerate(zip(QUERIES, searches, strict=True)):
            started = time.perf_counter()
            totals[n] = through_django(params)
            api_ms = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            response = search.execute(ignore_cache=True)
            trip_ms = (time.perf_counter() - started) * 1000
            if rep:
                api.append((n, api_ms))
                took.append((n, response.took))
                round_trip.append((n, trip_ms))
        line(f"Queries: pass {rep}/{repeat} ({len(api)} measurements)")
    line.done(f"Queries: {repeat} passes × {len(QUERIES)} queries = {len(api)} measurements")
    return api_available, api, took, round_trip, totals


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


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20, help="passes over the query set")
    options = parser.parse_args()
    out = OutputWrapper(sys.stdout)
    if not settings.ELASTICSEARCH_URL:
        sys.exit("ELASTICSEARCH_URL is not set: the benchmark measures the Elasticsearch path.")
    # "Index does not exist" while load_seed pushes to the not yet built bench alias.
    logging.getLogger("search.sync").setLevel(logging.ERROR)
    # WhiteNoise without autorefresh (as in production) looks for STATIC_ROOT at start-up.
    warnings.filterwarnings("ignore", message="No directory at")

    overrides = override_settings(
        SEARCH_INDEX_PREFIX=PREFIX,
        DEBUG=False,
        WHITENOISE_AUTOREFRESH=False,
        ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
    )
    overrides.enable()
    es = get_client()
    facts = machine(es)
    report("Machine", list(facts.items()), out)
    out.write("")

    database = settings.DATABASES["default"]
    database.setdefault("TEST", {})
    if connection.vendor == "postgresql":
        database["TEST"]["NAME"] = DATABASE
    line = Line(out)
    line(f"Creating the benchmark database ({DATABASE}): migrate and load_seed…")
    started = time.perf_counter()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        with open(os.devnull, "w") as quiet:
            call_command("load_seed", stdout=quiet)
        line.done(
            f"Benchmark database {connection.settings_dict['NAME']} ready "
            f"in {time.perf_counter() - started:.0f} s"
        )
        results = benchmark(options, es, out)
    finally:
        es.indices.delete(index=f"{PREFIX}-*", ignore_unavailable=True, allow_no_indices=True)
        connection.creation.destroy_test_db(old_name, verbosity=0)
        overrides.disable()
        out.write(f"Cleaned up: indices {PREFIX}-* and database {DATABASE} dropped.")
    return results


def benchmark(options, es, out):
    seeded = SearchDocument.objects.filter(deleted=False).count()
    out.write(f"Writing {options.documents:,} synthetic rows (+ {seeded} from the seed)…")
    building, storing = write_rows(options.documents, out)

    out.write("Indexing with sync.rebuild…")
    bar = ProgressBar(out)
    marks = {}

    def progress(done, total):
        marks.setdefault("first", time.perf_counter())
        marks["last"] = time.perf_counter()
        bar(done, total)

    started = time.perf_counter()
    with mock.patch.object(sync, "refresh_all", lambda progress=None: (0, 0)):
        name, indexed = sync.rebuild(progress=progress)
    indexing = time.perf_counter() - started
    bar.finish()
    phases = {
        "count + create index": marks["first"] - started,
        "bulk (read rows, send, wait)": marks["last"] - marks["first"],
        "refresh, alias swap, mark rows indexed": started + indexing - marks["last"],
    }
    assert es.count(index=sync.alias())["count"] == indexed == options.documents + seeded
    segments = settle(es, name, out)

    load_before = os.getloadavg()[0]
    api_available, api, took, round_trip, totals = run_queries(options.repeat, out, es)
    load_after = os.getloadavg()[0]
    api_ms = percentiles([ms for _, ms in api])
    took_ms = percentiles([ms for _, ms in took])
    trip_ms = percentiles([ms for _, ms in round_trip])
    rate = indexed / indexing
    path = (
        f"GET {API_PATH} through django.test.Client"
        if api_available
        else "queries.parse + queries.run in-process (the API route does not exist yet)"
    )

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
            ("building rows (_row)", f"{options.documents / building:,.0f} rows/s"),
            ("storing rows (bulk_create)", f"{options.documents / storing:,.0f} rows/s"),
            (
                "peak memory (RSS)",
                f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB",
            ),
        ],
        out,
    )
    report(
        f"Latency (ms), {len(QUERIES)} queries × {options.repeat} passes",
        [
            ("path", "p50 / p95 / p99 / max"),
            ("API: " + path, _row_ms(api_ms)),
            ("node: took", _row_ms(took_ms)),
            ("node: client round trip", _row_ms(trip_ms)),
            ("load average (1 min)", f"{load_before:.2f} before, {load_after:.2f} after"),
            (
                "API ÷ took",
                f"{api_ms['p50'] / took_ms['p50']:.1f}× at p50, "
                f"{api_ms['p95'] / took_ms['p95']:.1f}× at p95",
            ),
        ],
        out,
    )
    by_query = {}
    for n, ms in api:
        by_query.setdefault(n, []).append(ms)
    took_by_query = {}
    for n, ms in took:
        took_by_query.setdefault(n, []).append(ms)
    out.write("\nPer query (API p50 ms / took p50 ms / results):")
    for n, params in enumerate(QUERIES):
        label = " ".join(f"{k}={v}" for k, v in params.items())
        out.write(
            f"  {statistics.median(by_query[n]):6.1f}  {statistics.median(took_by_query[n]):6.1f}"
            f"  {totals[n]:>6,}  {label}"
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
    out.write(f"\n(index {name}, {datetime.datetime.now():%Y-%m-%d %H:%M})")
    return checks


def _row_ms(p):
    return f"{p['p50']:.1f} / {p['p95']:.1f} / {p['p99']:.1f} / {p['max']:.1f}"


if __name__ == "__main__":
    main()
