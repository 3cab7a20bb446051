"""The only writers of knowledge base articles, their versions, their uses in replies and their votes; every
change writes an ArticleEvent.

An article is written (`create_article`, version 1) and revised (`revise_article`: a new version when anything
changed, the old text kept in ArticleVersion) by agents whose role may write articles (Agents, Team Supervisors,
Admins); it is published or taken back to draft. A reply that carried an article (as a link or as its text) is
recorded as a use on the ticket (`record_uses`). A public visitor votes whether an article helped (`vote`): one
vote per visitor and article, a limited number per address and hour; an unhelpful vote on an article whose
category says so opens a ticket with the visitor's question.
Event kinds: article.created, article.revised, article.published, article.unpublished, article.used,
article.voted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils.text import slugify

from caredesk.core import audit, clock, roles
from caredesk.core.audit import Actor
from caredesk.core.errors import Conflict, Forbidden, ValidationFailed
from caredesk.core.models import Agent
from caredesk.customers.actions import find_customer_by_contact
from caredesk.knowledge import queries
from caredesk.knowledge.models import Article, ArticleCategory, ArticleEvent, ArticleUse, ArticleVersion, ArticleVote
from caredesk.tickets.actions import TAG_PATTERN
from caredesk.tickets.models import Interaction, Ticket
from caredesk.tickets.use_cases import NewRequester, open_ticket

Visibility, Status = Article.Visibility, Article.Status
CONTENT = ("title", "body", "category", "tags", "visibility")  # what a version holds
TITLE_LENGTH = Article._meta.get_field("title").max_length


@dataclass
class Draft:
    """An article's content as an editor submits it."""

    title: str = ""
    body: str = ""
    category: int | None = None
    tags: list[str] = field(default_factory=list)
    visibility: str = Visibility.INTERNAL


@dataclass
class Vote:
    """A public visitor's answer; `question` and `email` only matter for an unhelpful vote that opens a ticket."""

    helpful: bool
    visitor: str  # a keyed digest of the visitor's cookie
    address: str  # a keyed digest of the visitor's IP address
    email: str = ""
    name: str = ""
    question: str = ""


def _record(actor: Actor, article: Article, action: str, **details) -> None:
    audit.write(ArticleEvent.build(actor, action, article=article, **details))


def _writer(agent: Agent) -> Actor:
    if not agent.can(roles.WRITE_ARTICLES):
        raise Forbidden("Your role does not allow writing knowledge base articles.")
    return Actor.of_agent(agent)


def _tags(values) -> list[str]:
    tags = []
    for value in values:
        tag = (value or "").strip().lower()
        if not tag or tag in tags:
            continue
        if not TAG_PATTERN.match(tag):
            raise ValidationFailed(f"A tag is one word of letters, digits, _ or - (not {tag!r}).", field="tags")
        tags.append(tag)
    return tags


def _checked(draft: Draft) -> dict:
    title = (draft.title or "").strip()
    if not title:
        raise ValidationFailed("An article needs a title.", field="title")
    if len(title) > TITLE_LENGTH:
        raise ValidationFailed(f"A title has at most {TITLE_LENGTH} characters.", field="title")
    if not (draft.body or "").strip():
        raise ValidationFailed("An article needs a body.", field="body")
    category = ArticleCategory.objects.filter(pk=draft.category, active=True).first() if draft.category else None
    if category is None:
        raise ValidationFailed("Choose a category.", field="category")
    if draft.visibility not in Visibility.values:
        raise ValidationFailed("An article is internal or public.", field="visibility")
    return {"title": title, "body": draft.body.replace("\r\n", "\n"), "category": category,
            "tags": _tags(draft.tags), "visibility": draft.visibility}


def _unique_slug(title: str) -> str:
    base = slugify(title)[:200] or "article"
    slug, number = base, 1
    while Article.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def _keep_version(article: Article, agent: Agent) -> None:
    ArticleVersion.objects.create(
        article=article, version=article.version, title=article.title, body=article.body,
        category=article.category, tags=article.tags, visibility=article.visibility, edited_by=agent,
        at=article.updated_at)


def _locked(article: Article) -> Article:
    return Article.objects.select_for_update(of=("self",)).select_related("category").get(pk=article.pk)


@transaction.atomic
def create_article(*, agent: Agent, draft: Draft) -> Article:
    """A new draft article, version 1."""
    actor = _writer(agent)
    content = _checked(draft)
    now = clock.now()
    article = Article.objects.create(slug=_unique_slug(content["title"]), created_by=agent, updated_by=agent,
                                     created_at=now, updated_at=now, **content)
    _keep_version(article, agent)
    _record(actor, article, "article.created", after={
        "title": article.title, "category": article.category.name, "visibility": article.visibility, "version": 1})
    return article


def _revise(article: Article, agent: Agent, draft: Draft, restored_from: int | None = None) -> Article:
    actor = _writer(agent)
    content = _checked(draft)
    article = _locked(article)
    changed = [name for name in CONTENT if getattr(article, name) != content[name]]
    if not changed:
        return article
    for name in changed:
        setattr(article, name, content[name])
    article.version += 1
    article.updated_by, article.updated_at = agent, clock.now()
    article.save()
    _keep_version(article, agent)
    details = {"version": article.version, "changed": changed}
    if restored_from is not None:
        details["restored_from"] = restored_from
    _record(actor, article, "article.revised", after=details)
    return article


@transaction.atomic
def revise_article(article: Article, *, agent: Agent, draft: Draft) -> Article:
    """The article with the draft's content as a new version; nothing is written when nothing changed. A
    published article shows the new version at once."""
    return _revise(article, agent, draft)


@transaction.atomic
def restore_version(article: Article, *, agent: Agent, version: int) -> Article:
    """A new version with the content of an earlier one (its category must still be active)."""
    old = ArticleVersion.objects.filter(article=article, version=version).first()
    if old is None:
        raise ValidationFailed(f"The article has no version {version}.", field="version")
    return _revise(article, agent, Draft(title=old.title, body=old.body, category=old.category_id, tags=old.tags,
                                         visibility=old.visibility), restored_from=version)


def _set_status(article: Article, agent: Agent, status: str, action: str) -> Article:
    actor = _writer(agent)
    article = _locked(article)
    if article.status == status:
        raise Conflict(f"The article is already {status}.", field="status")
    before, article.status = article.status, status
    if status == Status.PUBLISHED:
        article.published_at = clock.now()
    article.updated_by, article.updated_at = agent, clock.now()
    article.save()
    _record(actor, article, action, field="status", before=before, after=status)
    return article


@transaction.atomic
def publish(article: Article, *, agent: Agent) -> Article:
    """Published: suggested in the composer and, when public, on the public pages."""
    return _set_status(article, agent, Status.PUBLISHED, "article.published")


@transaction.atomic
def unpublish(article: Article, *, agent: Agent) -> Article:
    """Back to draft: no longer suggested nor public."""
    return _set_status(article, agent, Status.DRAFT, "article.unpublished")


@transaction.atomic
def set_guide(article: Article, *, agent: Agent, guide: str) -> Article:
    """Make the published article the one the workspace links to at `guide` (Article.Guide: the new ticket
    page, the escalation panel), taking the place from the article that had it; "" takes it off."""
    actor = _writer(agent)
    if guide and guide not in Article.Guide.values:
        raise ValidationFailed(f"A guide is one of {', '.join(Article.Guide.values)}, or empty.", field="guide")
    article = _locked(article)
    if guide and article.status != Status.PUBLISHED:
        raise Conflict("Publish the article first: the workspace links only to published articles.",
                       field="guide")
    if article.guide == guide:
        return article
    if guide:
        for previous in Article.objects.select_for_update().filter(guide=guide):
            _guided(actor, previous, agent, "")
    return _guided(actor, article, agent, guide)


def _guided(actor: Actor, article: Article, agent: Agent, guide: str) -> Article:
    before, article.guide = article.guide, guide
    article.updated_by, article.updated_at = agent, clock.now()
    article.save(update_fields=["guide", "updated_by", "updated_at"])
    _record(actor, article, "article.guide_set", field="guide", before=before, after=guide)
    return article


def _flat(text: str) -> str:
    return " ".join((text or "").split())


def carried(article: Article, how: str, body: str) -> bool:
    """Whether a reply's body still carries the article as inserted: its public address for a link (a public
    article only), or the start of its text (the first 200 characters, spaces aside)."""
    if how == ArticleUse.How.LINK:
        return article.is_public and queries.public_url(article) in body
    return how == ArticleUse.How.TEXT and _flat(article.body)[:200] in _flat(body)


@transaction.atomic
def record_uses(uses: dict[int, str], *, interaction: Interaction, agent: Agent) -> list[ArticleUse]:
    """The articles (id -> "link" or "text") inserted into a reply that was sent as `interaction`. Call it in
    the reply's transaction. Articles that are not published, or that the agent removed from the reply before
    sending it, are left out; a use is recorded once."""
    if interaction.direction != Interaction.Direction.OUTBOUND or interaction.kind != Interaction.Kind.MESSAGE:
        raise ValidationFailed("Articles are recorded on a reply sent to the customer.", field="articles")
    recorded = []
    articles = Article.objects.filter(pk__in=list(uses), status=Status.PUBLISHED).order_by("id")
    taken = set(ArticleUse.objects.filter(interaction=interaction).values_list("article_id", flat=True))
    for article in articles:
        how = uses[article.pk]
        if article.pk in taken or not carried(article, how, interaction.body):
            continue
        recorded.append(ArticleUse.objects.create(
            article=article, version=article.version, ticket_id=interaction.ticket_id, interaction=interaction,
            how=how, agent=agent, at=clock.now()))
        _record(Actor.of_agent(agent), article, "article.used", after={
            "ticket": interaction.ticket_id, "interaction": interaction.pk, "how": how, "version": article.version})
    return recorded


def _open_ticket(article: Article, vote: Vote) -> Ticket:
    email = vote.email.strip()
    if not email:
        raise ValidationFailed("Give your email address so that we can answer you.", field="email")
    if not vote.question.strip():
        raise ValidationFailed("Tell us what you were looking for.", field="question")
    name = vote.name.strip() or email.split("@")[0]
    actor = Actor.customer(name)
    known = find_customer_by_contact(email=email)
    return open_ticket(actor=actor, requester=known or NewRequester(name=name, emails=[email]),
                       subject=f"Help article did not help: {article.title}"[:200],
                       description=f"{vote.question.strip()}\n\n(From the help article “{article.title}”, "
                                   f"{queries.public_url(article)})")


@transaction.atomic
def vote(article: Article, *, vote: Vote) -> ArticleVote:
    """A visitor's answer to "was this helpful?" on a public article: their earlier vote on it is replaced; more
    than CAREDESK_KNOWLEDGE_VOTES_PER_HOUR votes from one address in an hour are refused. An unhelpful vote with
    a question opens a ticket when the article's category says so (ArticleCategory.unhelpful_vote_opens_ticket)."""
    if not article.is_public:
        raise ValidationFailed("Only a public article takes votes.", field="article")
    since = clock.now() - timedelta(hours=1)
    if ArticleVote.objects.filter(address=vote.address, at__gte=since).count() >= settings.KNOWLEDGE_VOTES_PER_HOUR:
        raise Conflict("Too many votes from your address: try again later.", field="helpful")
    ticket = None
    asks = not vote.helpful and (vote.question.strip() or vote.email.strip())
    if asks and article.category.unhelpful_vote_opens_ticket:
        ticket = _open_ticket(article, vote)
    row = ArticleVote.objects.filter(article=article, visitor=vote.visitor).first()
    if row is None:
        row = ArticleVote.objects.create(article=article, visitor=vote.visitor, address=vote.address,
                                         helpful=vote.helpful, ticket=ticket, at=clock.now())
    else:
        row.helpful, row.address, row.at = vote.helpful, vote.address, clock.now()
        row.ticket = ticket or row.ticket
        row.save()
    _record(Actor.customer("a visitor"), article, "article.voted", field="helpful",
            after={"helpful": vote.helpful, "ticket": ticket.pk if ticket else None})
    return row
