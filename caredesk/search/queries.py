"""The one search interface the workspace, the API and other apps call: `search`."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field, replace
from datetime import datetime

from django.utils.safestring import SafeString, mark_safe

from caredesk.core.errors import ValidationFailed
from caredesk.search import engines, registry, text
from caredesk.search.engines.base import START, STOP, Filters, marked
from caredesk.search.models import SearchDocument

PAGE = 20
MAX_PAGE = 100
SNIPPET = 200


@dataclass
class Hit:
    source: str
    label: str
    object_id: int
    ticket_id: int | None
    customer_id: int | None
    at: datetime | None
    score: float
    title: SafeString  # highlighted, escaped
    snippet: SafeString  # highlighted, escaped
    url: str = ""
    ticket_subject: str = ""  # the subject of the hit's ticket, if it belongs to one


@dataclass
class Page:
    query: str
    hits: list[Hit] = field(default_factory=list)
    next_cursor: str | None = None
    exact_ticket: int | None = None  # the ticket a "#123" or "123" query names, when it exists


def _cursor(score: float, document_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps([score, document_id]).encode()).decode().rstrip("=")


def _read_cursor(value: str) -> tuple[float, int]:
    try:
        score, document_id = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
        return float(score), int(document_id)
    except (ValueError, TypeError, UnicodeDecodeError):
        raise ValidationFailed("This cursor is not one a search gave out.", field="cursor") from None


def _plain_snippet(body: str, query: text.Query) -> str:
    """A snippet around the first phone number or substring the query found, marked; else the start."""
    body = body or ""
    span = None
    if query.phone:
        for match in text.PHONE.finditer(body):
            if set(query.phone_forms) & set(text.phone_forms(re.sub(r"\D", "", match.group()))):
                span = match.span()
                break
    elif query.substring:
        at = body.lower().find(query.substring)
        span = (at, at + len(query.substring)) if at >= 0 else None
    if span is None:
        return body[:SNIPPET] + ("…" if len(body) > SNIPPET else "")
    start = max(0, span[0] - SNIPPET // 2)
    return (("…" if start else "") + body[start:span[0]] + START + body[span[0]:span[1]] + STOP
            + body[span[1]:span[1] + SNIPPET // 2] + ("…" if span[1] + SNIPPET // 2 < len(body) else ""))


def _subjects(ticket_ids: set[int]) -> dict[int, str]:
    from caredesk.tickets.models import Ticket

    return dict(Ticket.objects.filter(pk__in=ticket_ids).values_list("pk", "subject")) if ticket_ids else {}


def visible_sources(agent, wanted: list[str] | None, public_only: bool) -> list[str]:
    known = sorted(source.name for source in registry.sources())
    unknown = [name for name in wanted or [] if name not in known]
    if unknown:
        raise ValidationFailed(f"Unknown source {unknown[0]!r}; known: {', '.join(known)}.", field="source")
    names = []
    for source in registry.sources():
        if wanted and source.name not in wanted:
            continue
        if public_only or source.visible(agent):
            names.append(source.name)
    return names


def search(query: str, *, agent=None, filters: Filters | None = None, sources: list[str] | None = None,
           cursor: str | None = None, limit: int = PAGE, public_only: bool = False) -> Page:
    """Ranked, highlighted hits of `query` that `agent`'s role may see (or, with `public_only`, the public
    documents only, for visitors), filtered, one page at a time: pass a page's `next_cursor` back as `cursor`
    for the next. Raises ValidationFailed (field 'cursor') for a cursor it did not make."""
    parsed = text.parse(query)
    page = Page(query=parsed.text)
    if agent is None and not public_only:
        return page
    limit = max(1, min(limit, MAX_PAGE))
    names = visible_sources(agent, sources, public_only or agent is None)
    number = parsed.text.lstrip("#")
    if number.isdigit() and len(number) < 10 and "ticket" in names and cursor is None and not public_only:
        from caredesk.tickets.models import Ticket

        if Ticket.objects.filter(pk=int(number)).exists():
            page.exact_ticket = int(number)
    if parsed.empty or not names:
        return page
    engine = engines.current()
    ranked = engine.candidates(parsed, sources=names, filters=filters or Filters(), public_only=public_only)
    ranked.sort(key=lambda item: (-item[1], -item[0]))
    if cursor:
        after = _read_cursor(cursor)
        ranked = [item for item in ranked if (-item[1], -item[0]) > (-after[0], -after[1])]
    chosen = ranked[:limit]
    if len(ranked) > limit:
        page.next_cursor = _cursor(chosen[-1][1], chosen[-1][0])
    documents = SearchDocument.objects.in_bulk([document_id for document_id, _ in chosen])
    marks = engine.highlights(parsed, [document_id for document_id, _ in chosen])
    subjects = _subjects({document.ticket_id for document in documents.values() if document.ticket_id})
    for document_id, score in chosen:
        document = documents.get(document_id)
        if document is None:
            continue
        title, snippet = marks.get(document_id, (document.title, _plain_snippet(document.body, parsed)))
        if START not in snippet and START not in title:
            snippet = _plain_snippet(document.body, parsed)
        source = registry.source(document.source)
        hit = Hit(source=document.source, label=source.label, object_id=document.object_id,
                  ticket_id=document.ticket_id, customer_id=document.customer_id, at=document.at, score=score,
                  title=mark_safe(marked(title)), snippet=mark_safe(marked(snippet)),
                  ticket_subject=subjects.get(document.ticket_id, ""))
        hit.url = source.url(hit)
        page.hits.append(hit)
    return page


def customer_ids(query: str, *, agent) -> list[int]:
    """Ids of the customers the query finds (the engine's candidates, at most 2,000), best first; the whole
    query (3+ characters) is also looked for inside names, emails, phone numbers and order references."""
    parsed = text.parse(query)
    if len(parsed.text) >= 3 and not parsed.substring:
        parsed = replace(parsed, substring=parsed.text.lower())
    names = visible_sources(agent, ["customer"], False)
    if parsed.empty or not names:
        return []
    ranked = engines.current().candidates(parsed, sources=names, filters=Filters(), public_only=False)
    ranked.sort(key=lambda item: (-item[1], -item[0]))
    documents = dict(SearchDocument.objects.filter(pk__in=[pk for pk, _ in ranked]).values_list("pk", "object_id"))
    return [documents[pk] for pk, _ in ranked if pk in documents]


def customers(query: str, *, agent, limit: int = 8) -> list:
    """The best `limit` customers the query finds, also by part of a name, email, phone or order reference
    (as one types), with their contact points: the requester lookup of a new ticket."""
    from caredesk.customers.models import Customer

    ids = customer_ids(query, agent=agent)[:limit]
    found = Customer.objects.prefetch_related("contact_points").in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def index_notice() -> str:
    """What a searcher should know about the index, in words: what the database lacks, a build stopped
    half-way, or kinds of records not indexed at all yet (a database from before search, until `caredesk
    search-index` has run); empty when all is well."""
    from caredesk.search.models import IndexBuild

    missing = engines.missing()
    if missing:
        return " ".join(missing)
    builds = dict(IndexBuild.objects.values_list("source", "finished_at"))
    waiting = [source.label.lower() for source in registry.sources()
               if source.name in builds and builds[source.name] is None
               or source.name not in builds and source.model._default_manager.exists()
               and not SearchDocument.objects.filter(source=source.name).exists()]
    if waiting:
        return (f"The search index is not built yet for: {', '.join(waiting)}. Older records of these kinds are "
                "not all found until an administrator runs `caredesk search-index`.")
    return ""
