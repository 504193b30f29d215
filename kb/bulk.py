"""Writing thousands of new rows at once, for imports and search refreshes.

`bulk_create` needs model instances, all of them in a list, and on PostgreSQL sends them as
arrays that psycopg quotes in Python, a regular expression per element: for 10,000 rows,
building the instances and quoting their values cost more than the database's own work.
`insert_rows` takes plain values and, on PostgreSQL, streams them with COPY.
"""

from django.db import connections
from django.utils import timezone

# Fields whose Python value psycopg sends as is on PostgreSQL: for them `get_db_prep_save`
# returns its argument, so calling it for every value is time spent for nothing.
_SENT_AS_IS = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "DateField",
    "DateTimeField",
    "ForeignKey",
    "IntegerField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
    "URLField",
    "UUIDField",
}


def reserve_pks(model, count):
    """`count` new primary keys of `model`, in order, that no other insert will take: rows
    given their pks before they are written can be referred to by other rows written first
    (a revision names its object, the object its latest revision)."""
    if not count:
        return []
    db = connections[model.objects.db]
    opts = model._meta
    table, pk = opts.db_table, opts.pk.column
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk, count],
            )
            return [value for (value,) in cursor.fetchall()]
        # SQLite: Django's integer keys are AUTOINCREMENT, numbered from sqlite_sequence.
        # Moving it on first takes the write lock, so no other connection reads it meanwhile.
        quote = db.ops.quote_name
        highest = f"SELECT coalesce(max({quote(pk)}), 0) FROM {quote(table)}"  # noqa: S608
        cursor.execute(
            f"UPDATE sqlite_sequence SET seq = max(seq, ({highest})) + %s WHERE name = %s",  # noqa: S608
            [count, table],
        )
        if not cursor.rowcount:
            cursor.execute(
                f"INSERT INTO sqlite_sequence (name, seq) SELECT %s, ({highest}) + %s",  # noqa: S608
                [table, count],
            )
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        last = cursor.fetchone()[0]
    return list(range(last - count + 1, last + 1))


def insert_rows(model, names, rows):
    """Insert new rows of `model`: `rows` (any iterable) holds one sequence of values per row,
    in the order of `names` (attnames), as the instance's attributes would hold them. Send no
    signals, as `bulk_create` does not.

    Fields not named take `now` when they are `auto_now`/`auto_now_add` and their default
    otherwise (computed once for all rows); a pk not named is numbered by the database (name
    it with values from `reserve_pks` to know it).

    On PostgreSQL the rows are streamed with COPY; while it runs the connection takes no
    other query, so `rows` must not read the database. Elsewhere they go as one statement
    with many parameter sets.
    """
    db = connections[model.objects.db]
    postgresql = db.vendor == "postgresql"
    opts = model._meta
    given = [opts.get_field(name) for name in names]
    missing = [f for f in opts.concrete_fields if not f.primary_key and f not in given]
    now = timezone.now()
    extra = [
        field.get_db_prep_save(now if _stamped(field) else field.get_default(), db)
        for field in missing
    ]
    prepare = [
        None if postgresql and field.get_internal_type() in _SENT_AS_IS else field
        for field in given
    ]

    def prepared():
        for row in rows:
            values = [
                value if field is None else field.get_db_prep_save(value, db)
                for field, value in zip(prepare, row, strict=True)
            ]
            values.extend(extra)
            yield values

    quote = db.ops.quote_name
    table = quote(opts.db_table)
    columns = ", ".join(quote(field.column) for field in given + missing)
    with db.cursor() as cursor:
        if postgresql:
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for values in prepared():
                    copy.write_row(values)
        else:
            placeholders = ", ".join(["%s"] * (len(given) + len(missing)))
            # Names from the model; the values travel apart from the statement.
            statement = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
            cursor.executemany(statement, prepared())


def _stamped(field):
    return getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
