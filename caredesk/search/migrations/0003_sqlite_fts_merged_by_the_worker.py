"""SQLite: indexing a document no longer costs its transaction 20 to 40 ms (docs/benchmarks.md).
- Inserted and updated documents are written to the FTS5 tables by caredesk/search/engines/sqlite.py, a
  statement per row, not by the insert and update triggers (dropped here; the delete trigger stays).
- The FTS5 tables no longer merge their segments on the write that happens to fill a level (250 to 340 ms,
  paid by whichever ticket was being created): automerge off, and the worker merges in small steps
  (caredesk.search.actions.merge). A crisis merge still bounds the segments when no worker runs.
Nothing to do on PostgreSQL."""

from django.db import migrations

TABLES = ("search_fts", "search_trigram")


def _configure(schema_editor, automerge: int, crisismerge: int) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    for table in TABLES:
        schema_editor.execute(f"INSERT INTO {table}({table}, rank) VALUES ('automerge', {automerge})")
        schema_editor.execute(f"INSERT INTO {table}({table}, rank) VALUES ('crisismerge', {crisismerge})")


TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS search_document_ai AFTER INSERT ON search_searchdocument BEGIN "
    "INSERT INTO search_fts(rowid, title, body, keys) VALUES (new.id, new.title, new.body, new.keys); "
    "INSERT INTO search_trigram(rowid, ids) SELECT new.id, new.ids WHERE new.ids <> ''; END",
    "CREATE TRIGGER IF NOT EXISTS search_document_au AFTER UPDATE ON search_searchdocument BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body, keys) VALUES ('delete', old.id, old.title, old.body, old.keys); "
    "INSERT INTO search_trigram(search_trigram, rowid, ids) SELECT 'delete', old.id, old.ids WHERE old.ids <> ''; "
    "INSERT INTO search_fts(rowid, title, body, keys) VALUES (new.id, new.title, new.body, new.keys); "
    "INSERT INTO search_trigram(rowid, ids) SELECT new.id, new.ids WHERE new.ids <> ''; END",
]


def forward(apps, schema_editor):
    _configure(schema_editor, automerge=0, crisismerge=64)
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS search_document_ai")
        schema_editor.execute("DROP TRIGGER IF EXISTS search_document_au")


def backward(apps, schema_editor):
    _configure(schema_editor, automerge=4, crisismerge=16)  # FTS5's defaults
    if schema_editor.connection.vendor == "sqlite":
        for statement in TRIGGERS:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0002_search_engines")]

    operations = [migrations.RunPython(forward, backward)]
