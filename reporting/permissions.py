"""The one place that decides which adoptions a user may read, create or change.

Every door uses it: the admin (through Wagtail's permission policy registry), the adoption
form's agency choices, and imports.
"""

from django.db.models import Q

from wagtail.permission_policies.base import ModelPermissionPolicy

from reporting.roles import NATIONAL_GROUPS


def is_national(user):
    """National reviewers and editors (and superusers) act for every agency."""
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=NATIONAL_GROUPS).exists()


def agency_scope(user):
    """Ids of the agencies `user` reports for (their own and their departments), or None
    when the user is not limited to any."""
    from practices.models import Agency

    if is_national(user):
        return None
    own = list(user.agency_memberships.values_list("agency_id", flat=True))
    if not own:
        return set()
    return set(
        Agency.objects.filter(Q(pk__in=own) | Q(parent_id__in=own)).values_list("pk", flat=True)
    )


class AdoptionPermissionPolicy(ModelPermissionPolicy):
    """Model permissions from the user's groups, narrowed to the reporter's agencies."""

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        scope = agency_scope(user)
        return scope is None or instance.agency_id in scope

    def instances_user_has_permission_for(self, user, action):
        if not self.user_has_permission(user, action):
            return self.model._default_manager.none()
        return self.scoped(user, self.model._default_manager.all())

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model._default_manager.none()
        return self.scoped(user, self.model._default_manager.all())

    def scoped(self, user, queryset):
        scope = agency_scope(user)
        return queryset if scope is None else queryset.filter(agency_id__in=scope)
