"""Finding the agency a spreadsheet cell means, by code or by name, on a given date.

Cells come typed by hand: "Bac Giang", "Tỉnh Hoà Bình", "TP HCM", "24". The index is built
once from every unit with its period, so an import of any size costs one query here; a code
or a name is then resolved against the units that existed on the row's decision date, as
codes and names are reused (24 was Bắc Giang until 30/6/2025 and is Bắc Ninh since).
"""

import functools
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from practices.models import Agency
from practices.text import fold, normalise

# Prefixes people write or leave out: "Tỉnh", "Thành phố", "TP.", "TP", "T.P". Keys are
# folded and punctuation becomes a space, so "tp." is "tp" and "t.p" is "t p".
_PREFIXES = ("thanh pho ", "tp ", "t p ", "tinh ")
# Common abbreviations, folded, mapped to the folded name they stand for (prefix dropped).
ABBREVIATIONS = {
    "hcm": "ho chi minh",
    "tphcm": "ho chi minh",
    "tp hcm": "ho chi minh",
    "sai gon": "ho chi minh",
    "hn": "ha noi",
    "tphn": "ha noi",
    "brvt": "ba ria vung tau",
    "tt hue": "thua thien hue",
}


@functools.lru_cache(maxsize=65536)
def name_key(text):
    """Folded, punctuation-free form of a name; both tone placements give the same key."""
    folded = fold(normalise(text))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", folded).split())


def strip_prefix(key):
    for prefix in _PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix):
            return key[len(prefix) :]
    return key


def _variants(key):
    """A key, without its prefix, and what an abbreviation stands for."""
    bare = strip_prefix(key)
    found = {key, bare}
    for k in (key, bare, bare.replace(" ", "")):
        if k in ABBREVIATIONS:
            found.add(ABBREVIATIONS[k])
    return found


class AgencyNotFound(ValueError):
    """No unit, or more than one, answers to a cell; the message names the candidates."""

    def __init__(self, message, candidates=()):
        super().__init__(message)
        self.candidates = list(candidates)


def describe(agency):
    period = f", {agency.period_label}" if agency.period_label else ""
    return f"{agency.name} (mã {agency.code}{period})"


@dataclass
class AgencyIndex:
    """Every unit, keyed by code and by name variants; built with one query."""

    by_code: dict
    by_name: dict
    by_pk: dict
    # cell text → units with that code or name, whatever the date: files repeat their cells
    found: dict = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, queryset=None):
        by_code, by_name, by_pk = defaultdict(list), defaultdict(set), {}
        units = queryset if queryset is not None else Agency.objects.all()
        for unit in units.order_by("sort_name", "valid_from", "pk"):
            by_pk[unit.pk] = unit
            by_code[unit.code.lower()].append(unit)
            for name in (unit.name, unit.short_name):
                if name:
                    for variant in _variants(name_key(name)):
                        by_name[variant].add(unit.pk)
        return cls(dict(by_code), dict(by_name), by_pk)

    def add(self, unit):
        """Index `unit` as saved now: a unit created or changed after the index was built
        (an import's earlier rows)."""
        if unit.pk in self.by_pk:
            for code, units in self.by_code.items():
                self.by_code[code] = [u for u in units if u.pk != unit.pk]
            for pks in self.by_name.values():
                pks.discard(unit.pk)
        self.found.clear()
        self.by_pk[unit.pk] = unit
        self.by_code.setdefault(unit.code.lower(), []).append(unit)
        for name in (unit.name, unit.short_name):
            if name:
                for variant in _variants(name_key(name)):
                    self.by_name.setdefault(variant, set()).add(unit.pk)

    def _by_code(self, text):
        code = text.strip().lower()
        units = self.by_code.get(code)
        if not units and code.isdigit() and len(code) < 2:
            units = self.by_code.get(code.zfill(2))  # a spreadsheet dropped the leading 0
        return units or []

    def _by_name(self, text):
        pks = set()
        for variant in _variants(name_key(text)):
            pks |= self.by_name.get(variant, set())
        return sorted((self.by_pk[pk] for pk in pks), key=lambda u: (u.sort_name, u.pk))

    def named(self, text):
        """The units `text` is the code or a name of, whatever their period."""
        text = str(text or "").strip()
        if text not in self.found:
            self.found[text] = self._by_code(text) or self._by_name(text)
        return self.found[text]

    def match(self, text, on=None):
        """The one unit `text` (a code or a name) meant on date `on` (today by default).

        Raises AgencyNotFound, with a Vietnamese message naming the candidates, when no unit
        or several match.
        """
        text = str(text or "").strip()
        if not text:
            raise AgencyNotFound("Chưa ghi cơ quan, đơn vị.")
        on = on or timezone.localdate()
        candidates = self.named(text)
        if candidates:
            valid = [unit for unit in candidates if unit.is_valid_on(on)]
            if len(valid) == 1:
                return valid[0]
            if len(valid) > 1:
                names = "; ".join(describe(unit) for unit in valid)
                raise AgencyNotFound(
                    f"“{text}” khớp với nhiều đơn vị vào ngày {on:%d/%m/%Y}: {names}. "
                    "Hãy ghi mã hoặc tên đầy đủ.",
                    valid,
                )
            names = "; ".join(describe(unit) for unit in candidates)
            raise AgencyNotFound(
                f"“{text}” không có đơn vị nào tồn tại vào ngày {on:%d/%m/%Y}; "
                f"đơn vị cùng mã hoặc tên ở thời kỳ khác: {names}.",
                candidates,
            )
        raise AgencyNotFound(f"Không tìm thấy cơ quan, đơn vị “{text}” (theo mã hoặc tên).")


def match_agency(text, on=None, index=None):
    """One-off matching; imports build the index once and call `index.match`."""
    return (index or AgencyIndex.load()).match(text, on)
