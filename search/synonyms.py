"""The default synonym groups, kept in search/data/synonyms.toml, and how migrations install
them without touching what editors have changed.

A group from the file is added only when none of its folded variants is in the database yet:
an editor's group (or an editor's edit of a default) that shares one wins, and the file's
group is left out. Each group names the migration that installs it, so that a later migration
adds its own groups only and never brings back one an editor deleted.
"""

import pathlib
import re
import tomllib

from practices.text import fold

DATA_FILE = pathlib.Path(__file__).resolve().parent / "data" / "synonyms.toml"
DEFAULT_MIGRATION = "0004_more_synonyms"
NOTE_LENGTH = 255  # SynonymGroup.note
NOTE_SEPARATOR = " — "
_TOKEN = re.compile(r"\w+")


def read_data_file(path=DATA_FILE):
    """The file's groups in order, each a dict: `terms` (list), `source`, `migration`."""
    data = tomllib.loads(pathlib.Path(path).read_text(encoding="utf-8"))
    return [
        {
            "terms": [term.strip() for term in group["terms"] if term.strip()],
            "source": group.get("source", "").strip(),
            "migration": group.get("migration", DEFAULT_MIGRATION),
        }
        for group in data.get("groups", [])
    ]


def folded(variant):
    """A variant as search matches it: folded words joined by one space ("TP.HCM" → "tp hcm")."""
    return " ".join(_TOKEN.findall(fold(variant)))


def folded_set(variants):
    return {f for f in map(folded, variants) if f}


def terms_text(group):
    """The group's `terms` as SynonymGroup stores them: one variant a line."""
    return "\n".join(group["terms"])


def note_text(group):
    """The canonical wording and the source, cut at a word to fit SynonymGroup.note."""
    note = group["terms"][0] + NOTE_SEPARATOR + group["source"]
    if len(note) <= NOTE_LENGTH:
        return note
    return note[: NOTE_LENGTH - 1].rsplit(" ", 1)[0] + "…"


def _stored_sets(SynonymGroup, using):
    """The folded variant set of every group in the database, read from `terms` (a
    migration's historical model has no `folded_variants`)."""
    return [
        (pk, folded_set(terms.splitlines()))
        for pk, terms in SynonymGroup.objects.using(using).values_list("pk", "terms")
    ]


def add_missing(SynonymGroup, migration=DEFAULT_MIGRATION, groups=None, using="default"):
    """Create the groups of `migration` that the database lacks; returns those created.

    `SynonymGroup` is the model class (a migration passes its historical model). A group is
    skipped when any of its folded variants is already in a stored group, so nothing is
    duplicated and editors' groups are left as they are.
    """
    groups = read_data_file() if groups is None else groups
    taken = set()
    for _, variants in _stored_sets(SynonymGroup, using):
        taken |= variants
    created = []
    for group in groups:
        if group["migration"] != migration:
            continue
        variants = folded_set(group["terms"])
        if variants & taken:
            continue
        created.append(SynonymGroup(terms=terms_text(group), note=note_text(group)))
        taken |= variants
    SynonymGroup.objects.using(using).bulk_create(created)
    return created


def remove_added(SynonymGroup, migration=DEFAULT_MIGRATION, groups=None, using="default"):
    """Delete the groups `add_missing` created for `migration` and nobody changed since: the
    same folded variants and the same note. Returns the number deleted."""
    groups = read_data_file() if groups is None else groups
    ours = {
        (frozenset(folded_set(g["terms"])), note_text(g))
        for g in groups
        if g["migration"] == migration
    }
    notes = dict(SynonymGroup.objects.using(using).values_list("pk", "note"))
    doomed = [
        pk
        for pk, variants in _stored_sets(SynonymGroup, using)
        if (frozenset(variants), notes[pk]) in ours
    ]
    SynonymGroup.objects.using(using).filter(pk__in=doomed).delete()
    return len(doomed)
