"""The columns of each kind of file, the headers accepted for them, and the words
accepted for their choices."""

import re

from practices.matching import name_key
from practices.models import AdoptionStatus, AgencyKind, EvidenceLevel

# Columns of each file: field name → (main Vietnamese header, other accepted headers). The
# field name is itself accepted and is what an export writes. Headers are compared by
# name_key: folded, case-insensitive, punctuation ignored ("Ngày quyết định" = "ngay quyet
# dinh").
COLUMNS = {
    "practice": ("Sáng kiến", "Giải pháp", "practice slug"),
    "agency": ("Cơ quan", "Đơn vị", "Cơ quan, đơn vị"),
    # The unit's slug: one unit whatever the date, where a code or a name may have been
    # another unit's on another day. An export writes it; a file made by hand may leave it out.
    "agency_slug": ("Mã định danh cơ quan", "Mã định danh", "agency slug"),
    "status": ("Trạng thái",),
    "decided_on": ("Ngày quyết định", "decided on", "Ngày"),
    "instrument": ("Văn bản",),
    "evidence_url": ("Minh chứng", "Đường dẫn minh chứng", "evidence url"),
    "evidence_level": ("Mức minh chứng", "evidence level"),
    "notes": ("Ghi chú",),
    # The record's earlier steps, one date per status (practices.resources.steps): optional.
    "planned_on": ("Ngày đưa vào kế hoạch", "planned on"),
    "piloting_on": ("Ngày bắt đầu thí điểm", "piloting on"),
    "adopted_on": ("Ngày áp dụng", "adopted on"),
    "discontinued_on": ("Ngày dừng áp dụng", "discontinued on"),
}
# The stage columns and the status each dates.
STAGE_COLUMNS = {
    "planned_on": AdoptionStatus.PLANNED,
    "piloting_on": AdoptionStatus.PILOTING,
    "adopted_on": AdoptionStatus.ADOPTED,
    "discontinued_on": AdoptionStatus.DISCONTINUED,
}
# A tuple within: one of these columns is enough.
REQUIRED_COLUMNS = ("practice", ("agency", "agency_slug"), "status")

AGENCY_COLUMNS = {
    "code": ("Mã", "Mã cơ quan", "Mã đơn vị"),
    "slug": ("Đường dẫn",),
    "name": ("Tên", "Tên cơ quan", "Tên đơn vị"),
    "short_name": ("Tên ngắn", "Tên viết tắt"),
    "name_en": ("Tên tiếng Anh", "name en"),
    "kind": ("Loại", "Loại cơ quan"),
    "parent": ("Cơ quan cấp trên", "Cấp trên"),
    "region": ("Vùng kinh tế - xã hội", "Vùng", "Vùng 6"),
    "region_8": ("Vùng địa lý", "Vùng 8", "region 8"),
    "valid_from": ("Hiệu lực từ ngày", "Từ ngày", "valid from"),
    "valid_to": ("Hiệu lực đến ngày", "Đến ngày", "valid to"),
    "successors": ("Đơn vị kế thừa", "Kế thừa"),
    "notes": ("Ghi chú",),
    "sources": ("Nguồn",),
}
AGENCY_REQUIRED_COLUMNS = ("code", "name", "kind")

PRACTICE_COLUMNS = {
    "slug": ("Đường dẫn",),
    "title": ("Tên sáng kiến", "Tên giải pháp", "Tên"),
    "category": ("Nhóm", "Nhóm giải pháp"),
    "summary": ("Tóm tắt",),
    "legal_basis": ("Căn cứ pháp lý", "legal basis"),
    "originating_agency": ("Cơ quan khởi xướng", "originating agency"),
    "published_by": ("Cơ quan công bố", "published by"),
    "indicators": ("Chỉ số", "Chỉ số hướng tới"),
    "body": ("Nội dung", "Nội dung (Markdown)"),
}
PRACTICE_REQUIRED_COLUMNS = ("title", "category", "summary")

STATUS_WORDS = {
    "ke hoach": AdoptionStatus.PLANNED,
    "thi diem": AdoptionStatus.PILOTING,
    "da ap dung": AdoptionStatus.ADOPTED,
    "ap dung": AdoptionStatus.ADOPTED,
    "dung": AdoptionStatus.DISCONTINUED,
    "dung ap dung": AdoptionStatus.DISCONTINUED,
    "da dung": AdoptionStatus.DISCONTINUED,
}
EVIDENCE_WORDS = {
    "tu khai bao": EvidenceLevel.SELF_DECLARED,
    "co van ban": EvidenceLevel.DOCUMENTED,
    "co van ban tai lieu": EvidenceLevel.DOCUMENTED,
    "da tham dinh": EvidenceLevel.VERIFIED,
}
AGENCY_KIND_WORDS = {
    "bo": AgencyKind.MINISTRY,
    "co quan ngang bo": AgencyKind.MINISTERIAL,
    "tinh": AgencyKind.PROVINCE,
    "thanh pho": AgencyKind.CITY,
    "tp": AgencyKind.CITY,
    "so": AgencyKind.DEPARTMENT,
    "cuc": AgencyKind.DEPARTMENT,
    "don vi truc thuoc": AgencyKind.DEPARTMENT,
}
# Cells holding several values ("published by", "successors", "indicators").
LIST_SEPARATOR = re.compile(r"\s*[;\n]\s*")


def header_keys(columns):
    return {
        name_key(alias): name for name, aliases in columns.items() for alias in (name, *aliases)
    }


def split_list(value):
    """The values of a cell that holds several ("a; b" or one per line)."""
    return [part for part in LIST_SEPARATOR.split(str(value or "").strip()) if part]
