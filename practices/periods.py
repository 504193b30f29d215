"""A unit's period in words, and the units that stood before or after it.

Names are reused across periods (two units are called "Tỉnh Bắc Ninh", one until 30/6/2025
and one since 1/7/2025), so wherever a person picks a unit the period is part of its label,
and a date that falls outside the picked unit's period is answered with the unit that
existed on that date, found through the successions.

Models use this module (Adoption.clean), so it imports them only inside functions.
"""

from collections import defaultdict


def labelled(agency):
    """The unit's name with its period: "Tỉnh Bắc Ninh (từ 01/07/2025)", "Tỉnh Bắc Giang
    (đến 30/06/2025)"; a unit without bounds is its name alone."""
    start, end = agency.valid_from, agency.valid_to
    if start and end:
        return f"{agency.name} ({start:%d/%m/%Y} – {end:%d/%m/%Y})"
    if end:
        return f"{agency.name} (đến {end:%d/%m/%Y})"
    if start:
        return f"{agency.name} (từ {start:%d/%m/%Y})"
    return agency.name


class Successions:
    """The succession links, read with one query and walked in memory either way."""

    def __init__(self, links):
        self.before = defaultdict(set)
        self.after = defaultdict(set)
        for predecessor_id, successor_id in links:
            self.before[successor_id].add(predecessor_id)
            self.after[predecessor_id].add(successor_id)

    @classmethod
    def load(cls):
        from practices.models import Succession

        return cls(Succession.objects.values_list("predecessor_id", "successor_id"))

    @staticmethod
    def _walk(start_ids, edges):
        seen, stack = set(), list(start_ids)
        while stack:
            for nxt in edges.get(stack.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return seen

    def predecessors(self, agency_ids):
        """Every unit that (transitively) became one of `agency_ids`."""
        return self._walk(agency_ids, self.before)

    def successors(self, agency_ids):
        """Every unit that one of `agency_ids` (transitively) became."""
        return self._walk(agency_ids, self.after)


def units_on(agency, date, successions=None, units=None):
    """The units that became `agency` or that it became, transitively, which existed on
    `date`: those of the same name first (the likelier meaning), then alphabetically.

    `successions` and `units` (pk → Agency) save the queries when the caller has them
    (an import holds every unit)."""
    successions = successions or Successions.load()
    linked = successions.predecessors({agency.pk}) | successions.successors({agency.pk})
    if units is None:
        from practices.models import Agency

        units = Agency.objects.in_bulk(linked)
    found = [units[pk] for pk in linked if pk in units and units[pk].is_valid_on(date)]
    return sorted(found, key=lambda unit: (unit.name != agency.name, unit.sort_name, unit.pk))


def outside_period(agency, date, name=labelled, verb="chọn", **loaded):
    """Why a decision of `date` cannot be recorded for `agency`, whose period does not hold
    that date, naming the unit (or units) linked to it that existed then:
    "Ngày quyết định 01/08/2025 sau khi Tỉnh Bắc Ninh (đến 30/06/2025) kết thúc; đơn vị lúc
    đó là Tỉnh Bắc Ninh (từ 01/07/2025): hãy chọn đơn vị đó." `name` writes the refused unit
    (an import names it with its code); `verb` is what the person does ("chọn", "ghi")."""
    when = (
        "sau khi {} kết thúc"
        if agency.valid_to and date > agency.valid_to
        else ("trước khi {} bắt đầu")
    )
    refused = f"Ngày quyết định {date:%d/%m/%Y} {when.format(name(agency))}"
    found = units_on(agency, date, **loaded)
    if not found:
        return f"{refused}; hãy {verb} đơn vị tồn tại vào ngày đó."
    names = " hoặc ".join(labelled(unit) for unit in found)
    which = "đơn vị đó" if len(found) == 1 else "đơn vị đã ra quyết định"
    return f"{refused}; đơn vị lúc đó là {names}: hãy {verb} {which}."
