"""Articles as a document source of the search engine (caredesk.search.registry): every article, drafts too, is
indexed with its title, body, tags and category; a published public article is a public document, which the help
pages' search (no sign-in) finds. The index follows the article's audit events in their transaction."""

from __future__ import annotations

from django.urls import reverse

from caredesk.core import roles
from caredesk.knowledge.models import Article, ArticleEvent
from caredesk.search.registry import Document, DocumentSource

SOURCE = "article"
CHANGES_TEXT = {"article.created", "article.revised", "article.published", "article.unpublished"}


class ArticleSource(DocumentSource):
    name, label, model, capability = SOURCE, "Article", Article, roles.WORK_TICKETS

    def documents(self, ids):
        return [Document(object_id=article.pk, title=article.title,
                         body="\n".join((article.body, " ".join(article.tags), article.category.name)),
                         at=article.updated_at, public=article.is_public)
                for article in Article.objects.filter(pk__in=ids).select_related("category")]

    def changed_by(self, event):
        return [event.article_id] if isinstance(event, ArticleEvent) and event.action in CHANGES_TEXT else []

    def url(self, hit):
        return reverse("web:article", args=[hit.object_id])
