"""Article Markdown as safe HTML: markdown-it-py (CommonMark, tables and strikethrough; raw HTML in the source is
shown as text, never passed through) and then nh3, which keeps only the tags and attributes below, so a script,
an event handler (`on*`), a `style` attribute or a `javascript:` link cannot reach a page whatever the parser
lets by. Links get rel="noopener noreferrer nofollow"."""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

TAGS = {"p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "s", "del", "code", "pre",
        "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td"}
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "typographer": False}).enable(["table", "strikethrough"])


def sanitise(html: str) -> str:
    """Only the tags, attributes and link schemes above: the last guard, whatever the parser produced."""
    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer nofollow", strip_comments=True)


def render(markdown: str) -> str:
    """The article's HTML, safe to put in a page as it is."""
    return sanitise(_parser().render(markdown or ""))
