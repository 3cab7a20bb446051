"""Writing many rows of one model at once, for the bulk actions (the playbook sweep's batches)."""

from __future__ import annotations

from typing import Any, Callable, Iterable, Sequence

from django.db import DEFAULT_DB_ALIAS, connections, models

# Values Django's preparation returns unchanged for these fields, by exact type (a str subclass such as a
# TextChoices member, or a bool for an integer, still goes through Django): the driver takes them as they are.
PLAIN = ((models.CharField, (str, type(None))), (models.TextField, (str, type(None))),
         (models.BooleanField, (bool, type(None))), (models.IntegerField, (int, type(None))))


def _preparer(field: models.Field, connection) -> Callable[[Any], Any]:
    """The field's `get_db_prep_save`, skipped for values it would return unchanged."""
    prepare = field.get_db_prep_save
    target = field.target_field if field.is_relation else field
    plain = next((types for kind, types in PLAIN if isinstance(target, kind)), None)
    if plain is None:
        return lambda value: prepare(value, connection)
    return lambda value: value if type(value) in plain else prepare(value, connection)


def _execute_for_each(sql: str, fields: Sequence[models.Field], rows: Iterable[models.Model], *,
                      with_id: bool) -> None:
    connection = connections[DEFAULT_DB_ALIAS]  # the wrapper itself: each value's preparation reads it
    preparers = [(_preparer(field, connection), field.attname) for field in fields]
    parameters = []
    for row in rows:
        values = [prepare(getattr(row, attribute)) for prepare, attribute in preparers]
        if with_id:
            values.append(row.pk)
        parameters.append(values)
    if parameters:
        with connection.cursor() as cursor:
            cursor.executemany(sql, parameters)


def update_rows(model: type[models.Model], rows: Iterable[models.Model], field_names: Sequence[str]) -> None:
    """Save `field_names` of each of `rows` (instances of `model`) with one prepared UPDATE run for every row.

    Django's `bulk_update` builds a CASE expression per row and column, which costs more than the changes
    themselves; this is one statement text and `executemany`. Callers hold the transaction and the rows' locks.
    """
    fields = [model._meta.get_field(name) for name in field_names]
    connection = connections[DEFAULT_DB_ALIAS]
    assignments = ", ".join(f"{connection.ops.quote_name(field.column)} = %s" for field in fields)
    sql = f"UPDATE {connection.ops.quote_name(model._meta.db_table)} SET {assignments} WHERE id = %s"
    _execute_for_each(sql, fields, rows, with_id=True)


def insert_rows(model: type[models.Model], rows: Iterable[models.Model]) -> None:
    """Insert new instances of `model` with one prepared INSERT run for every row (`executemany`), for rows
    whose ids are not needed afterwards (audit events, tasks): cheaper than `bulk_create`, which compiles
    every value of every row into one statement. Values are read as set (foreign keys from their `*_id`
    attributes): for models none of whose fields computes its value on save (no auto_now, no file)."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    connection = connections[DEFAULT_DB_ALIAS]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) VALUES ({marks})"
    _execute_for_each(sql, fields, rows, with_id=False)
