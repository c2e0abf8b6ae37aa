"""The rows of a new job's items, written in one `executemany`.

A whole-library job has 10,000 items. Django's `bulk_create` prepares every value of every
field of every row (25 fields, a quarter of a million calls) and builds model instances first;
here each column's default is prepared once, a row is a tuple that varies only in the few
columns a new item sets, and the database driver sends the rows as one prepared statement.
Values go through the fields' own `get_db_prep_save`, so what lands in the table is what
`bulk_create` would have written.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, models
from django.utils import timezone

from downloads.models import JobItem, StoredFile

ALREADY_DOWNLOADED = "Already downloaded"


@dataclass(frozen=True, slots=True)
class NewItem:
    track_id: int
    position: int
    chunk: int
    stored: StoredFile | None  # a file on disk that this download would end up with


def items_insert(*, job_id: int, items: Iterable[NewItem]) -> int:
    """Insert the items of job `job_id`; returns how many rows were written."""
    fields = [f for f in JobItem._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    defaults = {f.attname: _prepared(f.attname, _default(f, now)) for f in fields}
    defaults["job_id"] = job_id
    columns = [f.attname for f in fields]
    rows = list(_rows(items, defaults, columns, now))
    if not rows:
        return 0
    quote = connection.ops.quote_name
    names = ", ".join(quote(str(f.column)) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    # Names from the model, quoted; every value is a parameter.
    sql = f"INSERT INTO {quote(JobItem._meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    return len(rows)


def _rows(
    items: Iterable[NewItem], defaults: dict[str, Any], columns: Sequence[str], now: Any
) -> Iterator[tuple[Any, ...]]:
    varying = ("track_id", "position", "chunk")
    head = [defaults[c] for c in columns]
    at = {name: columns.index(name) for name in varying}
    for item in items:
        if item.stored is not None:
            row = dict(defaults, **_done_values(item.stored, now))
            row.update(track_id=item.track_id, position=item.position, chunk=item.chunk)
            yield tuple(row[c] for c in columns)
            continue
        values = head.copy()
        values[at["track_id"]] = item.track_id
        values[at["position"]] = item.position
        values[at["chunk"]] = item.chunk
        yield tuple(values)


def _done_values(stored: StoredFile, now: Any) -> dict[str, Any]:
    """An item whose file is already on disk is finished from the start."""
    values: Mapping[str, Any] = {
        "status": JobItem.Status.DONE.value,
        "stored_file_id": stored.pk,
        "progress": 100,
        "finished_at": now,
        "candidate_id": stored.source_id,
        "candidate_url": stored.source_url,
        "match_score": stored.match_score,
        "match_reason": ALREADY_DOWNLOADED,
    }
    return {name: _prepared(name, value) for name, value in values.items()}


def _default(field: Any, now: Any) -> Any:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    return field.get_default()


def _prepared(attname: str, value: Any) -> Any:
    field = JobItem._meta.get_field(attname)
    assert isinstance(field, models.Field)  # a column, not a reverse relation
    return field.get_db_prep_save(value, connection)
