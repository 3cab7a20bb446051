"""Writing many rows of one model at once, for the bulk actions (the playbook sweep's batches)."""

from __future__ import annotations

from typing import Iterable, Sequence

from django.db import connection, models


def update_rows(model: type[models.Model], rows: Iterable[models.Model], field_names: Sequence[str]) -> None:
    """Save `field_names` of each of `rows` (instances of `model`) with one prepared UPDATE run for every row.

    Django's `bulk_update` builds a CASE expression per row and column, which costs more than the changes
    themselves; this is one statement text and `executemany`. Callers hold the transaction and the rows' locks.
    """
    fields = [model._meta.get_field(name) for name in field_names]
    assignments = ", ".join(f"{connection.ops.quote_name(field.column)} = %s" for field in fields)
    sql = f"UPDATE {connection.ops.quote_name(model._meta.db_table)} SET {assignments} WHERE id = %s"
    parameters = [[field.get_db_prep_save(getattr(row, field.attname), connection) for field in fields] + [row.pk]
                  for row in rows]
    if parameters:
        with connection.cursor() as cursor:
            cursor.executemany(sql, parameters)


def insert_rows(model: type[models.Model], rows: Sequence[models.Model]) -> None:
    """Insert new instances of `model` with one prepared INSERT run for every row (`executemany`), for rows
    whose ids are not needed afterwards (audit events, tasks): cheaper than `bulk_create`, which compiles
    every value of every row into one statement. Foreign keys are read from their `*_id` attributes."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) VALUES ({marks})"
    parameters = [[field.get_db_prep_save(field.pre_save(row, True), connection) for field in fields] for row in rows]
    if parameters:
        with connection.cursor() as cursor:
            cursor.executemany(sql, parameters)
