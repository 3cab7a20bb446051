"""Saving chosen columns of model rows with one prepared statement.

Django's `QuerySet.update` and `bulk_update` build their SQL anew each time (`bulk_update` a CASE expression
per row and column), which costs more than the database's work on a hot path. Callers are actions, inside
their transaction, writing their audit rows themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection, models


def update_columns(model: type[models.Model], columns: Sequence[str], rows: Iterable[models.Model]) -> None:
    """`UPDATE ... SET <columns> WHERE id = ...` for each of `rows`, with the values the objects hold."""
    rows = list(rows)
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in columns]
    assignments = ", ".join(f"{connection.ops.quote_name(field.column)} = %s" for field in fields)
    sql = f"UPDATE {connection.ops.quote_name(model._meta.db_table)} SET {assignments} WHERE id = %s"
    values = [[field.get_db_prep_save(getattr(row, field.attname), connection) for field in fields] + [row.pk]
              for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)
