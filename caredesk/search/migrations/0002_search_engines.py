"""The full-text indexes, per database: FTS5 tables and their triggers on SQLite; a stored tsvector with a GIN
index and a pg_trgm index on PostgreSQL."""

from django.db import migrations


def _statements(connection, forward: bool) -> list[str]:
    if connection.vendor == "postgresql":
        from caredesk.search.engines import postgresql as engine
    else:
        from caredesk.search.engines import sqlite as engine

        if forward:
            missing = engine.missing_features()
            if missing:
                raise RuntimeError("Search cannot be set up: " + " ".join(missing))
    return (engine.CREATE + getattr(engine, "TRIGGERS", [])) if forward else engine.DROP


def forward(apps, schema_editor):
    for statement in _statements(schema_editor.connection, True):
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    for statement in _statements(schema_editor.connection, False):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
