"""The only writer of the search index: documents refreshed from their sources inside the transaction that
changed them (following its audit events), and builds of a whole source in resumable batches."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import connection, transaction

from caredesk.core import clock
from caredesk.search import engines, registry, text
from caredesk.search.models import IndexBuild, SearchDocument

MAX_TEXT = 100_000  # characters of a body indexed (PostgreSQL refuses a tsvector over 1 MB)


def _columns(document: registry.Document) -> dict:
    return {
        "ticket_id": document.ticket_id, "customer_id": document.customer_id, "public": document.public,
        "at": document.at, "title": (document.title or "")[:MAX_TEXT], "body": (document.body or "")[:MAX_TEXT],
        "keys": text.keys_for([document.title, document.body], document.identifiers),
        "ids": text.ids_for(document.identifiers),
    }


def _row(source_name: str, document: registry.Document) -> tuple:
    """The document as a row of engines.base.INSERTED."""
    columns = _columns(document)
    return (source_name, document.object_id, columns["ticket_id"], columns["customer_id"], columns["public"],
            connection.ops.adapt_datetimefield_value(columns["at"]), columns["ids"], columns["keys"],
            columns["title"], columns["body"])


def refresh(source_name: str, ids: Iterable[int]) -> int:
    """Rewrite the index rows of these rows of the source as they are now; rows that are gone (or that the
    source no longer returns) leave the index. Call it inside the transaction that changed them. Returns
    how many documents the source returned."""
    source = registry.source(source_name)
    ids = sorted({int(pk) for pk in ids})
    if not ids:
        return 0
    documents = source.documents(ids)
    engines.current().upsert([_row(source.name, document) for document in documents])
    gone = set(ids) - {document.object_id for document in documents}
    if gone:
        SearchDocument.objects.filter(source=source.name, object_id__in=gone).delete()
    return len(documents)


def follow_audit(events: list) -> None:
    """Refresh what these audit events (just written, in their transaction) changed: audit.on_written."""
    changes = registry.Changes()
    for source in registry.sources():
        for event in events:
            changes.add(source.name, source.changed_by(event))
    for name, ids in changes.ids.items():
        refresh(name, ids)


def _append(source_name: str, documents: list[registry.Document]) -> None:
    """A build's batch, written at once; a document indexed meanwhile by a change (which has it as it is
    now) is kept."""
    engines.current().insert([_row(source_name, document) for document in documents])


def _next_batch(source: registry.DocumentSource, after: int) -> tuple[int, int] | None:
    """Index the next batch of a build: (the last id it covered, how many rows), or None past the last row.
    In SQL within the database where the engine can (PostgreSQL, sources with `bulk` SQL), else by
    `documents_after` in Python."""
    done = engines.current().bulk_insert(source, after, MAX_TEXT)
    if done is not NotImplemented:
        return done
    batch = source.documents_after(after)
    if batch is None:
        return None
    _append(source.name, batch[1])
    return batch[0], len(batch[1])


def clear(source_name: str | None = None) -> None:
    """Empty the index (of one source)."""
    with transaction.atomic():
        if source_name is None:
            engines.current().clear_all()
            IndexBuild.objects.all().delete()
        else:
            SearchDocument.objects.filter(source=source_name).delete()
            IndexBuild.objects.filter(source=source_name).delete()


def build(source_name: str, *, restart: bool = False, progress: Callable[[int], None] = lambda done: None,
          stop: Callable[[], bool] = lambda: False) -> IndexBuild:
    """Index every row of the source, in batches each committed with the build's position, so a build that
    is stopped (or killed) resumes after its last batch. `restart` clears the source's documents first.
    `progress` is told how many rows each batch indexed; `stop` is asked between batches."""
    source = registry.source(source_name)
    if restart:
        clear(source_name)
    state = (IndexBuild.objects.filter(source=source_name).first()
             or IndexBuild.objects.create(source=source_name, started_at=clock.now()))
    if state.finished_at is not None:  # built: changes since are indexed as they commit
        return state
    engines.current().begin_build()
    while True:
        with transaction.atomic():
            batch = _next_batch(source, state.last_id)
            if batch is None:
                break
            last_id, count = batch
            IndexBuild.objects.filter(pk=state.pk).update(last_id=last_id, indexed=state.indexed + count)
        state.last_id, state.indexed = last_id, state.indexed + count
        progress(count)
        if stop():
            return state
    state.finished_at = clock.now()
    IndexBuild.objects.filter(pk=state.pk).update(finished_at=state.finished_at)
    return state


def optimize() -> None:
    engines.current().optimize()


def merge() -> int:
    """The worker's job: one bounded step of merging the index's segments, in its own transaction; 1 when
    there was work (the worker then comes back at once), else 0."""
    with transaction.atomic():
        return int(engines.current().merge())
