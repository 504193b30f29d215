"""The per-agency dashboards' reads: a unit's practices on a timeline, its gap list (the live
practices it has not adopted, and which comparable units have), and its comparison with another
unit or with the national average, all as of a date.

Every status comes from `practices.history.History` (the one rule for who had reached what by
a date, over public records only). Besides History's own queries, a dashboard reads the live
practices (one query) and the evidence of the peers' records it names (one query): a fixed
number whatever the data size. Computed results are cached under `dashboards.cache.version()`.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.http import urlencode

from dashboards import neighbours
from dashboards.cache import cached
from practices.history import History
from practices.models import (
    CENTRAL_KINDS,
    PROVINCIAL_KINDS,
    Adoption,
    AdoptionStatus,
    Agency,
)
from practices.queries import live_practices
from practices.text import fold

# A peer appears in the gap list when it has adopted the practice or is piloting it: either
# can say how it went. Adopted first.
PEER_STATUSES = (AdoptionStatus.ADOPTED, AdoptionStatus.PILOTING)
SAME_REGION = "cùng vùng"
BORDERING = "giáp ranh"
OTHER_MINISTRY = "bộ, ngành khác"
NATIONAL = "ca-nuoc"  # `?voi=ca-nuoc`: the national average


def kinds_of(agency):
    """The kinds a unit is compared among (None for a department)."""
    if agency.kind in PROVINCIAL_KINDS:
        return PROVINCIAL_KINDS
    if agency.kind in CENTRAL_KINDS:
        return CENTRAL_KINDS
    return None


def kinds_label(kinds):
    return "tỉnh, thành phố" if kinds == PROVINCIAL_KINDS else "bộ, cơ quan ngang bộ"


def default_date(agency, today=None):
    """Today, or the last day of a unit that has ended."""
    today = today or timezone.localdate()
    if agency.valid_to and agency.valid_to < today:
        return agency.valid_to
    return today


def _cached(key, compute, shared=True):
    return cached(f"agency:{key}", compute, shared=shared)


# --- The unit on a date -----------------------------------------------------------------------


@dataclass
class Absence:
    """A unit that did not exist on the date, and the units that stood for it then."""

    date: datetime.date
    before: bool  # the date is before the unit began (else after it ended)
    counterparts: list  # predecessors (before) or successors (after) that existed on the date


def absence(history, agency, date):
    """None if `agency` existed on `date`; else who held its place then, following the
    successions back (a date before it began) or forward (after it ended)."""
    if agency.is_valid_on(date):
        return None
    before = agency.valid_from is not None and date < agency.valid_from
    step = {}
    for predecessor_id, successor_id, _ in history.links:
        if before:
            step.setdefault(successor_id, set()).add(predecessor_id)
        else:
            step.setdefault(predecessor_id, set()).add(successor_id)
    found, seen, stack = [], {agency.id}, [agency.id]
    while stack:
        for nxt in step.get(stack.pop(), ()):
            if nxt in seen or nxt not in history.agencies:
                continue
            seen.add(nxt)
            unit = history.agencies[nxt]
            if unit.is_valid_on(date):
                found.append(unit)
            else:
                stack.append(nxt)
    found.sort(key=lambda unit: unit.sort_name)
    return Absence(date, before, found)


# --- Timeline ---------------------------------------------------------------------------------


@dataclass
class TimelineStep:
    status: str
    on: datetime.date | None  # as recorded
    counts_from: datetime.date  # the day it counts from (History's rule for undated steps)
    instrument: str
    evidence_url: str
    holder: object  # the unit whose record it is
    relation: str  # "" (the unit's own), "predecessor" or "department"
    adoption_id: int

    @property
    def inherited(self):
        return bool(self.relation)

    def get_status_display(self):
        return AdoptionStatus(self.status).label


@dataclass
class PracticeTimeline:
    practice: object
    steps: list  # TimelineStep of the unit's and its predecessors' records, in order
    current: object  # History's Step for the unit on the date (departments' too), or None
    department_records: int = 0  # its departments' records by then: counted, not listed

    @property
    def row_count(self):
        return len(self.steps) + (1 if self.department_records else 0)


def _relation(history, agency, holder_id, date):
    if holder_id == agency.id:
        return ""
    if holder_id in history.predecessors(agency.id, date):
        return "predecessor"
    return "department"


def timeline(history, agency, date, practices):
    """Each practice the unit's records touch by `date`, with every step that counts by then
    of its own records and its predecessors'; its departments' records are counted (a
    province has dozens of departments: their steps would bury its own)."""
    holders = history.holders(agency.id, date)
    relations = {h: _relation(history, agency, h, date) for h in holders}
    lineage = {h for h in holders if relations[h] != "department"}
    departments = holders - lineage
    rows = []
    for practice in practices:
        department_records = sum(
            1
            for holder_id in departments
            if any(
                step.counts_from <= date
                for step in history.records.get((practice.id, holder_id), ())
            )
        )
        steps = [
            TimelineStep(
                step.status,
                step.on,
                step.counts_from,
                step.instrument,
                step.evidence_url,
                history.agencies[holder_id],
                relations[holder_id],
                step.adoption_id,
            )
            for holder_id in lineage
            for step in history.records.get((practice.id, holder_id), ())
            if step.counts_from <= date
        ]
        if steps or department_records:
            steps.sort(key=lambda s: (s.counts_from, s.adoption_id))
            current = history.step_on(agency.id, practice.id, date)
            rows.append(PracticeTimeline(practice, steps, current, department_records))
    return rows


# --- Gap list ---------------------------------------------------------------------------------


@dataclass
class Peer:
    unit: object
    reasons: tuple  # SAME_REGION, BORDERING, OTHER_MINISTRY
    step: object  # History's Step giving the peer its status
    holder: object  # the unit whose record it is (the peer, a predecessor or a department)
    practice: object = None
    adoption: object = None  # the public record, for its evidence file or document

    @property
    def record_url(self):
        """The record's row on the peer's page, narrowed to the practice (the page's table
        is paged; see Adoption.get_absolute_url)."""
        query = urlencode({"giai-phap": self.practice.slug})
        return f"{self.unit.get_absolute_url()}?{query}#ap-dung-{self.step.adoption_id}"


@dataclass
class Gap:
    practice: object
    own: object  # the unit's own Step (planned, piloting, discontinued) or None
    peers: list


@dataclass
class PeerRule:
    region: str  # the unit's region, "" when none is recorded
    bordering: list  # the units bordering it on the date
    others: list  # the other ministries
    kinds: tuple


def comparable_units(history, agency, date):
    """{unit id: reasons} of the units an official of `agency` would ask, on `date`: for a
    province or city, those of its region and those bordering it on the map of that date;
    for a ministry, the other ministries and ministerial agencies. None for a department."""
    kinds = kinds_of(agency)
    if kinds is None:
        return None, None
    units = [unit for unit in history.units_on(date, kinds) if unit.id != agency.id]
    found = {}
    if kinds == CENTRAL_KINDS:
        for unit in units:
            found[unit.id] = (OTHER_MINISTRY,)
        return found, PeerRule("", [], units, kinds)
    bordering_codes = neighbours.neighbours_on(agency.code, date)
    bordering = []
    for unit in units:
        reasons = []
        if agency.region and unit.region == agency.region:
            reasons.append(SAME_REGION)
        if unit.code in bordering_codes:
            reasons.append(BORDERING)
            bordering.append(unit)
        if reasons:
            found[unit.id] = tuple(reasons)
    return found, PeerRule(agency.region, bordering, [], kinds)


def _peer_order(peer):
    return (
        -peer.step.rank,
        BORDERING not in peer.reasons,
        peer.step.counts_from,
        peer.unit.sort_name,
    )


def gap_list(history, agency, date, practices):
    """The live practices the unit had not adopted by `date`, each with the comparable units
    that had adopted or were piloting it then (`PEER_STATUSES`), adopters first."""
    peers_of, rule = comparable_units(history, agency, date)
    gaps = []
    for practice in practices:
        own = history.step_on(agency.id, practice.id, date)
        if own is not None and own.status == AdoptionStatus.ADOPTED:
            continue
        peers = []
        for unit_id, reasons in (peers_of or {}).items():
            step = history.step_on(unit_id, practice.id, date)
            if step is not None and step.status in PEER_STATUSES:
                peers.append(
                    Peer(
                        history.agencies[unit_id],
                        reasons,
                        step,
                        history.agencies[step.agency_id],
                        practice,
                    )
                )
        peers.sort(key=_peer_order)
        gaps.append(Gap(practice, own, peers))
    _attach_evidence([peer for gap in gaps for peer in gap.peers])
    return gaps, rule


def _attach_evidence(peers):
    """The public records behind the peers, for their evidence file or library document; one
    query. A record that is not public is never attached (History reads public ones only)."""
    ids = {peer.step.adoption_id for peer in peers}
    if not ids:
        return
    records = {
        record.pk: record
        for record in Adoption.objects.public()
        .filter(pk__in=sorted(ids))
        .select_related("evidence_document")
        .only("pk", "evidence_file", "evidence_file_name", "evidence_document")
    }
    for peer in peers:
        peer.adoption = records.get(peer.step.adoption_id)


# --- The agency page's dashboard --------------------------------------------------------------


@dataclass
class AgencyDashboard:
    agency: object
    date: datetime.date
    absence: Absence | None
    timeline: list = field(default_factory=list)
    gaps: list = field(default_factory=list)
    rule: PeerRule | None = None


def agency_dashboard(agency, date):
    """The timeline and the gap list of `agency` on `date`, kept by the process: the page
    keeps its drawn section (templates/dashboards/_agency.html), and its timeline chart is
    cached as a chart; the pages of the practices it holds are slow to pickle."""
    return _cached(
        f"dashboard:{agency.id}:{date.isoformat()}",
        lambda: _dashboard(agency, date),
        shared=False,
    )


def _dashboard(agency, date):
    units = History.load_units()
    agency = units.agencies.get(agency.id, agency)
    gone = absence(units, agency, date)
    if gone is not None:
        return AgencyDashboard(agency, date, gone)
    practices = list(live_practices())
    # The unit's own records first; then, for the practices it had not adopted only, its
    # peers': a small part of all the records, read in two queries.
    holders = units.holders(agency.id, date)
    own = units.with_records(agency_ids=holders)
    missing = {
        practice.id
        for practice in practices
        if own.status_on(agency.id, practice.id, date) != AdoptionStatus.ADOPTED
    }
    peers, _ = comparable_units(units, agency, date)
    peer_holders = {holder for unit_id in peers or () for holder in units.holders(unit_id, date)}
    history = own.adding(units.with_records(agency_ids=peer_holders, practice_ids=missing))
    gaps, rule = gap_list(history, agency, date, practices)
    return AgencyDashboard(
        agency, date, None, timeline(history, agency, date, practices), gaps, rule
    )


# --- Comparison -------------------------------------------------------------------------------


@dataclass
class Side:
    """One unit's standing for one practice: its Step (status, date) or None."""

    step: object

    @property
    def status(self):
        return self.step.status if self.step else None


@dataclass
class AverageCell:
    adopters: int
    units: int

    @property
    def share(self):
        return self.adopters / self.units if self.units else 0.0

    @property
    def percent(self):
        return round(100 * self.share, 1)


@dataclass
class ComparisonRow:
    practice: object
    mine: Side
    theirs: object  # Side (another unit) or AverageCell (the national average)


@dataclass
class Comparison:
    agency: object
    date: datetime.date
    absence: Absence | None
    other: object = None  # a unit, or None for the national average
    other_absence: Absence | None = None
    kinds: tuple | None = None  # the kinds averaged over
    units: int = 0  # the denominator of the average
    rows: list = field(default_factory=list)

    @property
    def national(self):
        return self.other is None

    @property
    def kinds_label(self):
        return kinds_label(self.kinds) if self.kinds else ""


def compare(agency, other, date):
    """`agency` beside `other` (a unit, or None for the national average of its kind) on
    `date`, practice by practice (cached)."""
    key = f"compare:{agency.id}:{other.id if other else NATIONAL}:{date.isoformat()}"
    return _cached(key, lambda: _compare(agency, other, date))


def _compare(agency, other, date):
    history = History.load()
    agency = history.agencies.get(agency.id, agency)
    result = Comparison(agency, date, absence(history, agency, date))
    if other is not None:
        result.other = history.agencies.get(other.id, other)
        result.other_absence = absence(history, result.other, date)
    if result.absence or result.other_absence:
        return result
    practices = list(live_practices())
    if other is None:
        result.kinds = kinds_of(agency)
        if result.kinds is None:
            return result
        result.units = len(history.units_on(date, result.kinds))
        for practice in practices:
            adopters = history.adopters(practice.id, date, result.kinds)
            result.rows.append(
                ComparisonRow(
                    practice,
                    Side(history.step_on(agency.id, practice.id, date)),
                    AverageCell(len(adopters), result.units),
                )
            )
        return result
    for practice in practices:
        result.rows.append(
            ComparisonRow(
                practice,
                Side(history.step_on(agency.id, practice.id, date)),
                Side(history.step_on(result.other.id, practice.id, date)),
            )
        )
    return result


def choices(date, query=""):
    """The units one may compare with on `date` (provinces, cities and ministries that existed
    then), narrowed by a name typed with or without diacritics; one query."""
    units = Agency.objects.valid_on(date).filter(kind__in=PROVINCIAL_KINDS + CENTRAL_KINDS)
    folded = fold(query)[:100].strip()
    if folded:
        units = units.filter(name_folded__contains=folded)
    units = units.only("id", "slug", "name", "short_name", "kind", "valid_from", "valid_to")
    units = list(units.order_by("sort_name"))
    provincial = [unit for unit in units if unit.kind in PROVINCIAL_KINDS]
    central = [unit for unit in units if unit.kind in CENTRAL_KINDS]
    return [(kinds_label(PROVINCIAL_KINDS), provincial), (kinds_label(CENTRAL_KINDS), central)]
