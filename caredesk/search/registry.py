"""The document-source registry: how an app makes its rows searchable.

An app describes its searchable rows with a `DocumentSource` subclass and registers one instance from its
AppConfig.ready()::

    from caredesk.search import registry

    class ArticleSource(registry.DocumentSource):
        name = "article"                      # unique, stored with every document; never rename it
        label = "Article"                     # shown beside a hit
        model = Article                       # object ids are this model's primary keys
        capability = roles.WORK_TICKETS       # what an agent needs to see these hits (see `visible`)

        def documents(self, ids):             # the current documents of the rows among `ids` that exist
            return [registry.Document(object_id=a.pk, title=a.title, body=a.body_text, at=a.updated_at,
                                      public=a.is_public_and_published)
                    for a in Article.objects.filter(pk__in=ids)]

        def changed_by(self, event):          # which rows an audit event (of any log) may have changed
            return [event.article_id] if isinstance(event, ArticleEvent) else []

        def url(self, hit):
            return reverse("kb:article", args=[hit.object_id])

    registry.register(ArticleSource())

Keeping the index in step: every audit event written (caredesk.core.audit) is shown to every source's
`changed_by`; the ids it returns are re-read with `documents` and their index rows rewritten in the same
transaction, so a change is searchable when it commits. An id `documents` no longer returns (a deleted row,
a draft that is not to be found) is removed from the index. An action that changes indexed text without an
audit event of its own may call `caredesk.search.actions.refresh(source_name, ids)` inside its transaction.

`caredesk search-index` builds every source from scratch (or one: `--source article`) in batches of
`documents_after()` (by default the ids of `batches()` read with `documents`); it is resumable.

Searching: `caredesk.search.queries.search(query, agent=..., sources=("article",))` returns hits of the
article source only, ranked; `public_only=True` (no agent) returns only documents built with public=True.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from django.db.models import Model

if TYPE_CHECKING:
    from caredesk.search.queries import Hit


@dataclass(frozen=True)
class Document:
    """What the index holds of one row. `title` ranks above `body` (a ticket's subject, an article's title);
    `identifiers` are exact things people type part of (names, emails, phone numbers, order references):
    also indexed by substring and, for phone numbers, by their digits. Phone numbers inside `title` and
    `body` are found by their digits too. `ticket_id` lets ticket filters (status, group, assignee, type)
    apply to the document; `public` documents are found by `public_only` searches (no agent)."""

    object_id: int
    title: str
    body: str = ""
    identifiers: Sequence[str] = ()
    at: datetime | None = None
    ticket_id: int | None = None
    customer_id: int | None = None
    public: bool = False


class DocumentSource:
    """One kind of searchable row. Subclass it, set the class attributes, implement `documents` and `url`."""

    name: ClassVar[str]
    label: ClassVar[str]
    model: ClassVar[type[Model]]
    capability: ClassVar[str | None] = None  # None: anyone signed in; public documents: anyone at all
    batch_size: ClassVar[int] = 2000

    def documents(self, ids: Sequence[int]) -> list[Document]:
        raise NotImplementedError

    def changed_by(self, event) -> list[int]:
        """Ids of this source's rows that the audit event `event` (a row of any AuditEvent subclass) may
        have changed; the default is none."""
        return []

    def url(self, hit: Hit) -> str:
        raise NotImplementedError

    def visible(self, agent) -> bool:
        """Whether `agent` (None: a public visitor) may see this source's non-public documents."""
        if agent is None:
            return False
        return self.capability is None or agent.can(self.capability)

    def documents_after(self, after: int) -> tuple[int, list[Document]] | None:
        """A build's next batch: (the last id read, the documents of the rows after `after`, at most
        `batch_size` rows), or None past the last row. Override it where one query can build a batch
        faster than reading its ids first."""
        for ids in self.batches(after):
            return ids[-1], self.documents(ids)
        return None

    def batches(self, after: int = 0) -> Iterator[list[int]]:
        """Every id above `after`, ascending, in lists of `batch_size`: what a (resumed) build indexes."""
        while True:
            ids = list(self.model._default_manager.filter(pk__gt=after).order_by("pk")
                       .values_list("pk", flat=True)[: self.batch_size])
            if not ids:
                return
            yield ids
            after = ids[-1]

    def count(self) -> int:
        return self.model._default_manager.count()


_sources: dict[str, DocumentSource] = {}


def register(source: DocumentSource) -> DocumentSource:
    """Add a source (once per name; registering the same name again replaces it, for reloads)."""
    _sources[source.name] = source
    return source


def source(name: str) -> DocumentSource:
    try:
        return _sources[name]
    except KeyError:
        raise LookupError(f"No search source named {name!r}; registered: {', '.join(sorted(_sources))}") from None


def sources() -> list[DocumentSource]:
    return list(_sources.values())


@dataclass
class Changes:
    """Ids to refresh, per source name (what one batch of audit events touched)."""

    ids: dict[str, set[int]] = field(default_factory=dict)

    def add(self, name: str, ids) -> None:
        ids = {pk for pk in ids if pk is not None}
        if ids:
            self.ids.setdefault(name, set()).update(ids)
