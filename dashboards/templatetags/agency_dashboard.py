"""The agency page's dashboard, for its one include line (templates/dashboards/_agency.html):
the page's view stays as it is, and the include asks for its own data here."""

import functools

from django import template
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from dashboards import agency_stats, charts_agency
from practices.templatetags.agency_tags import agency_period
from practices.templatetags.practice_tags import status_class, status_symbol

register = template.Library()


@register.simple_tag
def agency_dashboard(agency, on=None):
    """{dash, chart} for `agency` on the page's date `on` (`?ngay=`, read and checked by the
    page's view); without one, today or the last day of a unit that has ended."""
    dash = agency_stats.agency_dashboard(agency, on or agency_stats.default_date(agency))
    chart = charts_agency.timeline_for(dash.agency, dash.date) if dash.timeline else None
    return {"dash": dash, "chart": chart}


@register.simple_tag(takes_context=True)
def timeline_rows(context, dash, on=None):
    """The timeline table's rows (`dash.timeline`) as HTML, every value escaped by
    format_html. Written here rather than as loops in the template: a province's timeline
    holds hundreds of steps, and the template engine spends about a millisecond on each."""
    request = context.get("request")
    rows = []
    holders = {}  # holder id → its cell: a few units make hundreds of steps
    for row in dash.timeline:
        heading = format_html(
            '<th scope="rowgroup" rowspan="{}" data-label="Giải pháp"><a href="{}">{}</a></th>',
            row.row_count,
            row.practice.get_url(request),
            row.practice.title,
        )
        for index, step in enumerate(row.steps):
            rows.append(
                format_html(
                    "<tr>{}{}{}{}{}</tr>",
                    heading if index == 0 else "",
                    _status_cell(step.status, step.get_status_display()),
                    _day_cell(step),
                    _instrument_cell(step),
                    holders.get(step.holder.pk)
                    or holders.setdefault(step.holder.pk, _holder_cell(step)),
                )
            )
        if row.department_records:
            query = {"giai-phap": row.practice.slug}
            if on:
                query["ngay"] = on.isoformat()
            rows.append(
                format_html(
                    '<tr>{}<td colspan="4" data-label="Đơn vị trực thuộc" class="meta">Các đơn vị '
                    'trực thuộc có {} ghi nhận về giải pháp này: <a href="{}?{}#ap-dung">xem các '
                    'ghi nhận<span class="visually-hidden"> về {}</span></a></td></tr>',
                    "" if row.steps else heading,
                    row.department_records,
                    request.path if request else "",
                    urlencode(query),
                    row.practice.title,
                )
            )
    return mark_safe("\n".join(rows))  # noqa: S308 (each row is format_html's)


@functools.cache  # a few statuses, hundreds of rows
def _status_cell(status, label):
    return format_html(
        '<td data-label="Bước"><span class="{}"><span aria-hidden="true">{}</span> {}</span></td>',
        status_class(status),
        status_symbol(status),
        label,
    )


def _day_cell(step):
    if step.on:
        return format_html(
            '<td data-label="Từ ngày"><time datetime="{}">{}</time></td>',
            step.on.isoformat(),
            f"{step.on:%d/%m/%Y}",
        )
    return format_html(
        '<td data-label="Từ ngày"><span class="muted">không ghi ngày</span> '
        '<span class="meta">(tính từ {})</span></td>',
        f"{step.counts_from:%d/%m/%Y}",
    )


def _instrument_cell(step):
    text = step.instrument or mark_safe('<span class="muted">Chưa rõ</span>')
    link = ""
    if step.evidence_url:
        link = format_html(
            '<br><a href="{}" rel="noopener noreferrer">Minh chứng<span class="visually-hidden">'
            " (liên kết ra trang ngoài)</span></a>",
            step.evidence_url,
        )
    return format_html('<td data-label="Văn bản">{}{}</td>', text, link)


def _holder_cell(step):
    if not step.inherited:
        return mark_safe('<td data-label="Đơn vị ghi nhận">Chính đơn vị</td>')
    holder = step.holder
    period = f" ({agency_period(holder)})" if holder.valid_to else ""
    return format_html(
        '<td data-label="Đơn vị ghi nhận"><span class="inherited">kế thừa từ '
        '<a href="{}">{}</a>{}</span></td>',
        holder.get_absolute_url(),
        holder.name,
        period,
    )
