"""SQLite: FTS5 tables over search_searchdocument (external content, kept in step by the triggers the
migration creates), ranked by where the query matched (title, identifiers, body); a trigram FTS5 table over the identifiers for substring search."""

from __future__ import annotations

import sqlite3

from django.db import connection

from caredesk.search.engines import base
from caredesk.search.text import Query

MINIMUM = (3, 34, 0)  # the trigram tokenizer
# Scores (base.TITLE_SCORE, KEYS_SCORE), not bm25: FTS5 counts its document frequencies by walking every
# match of each word in the whole index, which for a word in a fifth of 6 million texts is most of a
# search's time; the columns' matches are read only over the rowids of the newest candidates.
MERGE_PAGES = 500  # a worker step's merging, per FTS5 table (pages of about 4 KB)
LOOKUPS = 50  # up to this many candidates, their columns are looked up one by one


def missing_features() -> list[str]:
    """What this Python's SQLite library lacks for search, in words; empty when nothing."""
    version = sqlite3.sqlite_version_info
    problems = []
    if version < MINIMUM:
        problems.append(f"SQLite {sqlite3.sqlite_version} is older than {'.'.join(map(str, MINIMUM))}: its FTS5 "
                        "has no trigram tokenizer, so substring search of emails, phones and order references "
                        "cannot work. Use a Python built with a newer SQLite, or PostgreSQL.")
    probe = sqlite3.connect(":memory:")
    try:
        probe.execute("CREATE VIRTUAL TABLE probe USING fts5(x)")
    except sqlite3.OperationalError:
        problems.append(f"SQLite {sqlite3.sqlite_version} was built without FTS5: full-text search cannot "
                        "work. Use a Python whose SQLite has FTS5 (most do), or PostgreSQL.")
    else:
        try:
            probe.execute("CREATE VIRTUAL TABLE probe_trigram USING fts5(x, tokenize='trigram')")
        except sqlite3.OperationalError:
            if version >= MINIMUM:
                problems.append(f"SQLite {sqlite3.sqlite_version}'s FTS5 has no trigram tokenizer: substring "
                                "search of identifiers cannot work.")
    finally:
        probe.close()
    return problems


def fts_expression(query: Query) -> str:
    """The FTS5 MATCH expression: every phrase required; a phone number by its digits in `keys`."""
    if query.phone:
        return "keys : (" + " OR ".join(f'"{form}"' for form in query.phone_forms) + ")"
    # Words are \w+ runs (no quote inside): a quoted FTS5 string is a phrase of them.
    return " AND ".join('"' + " ".join(words) + '"' for words in query.phrases)


def like_pattern(text: str) -> str:
    """The LIKE pattern the trigram table answers from its index ("_" and "%" typed stay wildcards: a few
    more hits at worst)."""
    return f"%{text}%"


class SqliteEngine(base.Engine):
    vendor = "sqlite"

    # CROSS JOIN keeps the FTS5 table the outer loop: SQLite's planner would otherwise drive from the
    # documents (by source) and run the full-text lookup once per document.
    def full_text(self, query, joined, condition):
        return (f"SELECT f.rowid, 1.0 FROM search_fts f "
                f"CROSS JOIN search_searchdocument d ON d.id = f.rowid {joined} "
                f"WHERE search_fts MATCH %s AND {condition} ORDER BY f.rowid DESC LIMIT %s"), [fts_expression(query)]

    def full_text_matches(self, cursor, query, joined, condition, params, limit):
        """The newest matches, then which of them match in the title and in the identifiers: the index
        looked up at each candidate's rowid when they are few (each lookup costs about 0.2 ms), else walked
        from the oldest candidate's rowid up, the stretch the first query read."""
        scores = dict(super().full_text_matches(cursor, query, joined, condition, params, limit))
        if not scores:
            return []
        expression = fts_expression(query)
        for column, bonus in (("title", base.TITLE_SCORE), ("keys", base.KEYS_SCORE)):
            if query.phone and column == "title":
                continue  # a phone query searches the identifiers only
            if len(scores) <= LOOKUPS:
                cursor.execute(f"SELECT rowid FROM search_fts WHERE search_fts MATCH %s AND rowid IN "
                               f"({', '.join(['%s'] * len(scores))})", [f"{{{column}}} : ({expression})", *scores])
            else:
                cursor.execute("SELECT rowid FROM search_fts WHERE search_fts MATCH %s AND rowid >= %s",
                               [f"{{{column}}} : ({expression})", min(scores)])
            for (rowid,) in cursor.fetchall():
                if rowid in scores:
                    scores[rowid] += bonus
        return list(scores.items())

    def substring(self, query, joined, condition):
        return (f"SELECT g.rowid FROM search_trigram g CROSS JOIN search_searchdocument d ON d.id = g.rowid {joined} "
                f"WHERE g.ids LIKE %s AND {condition} ORDER BY g.rowid DESC LIMIT %s"), [like_pattern(query.substring)]

    def highlights(self, query, ids):
        if not ids:
            return {}
        marks = {}
        with connection.cursor() as cursor:
            if query.phrases:
                cursor.execute(
                    f"SELECT rowid, highlight(search_fts, 0, %s, %s), snippet(search_fts, 1, %s, %s, '…', 24) "
                    f"FROM search_fts WHERE search_fts MATCH %s AND rowid IN ({', '.join(['%s'] * len(ids))})",
                    [base.START, base.STOP, base.START, base.STOP, fts_expression(query), *ids])
                marks = {row[0]: (row[1], row[2]) for row in cursor.fetchall()}
        return marks

    def sizes(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT coalesce(sum(length(CAST(title AS BLOB)) + length(CAST(body AS BLOB)) "
                           "+ length(CAST(keys AS BLOB)) + length(CAST(ids AS BLOB))), 0) FROM search_searchdocument")
            text = cursor.fetchone()[0]
            try:
                cursor.execute("SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name LIKE 'search_fts%%' "
                               "OR name LIKE 'search_trigram%%'")
                index = cursor.fetchone()[0]
            except Exception:  # dbstat is an optional SQLite module
                index = -1
        return {"text": text, "index": index}

    # Inserted and updated documents are written to the FTS5 tables here, each row by a statement of its
    # own: written by a trigger on the document table, one ticket's document cost 20 to 40 ms (docs/
    # benchmarks.md). Deleted documents leave them by the delete trigger (deletions are rare, and whatever
    # deletes the rows, a test database's flush too, keeps the tables in step).

    def _read(self, cursor, source: str, object_ids: list[int]) -> list[tuple]:
        """(id, object_id, title, body, keys, ids) of the indexed documents of these rows."""
        cursor.execute(f"SELECT id, object_id, title, body, keys, ids FROM search_searchdocument WHERE source = %s "
                       f"AND object_id IN ({', '.join(['%s'] * len(object_ids))})", [source, *object_ids])
        return cursor.fetchall()

    def _write(self, rows: list[tuple], write_rows) -> None:
        """`write_rows(rows)` writes the document table; the FTS5 rows of the documents it changed follow:
        the old text out (FTS5 needs it to delete), the new in."""
        with connection.cursor() as cursor:
            for source in {row[0] for row in rows}:
                batch = [row for row in rows if row[0] == source]
                object_ids = [row[1] for row in batch]
                before = {document[1]: document for document in self._read(cursor, source, object_ids)}
                write_rows(batch)
                changed = [document for document in self._read(cursor, source, object_ids)
                           if before.get(document[1]) != document]
                old = [before[document[1]] for document in changed if document[1] in before]
                cursor.executemany("INSERT INTO search_fts(search_fts, rowid, title, body, keys) "
                                   "VALUES ('delete', %s, %s, %s, %s)", [document[:1] + document[2:5] for document in old])
                cursor.executemany("INSERT INTO search_trigram(search_trigram, rowid, ids) VALUES ('delete', %s, %s)",
                                   [(document[0], document[5]) for document in old if document[5]])
                cursor.executemany("INSERT INTO search_fts(rowid, title, body, keys) VALUES (%s, %s, %s, %s)",
                                   [document[:1] + document[2:5] for document in changed])
                cursor.executemany("INSERT INTO search_trigram(rowid, ids) VALUES (%s, %s)",
                                   [(document[0], document[5]) for document in changed if document[5]])

    def insert(self, rows):
        self._write(rows, super().insert)

    def upsert(self, rows):
        if rows:
            self._write(rows, super().upsert)

    def clear_all(self):
        """Every document out, without a delete per row: the triggers' deletes are replaced by emptying the
        FTS5 tables at once."""
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER search_document_ad")
            cursor.execute("DELETE FROM search_searchdocument")
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('delete-all')")
            cursor.execute("INSERT INTO search_trigram(search_trigram) VALUES ('delete-all')")
            cursor.execute(DELETE_TRIGGER)

    def optimize(self):
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
            cursor.execute("INSERT INTO search_trigram(search_trigram) VALUES ('optimize')")

    def merge(self):
        """Merge segments of the FTS5 tables, at most MERGE_PAGES pages each: the writes do not (automerge is
        off, migration 0003), so creating a ticket never waits for a merge. FTS5 tells whether it did
        anything by the database's change count: the command itself counts one."""
        raw, worked = connection.connection, False
        with connection.cursor() as cursor:
            for table in ("search_fts", "search_trigram"):
                before = raw.total_changes
                cursor.execute(f"INSERT INTO {table}({table}, rank) VALUES ('merge', %s)", [MERGE_PAGES])
                worked |= raw.total_changes - before >= 2
        return worked


TOKENIZER = "porter unicode61 remove_diacritics 2"
CREATE = [
    f"CREATE VIRTUAL TABLE search_fts USING fts5(title, body, keys, content='search_searchdocument', "
    f"content_rowid='id', tokenize='{TOKENIZER}')",
    "CREATE VIRTUAL TABLE search_trigram USING fts5(ids, content='search_searchdocument', content_rowid='id', "
    "tokenize='trigram', detail='none')",
]
DELETE_TRIGGER = (
    "CREATE TRIGGER search_document_ad AFTER DELETE ON search_searchdocument BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body, keys) VALUES ('delete', old.id, old.title, old.body, old.keys); "
    "INSERT INTO search_trigram(search_trigram, rowid, ids) SELECT 'delete', old.id, old.ids WHERE old.ids <> ''; END")
TRIGGERS = [DELETE_TRIGGER]  # inserts and updates are indexed by SqliteEngine._write
DROP = ["DROP TRIGGER IF EXISTS search_document_ai", "DROP TRIGGER IF EXISTS search_document_ad",
        "DROP TRIGGER IF EXISTS search_document_au", "DROP TABLE IF EXISTS search_fts",
        "DROP TABLE IF EXISTS search_trigram"]
