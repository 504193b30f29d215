"""Who may change indicator values: national editors only (and superusers).

Values are national reference data, read off the portal and the instruments that set the
targets; reporters and reviewers read them on the public pages. The rule asks
`reporting.permissions.is_national` and the model permissions that `setup_roles` grants to
the editors' group alone, so that a reviewer (national, but without the permissions) and a
reporter (with no national group) are refused at every admin door, the import included.
"""

from wagtail.permission_policies.base import ModelPermissionPolicy

from reporting.permissions import is_national


class IndicatorValuePolicy(ModelPermissionPolicy):
    def user_has_permission(self, user, action):
        return is_national(user) and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return is_national(user) and super().user_has_any_permission(user, actions)


def can_edit_values(user):
    """Whether `user` may add and change indicator values (the import asks this)."""
    policy = IndicatorValuePolicy("indicators.IndicatorValue")
    return all(policy.user_has_permission(user, action) for action in ("add", "change"))
