"""A cheap first check of a phrase on PostgreSQL (pure: no database).

PostgreSQL's GIN index keeps no word positions: it finds the documents holding all of a phrase's words,
and whether they stand next to one another is checked on each of them by `to_tsvector`, about 40 µs for
a 300-character text. `pattern` gives a regular expression that every text holding the phrase matches
(about 4 µs), so that the exact check runs only on the few documents that pass it. It is built from the
phrase's tokens as PostgreSQL reads them (`ts_debug`): each word by the start of its stem, so that every
word stemming alike passes ("refund" from "refunds", "refunded"); a stop word, whose position counts but
whose word does not, by any token.
"""

from __future__ import annotations

import re

LETTERS = "[[:alnum:]]*"  # the rest of a word after its stem's start
BETWEEN = "[^[:alnum:]]+"  # what separates two adjacent words (PostgreSQL's blanks)
ANY_TOKEN = "[^[:space:]]+"  # a stop word's place: any one token, punctuation inside it included
START = "(^|[^[:alnum:]])"  # a word's start (not \m, which does not count "_" as a separator)
PLAIN = {"asciiword", "blank"}
# Stems that do not begin every word they stem from: Porter2's exceptions "dying", "lying", "tying".
IRREGULAR = {"die", "lie", "tie"}


def stem_start(lexeme: str) -> str:
    """What every word with this stem begins with: the stem but its last letter ("happi" from "happy"),
    which suffix rules replace at most."""
    return lexeme[:1] if lexeme in IRREGULAR else lexeme[: max(1, len(lexeme) - 1)]


def pattern(tokens: list[tuple[str, list[str] | None]]) -> str | None:
    """The regular expression (PostgreSQL's, case-insensitive with `~*`) of a phrase whose tokens are
    `tokens`: (token type, lexemes) as `ts_debug('english', phrase)` gives them, in order. None when it
    would not be a safe first check: a token other than a plain ASCII word (an email, a hyphenated word, a
    number: their text is not one run of letters), or fewer than two words that are not stop words."""
    if any(alias not in PLAIN for alias, _ in tokens):
        return None
    words = [lexemes or [] for alias, lexemes in tokens if alias == "asciiword"]
    while words and not words[0]:  # leading and trailing stop words are not part of PostgreSQL's phrase
        words.pop(0)
    while words and not words[-1]:
        words.pop()
    if sum(1 for lexemes in words if lexemes) < 2:
        return None
    return START + BETWEEN.join(re.escape(stem_start(lexemes[0])) + LETTERS if lexemes else ANY_TOKEN
                                for lexemes in words)
