"""The full-text indexes, per database: FTS5 tables and their triggers on SQLite; a stored tsvector with a GIN
index and a pg_trgm index on PostgreSQL."""

from django.db import migrations

# PostgreSQL's, as they were then (migration 0005 replaced the stored column by the index's own tsvector).
STORED = ("ALTER TABLE search_searchdocument ADD COLUMN tsv tsvector GENERATED ALWAYS AS ("
          "setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('simple', keys), 'A') || "
          "setweight(to_tsvector('english', body), 'D')) STORED")
POSTGRESQL_CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    STORED,
    "CREATE INDEX IF NOT EXISTS search_document_tsv ON search_searchdocument USING gin (tsv)",
    "CREATE INDEX IF NOT EXISTS search_document_ids ON search_searchdocument USING gin (ids gin_trgm_ops) "
    "WHERE ids <> ''",
]
POSTGRESQL_DROP = ["DROP INDEX IF EXISTS search_document_ids", "DROP INDEX IF EXISTS search_document_tsv",
                   "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS tsv"]


def _statements(connection, forward: bool) -> list[str]:
    if connection.vendor == "postgresql":
        return POSTGRESQL_CREATE if forward else POSTGRESQL_DROP
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
