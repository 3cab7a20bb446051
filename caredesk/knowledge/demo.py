"""The demo's knowledge base: the articles of demo_articles.yaml, written and published through the actions by
the demo agents they name, and linked from the workspace where they say (`guide`)."""

from __future__ import annotations

from pathlib import Path

import yaml

from caredesk.knowledge import actions
from caredesk.knowledge.models import Article, ArticleCategory

ARTICLES = Path(__file__).with_name("demo_articles.yaml")


def load_articles(agents: dict) -> list[Article]:
    """Each article of the file, published; `agents` are the demo agents by username."""
    categories = {category.key: category.pk for category in ArticleCategory.objects.all()}
    written = []
    for entry in yaml.safe_load(ARTICLES.read_text(encoding="utf-8")):
        author = agents[entry["author"]]
        article = actions.create_article(agent=author, draft=actions.Draft(
            title=entry["title"], body=entry["body"], category=categories[entry["category"]],
            tags=entry.get("tags", []), visibility=entry["visibility"]))
        article = actions.publish(article, agent=author)
        if entry.get("guide"):
            article = actions.set_guide(article, agent=author, guide=entry["guide"])
        written.append(article)
    return written
