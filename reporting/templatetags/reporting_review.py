"""Template access to reviewers' decisions, for the notification e-mails and the edit view."""

from django import template

from reporting import review

register = template.Library()


@register.simple_tag
def last_review_decision(obj):
    return review.last_decision(obj)


@register.simple_tag
def returned_review_decision(obj):
    return review.returned_decision(obj)


@register.simple_tag
def published_evidence_level(obj):
    """The evidence level of the record as published now. The e-mail's `obj` was loaded
    before the workflow published the approved revision, so it is read again."""
    if not hasattr(obj, "get_evidence_level_display"):
        return ""
    fresh = type(obj)._default_manager.filter(pk=obj.pk, live=True).first()
    return fresh.get_evidence_level_display() if fresh else ""


@register.inclusion_tag("reporting/review/evidence.html", takes_context=True)
def evidence_under_review(context, obj, reviewing=None):
    """The evidence of the version under review, each item a link opening in a new tab;
    `reviewing` (whether to address the reviewer) defaults to whether the user may act on
    the review under way."""
    if reviewing is None:
        reviewing = review.may_review(obj, context["request"].user)
    return {"evidence": review.evidence_under_review(obj), "reviewing": reviewing}
