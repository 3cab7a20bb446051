"""The first check of a phrase on PostgreSQL: a regular expression built from the phrase's tokens."""

import re

from caredesk.search import phrases


def tokens(*words):
    """ts_debug-like tokens of plain words separated by blanks: a word is (token, [lexeme]) or a stop word."""
    found = []
    for word in words:
        if found:
            found.append(("blank", None))
        found.append(("asciiword", [] if word is None else [word]))
    return found


def matches(pattern, text):
    """What PostgreSQL's `~*` answers, here with Python's re ([[:alnum:]] is ASCII-only in both here)."""
    python = pattern.replace("[[:alnum:]]", "[A-Za-z0-9]").replace("[^[:alnum:]]", "[^A-Za-z0-9]")
    python = python.replace("[^[:space:]]", r"[^\s]")
    return re.search(python, text, re.IGNORECASE) is not None


def test_each_word_by_the_start_of_its_stem():
    pattern = phrases.pattern(tokens("refund", "request"))
    assert pattern == "(^|[^[:alnum:]])refun[[:alnum:]]*[^[:alnum:]]+reques[[:alnum:]]*"
    for text in ("Refund request", "refunds requested", "a refunded, REQUEST", "x_refund request", "refund\nrequest"):
        assert matches(pattern, text), text
    for text in ("refund the request", "prefund request", "refund", "request refund"):
        assert not matches(pattern, text), text


def test_stems_that_change_their_last_letter_and_the_irregular_ones():
    assert matches(phrases.pattern(tokens("happi", "custom")), "happy customers")
    assert matches(phrases.pattern(tokens("die", "batteri")), "dying battery")
    assert matches(phrases.pattern(tokens("sky", "blue")), "skies blue")


def test_a_stop_word_inside_is_any_one_token_and_outside_is_dropped():
    pattern = phrases.pattern(tokens("refund", None, "card"))
    for text in ("refund the card", "refund my card", "refund 3.5 card", "refund, a card"):
        assert matches(pattern, text), text
    assert not matches(pattern, "refund card")
    assert phrases.pattern(tokens(None, "refund", "card", None)) == phrases.pattern(tokens("refund", "card"))


def test_no_pattern_where_it_could_miss_a_match():
    assert phrases.pattern([("asciihword", ["e-mail"]), ("hword_asciipart", ["e"]), ("blank", None),
                            ("hword_asciipart", ["mail"])]) is None
    assert phrases.pattern(tokens("refund", None)) is None  # one word that is not a stop word
    assert phrases.pattern([("asciiword", ["call"]), ("blank", None), ("uint", ["911"])]) is None
    assert phrases.pattern([("word", ["café"]), ("blank", None), ("asciiword", ["open"])]) is None
