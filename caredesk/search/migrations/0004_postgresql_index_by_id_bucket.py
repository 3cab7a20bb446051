"""PostgreSQL: the full-text GIN index gets the document's id bucket as its first column (btree_gin), so a
query reads the newest matches of a common word bucket by bucket without reading its whole posting list
(caredesk/search/engines/postgresql.py; docs/benchmarks.md). Rebuilds the index: minutes on millions of
documents. Nothing to do on SQLite."""

from django.db import migrations

OLD = "CREATE INDEX IF NOT EXISTS search_document_tsv ON search_searchdocument USING gin (tsv)"
BUCKETED = "CREATE INDEX IF NOT EXISTS search_document_tsv ON search_searchdocument USING gin ((id / 10000), tsv)"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    schema_editor.execute("DROP INDEX IF EXISTS search_document_tsv")
    schema_editor.execute(BUCKETED)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS search_document_tsv")
    schema_editor.execute(OLD)


class Migration(migrations.Migration):
    dependencies = [("search", "0003_sqlite_fts_merged_by_the_worker")]

    operations = [migrations.RunPython(forward, backward)]
