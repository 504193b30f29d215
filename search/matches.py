"""A narrow table of the public search rows, `search_match`, for what a broad search asks of
every match: its facets (to count them), its order key (to choose the window to rank) and, on
PostgreSQL, its words without positions (to find them).

Why: a query such as "dịch vụ công trực tuyến" matches most of the catalogue. Counting those
matches by facet from the search rows reads each row's six text columns (about 200 ms at
100,000 rows); here each match is one integer, `facets`, pointing at its combination of
facet values in `search_facets` (a few thousand at most). On PostgreSQL, a phrase checked on
the positional `search_vector` re-reads that vector for every candidate; `terms` holds each
word once and each pair of adjacent words ("dich.vu"), title words again with "@", and no
positions, so the GIN index alone answers a query of words and pairs, with nothing to
re-check. (A phrase of three words or more is matched by its adjacent pairs, see `phrase`.)

Triggers keep both tables in step with every write of `search_searchdocument`, in the same
transaction, as search.fulltext's index is: only public rows (not `deleted`) are here.
"""

from django.db import connection

from search import fulltext

MATCH = "search_match"
FACETS = "search_facets"
FACET_COLUMNS = ["type", "category", "region", "agency_kind", "status", "year"]
SEPARATOR = "\x1f"  # between the values of a combination's key: no value holds it
# The order of a row within a tier of the window (database.Query.window): the catalogue's own
# pages first, as the final ranking breaks its ties, then the shorter text (the rank's length
# normalisation, without reading the text). Below 2**31 on PostgreSQL's integer.
TYPE_RANKS = {"practice": 0, "guidance": 1, "agency": 2}
TYPE_STEP = 100_000_000
TRIGGERS = ["added", "removed", "changed", "truncated"]  # PostgreSQL's, see _POSTGRES_TRIGGERS


def _key_sql(row, vendor):
    """The key of a row's combination: its facet values joined by SEPARATOR."""
    parts = [f"coalesce(CAST({row}.{name} AS TEXT), '')" for name in FACET_COLUMNS]
    return (" || char(31) || " if vendor == "sqlite" else " || chr(31) || ").join(parts)


def _order_sql(row, vendor):
    ranks = " ".join(f"WHEN '{t}' THEN {r}" for t, r in TYPE_RANKS.items())
    smaller = "min" if vendor == "sqlite" else "least"
    size = f"length({row}.title_folded) + length({row}.body_folded)"
    return (
        f"(CASE {row}.type {ranks} ELSE {len(TYPE_RANKS)} END) * {TYPE_STEP} "
        f"+ {smaller}({size}, {TYPE_STEP - 1})"
    )


_TABLE = fulltext.TABLE
_COLUMNS = ", ".join(FACET_COLUMNS)
_NEW_VALUES = ", ".join(f"new.{name}" for name in FACET_COLUMNS)
_WATCHED = ", ".join([*FACET_COLUMNS, "title_folded", "body_folded", "deleted"])

_SQLITE_FILL = [
    f"""INSERT OR IGNORE INTO {FACETS} (key, {_COLUMNS})
        SELECT DISTINCT {_key_sql("d", "sqlite")}, {", ".join(f"d.{c}" for c in FACET_COLUMNS)}
        FROM {_TABLE} d WHERE NOT d.deleted""",
    f"""INSERT INTO {MATCH} (id, facets, ord)
        SELECT d.id, f.id, {_order_sql("d", "sqlite")}
        FROM {_TABLE} d JOIN {FACETS} f ON f.key = {_key_sql("d", "sqlite")}
        WHERE NOT d.deleted""",
]
_SQLITE_INSERT_NEW = f"""
    INSERT OR IGNORE INTO {FACETS} (key, {_COLUMNS})
    SELECT {_key_sql("new", "sqlite")}, {_NEW_VALUES} WHERE NOT new.deleted;
    INSERT INTO {MATCH} (id, facets, ord)
    SELECT new.id, (SELECT id FROM {FACETS} WHERE key = {_key_sql("new", "sqlite")}),
        {_order_sql("new", "sqlite")}
    WHERE NOT new.deleted;"""
_SQLITE_INDEX = [
    f"""CREATE TABLE {FACETS} (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE,
        type TEXT, category TEXT, region TEXT, agency_kind TEXT, status TEXT, year INTEGER)""",
    f"""CREATE TABLE {MATCH} (id INTEGER PRIMARY KEY, facets INTEGER NOT NULL,
        ord INTEGER NOT NULL)""",
    f"CREATE TRIGGER {MATCH}_insert AFTER INSERT ON {_TABLE} BEGIN {_SQLITE_INSERT_NEW} END",
    f"""CREATE TRIGGER {MATCH}_delete AFTER DELETE ON {_TABLE} BEGIN
        DELETE FROM {MATCH} WHERE id = old.id;
    END""",
    f"""CREATE TRIGGER {MATCH}_update AFTER UPDATE OF {_WATCHED} ON {_TABLE} BEGIN
        DELETE FROM {MATCH} WHERE id = old.id; {_SQLITE_INSERT_NEW}
    END""",
    *_SQLITE_FILL,
]
_SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {MATCH}_update",
    f"DROP TRIGGER IF EXISTS {MATCH}_delete",
    f"DROP TRIGGER IF EXISTS {MATCH}_insert",
    f"DROP TABLE IF EXISTS {MATCH}",
    f"DROP TABLE IF EXISTS {FACETS}",
]

# PostgreSQL: `search_terms(title, body)` is the `terms` of a row. Its words are split as
# search.fulltext splits them for `search_vector` (anything but a-z and 0-9 separates). In
# PL/pgSQL, whose plans are kept, and with arrays rather than a query over each word: an SQL
# function planned on every call cost 1 ms a row, three times this.
_POSTGRES_TERMS = f"""
CREATE FUNCTION search_terms(title text, body text) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  title_words text[] := array_remove(string_to_array(regexp_replace(
      left(title, {fulltext.MAX_INDEXED_CHARS}), '[^a-z0-9]+', ' ', 'g'), ' '), '');
  body_words text[] := array_remove(string_to_array(regexp_replace(
      left(body, {fulltext.MAX_INDEXED_CHARS}), '[^a-z0-9]+', ' ', 'g'), ' '), '');
  title_pairs text[] := array(
      SELECT a || '.' || b FROM unnest(title_words[1:cardinality(title_words) - 1],
                                       title_words[2:]) AS pair(a, b));
BEGIN
  -- array_to_tsvector keeps each term once.
  RETURN array_to_tsvector(
    title_words || body_words || title_pairs
    || array(SELECT a || '.' || b FROM unnest(body_words[1:cardinality(body_words) - 1],
                                              body_words[2:]) AS pair(a, b))
    || array(SELECT '@' || term FROM unnest(title_words || title_pairs) AS term));
END $$"""
# The rows written by one statement are added in one INSERT … SELECT from the statement's
# transition table: an import or a refresh COPYs thousands of rows at once, and a trigger run
# for each row (a plan, a look-up of its combination and an insert each time) cost three
# times as much. An UPDATE of the watched columns (a tombstone, a changed status) touches few
# rows and keeps a row trigger: PostgreSQL gives no transition table to an UPDATE OF trigger.
_POSTGRES_ADD = f"""
  INSERT INTO {FACETS} (key, {_COLUMNS})
  SELECT DISTINCT {_key_sql("n", "postgresql")}, {", ".join(f"n.{c}" for c in FACET_COLUMNS)}
  FROM {{rows}} n WHERE NOT n.deleted
  ON CONFLICT (key) DO NOTHING;
  INSERT INTO {MATCH} (id, facets, ord, terms)
  SELECT n.id, f.id, {_order_sql("n", "postgresql")}, search_terms(n.title_folded, n.body_folded)
  FROM {{rows}} n JOIN {FACETS} f ON f.key = {_key_sql("n", "postgresql")}
  WHERE NOT n.deleted;"""
_POSTGRES_TRIGGERS = [
    f"""CREATE FUNCTION search_match_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {_POSTGRES_ADD.format(rows="added")}
  RETURN NULL;
END $$""",
    f"""CREATE FUNCTION search_match_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM {MATCH} m USING removed r WHERE m.id = r.id;
  RETURN NULL;
END $$""",
    f"""CREATE FUNCTION search_match_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM {MATCH} WHERE id = OLD.id;
  IF NOT NEW.deleted THEN
    INSERT INTO {FACETS} (key, {_COLUMNS})
    VALUES ({_key_sql("NEW", "postgresql")}, {_NEW_VALUES})
    ON CONFLICT (key) DO NOTHING;
    INSERT INTO {MATCH} (id, facets, ord, terms)
    SELECT NEW.id, f.id, {_order_sql("NEW", "postgresql")},
        search_terms(NEW.title_folded, NEW.body_folded)
    FROM {FACETS} f WHERE f.key = {_key_sql("NEW", "postgresql")};
  END IF;
  RETURN NULL;
END $$""",
    # A TRUNCATE of the rows (Django's `flush`, which also restarts their ids) empties the
    # table too: rows fire no DELETE trigger then, and matches left behind would collide
    # with the new rows' ids.
    f"""CREATE FUNCTION search_match_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE {MATCH};
  RETURN NULL;
END $$""",
    f"""CREATE TRIGGER {MATCH}_truncated AFTER TRUNCATE ON {_TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION search_match_truncated()""",
    f"""CREATE TRIGGER {MATCH}_added AFTER INSERT ON {_TABLE} REFERENCING NEW TABLE AS added
        FOR EACH STATEMENT EXECUTE FUNCTION search_match_added()""",
    f"""CREATE TRIGGER {MATCH}_removed AFTER DELETE ON {_TABLE}
        REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION search_match_removed()""",
    f"""CREATE TRIGGER {MATCH}_changed AFTER UPDATE OF {_WATCHED} ON {_TABLE}
        FOR EACH ROW EXECUTE FUNCTION search_match_changed()""",
]
_POSTGRES_TRIGGERS_DROP = [
    # The single row trigger of migration 0007, then the triggers above.
    f"DROP TRIGGER IF EXISTS {MATCH}_keep ON {_TABLE}",
    "DROP FUNCTION IF EXISTS search_match_keep()",
    *(f"DROP TRIGGER IF EXISTS {MATCH}_{name} ON {_TABLE}" for name in TRIGGERS),
    *(f"DROP FUNCTION IF EXISTS search_match_{name}()" for name in TRIGGERS),
]
_POSTGRES_FILL = [
    f"""INSERT INTO {FACETS} (key, {_COLUMNS})
        SELECT DISTINCT {_key_sql("d", "postgresql")}, {", ".join(f"d.{c}" for c in FACET_COLUMNS)}
        FROM {_TABLE} d WHERE NOT d.deleted
        ON CONFLICT (key) DO NOTHING""",
    f"""INSERT INTO {MATCH} (id, facets, ord, terms)
        SELECT d.id, f.id, {_order_sql("d", "postgresql")},
            search_terms(d.title_folded, d.body_folded)
        FROM {_TABLE} d JOIN {FACETS} f ON f.key = {_key_sql("d", "postgresql")}
        WHERE NOT d.deleted""",
]
# The index takes new rows into its pending list, merged into the tree a megabyte at a time
# (by the writer that fills it, or by autovacuum): inserting each row's two hundred terms into
# the tree one by one made writing rows five times slower. A search reads the pending list
# too, at most a megabyte of it; `rebuild` merges it.
_POSTGRES_GIN = f"""CREATE INDEX {MATCH}_terms ON {MATCH} USING gin (terms)
    WITH (fastupdate = on, gin_pending_list_limit = 1024)"""
_POSTGRES_INDEX = [
    _POSTGRES_TERMS,
    f"""CREATE TABLE {FACETS} (id serial PRIMARY KEY, key text NOT NULL UNIQUE,
        type text, category text, region text, agency_kind text, status text, year integer)""",
    # The words stay out of the table's own pages (TOAST): counting reads only the integers.
    f"""CREATE TABLE {MATCH} (id integer PRIMARY KEY, facets integer NOT NULL,
        ord integer NOT NULL, terms tsvector NOT NULL) WITH (toast_tuple_target = 128)""",
    *_POSTGRES_TRIGGERS,
    *_POSTGRES_FILL,
    _POSTGRES_GIN,
    f"ANALYZE {MATCH}",
]
_POSTGRES_DROP = [
    *_POSTGRES_TRIGGERS_DROP,
    f"DROP TABLE IF EXISTS {MATCH}",
    f"DROP TABLE IF EXISTS {FACETS}",
    "DROP FUNCTION IF EXISTS search_terms(text, text)",
]


def create(schema_editor):
    """Create the tables and their triggers, filled from the rows already there."""
    fulltext.run(schema_editor, _SQLITE_INDEX, _POSTGRES_INDEX)


def drop(schema_editor):
    fulltext.run(schema_editor, _SQLITE_DROP, _POSTGRES_DROP)


def retrigger(schema_editor):
    """PostgreSQL: replace the triggers and the GIN index by those above: migration 0007's
    row trigger and index without a pending list (migration 0008), then the triggers without
    the one on TRUNCATE (migration 0010)."""
    rebuild_index = [f"DROP INDEX IF EXISTS {MATCH}_terms", _POSTGRES_GIN]
    fulltext.run(schema_editor, [], [*_POSTGRES_TRIGGERS_DROP, *_POSTGRES_TRIGGERS, *rebuild_index])


def rebuild():
    """Fill the table again from the rows (`search_rebuild`). The combinations are kept: a
    combination's number never changes meaning."""
    fill = _SQLITE_FILL if connection.vendor == "sqlite" else _POSTGRES_FILL
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {MATCH}")
        for statement in fill:
            cursor.execute(statement)
        if connection.vendor != "sqlite":
            cursor.execute(f"SELECT gin_clean_pending_list('{MATCH}_terms')")
            cursor.execute(f"ANALYZE {MATCH}")


# --- PostgreSQL queries on `terms` ---------------------------------------------------------


def phrase(folded, title=False):
    """A tsquery on `terms` for the words of `folded` kept together: a word, or the adjacent
    pairs of a phrase ("dich.vu & vu.cong"). Pairs make a phrase of two words exact; a longer
    one is matched when every adjacent pair of it is in the row, which a row could be without
    the whole phrase (rare in real text; the rank and the highlighting still see the exact
    phrase). `title`: in the title. "" when `folded` has no word."""
    found = fulltext.words(folded)
    mark = "@" if title else ""
    if len(found) == 1:
        return f"'{mark}{found[0]}'"
    return " & ".join(f"'{mark}{a}.{b}'" for a, b in zip(found, found[1:], strict=False))


def any_phrase(variants, title=False):
    phrases = [p for p in dict.fromkeys(phrase(v, title) for v in variants) if p]
    return "(" + " | ".join(f"({p})" for p in phrases) + ")" if phrases else ""
