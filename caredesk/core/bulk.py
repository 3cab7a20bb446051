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
