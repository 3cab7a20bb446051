"""Operations shared by migrations: the append-only trigger of an audit table."""

from __future__ import annotations

from django.db import migrations

from caredesk.core.audit import append_only_trigger_sql, redactable_trigger_sql


def append_only(table: str) -> migrations.RunPython:
    """A migration operation installing (and on reverse, dropping) the no-UPDATE trigger on `table`."""
    return _by_vendor(*append_only_trigger_sql(table))


def redactable(table: str, kept: list[str]) -> migrations.RunPython:
    """A migration operation replacing that trigger by one that lets a redaction rewrite payloads."""
    return _by_vendor(*redactable_trigger_sql(table, kept))


def _by_vendor(sqlite_forward, sqlite_reverse, postgres_forward, postgres_reverse) -> migrations.RunPython:
    """Each argument: a statement, or a list of them (SQLite runs one statement at a time)."""
    def run(sql_by_vendor):
        def operation(apps, schema_editor):
            sql = sql_by_vendor.get(schema_editor.connection.vendor)
            for statement in [sql] if isinstance(sql, str) else sql:
                schema_editor.execute(statement)
        return operation

    return migrations.RunPython(
        run({"sqlite": sqlite_forward, "postgresql": postgres_forward}),
        run({"sqlite": sqlite_reverse, "postgresql": postgres_reverse}),
    )
