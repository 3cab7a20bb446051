"""PostgreSQL: a GIN index over the documents' tsvector (`vector`, computed as the index is written: no
stored column) led by the document's id bucket (btree_gin); pg_trgm's GIN index over the identifiers for
substring search. Created by the migrations. A query reads the newest matches bucket by bucket (a GIN index
returns its matches in no order) and scores them as SQLite does: 1, plus a title match, plus an identifier
match."""

from __future__ import annotations

import math
import re

from django.db import connection, transaction

from caredesk.search import phrases, text
from caredesk.search.engines import base

BUCKET = 10_000  # ids: the first column of the full-text index, what a query reads the newest matches by
BUCKET_OF = f"(d.id / {BUCKET})"
FEW = 5  # a query expected to match at most this many times the candidates wanted reads all its matches
MAX_BUCKETS = 16  # buckets a statement reads at most
READ = 10_000  # matches a statement is expected to read at most (at the average density): its buckets
UNSEEN = "qzxjqzxj"  # a word in no document: what the planner guesses for the words it keeps no frequency of
GROWTH = 8  # when a statement finds nothing, the next expects this many times fewer matches per bucket
BULK_ROWS = 50_000  # rows of a source a set-based build statement indexes (a committed step of the build)
# Texts that may hold a phone number, whose `keys` Python works out (caredesk.search.text): any ASCII
# digit, or anything outside ASCII (Python's \d also matches other scripts' digits).
MAYBE_PHONE = "[0-9]|[^[:ascii:]]"
PHRASE_OPERATOR = r"<(?:\d+|-)>"  # how PostgreSQL writes "followed by" in a tsquery: <-> or <N>
HEADLINE = f"StartSel={base.START}, StopSel={base.STOP}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=…"


def vector(alias: str = "") -> str:
    """The tsvector the full-text index holds of a document (`alias` its row): English words of the title
    and body, the identifiers as they are. A query must write it the same way for the index to serve it."""
    row = f"{alias}." if alias else ""
    return (f"(to_tsvector('english', {row}title) || to_tsvector('simple', {row}keys) "
            f"|| to_tsvector('english', {row}body))")


def tsquery(query) -> tuple[str, str]:
    """(SQL building the tsquery, its parameter)."""
    if query.phone:
        return "to_tsquery('simple', %s)", " | ".join(query.phone_forms)
    # PostgreSQL's parser reads an email, a host or "ORD-123" as it reads them in the text: the query as typed.
    return "websearch_to_tsquery('english', %s)", query.text


class PostgresEngine(base.Engine):
    vendor = "postgresql"

    def full_text_matches(self, cursor, query, joined, condition, params, limit):
        """The newest `limit` matches. A query the planner expects few matches of (FEW times `limit`) reads
        them all, one bitmap scan of the GIN index; else they are read bucket by bucket of ids from the
        newest. The index's first column is the document's bucket: GIN intersects one bucket with the
        words inside the index, skipping through a common word's posting list instead of reading a million
        entries, so a statement reads about the documents it returns. A statement covers as many buckets
        (a UNION ALL of one scan each: the planner uses the index for an equality, not a range) as the
        matches expected, and then found, per bucket say are needed. A phrase is looked for as its words
        (the index keeps no positions), newest first, and checked on them one by one (`_phrase_check`)."""
        sql, value = tsquery(query)
        # The statements are cheap: compiling them took 30 ms, starting parallel workers 10-20 ms (the planner
        # prices the index's to_tsvector per row and would start them).
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        cursor.execute("SET LOCAL work_mem = '32MB'")  # a phrase's candidates are sorted with their texts
        shown = ""  # the tsquery as PostgreSQL writes it
        if not query.phone:
            cursor.execute(f"SELECT {sql}::text", [value])
            shown = cursor.fetchone()[0]
        found_by, check = (sql, [value]), None
        if "<" in shown and "!" not in shown:
            found_by, check = self._phrase_check(cursor, query, sql, value, shown)
        foreseen = self._foreseen(cursor, *found_by)
        words = re.split(f" & | {PHRASE_OPERATOR} ", shown) if shown and not set("|!()") & set(shown) else []
        if len(words) > 1:  # no more matches than its rarest word (the planner guesses as if independent)
            foreseen = min([foreseen, *(self._foreseen(cursor, "to_tsquery('simple', %s)", [word]) for word in words)])
        unseen = self._foreseen(cursor, "to_tsquery('simple', %s)", [UNSEEN])
        title = ("0" if query.phone
                 else f"CASE WHEN to_tsvector('english', c.title) @@ {sql} THEN {base.TITLE_SCORE} ELSE 0 END")
        # "id + 0": ordered by the primary key, the planner would walk it backwards and test every document
        # (it cannot know that a bucket's or a rare word's matches are all far from the newest).
        newest = ("SELECT * FROM ({}) u ORDER BY u.id + 0 DESC LIMIT %s" if check is None else
                  # sorted behind a fence (OFFSET 0) and checked above it, one by one, until enough pass
                  f"SELECT * FROM (SELECT * FROM ({{}}) u ORDER BY u.id + 0 DESC OFFSET 0) u WHERE {check[0]} LIMIT %s")
        scored = (f"SELECT c.id, (1 + {title} + CASE WHEN to_tsvector('simple', c.keys) @@ {sql} "
                  f"THEN {base.KEYS_SCORE} ELSE 0 END)::float8 FROM ({newest}) c")
        first = [*([value] if not query.phone else []), value]
        last = [*(check[1] if check else []), limit]
        select = (f"SELECT d.id, d.title, d.keys{', d.body' if check else ''} FROM search_searchdocument d {joined} "
                  f"WHERE {vector('d')} @@ {found_by[0]} AND {condition}")
        # A phrase's candidates are its words' matches, of which it may be in few: when those are no more than
        # a statement reads, one statement reads them all rather than every bucket one by one.
        if foreseen <= max(FEW * limit, unseen, READ if check else 0):  # (unseen: a guess, a word without statistics)
            cursor.execute(scored.format(select), [*first, *found_by[1], *params, *last])
            return cursor.fetchall()
        cursor.execute(f"SELECT coalesce(max(id), 0) / {BUCKET} FROM search_searchdocument")
        top = cursor.fetchone()[0]
        found: list[tuple[int, float]] = []
        per_bucket = expected = foreseen / (top + 1)  # matches, on average
        widest, read = max(1, min(MAX_BUCKETS, int(READ / expected))), 0
        while top >= 0 and len(found) < limit:
            span = max(1, min(widest, math.ceil((limit - len(found)) * 1.5 / per_bucket)))
            buckets = list(range(top, max(-1, top - span), -1))
            union = " UNION ALL ".join([f"{select} AND {BUCKET_OF} = %s::bigint"] * len(buckets))
            cursor.execute(scored.format(union), [*first, *[p for bucket in buckets for p in (*found_by[1], *params, bucket)],
                                                  *last[:-1], limit - len(found)])
            found += cursor.fetchall()
            read, top = read + len(buckets), buckets[-1] - 1
            per_bucket = len(found) / read if found else per_bucket / GROWTH
        return found

    @staticmethod
    def _phrase_check(cursor, query, sql: str, value: str, shown: str):
        """For a query with a phrase and no negation (`shown`: its tsquery as text): ((SQL of a tsquery of
        its words, parameters), (the SQL checking a candidate `u`, parameters)). The check is the query
        itself, after, where it can be written (`phrases.pattern`), a regular expression every text holding
        the phrase matches, ten times cheaper than `to_tsvector`. Without an OR in the query every phrase
        must match, and so every pattern."""
        by_words = ("to_tsquery('simple', %s)", [re.sub(PHRASE_OPERATOR, "&", shown)])
        checks, check_params = [], []
        if "|" not in shown:
            for phrase in (words for words in query.phrases if len(words) > 1):
                cursor.execute("SELECT alias, lexemes FROM ts_debug('english', %s)", [" ".join(phrase)])
                found = phrases.pattern(cursor.fetchall())
                if found:
                    # one text, one match: a phrase across two of them passes, as the query finds it too
                    checks.append("concat_ws(E'\\n', u.title, u.keys, u.body) ~* %s")
                    check_params.append(found)
        checks.append(f"{vector('u')} @@ {sql}")
        return by_words, (" AND ".join(checks), [*check_params, value])

    @staticmethod
    def _foreseen(cursor, sql: str, params: list) -> float:
        """The planner's estimate of the documents matching a tsquery."""
        cursor.execute(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM search_searchdocument d WHERE {vector('d')} @@ {sql}",
                       params)
        return cursor.fetchone()[0][0]["Plan"]["Plan Rows"]

    def substring(self, query, joined, condition):
        pattern = "%" + query.substring.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return (f"SELECT d.id FROM search_searchdocument d {joined} "
                f"WHERE d.ids <> '' AND d.ids LIKE %s AND {condition} ORDER BY d.id DESC LIMIT %s"), [pattern]

    def highlights(self, query, ids):
        if not ids or not query.phrases:
            return {}
        sql, value = tsquery(query)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT d.id, ts_headline('english', d.title, q, %s), ts_headline('english', d.body, q, %s) "
                f"FROM search_searchdocument d CROSS JOIN {sql} q WHERE d.id = ANY(%s)",
                [f"{HEADLINE}, HighlightAll=true", HEADLINE, value, ids])
            return {row[0]: (row[1], row[2]) for row in cursor.fetchall()}

    def sizes(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT coalesce(sum(octet_length(title) + octet_length(body) + octet_length(keys) "
                           "+ octet_length(ids)), 0) FROM search_searchdocument")
            text = cursor.fetchone()[0]
            cursor.execute("SELECT pg_relation_size('search_document_tsv') + pg_relation_size('search_document_ids')")
            index = cursor.fetchone()[0]
        return {"text": text, "index": index}

    def bulk_insert(self, source, after, max_text):
        """A batch of the build as one INSERT ... SELECT: the document computed in SQL from the source's
        `bulk` expressions, its tsvector by the database as it indexes the row. Python works out only what
        its rules decide: the `keys` (phone digits) of the texts with digits, and the `ids` and `keys` of
        the identifiers a source's `bulk_identifiers` reads; they are joined in as arrays."""
        bulk = getattr(source, "bulk", None)
        if bulk is None:
            return NotImplemented
        table = source.model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT max(id), count(*) FROM (SELECT id FROM {table} WHERE id > %s ORDER BY id "
                           f"LIMIT %s) s", [after, BULK_ROWS])
            upto, rows = cursor.fetchone()
            if upto is None:
                return None
            identified = source.bulk_identifiers(after, upto) if hasattr(source, "bulk_identifiers") else {}
            texts = f"{bulk['title']}, {bulk['body']}"
            cursor.execute(f"SELECT t.id, {texts} FROM {table} t WHERE t.id > %s AND t.id <= %s "
                           f"AND concat({texts}) ~ %s", [after, upto, MAYBE_PHONE])
            digits = {pk: [title, body] for pk, title, body in cursor.fetchall()}
            keyed = [(pk, text.ids_for(identified.get(pk, [])), text.keys_for(digits.get(pk, []), identified.get(pk, [])))
                     for pk in sorted(set(identified) | set(digits))]
            keyed = [row for row in keyed if row[1] or row[2]]
            columns = {**bulk, "title": f"left({bulk['title']}, %s)", "body": f"left({bulk['body']}, %s)",
                       "ids": "coalesce(k.ids, '')", "keys": "coalesce(k.keys, '')"}
            cursor.execute(
                f"INSERT INTO search_searchdocument ({', '.join(base.INSERTED)}) SELECT %s, t.id, "
                f"{', '.join(columns[name] for name in base.INSERTED[2:])} FROM {table} t "
                f"LEFT JOIN unnest(%s::bigint[], %s::text[], %s::text[]) AS k(id, ids, keys) ON k.id = t.id "
                f"WHERE t.id > %s AND t.id <= %s ON CONFLICT (source, object_id) DO NOTHING",
                [source.name, max_text, max_text, *([row[column] for row in keyed] for column in range(3)), after, upto])
        return upto, rows

    def clear_all(self):
        """Empty, and the GIN indexes dropped until `optimize` (the end of the build) makes them again: one
        CREATE INDEX over millions of rows takes a fraction of the time of as many index insertions."""
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE search_searchdocument")
            for statement in DROP_INDEXES:
                cursor.execute(statement)

    def insert(self, rows):
        """COPY into a staging table, then one INSERT ... ON CONFLICT DO NOTHING (COPY cannot skip rows)."""
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS search_staging AS SELECT {', '.join(base.INSERTED)} "
                           "FROM search_searchdocument WITH NO DATA")
            with cursor.connection.cursor().copy(f"COPY search_staging ({', '.join(base.INSERTED)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(f"INSERT INTO search_searchdocument ({', '.join(base.INSERTED)}) SELECT "
                           f"{', '.join(base.INSERTED)} FROM search_staging ON CONFLICT (source, object_id) DO NOTHING")
            cursor.execute("TRUNCATE search_staging")

    def upsert(self, rows):
        """One statement for all the rows (a change's few documents; a round trip each would cost more than
        writing them), in chunks of UPSERT_ROWS."""
        with connection.cursor() as cursor:
            for at in range(0, len(rows), UPSERT_ROWS):
                chunk = rows[at:at + UPSERT_ROWS]
                cursor.execute(f"{UPSERT_HEAD} {', '.join([UPSERT_VALUES] * len(chunk))} {UPSERT_TAIL}",
                               [value for row in chunk for value in row])

    def optimize(self):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            for statement in CREATE_INDEXES:
                cursor.execute(statement)
            cursor.execute("ANALYZE search_searchdocument")


UPSERT_ROWS = 1000
UPSERT_HEAD = f"INSERT INTO search_searchdocument ({', '.join(base.INSERTED)}) VALUES"
UPSERT_VALUES = f"({', '.join(['%s'] * len(base.INSERTED))})"
UPSERT_TAIL = (f"ON CONFLICT (source, object_id) DO UPDATE SET "
               f"{', '.join(f'{name} = excluded.{name}' for name in base.INSERTED[2:])} WHERE "
               + " OR ".join(f"search_searchdocument.{name} IS DISTINCT FROM excluded.{name}"
                             for name in base.INSERTED[2:]))
CREATE_INDEXES = [
    f"CREATE INDEX IF NOT EXISTS search_document_tsv ON search_searchdocument USING gin ((id / {BUCKET}), {vector()})",
    "CREATE INDEX IF NOT EXISTS search_document_ids ON search_searchdocument USING gin (ids gin_trgm_ops) "
    "WHERE ids <> ''",
]
DROP_INDEXES = ["DROP INDEX IF EXISTS search_document_ids", "DROP INDEX IF EXISTS search_document_tsv"]
