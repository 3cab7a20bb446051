"""Reading the knowledge base: the article search (`search_articles`: the composer's search, the workspace list,
the public help pages and the API use it), the composer's suggestions for a ticket, the public list by category,
and the tickets an article was used on. Articles are also the search engine's "article" source
(caredesk/knowledge/search.py), which the workspace search box finds beside tickets."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from caredesk.core import roles
from caredesk.knowledge.models import Article, ArticleCategory, ArticleUse, ArticleVote
from caredesk.tickets.models import Interaction, Ticket

Status, Visibility = Article.Status, Article.Visibility
WORD = re.compile(r"[^\W_]{3,}", re.UNICODE)  # a word of a ticket's text worth suggesting by
TOKEN = re.compile(r"[^\W_]+", re.UNICODE)  # a word of a typed query or of an article
# Words too common in a customer's message or a query to say what it is about (English).
COMMON_WORDS = frozenset("""
the and for are but not you your yours with have has had this that these those from they them their there
was were will would can could should what when where which who whom why how all any our ours out get got
just about into over also been being does did doing than then too very some such only own same here hello
thank thanks please regards dear hi sir madam yes know need want like one two its it's i'm i've you're
a an i me my we us to do of in on at by as or if is it be so no
""".split())
MOST_WORDS = 24  # of a ticket's text, looked for in the articles
SUGGESTION_WORDS = 6  # of those, the composer's suggestions rank by
WEIGHTS = {"title": 10.0, "tags": 4.0, "category": 2.0, "body": 1.0}  # a word found in each part counts this
_STEMMER = snowballstemmer.stemmer("english")


def words(text: str, limit: int = MOST_WORDS) -> list[str]:
    """The distinct words of `text` worth searching for, in order (lower case, common words left out)."""
    found: list[str] = []
    for word in WORD.findall((text or "").lower()):
        if word not in COMMON_WORDS and word not in found:
            found.append(word)
            if len(found) == limit:
                break
    return found


def stems(text: str) -> set[str]:
    """The stems of the words of `text` ("renewals" and "renewal" are "renew"), as the engine's stemming finds
    a word in any form."""
    return set(_STEMMER.stemWords(TOKEN.findall((text or "").lower())))


def articles(*, public_only: bool = False, published_only: bool = True) -> QuerySet[Article]:
    rows = Article.objects.select_related("category")
    if published_only or public_only:
        rows = rows.filter(status=Status.PUBLISHED)
    if public_only:
        rows = rows.filter(visibility=Visibility.PUBLIC, category__active=True)
    return rows


def guide(place: str) -> Article | None:
    """The published article the workspace links to at `place` (Article.Guide), if the team chose one."""
    return next(iter(guides(place)), None)


def guides(*places: str) -> list[Article]:
    """The published articles the workspace links to at these places, in their order: one query."""
    found = {article.guide: article for article in Article.objects.filter(guide__in=places, status=Status.PUBLISHED)
             .only("pk", "title", "guide")}
    return [found[place] for place in places if place in found]


@dataclass(frozen=True)
class Hit:
    article: Article
    score: float  # higher is better
    matched: int = 0  # how many of the searched words it has


@lru_cache(maxsize=4096)
def _parts(title: str, tags: str, category: str, body: str) -> dict[str, frozenset[str]]:
    """The stems of each part of an article, kept for its text as it is (stemming is the slow part)."""
    return {"title": frozenset(stems(title)), "tags": frozenset(stems(tags)),
            "category": frozenset(stems(category)), "body": frozenset(stems(body))}


def _ranked(terms: list[str], *, agent, public_only: bool, published_only: bool, every: bool) -> list[Hit]:
    """Articles having every one of `terms` (stems) or, unless `every`, any of them, best first: more terms
    matched first, then by their weights (a term in the title counts most)."""
    if not terms or not (public_only or (agent is not None and agent.can(roles.WORK_TICKETS))):
        return []
    found = []
    for article in articles(public_only=public_only, published_only=published_only):
        parts = _parts(article.title, " ".join(article.tags), article.category.name, article.body)
        weights = [sum(weight for part, weight in WEIGHTS.items() if term in parts[part]) for term in terms]
        matched = sum(1 for weight in weights if weight)
        if matched and (matched == len(terms) or not every):
            found.append(Hit(article, sum(weights), matched))
    return sorted(found, key=lambda hit: (-hit.matched, -hit.score, hit.article.title, hit.article.pk))


def search_articles(text: str, *, agent=None, public_only: bool = False, published_only: bool = True,
                    limit: int = 10) -> list[Hit]:
    """Articles having every word of `text` (as a search box reads it), best first: a word in the title counts
    most, then in the tags, the category and the body. Internal articles only for an `agent` whose role works
    tickets and when not `public_only`; drafts only when not `published_only`.

    The search engine (caredesk.search) indexes articles too, for the workspace search box beside tickets; here
    the few hundred articles are read and matched directly: on the engine's shared index a search restricted
    to articles reads every match of its words in every ticket and message (see docs/benchmarks.md)."""
    terms = sorted(stems(" ".join(word for word in TOKEN.findall((text or "").lower())
                                  if word not in COMMON_WORDS)))
    return _ranked(terms, agent=agent, public_only=public_only, published_only=published_only, every=True)[:limit]


def ticket_text(ticket: Ticket) -> str:
    """What a ticket is about, for suggestions: its subject, description and the customer's latest message (the
    subject's words first: `words` keeps the first few)."""
    latest = (Interaction.objects.filter(ticket=ticket, direction=Interaction.Direction.INBOUND)
              .exclude(body="").order_by("-occurred_at", "-id").values_list("body", flat=True).first())
    return " ".join(part for part in (ticket.subject, ticket.description, latest or "") if part)


def suggestions(ticket: Ticket, *, agent, limit: int = 5) -> list[Hit]:
    """Published articles (internal and public) for the ticket's subject and text: those having more of its
    first uncommon words (at most SUGGESTION_WORDS of those some article has) first, then by their weights."""
    terms = list(dict.fromkeys(_STEMMER.stemWords(words(ticket_text(ticket)))))
    known: set[str] = set()
    for title, body, tags, category in articles().values_list("title", "body", "tags", "category__name"):
        for part in _parts(title, " ".join(tags), category, body).values():
            known |= part
    terms = [term for term in terms if term in known][:SUGGESTION_WORDS]
    return _ranked(terms, agent=agent, public_only=False, published_only=True, every=False)[:limit]


def listing(*, agent, text: str = "", category: int | None = None, status: str = "",
            visibility: str = "") -> list[Article]:
    """The workspace list: every article (drafts too), filtered, searched when `text` is given."""
    if text.strip():
        rows = [hit.article for hit in search_articles(text, agent=agent, published_only=False, limit=200)]
    else:
        rows = list(articles(published_only=False).order_by("category__position", "category__name", "title"))
    return [article for article in rows if (not category or article.category_id == category)
            and (not status or article.status == status) and (not visibility or article.visibility == visibility)]


def public_categories() -> list[tuple[ArticleCategory, list[Article]]]:
    """The public list: each active category with its public published articles, categories without any left
    out."""
    by_category: dict[int, list[Article]] = {}
    for article in articles(public_only=True).order_by("title", "id"):
        by_category.setdefault(article.category_id, []).append(article)
    return [(category, by_category[category.pk]) for category in ArticleCategory.objects.filter(
        active=True, pk__in=list(by_category))]


def public_article(slug: str) -> Article | None:
    return articles(public_only=True).filter(slug=slug).first()


def public_url(article: Article) -> str:
    """The address of the article's public page, as a customer reaches it (CAREDESK_PUBLIC_URL)."""
    return settings.PUBLIC_URL + reverse("web:help-article", args=[article.slug])


def uses_of(article: Article, limit: int = 100) -> list[ArticleUse]:
    return list(ArticleUse.objects.filter(article=article).select_related("ticket", "agent")[:limit])


def votes_of(article: Article) -> dict[str, int]:
    counts = ArticleVote.objects.filter(article=article).aggregate(
        yes=Count("id", filter=Q(helpful=True)), no=Count("id", filter=Q(helpful=False)))
    return {"helpful": counts["yes"] or 0, "unhelpful": counts["no"] or 0}
