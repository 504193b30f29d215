"""Load the demo catalogue (fixtures/seed/catalogue.toml) into the page tree and snippets.

Records that already exist are left as editors made them: a second run adds only what is
missing, so it never duplicates data or overwrites edits.
"""

import datetime
import tomllib
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import slugify

from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from anyascii import anyascii

from kb.models import (
    GlossaryTermPage,
    GuidancePage,
    HomePage,
    KnowledgeIndexPage,
    LegalDocumentPage,
    SiteContact,
    Source,
)
from practices.models import (
    Adoption,
    AdoptionResult,
    Agency,
    AgencyKind,
    Indicator,
    PracticeCategory,
    PracticeIndexPage,
    PracticePage,
    Succession,
)
from practices.reference import historic_slug

CATALOGUE_PATH = Path(settings.BASE_DIR) / "fixtures" / "seed" / "catalogue.toml"
# Neutral until editors name the real owner and contact ("Tùy chỉnh" in the admin): the sources
# of the seed do not say who runs the site.
DEFAULT_SITE_OWNER = "Ban biên tập Kho giải pháp hay về dịch vụ công trực tuyến"
KB_PAGE_TYPES = {"guidance": GuidancePage, "legal": LegalDocumentPage, "glossary": GlossaryTermPage}


class SeedError(Exception):
    pass


def resolve(code, on):
    try:
        return Agency.objects.resolve(code, on)
    except Agency.DoesNotExist:
        raise SeedError(f"Không có cơ quan mã “{code}” vào ngày {on:%d/%m/%Y}.") from None


def _resolve_ref(ref):
    code, _, date = ref.partition("@")
    return resolve(code, datetime.date.fromisoformat(date))


def ensure_site_tree():
    """Home, catalogue and knowledge index pages, replacing Wagtail's placeholder home."""
    home = HomePage.objects.first()
    if home is None:
        # Wagtail's migrations create the locale and tree root; a flushed database has neither.
        Locale.objects.get_or_create(language_code=get_supported_content_language_variant("vi"))
        root = Page.get_first_root_node() or Page.add_root(title="Root", slug="root")
        home = root.add_child(
            instance=HomePage(
                title="Kho giải pháp hay về dịch vụ công trực tuyến",
                slug="trang-chu",
                intro=(
                    "Các bộ, ngành, địa phương đã áp dụng giải pháp nào để nâng cao hiệu quả "
                    "cung cấp dịch vụ công trực tuyến theo Nghị định số 42/2022/NĐ-CP, từ khi "
                    "nào, trên cơ sở văn bản nào và đạt kết quả gì."
                ),
            )
        )
        site = Site.objects.filter(is_default_site=True).first()
        placeholder = site.root_page if site else None
        if site:
            site.root_page = home
            site.site_name = settings.WAGTAIL_SITE_NAME
            site.save()
        else:
            Site.objects.create(
                hostname="localhost",
                root_page=home,
                is_default_site=True,
                site_name=settings.WAGTAIL_SITE_NAME,
            )
        if placeholder and placeholder.specific_class is Page and placeholder.depth == 2:
            placeholder.delete()
        home.slug = "trang-chu"
        home.save_revision().publish()

    practices = PracticeIndexPage.objects.child_of(home).first()
    if practices is None:
        practices = home.add_child(
            instance=PracticeIndexPage(
                title="Giải pháp, sáng kiến",
                slug="sang-kien",
                intro="Danh mục các giải pháp hay được khuyến nghị nhân rộng trong cung cấp "
                "dịch vụ công trực tuyến.",
            )
        )
        practices.save_revision().publish()
    knowledge = KnowledgeIndexPage.objects.child_of(home).first()
    if knowledge is None:
        knowledge = home.add_child(
            instance=KnowledgeIndexPage(
                title="Kho tri thức",
                slug="kien-thuc",
                intro="Hướng dẫn, văn bản pháp lý và thuật ngữ về dịch vụ công trực tuyến.",
            )
        )
        knowledge.save_revision().publish()
    return home, practices, knowledge


def ensure_site_contact():
    """The owner shown in the footer, on every site that has none yet; what editors set (the
    form requires an owner) is kept, and contacts are left for them to fill in."""
    for site in Site.objects.all():
        contact, _ = SiteContact.objects.get_or_create(site=site)
        if not contact.owner:
            contact.owner = DEFAULT_SITE_OWNER
            contact.save(update_fields=["owner"])


def _department(entry):
    parent = resolve(entry["parent"], entry["parent_on"])
    valid_from, valid_to = entry.get("valid_from"), entry.get("valid_to")
    slug = slugify(anyascii(entry["name"]))
    if valid_to:
        slug = historic_slug(slug, valid_to)
    agency, _ = Agency.objects.get_or_create(
        slug=slug,
        defaults={
            "code": entry["code"],
            "name": entry["name"],
            "short_name": entry.get("short_name", ""),
            "kind": AgencyKind.DEPARTMENT,
            "parent": parent,
            "region": parent.region,
            "region_8": parent.region_8,
            "valid_from": valid_from,
            "valid_to": valid_to,
            "notes": entry.get("note", ""),
        },
    )
    for ref in entry.get("predecessors", []):
        Succession.objects.get_or_create(
            predecessor=_resolve_ref(ref),
            successor=agency,
            defaults={"effective_on": valid_from, "relation": Succession.Relation.MERGED},
        )
    return agency


def _publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _agencies(codes, on):
    return [resolve(code, on) for code in codes]


def load_catalogue(path=CATALOGUE_PATH, log=print):
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    counts = {}

    src = data["source"]
    source, _ = Source.objects.get_or_create(
        key=src["key"],
        defaults={
            "title": src["title"],
            "publisher": src.get("publisher", ""),
            "published_on": src.get("published_on"),
            "url": src.get("url", ""),
            "note": src.get("note", ""),
        },
    )
    sources = {source.key: source}
    source_date = source.published_on

    for entry in data.get("departments", []):
        _department(entry)
    counts["departments"] = len(data.get("departments", []))

    for entry in data["categories"]:
        PracticeCategory.objects.get_or_create(
            code=entry["code"],
            defaults={
                "name": entry["name"],
                "description": entry.get("description", ""),
                "sort_order": entry.get("sort_order", 100),
            },
        )
    categories = {c.code: c for c in PracticeCategory.objects.all()}
    for entry in data["indicators"]:
        Indicator.objects.get_or_create(
            code=entry["code"],
            defaults={
                "name": entry["name"],
                "unit": entry.get("unit", ""),
                "description": entry.get("description", ""),
            },
        )
    indicators = {i.code: i for i in Indicator.objects.all()}
    log(f"  nhóm giải pháp: {len(categories)}, chỉ số: {len(indicators)}")

    home, practice_index, knowledge_index = ensure_site_tree()
    ensure_site_contact()

    practices, created = {}, 0
    for entry in data["practices"]:
        page = PracticePage.objects.child_of(practice_index).filter(slug=entry["slug"]).first()
        if page is None:
            page = PracticePage(
                title=entry["title"],
                slug=entry["slug"],
                summary=entry["summary"],
                body=[("markdown", entry["body_markdown"])],
                category=categories[entry["category"]],
                legal_basis=entry.get("legal_basis", ""),
                originating_agency=(
                    resolve(entry["originating_agency"], entry.get("originating_on", source_date))
                    if entry.get("originating_agency")
                    else None
                ),
            )
            page.indicators = [indicators[code] for code in entry.get("indicators", [])]
            page.published_by = _agencies(entry.get("published_by", []), source_date)
            page.sources = [sources[entry["source"]]] if entry.get("source") else []
            _publish(practice_index, page)
            created += 1
        practices[entry["slug"]] = page
    log(f"  giải pháp: {len(practices)} ({created} mới)")

    created = 0
    for entry in data["adoptions"]:
        agency = resolve(entry["agency"], entry["agency_on"])
        practice = practices[entry["practice"]]
        if Adoption.objects.filter(practice=practice, agency=agency).exists():
            continue
        adoption = Adoption(
            practice=practice,
            agency=agency,
            status=entry["status"],
            decided_on=entry.get("decided_on"),
            instrument=entry.get("instrument", ""),
            evidence_url=entry.get("evidence_url", ""),
            evidence_level=entry["evidence_level"],
            notes=entry.get("notes", ""),
            source=sources.get(entry.get("source")),
        )
        adoption.results = [
            AdoptionResult(
                indicator=indicators[result["indicator"]],
                kind=result.get("kind", AdoptionResult.Kind.MEASURED),
                value=result["value_min"],
                value_max=result.get("value_max"),
                note=result.get("note", ""),
            )
            for result in entry.get("results", [])
        ]
        try:
            adoption.full_clean()
        except ValidationError as error:
            raise SeedError(
                f"Kết quả áp dụng “{entry['practice']}” của “{entry['agency']}”: "
                + "; ".join(error.messages)
            ) from error
        adoption.save()
        # Published as loaded: the revision is the live version, not a draft over it.
        adoption.save_revision(log_action=True, changed=False)
        created += 1
    log(f"  kết quả áp dụng: {len(data['adoptions'])} ({created} mới)")

    created = 0
    for entry in data.get("kb", []):
        page_class = KB_PAGE_TYPES[entry["kind"]]
        if page_class.objects.child_of(knowledge_index).filter(slug=entry["slug"]).exists():
            continue
        fields = {
            "title": entry["title"],
            "slug": entry["slug"],
            "summary": entry.get("summary", ""),
            "body": [("markdown", entry["body_markdown"])],
            "published_on": entry.get("published_on"),
        }
        if page_class is LegalDocumentPage:
            fields |= {
                "document_number": entry["document_number"],
                "issuer": entry.get("issuer", ""),
                "issued_on": entry.get("issued_on"),
            }
        if page_class is GlossaryTermPage:
            fields |= {"term": entry["term"], "abbreviation": entry.get("abbreviation", "")}
        page = page_class(**fields)
        page.related_practices = [practices[s] for s in entry.get("related_practices", [])]
        page.published_by = _agencies(entry.get("published_by", []), source_date)
        page.sources = [sources[entry["source"]]] if entry.get("source") else []
        page.tags.set(entry.get("tags", []))
        _publish(knowledge_index, page)
        created += 1
    log(f"  trang tri thức: {len(data.get('kb', []))} ({created} mới)")
    return counts
