"""PostgreSQL: the documents' tsvector is no longer a stored column (1.5 times the text it indexes, written
with every document); the GIN index computes it as it indexes a row (`postgresql.vector`). Phrases are
checked on the candidates by a regular expression first, then by the query (caredesk/search/phrases.py).
Rebuilds the index: minutes on millions of documents. Nothing to do on SQLite."""

from importlib import import_module

from django.db import migrations

STORED = import_module("caredesk.search.migrations.0002_search_engines").STORED
BUCKETED = import_module("caredesk.search.migrations.0004_postgresql_index_by_id_bucket").BUCKETED


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from caredesk.search.engines import postgresql

    schema_editor.execute("DROP INDEX IF EXISTS search_document_tsv")
    schema_editor.execute("ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS tsv")
    schema_editor.execute(postgresql.CREATE_INDEXES[0])


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS search_document_tsv")
    schema_editor.execute(STORED)
    schema_editor.execute(BUCKETED)


class Migration(migrations.Migration):
    dependencies = [("search", "0004_postgresql_index_by_id_bucket")]

    operations = [migrations.RunPython(forward, backward)]
