"""The knowledge base (SOP 004: "Utilize a Knowledge Base"): articles in Markdown with their versions, published
or draft, internal or public; the articles suggested for a ticket; the articles a sent reply used. Reading needs
the `work_tickets` capability, writing `write_articles` (Agents, Team Supervisors, Admins). Public articles are
also served without sign-in at /help/."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Router, Schema, Status
from pydantic import Field

from caredesk.api import lookups
from caredesk.api.auth import require
from caredesk.api.types import Id, InputSchema, LongText, ShortText
from caredesk.core import events
from caredesk.core.errors import ValidationFailed
from caredesk.core.roles import VIEW_AUDIT, WORK_TICKETS, WRITE_ARTICLES
from caredesk.knowledge import actions, queries, rendering
from caredesk.knowledge.models import Article, ArticleCategory, ArticleEvent, ArticleVersion
from caredesk.tickets.models import Interaction, Ticket

router = Router(tags=["knowledge base"])
VisibilityName = Literal["internal", "public"]
GuideName = Literal["", "ticket", "escalation", "deescalation"]


class ArticleOut(Schema):
    id: int
    title: str
    slug: str
    body: str = Field(description="Markdown.")
    html: str = Field(description="The body rendered and sanitised, as the pages show it.")
    category: str
    category_id: int
    tags: list[str]
    visibility: VisibilityName
    status: Literal["draft", "published"]
    version: int
    public_url: str | None = Field(description="Its public page, for a published public article.")
    guide: GuideName = Field(description=(
        "Where the workspace links to it while published: `ticket` (the new ticket page: what a clear and "
        "detailed ticket looks like), `escalation` and `deescalation` (the escalation panel: the escalation "
        "path, how to de-escalate an irate customer), or nowhere."))
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None

    @staticmethod
    def resolve_html(article: Article) -> str:
        return rendering.render(article.body)

    @staticmethod
    def resolve_category(article: Article) -> str:
        return article.category.name

    @staticmethod
    def resolve_public_url(article: Article) -> str | None:
        return queries.public_url(article) if article.is_public else None


class ArticleIn(InputSchema):
    title: ShortText
    body: LongText
    category: Id = Field(description="A category's id: GET /article-categories.")
    tags: list[ShortText] = Field([], max_length=50)
    visibility: VisibilityName = "internal"


class CategoryOut(Schema):
    id: int
    key: str
    name: str
    unhelpful_vote_opens_ticket: bool


class VersionOut(Schema):
    version: int
    title: str
    body: str
    category: str
    tags: list[str]
    visibility: VisibilityName
    edited_by: str
    at: datetime

    @staticmethod
    def resolve_category(version: ArticleVersion) -> str:
        return version.category.name

    @staticmethod
    def resolve_edited_by(version: ArticleVersion) -> str:
        return version.edited_by.get_username()


class UseOut(Schema):
    ticket_id: int
    subject: str
    interaction_id: int
    how: Literal["link", "text"]
    version: int
    agent: str
    at: datetime

    @staticmethod
    def resolve_subject(use) -> str:
        return use.ticket.subject

    @staticmethod
    def resolve_agent(use) -> str:
        return use.agent.get_username()


class SuggestionOut(Schema):
    article: ArticleOut
    score: float = Field(description="Higher is a better match among those having as many of the ticket's words: "
                                     "a word in the title counts 10, in the tags 4, the category 2, the body 1.")


class UsesIn(InputSchema):
    articles: dict[str, Literal["link", "text"]] = Field(
        ..., max_length=50, description='The articles the reply carried: {"<article id>": "link" or "text"}.')


class EventOut(Schema):
    id: int
    at: datetime
    actor: str
    action: str
    summary: str


def _article(article_id: int) -> Article:
    return lookups.get_or_404(queries.articles(published_only=False), article_id)


def _draft(payload: ArticleIn) -> actions.Draft:
    return actions.Draft(**payload.dict())


@router.get("/article-categories", response=list[CategoryOut])
def article_categories(request):
    """The categories, the list the team edits."""
    require(request, WORK_TICKETS)
    return list(ArticleCategory.objects.filter(active=True))


@router.get("/articles", response=list[ArticleOut])
def list_articles(request, q: ShortText = "", category: Id | None = None,
                  status: Literal["draft", "published", ""] = "", visibility: Literal["internal", "public", ""] = ""):
    """Every article, drafts too, filtered; with `q`, those matching its words, best first."""
    agent = require(request, WORK_TICKETS)
    return queries.listing(agent=agent, text=q, category=category, status=status, visibility=visibility)


@router.post("/articles", response={201: ArticleOut})
def create_article(request, payload: ArticleIn):
    """A new draft article, version 1."""
    agent = require(request, WRITE_ARTICLES)
    return Status(201, _article(actions.create_article(agent=agent, draft=_draft(payload)).pk))


@router.get("/articles/{article_id}", response=ArticleOut)
def get_article(request, article_id: Id):
    require(request, WORK_TICKETS)
    return _article(article_id)


@router.put("/articles/{article_id}", response=ArticleOut)
def revise_article(request, article_id: Id, payload: ArticleIn):
    """The article's new content: a new version when anything changed."""
    agent = require(request, WRITE_ARTICLES)
    return _article(actions.revise_article(_article(article_id), agent=agent, draft=_draft(payload)).pk)


@router.post("/articles/{article_id}/publish", response=ArticleOut)
def publish_article(request, article_id: Id):
    agent = require(request, WRITE_ARTICLES)
    return _article(actions.publish(_article(article_id), agent=agent).pk)


@router.post("/articles/{article_id}/unpublish", response=ArticleOut)
def unpublish_article(request, article_id: Id):
    agent = require(request, WRITE_ARTICLES)
    return _article(actions.unpublish(_article(article_id), agent=agent).pk)


class GuideIn(InputSchema):
    guide: GuideName = Field(description="The place, or \"\" to take it off.")


@router.put("/articles/{article_id}/guide", response=ArticleOut)
def set_article_guide(request, article_id: Id, payload: GuideIn):
    """Make the published article the one the workspace links to at `guide` (SOP 004's tips: a template of a
    clear ticket, the escalation path), taking the place from the article that had it. 409 for a draft."""
    agent = require(request, WRITE_ARTICLES)
    return _article(actions.set_guide(_article(article_id), agent=agent, guide=payload.guide).pk)


@router.get("/articles/{article_id}/versions", response=list[VersionOut])
def article_versions(request, article_id: Id):
    """Every version, the newest first."""
    require(request, WORK_TICKETS)
    return list(_article(article_id).versions.select_related("category", "edited_by"))


@router.post("/articles/{article_id}/versions/{version}/restore", response=ArticleOut)
def restore_article_version(request, article_id: Id, version: Id):
    """A new version with an earlier version's content."""
    agent = require(request, WRITE_ARTICLES)
    return _article(actions.restore_version(_article(article_id), agent=agent, version=version).pk)


@router.get("/articles/{article_id}/uses", response=list[UseOut])
def article_uses(request, article_id: Id):
    """The replies that carried the article, the newest first (at most 100)."""
    require(request, WORK_TICKETS)
    return queries.uses_of(_article(article_id))


@router.get("/articles/{article_id}/events", response=list[EventOut])
def article_events(request, article_id: Id):
    """The article's audit trail."""
    require(request, VIEW_AUDIT)
    rows = list(ArticleEvent.objects.filter(article=_article(article_id)).order_by("at", "id"))
    return [{"id": event.pk, "at": event.at, "actor": event.actor_label, "action": event.action,
             "summary": str(sentence)} for event, sentence in zip(rows, events.describe_all(rows))]


@router.get("/tickets/{ticket_id}/article-suggestions", response=list[SuggestionOut])
def article_suggestions(request, ticket_id: Id):
    """Published articles for the ticket's subject and text, best first: those matching more of its words first."""
    agent = require(request, WORK_TICKETS)
    ticket = lookups.get_or_404(Ticket.objects.all(), ticket_id)
    return [{"article": hit.article, "score": hit.score} for hit in queries.suggestions(ticket, agent=agent)]


@router.post("/tickets/{ticket_id}/interactions/{interaction_id}/articles", response=list[UseOut])
def record_article_uses(request, ticket_id: Id, interaction_id: Id, payload: UsesIn):
    """Record the articles a reply sent on the ticket carried (the workspace composer does it as it sends)."""
    agent = require(request, WORK_TICKETS)
    interaction = lookups.get_or_404(Interaction.objects.filter(ticket_id=ticket_id), interaction_id)
    uses = {}
    for key, how in payload.articles.items():
        if not key.isdigit():
            raise ValidationFailed(f"{key!r} is not an article id.", field="articles")
        uses[int(key)] = how
    return actions.record_uses(uses, interaction=interaction, agent=agent)
