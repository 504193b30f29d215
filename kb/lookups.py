"""`field__any=values`: the rows `field__in=values` selects, for long lists of values."""

from django.core.exceptions import EmptyResultSet
from django.db.models import Field
from django.db.models.expressions import ColPairs
from django.db.models.fields.related import ForeignObject
from django.db.models.fields.related_lookups import RelatedIn
from django.db.models.lookups import In


class ArrayOnPostgreSQL:
    """On PostgreSQL the values travel as one array parameter (`= ANY(%s)`): `__in` writes a
    placeholder per value, and for the tens of thousands of records of an import, preparing
    and quoting them cost more than the query. Elsewhere this is `__in`."""

    lookup_name = "any"

    def as_postgresql(self, compiler, connection):
        # A subquery, or a key of several columns: as `__in`.
        if not self.rhs_is_direct_value() or isinstance(self.lhs, (ColPairs, tuple)):
            return self.as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        values = [
            field.get_db_prep_value(value, connection, prepared=True)
            for value in self.rhs
            if value is not None
        ]
        if not values:
            raise EmptyResultSet
        # Typed as the column: with the type psycopg infers from the values (int2[] for
        # small numbers), PostgreSQL searches the array value by value instead of hashing it.
        return f"{lhs} = ANY(%s::{field.db_type(connection)}[])", (*lhs_params, values)


@Field.register_lookup
class Any(ArrayOnPostgreSQL, In):
    pass


@ForeignObject.register_lookup
class RelatedAny(ArrayOnPostgreSQL, RelatedIn):
    """The same on a foreign key (related fields take only their own lookups)."""
