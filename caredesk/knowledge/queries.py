"""Reading the knowledge base: the article search (`search_articles`, on the search engine, caredesk.search, where
articles are the "article" source; the composer's suggestions, the workspace list, the public pages and the API
all use it), the public list by category, and the tickets an article was used on."""

from __future__ import annotations

import re
from dataclasses import dataclass

import snowballstemmer
from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from caredesk.knowledge.models import Article, ArticleCategory, ArticleUse, ArticleVote
from caredesk.knowledge.search import SOURCE
from caredesk.search import queries as search
from caredesk.tickets.models import Interaction, Ticket

Status, Visibility = Article.Status, Article.Visibility
WORD = re.compile(r"[^\W_]{3,}", re.UNICODE)
# Words too common in a customer's message to say what it is about (English).
COMMON_WORDS = frozenset("""
the and for are but not you your yours with have has had this that these those from they them their there
was were will would can could should what when where which who whom why how all any our ours out get got
just about into over also been being does did doing than then too very some such only own same here hello
thank thanks please regards dear hi sir madam yes know need want like one two its it's i'm i've you're
""".split())
MOST_WORDS = 24  # of a ticket's text, looked for in the articles
SUGGESTION_WORDS = 6  # of those, searched one by one for the composer's suggestions
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


def articles(*, public_only: bool = False, published_only: bool = True) -> QuerySet[Article]:
    rows = Article.objects.select_related("category")
    if published_only or public_only:
        rows = rows.filter(status=Status.PUBLISHED)
    if public_only:
        rows = rows.filter(visibility=Visibility.PUBLIC, category__active=True)
    return rows


@dataclass(frozen=True)
class Hit:
    article: Article
    score: float  # higher is better
    snippet: str = ""  # highlighted, escaped HTML from the engine


def _found(query: str, *, agent, public_only: bool) -> list[search.Hit]:
    return search.search(query, agent=agent, sources=[SOURCE], public_only=public_only, limit=search.MAX_PAGE).hits


def _articles_of(hits: list[search.Hit], *, public_only: bool, published_only: bool) -> dict[int, Article]:
    return articles(public_only=public_only, published_only=published_only).in_bulk([hit.object_id for hit in hits])


def search_articles(text: str, *, agent=None, public_only: bool = False, published_only: bool = True,
                    limit: int = 10) -> list[Hit]:
    """Articles matching `text` (every word of it, as the search box reads it), ranked by the search engine: a
    word in the title counts most. Internal articles only for an `agent` whose role may see them and when not
    `public_only`; drafts only when not `published_only`."""
    hits = _found(text, agent=agent, public_only=public_only)
    rows = _articles_of(hits, public_only=public_only, published_only=published_only)
    return [Hit(rows[hit.object_id], hit.score, hit.snippet) for hit in hits if hit.object_id in rows][:limit]


def ticket_text(ticket: Ticket) -> str:
    """What a ticket is about, for suggestions: its subject, description and the customer's latest message (the
    subject's words first: `words` keeps the first few)."""
    latest = (Interaction.objects.filter(ticket=ticket, direction=Interaction.Direction.INBOUND)
              .exclude(body="").order_by("-occurred_at", "-id").values_list("body", flat=True).first())
    return " ".join(part for part in (ticket.subject, ticket.description, latest or "") if part)


def _published_stems() -> set[str]:
    """The stems of every word of the published articles (titles, bodies, tags, categories): a few hundred
    articles, read in one query."""
    text = " ".join(" ".join((title, body, " ".join(tags), category)) for title, body, tags, category in
                    articles().values_list("title", "body", "tags", "category__name"))
    return set(_STEMMER.stemWords(WORD.findall(text.lower())))


def suggestion_words(text: str) -> list[str]:
    """The words of a ticket's text the suggestions search: its first uncommon words that some published
    article has (in any form: "renewals" for "renewal"), at most SUGGESTION_WORDS. A word no article has could
    only cost the engine a search of the whole index."""
    candidates = words(text, limit=MOST_WORDS)
    stems = _published_stems()
    return [word for word, stem in zip(candidates, _STEMMER.stemWords(candidates)) if stem in stems][
        :SUGGESTION_WORDS]


def suggestions(ticket: Ticket, *, agent, limit: int = 5) -> list[Hit]:
    """Published articles (internal and public) for the ticket's subject and text: each of its suggestion words
    is searched on its own, and an article matching more of them ranks first, then by the sum of its scores."""
    matched: dict[int, list[float]] = {}
    for word in suggestion_words(ticket_text(ticket)):
        for hit in _found(word, agent=agent, public_only=False):
            matched.setdefault(hit.object_id, []).append(hit.score)
    rows = articles().in_bulk(list(matched))
    ranked = sorted(rows, key=lambda pk: (-len(matched[pk]), -sum(matched[pk]), pk))
    return [Hit(rows[pk], sum(matched[pk])) for pk in ranked[:limit]]


def listing(*, agent, text: str = "", category: int | None = None, status: str = "",
            visibility: str = "") -> list[Article]:
    """The workspace list: every article (drafts too), filtered, searched when `text` is given."""
    if text.strip():
        rows = [hit.article for hit in search_articles(text, agent=agent, published_only=False,
                                                       limit=search.MAX_PAGE)]
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
