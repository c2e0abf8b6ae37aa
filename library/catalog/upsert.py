"""Prepared `INSERT ... ON CONFLICT` in batches: the one way the catalog's writers store rows.

Django's bulk_create builds a model instance and assembles SQL per row; a library refresh writes
tens of thousands of rows, so the writers hand plain tuples to one prepared statement run with
`executemany` instead. A row whose values equal the stored ones is not written at all (the
conflict's update has a WHERE that compares them), so an unchanged re-read leaves the database
untouched. The SQL is the same on SQLite and PostgreSQL but for the "is distinct" operator.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.db import connection, models

type Row = tuple[Any, ...]


def upsert(
    model: type[models.Model],
    rows: Sequence[Row],
    *,
    columns: Sequence[str],
    unique: Sequence[str],
    update: Sequence[str] = (),
) -> int:
    """Insert `rows` (values of `columns`, by field attname); a row whose `unique` columns are
    already stored updates its `update` columns where they differ, or is left alone.

    Columns not named get their field's default in a new row, and are never updated.
    Returns how many rows were inserted or changed.
    """
    if not rows:
        return 0
    rest = [
        f for f in model._meta.concrete_fields if not f.primary_key and f.attname not in columns
    ]
    if rest:
        defaults = tuple(f.get_default() for f in rest)
        rows = [row + defaults for row in rows]
        columns = [*columns, *(f.attname for f in rest)]
    key = [columns.index(name) for name in unique]
    # One order for everyone: two refreshes writing the same rows lock them in the same order,
    # so PostgreSQL never sees them deadlock.
    ordered = sorted(rows, key=lambda row: tuple(row[i] for i in key))
    adapters = [_adapter(model, name) for name in columns]
    if any(adapters):
        ordered = [
            tuple(v if a is None else a(v) for v, a in zip(row, adapters, strict=True))
            for row in ordered
        ]
    with connection.cursor() as cursor:
        cursor.executemany(_statement(model, columns, unique, update), ordered)
        return max(int(cursor.rowcount), 0)


def _statement(
    model: type[models.Model], columns: Sequence[str], unique: Sequence[str], update: Sequence[str]
) -> str:
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    cols = [quote(_column(model, name)) for name in columns]
    conflict = ", ".join(quote(_column(model, name)) for name in unique)
    # Only names from the model's metadata, quoted, go into the text; values are parameters.
    values = ", ".join(["%s"] * len(cols))
    sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({values}) "  # noqa: S608
    sql += f"ON CONFLICT ({conflict}) DO "
    if not update:
        return sql + "NOTHING"
    changed = [quote(_column(model, name)) for name in update]
    distinct = "IS NOT" if connection.vendor == "sqlite" else "IS DISTINCT FROM"
    assignments = ", ".join(f"{c} = excluded.{c}" for c in changed)
    differs = " OR ".join(f"{table}.{c} {distinct} excluded.{c}" for c in changed)
    return sql + f"UPDATE SET {assignments} WHERE {differs}"


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)  # a concrete column, not a reverse relation
    return str(field.column)


def _adapter(model: type[models.Model], name: str) -> Callable[[Any], Any] | None:
    """Datetimes as the ORM stores them (SQLite: naive UTC text), so equal values compare equal."""
    if not isinstance(model._meta.get_field(name), models.DateTimeField):
        return None

    def adapt(value: datetime | None) -> Any:
        return connection.ops.adapt_datetimefield_value(value)

    return adapt
