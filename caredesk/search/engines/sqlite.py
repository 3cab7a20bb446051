"""SQLite: FTS5 tables over search_searchdocument (external content, kept in step by the triggers the
migration creates), ranked by where the query matched (title, identifiers, body); a trigram FTS5 table over the identifiers for substring search."""

from __future__ import annotations

import sqlite3

from django.db import connection, transaction

from caredesk.search import text
from caredesk.search.engines import base, fts5
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
        """The trigram index asked for the query's most telling part (`text.substring_key`), the whole checked
        on the document's own identifiers (the index would read every trigram of "example.com" otherwise)."""
        key = text.substring_key(query.substring)
        whole = "" if key == query.substring else "d.ids LIKE %s AND "
        return (f"SELECT g.rowid FROM search_trigram g CROSS JOIN search_searchdocument d ON d.id = g.rowid {joined} "
                f"WHERE g.ids LIKE %s AND {whole}{condition} ORDER BY g.rowid DESC LIMIT %s"), \
            [like_pattern(key), *([like_pattern(query.substring)] if whole else [])]

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
    # deletes the rows, a test database's flush too, keeps the tables in step). The statements run on the
    # sqlite3 connection itself, inside Django's transaction: Django's cursor (its placeholder rewriting
    # and wrappers) cost more than SQLite's work for a ticket's few short rows.

    def _write(self, rows: list[tuple], replace: bool) -> None:
        """New documents inserted with their FTS5 rows; with `replace`, those already indexed rewritten
        where they differ (FTS5 needs the old text to delete it), else kept. The FTS5 rows are written last,
        together: any other statement between two FTS5 writes of a transaction opens a statement savepoint,
        at which FTS5 (3.40) writes what it holds as a segment of its own, so a build's batch written row
        by row made a segment per document and crisis merges without end."""
        connection.ensure_connection()
        cursor = connection.connection.cursor()
        new, existing = [], []
        for row in rows:
            inserted = cursor.execute(INSERT_NEW, row).fetchone()
            if inserted is None:
                existing.append(row)
            else:
                new.append((inserted[0], row))
        old, changed = self._rewrite(cursor, existing) if replace and existing else ([], [])
        new += changed
        cursor.executemany("INSERT INTO search_fts(search_fts, rowid, title, body, keys) VALUES ('delete', ?, ?, ?, ?)",
                           [(document_id, title, body, keys) for document_id, ids, keys, title, body in old])
        cursor.executemany("INSERT INTO search_trigram(search_trigram, rowid, ids) VALUES ('delete', ?, ?)",
                           [(document_id, ids) for document_id, ids, keys, title, body in old if ids])
        cursor.executemany("INSERT INTO search_fts(rowid, title, body, keys) VALUES (?, ?, ?, ?)",
                           [(document_id, row[8], row[9], row[7]) for document_id, row in new])
        cursor.executemany("INSERT INTO search_trigram(rowid, ids) VALUES (?, ?)",
                           [(document_id, row[6]) for document_id, row in new if row[6]])

    @staticmethod
    def _rewrite(cursor, rows: list[tuple]) -> tuple[list[tuple], list[tuple]]:
        """Rewrite the indexed documents of `rows` that differ: ((id, ids, keys, title, body) of their old
        text, (id, row) of their new)."""
        old, new = [], []
        for source in {row[0] for row in rows}:
            batch = {row[1]: row for row in rows if row[0] == source}
            cursor.execute(f"SELECT id, {', '.join(base.INSERTED[1:])} FROM search_searchdocument WHERE source = ? "
                           f"AND object_id IN ({', '.join('?' * len(batch))})", [source, *batch])
            for document_id, object_id, *before in cursor.fetchall():
                row = batch[object_id]
                if tuple(before) != row[2:]:
                    old.append((document_id, *before[4:]))
                    new.append((document_id, row))
        cursor.executemany(f"UPDATE search_searchdocument SET {', '.join(f'{name} = ?' for name in base.INSERTED[2:])} "
                           "WHERE id = ?", [(*row[2:], document_id) for document_id, row in new])
        return old, new

    def begin_build(self):
        """FTS5 merges its segments as a build's batches go (crisis merges): the build's page cache, and no
        stale statistics."""
        with connection.cursor() as cursor:
            cursor.execute(BUILD_PAGE_CACHE)
            forget_statistics(cursor)

    def insert(self, rows):
        self._write(rows, replace=False)

    def upsert(self, rows):
        self._write(rows, replace=True)

    def clear_all(self):
        """Every document out, without a delete per row: the triggers' deletes are replaced by emptying the
        FTS5 tables at once."""
        with connection.cursor() as cursor:
            forget_statistics(cursor)
            cursor.execute("DROP TRIGGER search_document_ad")
            cursor.execute("DELETE FROM search_searchdocument")
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('delete-all')")
            cursor.execute("INSERT INTO search_trigram(search_trigram) VALUES ('delete-all')")
            cursor.execute(DELETE_TRIGGER)

    def optimize(self):
        """Each FTS5 table's index merged into one segment, placed on the level of its size (`_place`), and
        SQLite's statistics of the FTS5 tables' own tables forgotten (`forget_statistics`)."""
        with connection.cursor() as cursor:
            cursor.execute(BUILD_PAGE_CACHE)
            forget_statistics(cursor)
            for table in TABLES:
                cursor.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")
            self._place()

    def merge(self):
        """Merge segments of the FTS5 tables, at most MERGE_PAGES pages each: the writes do not (automerge is
        off, migration 0003), so creating a ticket never waits for a merge. FTS5 merges a level once it holds
        4 segments whatever their sizes, so the large segment a build leaves is first placed above the levels
        the new segments climb (`_place`). FTS5 tells whether it did anything by the database's change
        count: the command itself counts one."""
        raw, worked = connection.connection, False
        with connection.cursor() as cursor:
            forget_statistics(cursor)
            for table in TABLES:
                before = raw.total_changes
                cursor.execute(f"INSERT INTO {table}({table}, rank) VALUES ('merge', %s)", [MERGE_PAGES])
                worked |= raw.total_changes - before >= 2
        return self._place() or worked

    @staticmethod
    def _place() -> bool:
        """Move each FTS5 table's oldest segment up to the level of its size (fts5.placed), in a transaction
        that holds the write lock (a segment written meanwhile would be lost from the structure); whether one
        moved. Run right after FTS5's own commands ('merge', 'optimize'): FTS5 keeps the structure it last
        read for the connection until another connection commits, and those commands drop it, so FTS5 reads
        the placed one next (a copy read before would be written back by FTS5's next change, the same
        segments unplaced, and placed again at the next step: tests/unit/search/test_fts5_structure.py)."""
        moved = False
        with transaction.atomic():
            cursor = connection.connection.cursor()
            for table in TABLES:
                structure = fts5.read(cursor, table)
                better = structure and fts5.placed(structure)
                if better:
                    fts5.write(cursor, table, better)
                    moved = True
        return moved


def forget_statistics(cursor) -> None:
    """Delete what ANALYZE recorded of the FTS5 tables' own tables (search_fts_data, ...), and have this
    connection plan without it (`ANALYZE sqlite_schema` reloads the statistics).
    Recorded while the index was empty (2 rows), it makes SQLite scan all of search_fts_data for the `DELETE
    ... WHERE id >= ? AND id <= ?` FTS5 runs for every segment it merges away (2 s a merge at 100,000
    tickets; a build of 6.4 M documents read 4.6 TB from the file cache: docs/benchmarks.md); without it
    SQLite's defaults read the rowid range. Run before anything that merges: a build, 'optimize', the
    worker's step (a read when there is nothing to forget)."""
    cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
    if not cursor.fetchone():
        return
    cursor.execute(f"SELECT 1 FROM sqlite_stat1 WHERE {SHADOW_TABLES} LIMIT 1")
    if cursor.fetchone():
        cursor.execute(f"DELETE FROM sqlite_stat1 WHERE {SHADOW_TABLES}")
        cursor.execute("ANALYZE sqlite_schema")


# The page cache of a build's connection (the command's own process; the server's stay at 16 MB): FTS5's
# merges seek the index's pages across all its segments, and with the server's cache they were read again
# and again from the file cache (an 'optimize' at 6.4 M documents: over 24 minutes and 3 TB read; with
# 1 GB: 0.6 minutes, docs/benchmarks.md). SQLite takes the pages as it needs them.
BUILD_PAGE_CACHE = "PRAGMA cache_size = -1048576"  # KiB
TOKENIZER = "porter unicode61 remove_diacritics 2"
TABLES = ("search_fts", "search_trigram")
SHADOW_TABLES = " OR ".join(f"tbl GLOB '{table}_*'" for table in TABLES)  # a condition on sqlite_stat1
CREATE = [
    f"CREATE VIRTUAL TABLE search_fts USING fts5(title, body, keys, content='search_searchdocument', "
    f"content_rowid='id', tokenize='{TOKENIZER}')",
    "CREATE VIRTUAL TABLE search_trigram USING fts5(ids, content='search_searchdocument', content_rowid='id', "
    "tokenize='trigram', detail='none')",
]
INSERT_NEW = (f"INSERT INTO search_searchdocument ({', '.join(base.INSERTED)}) "
              f"VALUES ({', '.join('?' * len(base.INSERTED))}) ON CONFLICT (source, object_id) DO NOTHING RETURNING id")
DELETE_TRIGGER = (
    "CREATE TRIGGER search_document_ad AFTER DELETE ON search_searchdocument BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body, keys) VALUES ('delete', old.id, old.title, old.body, old.keys); "
    "INSERT INTO search_trigram(search_trigram, rowid, ids) SELECT 'delete', old.id, old.ids WHERE old.ids <> ''; END")
TRIGGERS = [DELETE_TRIGGER]  # inserts and updates are indexed by SqliteEngine._write
DROP = ["DROP TRIGGER IF EXISTS search_document_ai", "DROP TRIGGER IF EXISTS search_document_ad",
        "DROP TRIGGER IF EXISTS search_document_au", "DROP TABLE IF EXISTS search_fts",
        "DROP TABLE IF EXISTS search_trigram"]
