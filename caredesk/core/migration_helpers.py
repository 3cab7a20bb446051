"""Operations shared by migrations: the append-only trigger of an audit table."""

from __future__ import annotations

from django.db import migrations

from caredesk.core.audit import append_only_trigger_sql


def append_only(table: str) -> migrations.RunPython:
    """A migration operation installing (and on reverse, dropping) the no-UPDATE trigger on `table`."""
    sqlite_forward, sqlite_reverse, postgres_forward, postgres_reverse = append_only_trigger_sql(table)

    def run(sql_by_vendor):
        def operation(apps, schema_editor):
            sql = sql_by_vendor.get(schema_editor.connection.vendor)
            if sql:
                schema_editor.execute(sql)
        return operation

    return migrations.RunPython(
        run({"sqlite": sqlite_forward, "postgresql": postgres_forward}),
        run({"sqlite": sqlite_reverse, "postgresql": postgres_reverse}),
    )
