"""Files of indicator values: import (all or nothing), export, and the template to fill in,
each through `practices.resources`' own reader, runner and writers."""

import datetime

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from indicators.models import IndicatorValue, ValueKind
from indicators.periods import PeriodKind, containing, end
from indicators.permissions import can_edit_values
from indicators.resources import COLUMNS, NATIONAL, IndicatorValueResource
from practices.models import PROVINCIAL_KINDS, Agency, Indicator
from practices.resources import templates
from practices.resources.export import Export
from practices.resources.runner import _run_import

# The template leaves out the slug an export writes beside the code.
TEMPLATE_COLUMNS = [name for name in COLUMNS if name != "agency_slug"]


def import_indicator_values(source, file_format=None, dry_run=False, user=None, progress=None):
    """Import indicator values from a path or bytes, all or nothing; an ImportReport.
    Raises ImportFileError for a file that cannot be read, PermissionDenied when `user` (None:
    the shell) may not change indicator values."""
    if user is not None and not can_edit_values(user):
        raise PermissionDenied("Bạn không có quyền nhập dữ liệu này.")
    resource = IndicatorValueResource(user=user, progress=progress)
    return _run_import(resource, source, file_format, dry_run)


def indicator_values_export(queryset=None):
    """The values of `queryset` (all by default) in the columns the import reads."""
    queryset = (
        (queryset if queryset is not None else IndicatorValue.objects.all())
        .select_related("indicator", "agency")
        .order_by("indicator__code", "agency__sort_name", "period_start", "period_kind", "kind")
    )
    return Export(IndicatorValueResource(), queryset)


def export_indicator_values(queryset=None, file_format="csv"):
    """The values as bytes in `file_format`."""
    return indicator_values_export(queryset).to_bytes(file_format)


def template(user, file_format):
    """A file to fill in: the headers, one example row that imports as it is (a province's
    online-dossier rate last quarter), and in XLSX the values the cells may name."""
    if file_format not in templates.FORMATS:
        raise ValueError(f"Tệp mẫu chỉ có dạng CSV hoặc XLSX, không có “{file_format}”.")
    today = timezone.localdate()
    this_quarter = containing(PeriodKind.QUARTER, today)
    last_quarter = containing(PeriodKind.QUARTER, this_quarter - datetime.timedelta(days=1))
    indicators = list(Indicator.objects.order_by("name"))
    example = next((i for i in indicators if i.code == "online-dossier-rate"), None)
    province = (
        Agency.objects.valid_on(end(PeriodKind.QUARTER, last_quarter))
        .filter(kind__in=PROVINCIAL_KINDS)
        .order_by("sort_name")
        .first()
    )
    row = {
        "indicator": example.code if example else (indicators[0].code if indicators else ""),
        "agency": province.code if province else NATIONAL,
        "period_kind": PeriodKind.QUARTER.label,
        "period_start": f"{last_quarter:%d/%m/%Y}",
        "value": "54,8",
        "kind": ValueKind.MEASURE.label,
        "source": "Cổng Dịch vụ công quốc gia, số liệu theo Bộ chỉ số 766 (đường dẫn)",
        "note": templates.EXAMPLE_NOTE,
    }
    units = sorted(
        Agency.objects.all(), key=lambda u: (u.sort_name, u.valid_from or today.min, u.pk)
    )
    sections = [
        templates.Section(
            "Chỉ số (cột “Chỉ số”: ghi mã hoặc tên)",
            ["Mã", "Tên", "Đơn vị tính"],
            [[i.code, i.name, i.unit] for i in indicators],
        ),
        templates.Section(
            "Loại kỳ (cột “Ngày đầu kỳ”: ngày 1 của tháng; 01/01, 01/04, 01/07, 01/10 với quý; "
            "01/01 với năm)",
            ["Ghi trong ô", "Hoặc mã"],
            [[label, code] for code, label in PeriodKind.choices],
        ),
        templates.Section(
            "Loại số liệu (để trống: số đo)",
            ["Ghi trong ô", "Hoặc mã"],
            [[label, code] for code, label in ValueKind.choices],
        ),
        templates.Section(
            f"Cơ quan, đơn vị (cột “Cơ quan”: mã hoặc tên của đơn vị tồn tại vào ngày cuối kỳ; "
            f"“{NATIONAL}” cho số liệu, chỉ tiêu của cả nước)",
            ["Mã", "Mã định danh (slug)", "Tên", "Thời kỳ hiệu lực"],
            [[u.code, u.slug, u.name, u.period_label or "không giới hạn"] for u in units],
        ),
    ]
    header = [COLUMNS[name][0] for name in TEMPLATE_COLUMNS]
    return templates.write(
        header, [row.get(name, "") for name in TEMPLATE_COLUMNS], sections, file_format
    )


# What the admin's import screens call (practices.admin_views.Kind).
KIND_FUNCTIONS = {
    "import": import_indicator_values,
    "export": indicator_values_export,
    "template": template,
    "permission": can_edit_values,
}
