"""What both engines share: filters, the visibility and filter SQL, highlight markers."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction

from caredesk.search.text import Query

# Highlight markers put in by the database, turned into <mark> after the text is escaped (never in text).
START, STOP = "\u2983", "\u2984"
# The columns a build inserts, in this order.
INSERTED = ("source", "object_id", "ticket_id", "customer_id", "public", "at", "ids", "keys", "title", "body")
CANDIDATES = 2000  # matches ranked per query: the newest this many (all of them for rarer words)
# A query with a phrase ranks its newest 100 matches: checking that words are next to one another costs a
# look at each document holding them all, and a phrase of common words is in few of those.
PHRASE_CANDIDATES = 100
# What a match scores: 1, plus 10 when the query matches in the title and 4 when in the identifiers (a
# subject above a body); a hit by a substring of an identifier scores 1.
TITLE_SCORE, KEYS_SCORE, SUBSTRING_SCORE = 10.0, 4.0, 1.0


@dataclass(frozen=True)
class Filters:
    status: list[str] = field(default_factory=list)
    group_id: int | None = None
    assignee_id: int | None = None
    ticket_type_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None

    @property
    def on_tickets(self) -> bool:
        return bool(self.status) or any(value is not None for value in (self.group_id, self.assignee_id,
                                                                         self.ticket_type_id))


def where(filters: Filters, sources: list[str], public_only: bool) -> tuple[str, list, bool]:
    """(SQL condition on `d` (the document) and `t` (its ticket), its parameters, whether `t` is needed)."""
    clauses = [f"d.source IN ({', '.join(['%s'] * len(sources))})"]
    params: list = list(sources)
    if public_only:
        clauses.append("d.public = %s")
        params.append(True)
    if filters.status:
        clauses.append(f"t.status IN ({', '.join(['%s'] * len(filters.status))})")
        params += filters.status
    for column, value in (("group_id", filters.group_id), ("assignee_id", filters.assignee_id),
                          ("ticket_type_id", filters.ticket_type_id)):
        if value is not None:
            clauses.append(f"t.{column} = %s")
            params.append(value)
    if filters.since is not None:
        clauses.append("d.at >= %s")
        params.append(filters.since)
    if filters.until is not None:
        clauses.append("d.at < %s")
        params.append(filters.until)
    return " AND ".join(clauses), params, filters.on_tickets


def joins(ticket_needed: bool) -> str:
    return "JOIN tickets_ticket t ON t.id = d.ticket_id" if ticket_needed else ""


def marked(text: str) -> str:
    """Escaped HTML of `text` with the highlight markers as <mark> elements."""
    escaped = html.escape(text or "")
    return escaped.replace(START, "<mark>").replace(STOP, "</mark>")


class Engine:
    vendor: str

    def candidates(self, query: Query, *, sources: list[str], filters: Filters, public_only: bool,
                   limit: int = CANDIDATES) -> list[tuple[int, float]]:
        """(document id, score: higher is better) of the matching documents: the newest `limit` full-text
        matches and the newest `limit` identifiers holding the query."""
        condition, params, ticket_needed = where(filters, sources, public_only)
        if any(len(words) > 1 for words in query.phrases):
            limit = min(limit, PHRASE_CANDIDATES)
        found: dict[int, float] = {}
        # One transaction: an engine may SET LOCAL what its statements need (PostgreSQL turns JIT off).
        with transaction.atomic(), connection.cursor() as cursor:
            if query.phrases or query.phone:
                found.update(self.full_text_matches(cursor, query, joins(ticket_needed), condition, params, limit))
            if len(query.substring) >= 3:
                sql, first = self.substring(query, joins(ticket_needed), condition)
                cursor.execute(sql, [*first, *params, limit])
                for (document_id,) in cursor.fetchall():
                    found[document_id] = max(found.get(document_id, 0.0), SUBSTRING_SCORE)
        return list(found.items())

    def full_text_matches(self, cursor, query: Query, joined: str, condition: str, params: list,
                          limit: int) -> list[tuple[int, float]]:
        """(id, score) of the newest `limit` full-text matches."""
        sql, first = self.full_text(query, joined, condition)
        cursor.execute(sql, [*first, *params, limit])
        return cursor.fetchall()

    def full_text(self, query: Query, joined: str, condition: str) -> tuple[str, list]:
        """(SQL selecting (id, score) of the full-text matches, newest first, ending in LIMIT %s; the
        parameters before those of `condition`)."""
        raise NotImplementedError

    def substring(self, query: Query, joined: str, condition: str) -> tuple[str, list]:
        """(SQL selecting the ids of documents whose identifiers hold `query.substring`, as `full_text`)."""
        raise NotImplementedError

    def highlights(self, query: Query, ids: list[int]) -> dict[int, tuple[str, str]]:
        """(title, snippet) of each document, the matched words between START and STOP."""
        raise NotImplementedError

    def sizes(self) -> dict[str, int]:
        """Bytes: "text" (what is indexed), "index" (the full-text and substring indexes)."""
        raise NotImplementedError

    def begin_build(self) -> None:
        """Ready this connection for a build's batches (`insert`, `bulk_insert`)."""

    def insert(self, rows: list[tuple]) -> None:
        """New documents (tuples of INSERTED), skipping any already indexed: a build's batch."""
        raise NotImplementedError

    def upsert(self, rows: list[tuple]) -> None:
        """Documents (tuples of INSERTED) inserted, or rewritten where they differ from what is indexed: a
        change's documents, inside its transaction."""
        raise NotImplementedError

    def bulk_insert(self, source, after: int, max_text: int):
        """Index the rows of `source` after id `after`, a batch, within the database: (the last id covered,
        rows), None past the last row, or NotImplemented where the build goes through Python instead."""
        return NotImplemented

    def clear_all(self) -> None:
        """Every document out of the index."""
        raise NotImplementedError

    def optimize(self) -> None:
        """Compact the index after a build."""

    def merge(self) -> bool:
        """One small step of the index's upkeep, for the worker; whether there was work to do."""
        return False
