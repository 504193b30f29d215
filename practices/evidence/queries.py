"""Who may have which evidence, and which stored files are still needed.

The rule, for files (`Adoption.evidence_file`) and for library documents used as evidence
(`Adoption.evidence_document`) alike:

- the public (anyone) gets the evidence of an approved record: the live row of an adoption in
  `Adoption.objects.public()`; never what only a draft revision carries;
- a signed-in user gets the evidence of any version (the row or any revision) of a record the
  permission policy lets them see (`view` or `change`): reporters their agencies' records,
  reviewers and editors all;
- everyone else gets a 404, so that neither a name nor the existence of a draft leaks.
"""

from django.contrib.contenttypes.models import ContentType

from wagtail.models import Revision
from wagtail.permissions import policy_registry

from practices.models import Adoption

PUBLIC = "public"
PRIVATE = "private"
DENIED = "denied"


def adoption_revisions():
    return Revision.objects.filter(base_content_type=ContentType.objects.get_for_model(Adoption))


def visible_adoptions(user):
    """Adoptions the policy lets `user` see, as it decides for the admin."""
    if not user.is_authenticated:
        return Adoption.objects.none()
    policy = policy_registry.get_by_type(Adoption)
    return policy.instances_user_has_any_permission_for(user, ["change", "view"])


def _ids(object_ids):
    return {int(i) for i in object_ids if str(i).isdigit()}


def file_access(user, name):
    """PUBLIC, PRIVATE (this user only) or None (nobody may learn that it exists)."""
    if Adoption.objects.public().filter(evidence_file=name).exists():
        return PUBLIC
    if not user.is_authenticated:
        return None
    visible = visible_adoptions(user)
    if visible.filter(evidence_file=name).exists():
        return PRIVATE
    in_revisions = _ids(
        adoption_revisions().filter(content__evidence_file=name).values_list("object_id", flat=True)
    )
    if in_revisions and visible.filter(pk__in=in_revisions).exists():
        return PRIVATE
    return None


def original_name(name):
    """The uploader's name of a stored file, from a row or else from a revision."""
    original = (
        Adoption.objects.filter(evidence_file=name)
        .exclude(evidence_file_name="")
        .values_list("evidence_file_name", flat=True)
        .first()
    )
    if original:
        return original
    found = (
        adoption_revisions()
        .filter(content__evidence_file=name)
        .values_list("content__evidence_file_name", flat=True)
        .first()
    )
    return found or ""


def document_access(user, document):
    """None when the document is evidence of no adoption (Wagtail's own rules apply), else
    PUBLIC, PRIVATE (this user only) or DENIED."""
    if Adoption.objects.public().filter(evidence_document=document).exists():
        return PUBLIC
    users = set(
        Adoption.objects.filter(evidence_document=document).values_list("pk", flat=True)
    ) | _ids(
        adoption_revisions()
        .filter(content__evidence_document=document.pk)
        .values_list("object_id", flat=True)
    )
    if not users:
        return None
    if visible_adoptions(user).filter(pk__in=users).exists():
        return PRIVATE
    return DENIED


def names_in_revisions(adoption_pk):
    """Every evidence file name that a revision of this adoption carries."""
    names = (
        adoption_revisions()
        .filter(object_id=str(adoption_pk))
        .values_list("content__evidence_file", flat=True)
    )
    return {name for name in names if name}


def names_in_use(names):
    """Those of `names` that something may still serve: an adoption's row (live or draft),
    or a revision that is not superseded. A revision is superseded once a later revision of
    its record has been published (it is older than the record's live revision); revisions of
    a record that is not live are all kept, since any of them may be the one under review."""
    names = {name for name in names if name}
    if not names:
        return set()
    used = set(
        Adoption.objects.filter(evidence_file__in=names).values_list("evidence_file", flat=True)
    )
    rest = names - used
    if not rest:
        return used
    carried = list(
        adoption_revisions()
        .filter(content__evidence_file__in=rest)
        .values_list("pk", "object_id", "content__evidence_file")
    )
    live = dict(
        Adoption.objects.filter(pk__in=_ids(o for _, o, _ in carried)).values_list(
            "pk", "live_revision_id"
        )
    )
    for pk, object_id, name in carried:
        if not str(object_id).isdigit() or int(object_id) not in live:
            continue  # the record is gone
        live_revision = live[int(object_id)]
        if live_revision is None or pk > live_revision:
            used.add(name)
    return used
