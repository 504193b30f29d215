"""The one place that decides which adoptions a user may read, create or change.

Every door uses it: the admin (through Wagtail's permission policy registry, asked by every
view of one record, by the lists, the chooser, the bulk actions and the exports), the adoption
form's agency and "Học tập từ" choices, and imports.

A reporter acts for the agencies of their memberships, the units that became those agencies
(a merged province reports its predecessors' history, through `Succession`, transitively), and
the departments of all of them. A membership of a unit that has ended (its `valid_to` is past)
no longer grants new reports: its records stay readable, but nothing is created, changed or
submitted for it, unless a current membership reaches it as a predecessor.
"""

from django.db.models import Q
from django.utils import timezone

from wagtail.permission_policies.base import ModelPermissionPolicy

from practices.periods import Successions
from reporting.roles import NATIONAL_GROUPS

# The actions that only read; every other action writes (add, change, publish, lock…).
READ_ACTIONS = frozenset({"view"})


def is_national(user):
    """National reviewers and editors (and superusers) act for every agency."""
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=NATIONAL_GROUPS).exists()


def _memberships(user):
    if not user.is_authenticated:
        return []
    return list(user.agency_memberships.select_related("agency"))


def _reach(agency_ids):
    """`agency_ids`, the units that (transitively) became them, and the departments of all."""
    from practices.models import Agency

    if not agency_ids:
        return set()
    units = set(agency_ids) | Successions.load().predecessors(agency_ids)
    return set(
        Agency.objects.filter(Q(pk__in=units) | Q(parent_id__in=units)).values_list("pk", flat=True)
    )


def ended_agencies(user):
    """The units of `user`'s memberships that have ended, oldest first."""
    today = timezone.localdate()
    ended = [
        m.agency for m in _memberships(user) if m.agency.valid_to and m.agency.valid_to < today
    ]
    return sorted(ended, key=lambda agency: agency.valid_to)


def agency_scope(user):
    """Ids of the agencies `user` may report for now (their current units, the units that
    became them, and the departments of these), or None when the user is not limited to any."""
    if is_national(user):
        return None
    today = timezone.localdate()
    current = [
        m.agency_id
        for m in _memberships(user)
        if m.agency.valid_to is None or m.agency.valid_to >= today
    ]
    return _reach(current)


def readable_agency_scope(user):
    """Ids of the agencies whose records `user` may read: those of `agency_scope` and those
    that the memberships of units that have ended reach the same way, or None when not
    limited."""
    if is_national(user):
        return None
    return _reach([m.agency_id for m in _memberships(user)])


def import_scope(user):
    """Ids of the agencies an adoption import by `user` may write, its rows entering review as
    reports; None when the import publishes directly. A reporter's scope is `agency_scope`;
    a national user who may not publish (a reviewer) reports for any agency, since a reviewer
    makes a record public only by approving a review."""
    from practices.models import Agency

    scope = agency_scope(user)
    if scope is None and not user.has_perm("practices.publish_adoption"):
        return set(Agency.objects.values_list("pk", flat=True))
    return scope


def scope_for(user, action):
    return readable_agency_scope(user) if action in READ_ACTIONS else agency_scope(user)


def ended_unit_message(agency):
    return (
        f"{agency.name} đã kết thúc hoạt động từ ngày {agency.valid_to:%d/%m/%Y}: báo cáo của "
        "đơn vị này chỉ còn để xem, không tạo, sửa hay gửi thẩm định được nữa. Nếu bạn nay báo "
        "cáo cho đơn vị kế thừa, hãy đề nghị quản trị viên gán bạn cho đơn vị đó."
    )


def refusal_message(user, action, instance):
    """Why `user` may not do `action` on `instance`, in Vietnamese, when the reason is one
    worth telling (their unit has ended); None otherwise."""
    if action in READ_ACTIONS or is_national(user):
        return None
    readable = readable_agency_scope(user)
    if instance.agency_id in readable and instance.agency_id not in agency_scope(user):
        return ended_unit_message(instance.agency)
    return None


class AdoptionPermissionPolicy(ModelPermissionPolicy):
    """Model permissions from the user's groups, narrowed to the reporter's agencies."""

    def _model_permission(self, user, action):
        return super().user_has_permission(user, action)

    def user_has_permission(self, user, action):
        if not self._model_permission(user, action):
            return False
        if action == "add":
            # Someone whose every unit has ended has nothing left to report for.
            scope = agency_scope(user)
            return scope is None or bool(scope)
        return True

    def user_has_permission_for_instance(self, user, action, instance):
        if not self._model_permission(user, action):
            return False
        scope = scope_for(user, action)
        return scope is None or instance.agency_id in scope

    def instances_user_has_permission_for(self, user, action):
        return self.instances_user_has_any_permission_for(user, [action])

    def instances_user_has_any_permission_for(self, user, actions):
        manager = self.model._default_manager
        allowed = [action for action in actions if self._model_permission(user, action)]
        if not allowed:
            return manager.none()
        if is_national(user):
            return manager.all()
        scope = set().union(*(scope_for(user, action) for action in allowed))
        return manager.filter(agency_id__in=scope)

    def visible_to(self, user):
        """The records `user` may at least read."""
        return self.instances_user_has_any_permission_for(user, ["view", "change"])

    def sources_for(self, user):
        """The records `user` may name as "Học tập từ": public ones and those they may read."""
        public = self.model.objects.public()
        if is_national(user):
            return self.model._default_manager.all()
        return self.model._default_manager.filter(
            Q(pk__in=public.values("pk")) | Q(pk__in=self.visible_to(user).values("pk"))
        )


def adoption_policy():
    from wagtail.permissions import policy_registry

    from practices.models import Adoption

    return policy_registry.get_by_type(Adoption)
