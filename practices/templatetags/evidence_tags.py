"""Links to evidence: uploaded files through the evidence view, never a storage path."""

from django import template

from practices.evidence.storage import evidence_url

register = template.Library()


@register.filter
def evidence_file_url(adoption):
    """The evidence view's address for the adoption's uploaded file ("" without one)."""
    return evidence_url(adoption.evidence_file.name) if adoption.evidence_file else ""
