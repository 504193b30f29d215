"""The widgets that turn a cell into a value and back: dates, choices, text, references."""

import datetime
import difflib
import functools
import re
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone

from import_export import widgets

from practices.matching import AgencyNotFound, describe, name_key
from practices.models import PracticePage
from practices.resources.columns import split_list


def _required(value):
    if value in (None, ""):
        raise ValueError("Thiếu giá trị bắt buộc.")
    return value


class DateWidget(widgets.Widget):
    """dd/mm/yyyy (also d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy) or ISO yyyy-mm-dd.

    `future_days` bounds how far ahead a date may be (a decision date cannot be years away;
    a unit's period may start on a future date, so agencies pass None); `too_far` says so.
    """

    _DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
    _ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")

    @classmethod
    def parse(cls, value):
        if value in (None, ""):
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        return cls._from_text(str(value).strip())

    @classmethod
    @functools.lru_cache(maxsize=4096)  # a file repeats its dates, row after row
    def _from_text(cls, text):
        if match := cls._DMY.match(text):
            day, month, year = (int(part) for part in match.groups())
        elif match := cls._ISO.match(text):
            year, month, day = (int(part) for part in match.groups())
        else:
            raise ValueError("Ngày không đúng dạng; ghi dd/mm/yyyy hoặc yyyy-mm-dd.")
        try:
            return datetime.date(year, month, day)
        except ValueError as error:
            raise ValueError("Ngày không tồn tại.") from error

    def __init__(
        self, future_days=366, too_far="Ngày quyết định quá xa trong tương lai.", **kwargs
    ):
        super().__init__(**kwargs)
        self.future_days, self.too_far = future_days, too_far

    def clean(self, value, row=None, **kwargs):
        date = self.parse(value)
        if date is None or self.future_days is None:
            return date
        # The machine's date is a day at most from the local one, and cheap to read: only a
        # date near the limit needs timezone.localdate().
        if date >= datetime.date.today() + datetime.timedelta(days=self.future_days - 1) and (
            date > timezone.localdate() + datetime.timedelta(days=self.future_days)
        ):
            raise ValueError(self.too_far)
        return date

    def render(self, value, obj=None, **kwargs):
        return f"{value:%d/%m/%Y}" if value else ""


class ChoiceWordWidget(widgets.Widget):
    """A choice given as its code, its Vietnamese label or a common word, with or without
    diacritics."""

    def __init__(self, choices, words, required=True, default=None, **kwargs):
        super().__init__(**kwargs)
        self.default = default
        self.choices = choices
        self.lookup = {name_key(value): value for value in choices.values}
        self.lookup |= {name_key(label): value for value, label in choices.choices}
        self.lookup |= words
        self.required = required

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            if self.required:
                _required(value)
            return self.default
        found = self.lookup.get(name_key(value))
        if found is None:
            accepted = ", ".join(
                f"{label.lower()} ({code})" for code, label in self.choices.choices
            )
            raise ValueError(f"Giá trị không hợp lệ; dùng một trong: {accepted}.")
        return str(found)

    def render(self, value, obj=None, **kwargs):
        return value or ""


_validate_url = URLValidator()


class TextWidget(widgets.Widget):
    def __init__(self, max_length=None, url=False, required=False, **kwargs):
        super().__init__(**kwargs)
        self.max_length = max_length
        self.url = url
        self.required = required

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        if self.required:
            _required(text)
        if self.max_length and len(text) > self.max_length:
            raise ValueError(f"Dài quá {self.max_length} ký tự.")
        if self.url and text:
            try:
                _validate_url(text)
            except ValidationError as error:
                raise ValueError(
                    "Đường dẫn không hợp lệ (cần bắt đầu bằng http:// hoặc https://)."
                ) from error
        return text

    def render(self, value, obj=None, **kwargs):
        return value or ""


class AgencyCodeWidget(TextWidget):
    """Province codes are two digits: a spreadsheet that read "06" as a number wrote 6."""

    def clean(self, value, row=None, **kwargs):
        code = super().clean(value, row, **kwargs)
        return code.zfill(2) if code.isdigit() and len(code) < 2 else code


class PracticeLookup:
    """The practice pages a cell may name: by slug, or by title folded as agency names are
    (with or without diacritics, either tone placement, case and punctuation ignored).

    Loaded with one query; a file repeats its cells, so each text is resolved once.
    """

    SUGGESTIONS = 3
    # Suggesting compares a cell with every title: done for this many unknown cells of a file,
    # so that a file of thousands of wrong cells costs no more than a few.
    SUGGESTED_CELLS = 50

    def __init__(self, pages):
        self.by_slug = {page.slug.lower(): page for page in pages}
        self.by_title = defaultdict(list)
        for page in sorted(pages, key=lambda page: page.pk):
            self.by_title[name_key(page.title)].append(page)
        self.found = {}  # cell text → page, or the message of why it names none
        self.suggested = 0

    @classmethod
    def load(cls):
        return cls(list(PracticePage.objects.all()))

    def find(self, text):
        """The page `text` names; ValueError naming the candidates when none or several."""
        text = str(text or "").strip()
        if text not in self.found:
            try:
                self.found[text] = self._find(text)
            except ValueError as error:
                self.found[text] = str(error)
        found = self.found[text]
        if isinstance(found, str):
            raise ValueError(found)
        return found

    def _find(self, text):
        page = self.by_slug.get(text.lower())
        if page is not None:
            return page
        key = name_key(text)
        pages = self.by_title.get(key, [])
        if len(pages) == 1:
            return pages[0]
        if pages:
            raise ValueError(
                f"“{text}” là tên của {len(pages)} sáng kiến: {_practices(pages)}. "
                "Hãy ghi đường dẫn (slug) của sáng kiến cần chọn."
            )
        near = []
        if self.suggested < self.SUGGESTED_CELLS:
            self.suggested += 1
            near = self._near(key)
        hint = f" Gần giống: {_practices(near)}." if near else ""
        raise ValueError(
            f"Không có sáng kiến nào có đường dẫn (slug) hoặc tên “{text}”.{hint} Danh sách "
            "sáng kiến ở trang “Giá trị hợp lệ” của tệp mẫu (Nhập, xuất dữ liệu)."
        )

    def _near(self, key):
        """A few pages whose title or slug is close to `key`: spelt nearly alike, or holding
        most of its words (a title shortened or reworded)."""
        words = set(key.split())
        if not words:
            return []
        scored = {}
        for page in self.by_slug.values():
            for candidate in (name_key(page.title), name_key(page.slug)):
                shared = len(words & set(candidate.split())) / len(words)
                ratio = difflib.SequenceMatcher(None, key, candidate).ratio()
                scored[page] = max(scored.get(page, 0), shared, ratio)
        near = sorted(
            (page for page, score in scored.items() if score >= 0.6),
            key=lambda page: (-scored[page], page.pk),
        )
        return near[: self.SUGGESTIONS]


def _practices(pages):
    return "; ".join(f"“{page.title}” (đường dẫn {page.slug})" for page in pages)


class PracticeWidget(widgets.Widget):
    """A practice page by its slug or its title (`PracticeLookup`, which the resource loads
    once as `practices`)."""

    def __init__(self, resource, **kwargs):
        super().__init__(**kwargs)
        self.resource = resource

    def clean(self, value, row=None, **kwargs):
        return self.resource.practices.find(_required(str(value or "").strip()))

    def render(self, value, obj=None, **kwargs):
        return value.slug if value else ""


def row_agency_slug(row):
    return str((row or {}).get("agency_slug") or "").strip().lower()


class AgencyWidget(widgets.Widget):
    """The row's agency: the unit of its `agency_slug` when it has one (that column checks
    it, see AgencySlugWidget; None when there is no such unit), or else by code or name as
    the unit existed on the row's decision date (today if none)."""

    def __init__(self, resource, **kwargs):
        super().__init__(**kwargs)
        self.resource = resource

    def clean(self, value, row=None, **kwargs):
        if slug := row_agency_slug(row):
            return self.resource.by_slug.get(slug)
        _required(value)
        try:
            on = DateWidget.parse((row or {}).get("decided_on"))
        except ValueError:
            on = None  # the date column reports its own error
        try:
            return self.resource.agencies.match(value, on)
        except AgencyNotFound as error:
            raise ValueError(str(error)) from error

    def render(self, value, obj=None, **kwargs):
        return value.code if value else ""


class AgencySlugWidget(widgets.Widget):
    """The `agency_slug` column: an existing unit's slug, naming the same unit as the
    `agency` cell beside it (if not empty), whatever the date."""

    def __init__(self, resource, **kwargs):
        super().__init__(**kwargs)
        self.resource = resource

    def clean(self, value, row=None, **kwargs):
        slug = row_agency_slug({"agency_slug": value})
        if not slug:
            return None
        unit = self.resource.by_slug.get(slug)
        if unit is None:
            raise ValueError(f"Không có cơ quan, đơn vị nào có mã định danh “{slug}”.")
        text = str((row or {}).get("agency") or "").strip()
        if text and unit.pk not in {found.pk for found in self.resource.agencies.named(text)}:
            raise ValueError(
                f"Mã định danh “{slug}” là {describe(unit)}, không phải “{text}” ở cột cơ "
                "quan; hãy sửa cho khớp, hoặc xoá mã định danh để tìm đơn vị theo mã, tên và "
                "ngày quyết định."
            )
        return unit

    def render(self, value, obj=None, **kwargs):
        return value.slug if value else ""


class AgencyRefWidget(widgets.Widget):
    """A unit by its slug (what an export writes), or by code or name as it existed on the
    row's date (`on(row)`; today when None). `many`: several, separated by `;`."""

    def __init__(self, resource, on=None, many=False, **kwargs):
        super().__init__(**kwargs)
        self.resource, self.on, self.many = resource, on, many

    def _one(self, text, row):
        found = self.resource.by_slug.get(text.lower())
        if found is not None:
            return found
        try:
            return self.resource.agencies.match(text, self.on(row) if self.on else None)
        except AgencyNotFound as error:
            raise ValueError(str(error)) from error

    def clean(self, value, row=None, **kwargs):
        if self.many:
            return [self._one(text, row) for text in split_list(value)]
        text = str(value or "").strip()
        return self._one(text, row) if text else None

    def render(self, value, obj=None, **kwargs):
        if self.many:
            return "; ".join(sorted(unit.slug for unit in value.all())) if value is not None else ""
        return value.slug if value else ""


class CodeOrNameWidget(widgets.Widget):
    """A category or indicators by code or name; `lookup` maps both (name by name_key)."""

    def __init__(self, resource, attribute, what, many=False, **kwargs):
        super().__init__(**kwargs)
        self.resource, self.attribute, self.what, self.many = resource, attribute, what, many

    def _one(self, text):
        lookup = getattr(self.resource, self.attribute)
        found = lookup.get(text.lower()) or lookup.get(name_key(text))
        if found is None:
            codes = ", ".join(sorted({item.code for item in lookup.values()}))
            raise ValueError(f"Không có {self.what} “{text}”; dùng mã hoặc tên: {codes}.")
        return found

    def clean(self, value, row=None, **kwargs):
        if self.many:
            return [self._one(text) for text in split_list(value)]
        return self._one(str(_required(value)).strip())

    def render(self, value, obj=None, **kwargs):
        if self.many:
            return "; ".join(sorted(item.code for item in value.all())) if value is not None else ""
        return value.code if value else ""
