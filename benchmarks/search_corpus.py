"""What the search benchmark searches and what it searches for: the synthetic corpus, made by
the real row builders, and the query set.

The rows (adoptions and guidance in Vietnamese, across provinces, ministries and departments,
categories, statuses and years) are made by `search.documents.adoption_row` and
`guidance_row`, the functions that make every real row, from records built in memory and never
saved: the seeded units, categories, indicators and tags, and synthetic practice pages,
departments, adoptions, results and guidance, legal and glossary pages. A change of what those
functions take breaks the benchmark instead of changing what it measures.

The generator is deterministic, whatever the database: the same seed gives the same rows on
PostgreSQL and on SQLite, so the engines' totals can be compared query by query.
"""

import datetime
import hashlib
import random
import time
from decimal import Decimal

from taggit.models import Tag

from kb.models import GlossaryTermPage, GuidancePage, KnowledgeIndexPage, LegalDocumentPage
from kb.progress import ProgressBar
from practices.models import (
    Adoption,
    AdoptionResult,
    AdoptionStatus,
    Agency,
    AgencyKind,
    Indicator,
    PracticeCategory,
    PracticePage,
)
from search import documents
from search.models import SearchDocument

BATCH = 2000  # rows a bulk_create: memory stays flat whatever the corpus size
FIRST_PK = 9_000_000  # of the synthetic records: far above the seed's
# What a search row holds that an engine searches, filters on or shows (not its timestamps).
CONTENT_FIELDS = ("key", *documents.INDEXED_FIELDS, "deleted")

# 34 queries people type: with and without diacritics, tone marks placed either way,
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

# The typo of the set: no document holds "tuyn", so nothing holds every word; what holds
# the other four comes back (results with most of the words), with "did you mean".
TYPO = {"q": "dich vu cong truc tuyn"}

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
        # Sorted here by a unique ASCII key, never by the database: the random choices must
        # pick the same records on PostgreSQL and on SQLite, whose text collations and primary
        # keys (sequences a flushed test database does not reset) differ.
        self.agencies = sorted(
            Agency.objects.exclude(kind=AgencyKind.DEPARTMENT).select_related("parent"),
            key=lambda agency: agency.slug,
        )
        categories = {c.code: c for c in PracticeCategory.objects.all()}
        self.practices = [
            PracticePage(
                title=title, slug=f"giai-phap-thu-nghiem-{n:02d}", category=categories[code]
            )
            for n, (title, code) in enumerate(PRACTICES, start=1)
        ]
        self.indicators = sorted(Indicator.objects.all(), key=lambda indicator: indicator.code)
        self.tags = sorted(Tag.objects.all(), key=lambda tag: tag.slug)
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


def corpus_digest():
    """A digest of the synthetic rows' content, whatever order the database returns them in:
    two databases with the same digest hold the same synthetic corpus, so a count that differs
    between them is their engines'. The seed's rows are left out: `load_seed` makes them on
    each database with the real code, which joins a page's tags in the database's order."""
    rows = SearchDocument.objects.values_list(*CONTENT_FIELDS).iterator(chunk_size=BATCH)
    digests = sorted(
        hashlib.sha256(repr(row).encode()).digest() for row in rows if _is_synthetic(row[0])
    )
    return hashlib.sha256(b"".join(digests)).hexdigest()[:16]


def _is_synthetic(key):
    number = key.rpartition(":")[2]  # "adoption:9000001"
    return number.isdigit() and int(number) >= FIRST_PK
