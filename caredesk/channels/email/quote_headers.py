"""The newest part of a reply: the text before its first quote header, as mail-parser-reply finds it.

mail-parser-reply's `read()` runs its quote-header expression over the whole text, then a signature and
a disclaimer expression over every fragment; caredesk needs only the first fragment. When every branch of
the header expression begins at a line start (`^`) or at the line break before one (`\\n`), as those of
all its languages do, trying it only at those positions finds the same matches as a search that tries
every character. `tests/unit/channels/test_email_quote_headers.py` holds the result to the library's own.
"""

import re
from collections.abc import Iterator
from functools import lru_cache
from re import Match, Pattern
from re import _constants as codes, _parser as expression_parser

from mailparser_reply.parser import EmailMessage, EmailReplyParser

_LINE_BREAK = ord("\n")


def newest_fragment(text: str, languages: tuple[str, ...]) -> str:
    """`EmailReplyParser(languages).read(text).replies[0].content`, without the work that does not change it."""
    text = EmailMessage(text=text, languages=_languages(languages)).text  # normalised as read() does
    expression, anchored = _header_expression(languages)
    current = 0
    for header in _headers(expression, text, anchored):
        position = text.find(header, current + 1 if current > 0 else current)
        content = text[current:position].strip()
        current = position if position >= 0 else 0
        if content:
            return content
    return text[current:].strip()


def _languages(languages: tuple[str, ...]) -> list[str]:
    return list(EmailReplyParser(languages=list(languages)).languages)


@lru_cache(maxsize=8)
def _header_expression(languages: tuple[str, ...]) -> tuple[Pattern, bool]:
    """The library's header expression, and whether all its matches start at a line start or line break."""
    expression = EmailMessage(text="", languages=_languages(languages)).HEADER_REGEX
    try:
        anchored = _starts_at_lines(expression_parser.parse(expression.pattern, expression.flags))
    except Exception:  # noqa: BLE001 - an unreadable expression is simply searched everywhere
        anchored = False
    return expression, anchored and bool(expression.flags & re.MULTILINE)


def _starts_at_lines(items) -> bool:
    """Whether a parsed expression can only begin matching with `^` or a line break."""
    if not items:
        return False
    operation, argument = items[0]
    if operation is codes.AT:
        return argument is codes.AT_BEGINNING
    if operation is codes.LITERAL:
        return argument == _LINE_BREAK
    if operation is codes.SUBPATTERN:
        return _starts_at_lines(argument[-1])
    if operation is codes.BRANCH:
        return all(_starts_at_lines(branch) for branch in argument[1])
    if operation in (codes.MAX_REPEAT, codes.MIN_REPEAT):
        return argument[0] >= 1 and _starts_at_lines(argument[2])
    return False


def _headers(expression: Pattern, text: str, anchored: bool) -> Iterator[str]:
    """The non-empty groups of each match, in the order `expression.findall(text)` lists them."""
    for match in _line_matches(expression, text) if anchored else expression.finditer(text):
        yield from (group for group in match.groups() if group)


def _line_matches(expression: Pattern, text: str) -> Iterator[Match]:
    """`expression.finditer(text)`, trying only the text's start, its line breaks and the line starts after them."""
    position = 0
    while position <= len(text):
        match = expression.match(text, position)
        if match is not None:
            yield match
            position = max(match.end(), position + 1)
        elif text.startswith("\n", position):
            position += 1
        else:
            position = text.find("\n", position)
            if position == -1:
                return
