"""Prepared `INSERT ... ON CONFLICT` (and `UPDATE`) in batches: the one way the catalog's writers
store rows.

Django's bulk_create builds a model instance and assembles SQL per row; a library refresh writes
tens of thousands of rows, so the writers hand plain tuples to one prepared statement run with
`executemany` instead. A row whose values equal the stored ones is not written at all (the
conflict's update has a WHERE that compares them), so an unchanged re-read leaves the database
untouched. The SQL is the same on SQLite and PostgreSQL but for the "is distinct" operator.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from operator import itemgetter
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
    ordered = _adapted(model, columns, sorted(rows, key=itemgetter(*key)))
    with connection.cursor() as cursor:
        cursor.executemany(_statement(model, columns, unique, update), ordered)
        return max(int(cursor.rowcount), 0)


def update_rows(
    model: type[models.Model],
    rows: Sequence[Row],
    *,
    key: Sequence[str],
    columns: Sequence[str],
) -> None:
    """Set `columns` of the stored rows that `key` names: each row is (*key values, *values of
    `columns`); a key not stored changes nothing. One prepared UPDATE for all rows."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    assignments = ", ".join(f"{quote(_column(model, name))} = %s" for name in columns)
    where = " AND ".join(f"{quote(_column(model, name))} = %s" for name in key)
    sql = f"UPDATE {table} SET {assignments} WHERE {where}"  # noqa: S608
    width = len(key)
    params = _adapted(model, columns, [(*row[width:], *row[:width]) for row in rows])
    # In key order, as upsert writes, for the same reason (no deadlocks on PostgreSQL).
    ordered: list[Row] = sorted(params, key=lambda row: row[-width:])
    with connection.cursor() as cursor:
        cursor.executemany(sql, ordered)


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


def _adapted(model: type[models.Model], columns: Sequence[str], rows: list[Row]) -> list[Row]:
    """`rows` (values of `columns` first) with their datetimes as the database compares them."""
    adapt = _datetime_adapter()
    if adapt is None:
        return rows
    for i, name in enumerate(columns):
        if isinstance(model._meta.get_field(name), models.DateTimeField):
            rows = [(*row[:i], adapt(row[i]), *row[i + 1 :]) for row in rows]
    return rows


def _datetime_adapter() -> Callable[[datetime | None], str | None] | None:
    """SQLite: datetimes as the ORM stores them (naive text in the connection's time zone), so
    equal values compare equal; Django's own adapter costs more than the row's whole write.
    PostgreSQL's driver adapts datetimes itself."""
    if connection.vendor != "sqlite":
        return None
    zone = connection.timezone

    def adapt(value: datetime | None) -> str | None:
        if value is None:
            return None
        if value.utcoffset() is not None:
            value = value.astimezone(zone).replace(tzinfo=None)
        return str(value)

    return adapt
