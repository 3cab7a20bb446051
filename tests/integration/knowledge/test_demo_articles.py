"""The demo ships published articles for the common inquiries of each of its industries, written through the
actions by the demo's agents; the public ones are on the help pages."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import escape

from caredesk.core import roles
from caredesk.demo import AGENTS
from caredesk.knowledge.demo import load_articles
from caredesk.knowledge.defaults import INTERNAL_ONLY
from caredesk.knowledge.models import Article, ArticleCategory, ArticleEvent


def test_every_category_has_published_public_articles_and_the_demo_has_internal_ones(make_agent, client):
    agents = {username: make_agent(username, role) for username, _, _, role, _ in AGENTS
              if role in (roles.AGENT, roles.TEAM_SUPERVISOR)}
    articles = load_articles(agents)
    assert {article.status for article in articles} == {"published"}
    public_categories = {article.category.key for article in articles if article.visibility == "public"}
    assert public_categories == set(ArticleCategory.objects.values_list("key", flat=True)) - INTERNAL_ONLY
    assert any(article.visibility == "internal" for article in articles)
    guides = {article.guide: article for article in articles if article.guide}  # SOP 004's and 002's links
    assert set(guides) == set(Article.Guide.values)
    assert all(guide.visibility == "internal" and guide.category.key in INTERNAL_ONLY for guide in guides.values())
    assert ArticleEvent.objects.filter(action="article.published").count() == len(articles)
    index = client.get(reverse("web:help")).content.decode()
    for article in articles:
        assert (escape(article.title) in index) == (article.visibility == "public"), article.title
    assert client.get(reverse("web:help-article", args=[articles[0].slug])).status_code == 200
