"""The audit event kinds of knowledge base articles (see caredesk.core.events): created, revised (a new version),
published and unpublished, used in a reply on a ticket, and voted on by a public visitor."""

from __future__ import annotations

from caredesk.core.events import VALUE, EventKind, Quoted, Reading, Sentence, TicketMention, record, register, value_text
from caredesk.knowledge.models import Article, ArticleEvent


def _created(reading: Reading) -> dict:
    after = reading.after
    return {"title": Quoted(after["title"]), "category": after["category"], "visibility": after["visibility"]}


def _revised(reading: Reading) -> dict:
    after = reading.after
    restored = after.get("restored_from")
    return {"version": after["version"], "changed": value_text(after["changed"]),
            "restored": f", restoring version {restored}" if restored else ""}


def _used(reading: Reading) -> dict:
    after = reading.after
    return {"ticket": TicketMention(after["ticket"]), "how": "a link to" if after["how"] == "link" else "the text of",
            "version": after["version"]}


def _guide(reading: Reading) -> dict:
    def place(value: str) -> str:
        return Article.Guide(value).label.lower() if value else "nowhere"
    return {"before": place(reading.before), "after": place(reading.after)}


def _voted(reading: Reading) -> dict:
    after = reading.after
    opened = Sentence(", opening {ticket}", {"ticket": TicketMention(after["ticket"])}) if after["ticket"] else ""
    return {"answer": "helped" if after["helpful"] else "did not help", "ticket": opened}


def declare() -> None:
    register(
        ArticleEvent,
        EventKind("article.created", "wrote the article {title} in {category} ({visibility}, version 1)",
                  after=record("title", "category", "visibility", "version"), values=_created),
        EventKind("article.revised", "revised the article to version {version} ({changed}){restored}",
                  after=record("version", "changed", optional=("restored_from",)), values=_revised),
        EventKind("article.published", "published the article", field="status", before=VALUE, after=VALUE),
        EventKind("article.unpublished", "took the article back to draft", field="status", before=VALUE,
                  after=VALUE),
        EventKind("article.guide_set", "changed where the workspace links to it from {before} to {after}",
                  field="guide", before=VALUE, after=VALUE, values=_guide),
        EventKind("article.used", "sent {how} the article (version {version}) in a reply on {ticket}",
                  after=record("ticket", "interaction", "how", "version"), values=_used),
        EventKind("article.voted", "said the article {answer}{ticket}", field="helpful",
                  after=record("helpful", "ticket"), values=_voted),
    )
