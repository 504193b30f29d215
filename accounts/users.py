"""Wagtail's lists of users and groups, searched with or without diacritics
(kb.admin_search): "nguyen van" finds "Nguyễn Văn …", "bao cao vien" the group "Báo cáo viên
cơ quan". Everything else is Wagtail's own (accounts.apps.WagtailUsersConfig names them)."""

from wagtail.users.views import groups, users

from kb.admin_search import FoldedFields, FoldedSearchMixin, FoldedSearchViewSetMixin


class UserIndexView(FoldedSearchMixin, users.IndexView):
    pass


class UserViewSet(FoldedSearchViewSetMixin, users.UserViewSet):
    index_view_class = UserIndexView
    # The fields Wagtail's own list searches, folded.
    folded_search = FoldedFields("username", "first_name", "last_name", "email")


class GroupIndexView(FoldedSearchMixin, groups.IndexView):
    pass


class GroupViewSet(FoldedSearchViewSetMixin, groups.GroupViewSet):
    index_view_class = GroupIndexView
    folded_search = FoldedFields("name")
