"""How the public pages label an agency's code and period."""

import re

from django import template

from practices.models import AgencyKind

register = template.Library()

# Central agencies and departments carry an identifier made from their name in the code field
# (`bo-cong-an`, `48-so-khcn`); it is how the API names them, but it is not a code.
NAME_IDENTIFIER = re.compile(r"(?=.*[a-z])[a-z0-9]+(?:-[a-z0-9]+)+")


@register.filter
def agency_code(agency):
    """The unit's code where "Mã" is labelled (the statistics code of a province, `24`), or ""
    when it has only a name identifier."""
    code = agency.code or ""
    if code == agency.slug or NAME_IDENTIFIER.fullmatch(code):
        return ""
    return code


@register.filter
def agency_period(agency):
    """The unit's period in words: "từ 01/07/2025", "đến 30/06/2025", "từ … đến …"; a unit with
    neither date has lasted through the reorganisations ("liên tục"), except a department,
    whose dates the sources do not give ("chưa rõ")."""
    start, end = agency.valid_from, agency.valid_to
    if start and end:
        return f"từ {start:%d/%m/%Y} đến {end:%d/%m/%Y}"
    if start:
        return f"từ {start:%d/%m/%Y}"
    if end:
        return f"đến {end:%d/%m/%Y}"
    if agency.kind == AgencyKind.DEPARTMENT:
        return "chưa rõ"
    return "liên tục"
