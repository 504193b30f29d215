"""The admin form of every page type: ASCII slugs, and a slug already taken named in Vietnamese
with the page that holds it."""

from django import forms
from django.urls import reverse
from django.utils.html import format_html

from wagtail.admin.forms import WagtailAdminPageForm

from kb.slugs import SLUG_RE, slug_input, slugify_vi


def page_state(page):
    return "đang công khai" if page.live else "bản nháp, chưa công khai"


def slug_taken_message(page):
    """Plain text, for saves outside the admin form (imports, code)."""
    return (
        f"Đường dẫn “{page.slug}” đã được dùng cho trang “{page.get_admin_display_title()}” "
        f"({page_state(page)}) trong cùng mục."
    )


class PageForm(WagtailAdminPageForm):
    """Wagtail's page form, with the slug field folding as `kb.slugs` does and a taken slug
    answered with the page that has it (its title, whether it is a draft, a link to edit it)
    rather than Wagtail's English "The slug … is already in use"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].widget = slug_input()
            self.fields["slug"].help_text = (
                "Phần cuối của địa chỉ trang, chữ không dấu nối bằng gạch ngang; "
                "tự điền theo tiêu đề khi trang chưa công khai."
            )

    def clean_slug(self):
        slug = self.cleaned_data.get("slug", "")
        # Pages made before slugs were ASCII keep theirs until someone changes it.
        if slug and slug != self.instance.slug and not SLUG_RE.match(slug):
            raise forms.ValidationError(
                "Đường dẫn chỉ gồm chữ thường không dấu (a–z), chữ số và dấu gạch ngang, "
                f"ví dụ “{slugify_vi(slug)}”."
            )
        return slug

    def clean(self):
        slug = self.cleaned_data.get("slug")
        holder = self._page_holding(slug) if slug else None
        if holder is not None:
            self._add_slug_taken_errors(holder)
        # With the slug's error added first, Wagtail's own check finds no slug left to check.
        return super().clean()

    def _page_holding(self, slug):
        if self.parent_page is None:
            return None
        siblings = self.parent_page.get_children().filter(slug=slug)
        if self.instance.pk:
            siblings = siblings.exclude(pk=self.instance.pk)
        return siblings.first()

    def _add_slug_taken_errors(self, holder):
        title = holder.get_admin_display_title()
        link = format_html(
            '<a href="{}" data-slug-taken-link>Mở trang “{}” để sửa tiếp</a>',
            reverse("wagtailadmin_pages:edit", args=[holder.pk]),
            title,
        )
        self.add_error(
            "slug",
            format_html(
                "Đường dẫn “{}” đã được dùng cho trang “{}” ({}) trong cùng mục. {} "
                "hoặc đặt đường dẫn khác.",
                holder.slug,
                title,
                page_state(holder),
                link,
            ),
        )
        # The slug is on the "Promote" tab; when it came from the title, the editor is told
        # where they typed it.
        title_field = self.cleaned_data.get("title")
        if "title" in self.fields and title_field and slugify_vi(title_field) == holder.slug:
            self.add_error(
                "title",
                format_html(
                    "Tiêu đề này cho đường dẫn “{}”, đã được dùng cho trang “{}” ({}) trong "
                    "cùng mục. {}, hoặc đổi tiêu đề hay đường dẫn nếu đây là một trang khác.",
                    holder.slug,
                    title,
                    page_state(holder),
                    link,
                ),
            )
