"""The database engine's full-text index over the folded text of the search rows.

SQLite: an FTS5 table, `search_fulltext`, whose content is `search_searchdocument` (external
content: the text is stored once) and which triggers keep in step with every insert, update
and delete of a row. PostgreSQL: a generated `tsvector` column, `search_vector`, with a GIN
index. On both, only public rows are indexed (a tombstone, `deleted`, is not), and any write
of the rows (the sync's per-record path, its bulk refresh, `bulk_create` in the benchmarks) is
indexed in the same transaction: nothing has to call this module to keep it true.

The text indexed is the folded title and body (practices.text.fold_aligned), split where
anything but a-z and 0-9 stands, as the highlighting (`results.spans_for`) splits it; the
title carries more weight than the body. Both databases are given the same words: FTS5's
`unicode61` tokenizer on folded text, and PostgreSQL's `simple` configuration on the text with
every separator made a space first (its parser would otherwise keep "42/2022/nd-cp" whole, as
a file path).

Why a tsvector column with GIN on PostgreSQL, not pg_trgm: a query asks for whole words and
phrases of words (a synonym is a phrase). The GIN index finds the rows holding the words, and
a phrase is checked on the row's tsvector, which keeps the positions; trigrams answer
substrings and would need every match re-checked against the text itself. (That phrase check
reads each candidate's tsvector: the cost of broad queries, see BENCHMARKS.md.)
"""

import re

from django.db import connection

TABLE = "search_searchdocument"
FTS = "search_fulltext"
WORDS = "search_fulltext_words"  # SQLite: the index's words and how many rows hold each
VECTOR = "search_vector"
# The longest text put in a tsvector: a tsvector holds at most 1 MB, and a page's body has no
# other bound. Far beyond any body of the catalogue; the rest of a longer text is not indexed.
MAX_INDEXED_CHARS = 300_000
WORD = re.compile(r"[a-z0-9]+")

_SQLITE_INDEX = [
    f"""CREATE VIRTUAL TABLE {FTS} USING fts5(
        title_folded, body_folded,
        content='{TABLE}', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0'
    )""",
    f"CREATE VIRTUAL TABLE {WORDS} USING fts5vocab({FTS}, 'row')",
    f"""CREATE TRIGGER {FTS}_insert AFTER INSERT ON {TABLE} WHEN NOT new.deleted BEGIN
        INSERT INTO {FTS}(rowid, title_folded, body_folded)
        VALUES (new.id, new.title_folded, new.body_folded);
    END""",
    f"""CREATE TRIGGER {FTS}_delete AFTER DELETE ON {TABLE} WHEN NOT old.deleted BEGIN
        INSERT INTO {FTS}({FTS}, rowid, title_folded, body_folded)
        VALUES ('delete', old.id, old.title_folded, old.body_folded);
    END""",
    # One trigger, two statements in order: the old words out, then the new ones in. (Two
    # triggers would fire in an order SQLite does not promise.) Only a change of the text or
    # of `deleted` fires it, not the sync marking a row sent (`indexed_at`).
    f"""CREATE TRIGGER {FTS}_update AFTER UPDATE OF title_folded, body_folded, deleted
        ON {TABLE} BEGIN
        INSERT INTO {FTS}({FTS}, rowid, title_folded, body_folded)
        SELECT 'delete', old.id, old.title_folded, old.body_folded WHERE NOT old.deleted;
        INSERT INTO {FTS}(rowid, title_folded, body_folded)
        SELECT new.id, new.title_folded, new.body_folded WHERE NOT new.deleted;
    END""",
]
_SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {FTS}_update",
    f"DROP TRIGGER IF EXISTS {FTS}_delete",
    f"DROP TRIGGER IF EXISTS {FTS}_insert",
    f"DROP TABLE IF EXISTS {WORDS}",
    f"DROP TABLE IF EXISTS {FTS}",
]


def _words_sql(column):
    return (
        f"to_tsvector('simple', regexp_replace(left({column}, {MAX_INDEXED_CHARS}), "
        "'[^a-z0-9]+', ' ', 'g'))"
    )


_POSTGRES_INDEX = [
    f"""ALTER TABLE {TABLE} ADD COLUMN {VECTOR} tsvector GENERATED ALWAYS AS (
        setweight({_words_sql("title_folded")}, 'A') || setweight({_words_sql("body_folded")}, 'D')
    ) STORED""",
    f"CREATE INDEX {VECTOR}_gin ON {TABLE} USING gin ({VECTOR}) WHERE NOT deleted",
]
_POSTGRES_DROP = [f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS {VECTOR}"]


def create(schema_editor):
    """Create the index (a migration's forward step); fills it from the rows already there."""
    run(schema_editor, _SQLITE_INDEX, _POSTGRES_INDEX)
    if schema_editor.connection.vendor == "sqlite":
        _sqlite_fill(schema_editor.connection)


def drop(schema_editor):
    run(schema_editor, _SQLITE_DROP, _POSTGRES_DROP)


def run(schema_editor, sqlite, postgresql):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": sqlite, "postgresql": postgresql}.get(vendor)
    if statements is None:
        raise NotImplementedError(f"No full-text index for the {vendor} database.")
    for statement in statements:
        schema_editor.execute(statement)


def _sqlite_fill(conn):
    with conn.cursor() as cursor:
        cursor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('delete-all')")
        cursor.execute(
            f"INSERT INTO {FTS}(rowid, title_folded, body_folded) "
            f"SELECT id, title_folded, body_folded FROM {TABLE} WHERE NOT deleted"
        )


def rebuild():
    """Build the index again from the rows (`search_rebuild`); returns what was done, in
    Vietnamese, for the command to print."""
    if connection.vendor == "sqlite":
        _sqlite_fill(connection)
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('optimize')")
        return "chỉ mục FTS5 của SQLite đã được dựng lại"
    # The generated column is always true to its row; the GIN index is rebuilt and its
    # pending list merged, and the planner's statistics refreshed.
    with connection.cursor() as cursor:
        cursor.execute(f"REINDEX INDEX {VECTOR}_gin")
        cursor.execute(f"ANALYZE {TABLE}")
    return "chỉ mục GIN của PostgreSQL đã được dựng lại"


# --- Match expressions --------------------------------------------------------------------


def words(folded):
    """The words of folded text, as the index splits it."""
    return WORD.findall(folded)


def sqlite_phrase(folded):
    """An FTS5 phrase for the words of `folded`; "" when it has none."""
    found = words(folded)
    return '"' + " ".join(found) + '"' if found else ""


def sqlite_any(variants):
    """An FTS5 expression matching any of `variants` (folded texts)."""
    phrases = [p for p in dict.fromkeys(map(sqlite_phrase, variants)) if p]
    return "(" + " OR ".join(phrases) + ")" if phrases else ""


def postgres_phrase(folded):
    found = words(folded)
    return " <-> ".join(found)


def postgres_any(variants):
    phrases = [p for p in dict.fromkeys(map(postgres_phrase, variants)) if p]
    return "(" + " | ".join(f"({p})" for p in phrases) + ")" if phrases else ""
