"""Full-text search over tickets, interactions, customers, orders, cases and what other apps register."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Query, Router, Schema
from pydantic import Field

from caredesk.api.auth import require
from caredesk.api.types import Key, PageSize, ShortText
from caredesk.core.roles import WORK_TICKETS
from caredesk.search import filters as search_filters
from caredesk.search import queries

router = Router(tags=["search"])


class SearchFilters(Schema):
    q: ShortText = Field(description="Words (all required), \"a phrase\", #123, an email (whole or part), a "
                                     "phone number in any format, an order reference.")
    status: list[str] | None = None
    group: Key | None = None
    assignee: ShortText | None = Field(None, description="A username, or 'me'.")
    ticket_type: Key | None = Field(None, alias="type")
    since: date | None = Field(None, description="Texts written on or after this day.")
    until: date | None = Field(None, description="Texts written up to the end of this day.")
    source: list[Key] | None = Field(None, description="Only these kinds: ticket, interaction, customer, "
                                                        "order, case, or one an app registers (article).")
    cursor: str | None = None
    limit: PageSize = 20


class HitOut(Schema):
    source: str
    label: str
    id: int = Field(description="The id of the row in its source (a ticket, an interaction, a customer...).")
    ticket_id: int | None
    customer_id: int | None
    at: datetime | None
    score: float
    title_html: str = Field(description="Escaped HTML; the matched words in <mark>.")
    snippet_html: str = Field(description="Escaped HTML; the matched words in <mark>.")
    url: str = Field(description="Where the workspace shows it.")


class SearchPage(Schema):
    items: list[HitOut]
    next_cursor: str | None
    exact_ticket: int | None = Field(description="The ticket a query such as #123 names, when it exists.")


@router.get("/search", response=SearchPage)
def search(request, filters: Query[SearchFilters]):
    """Ranked hits the caller's role may see (a subject above a body), with highlighted snippets, filtered
    and paginated with cursors. A change is found as soon as its transaction commits."""
    agent = require(request, WORK_TICKETS)
    chosen = search_filters.build(agent=agent, status=filters.status, group=filters.group,
                                  assignee=filters.assignee, ticket_type=filters.ticket_type,
                                  since=filters.since, until=filters.until)
    page = queries.search(filters.q, agent=agent, filters=chosen, sources=filters.source, cursor=filters.cursor,
                          limit=filters.limit)
    return {"items": [{"source": hit.source, "label": hit.label, "id": hit.object_id, "ticket_id": hit.ticket_id,
                       "customer_id": hit.customer_id, "at": hit.at, "score": hit.score,
                       "title_html": str(hit.title), "snippet_html": str(hit.snippet), "url": hit.url}
                      for hit in page.hits],
            "next_cursor": page.next_cursor, "exact_ticket": page.exact_ticket}
