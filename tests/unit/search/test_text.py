"""What is indexed of a text and how a query is read: pure rules."""

from __future__ import annotations

import pytest

from caredesk.search import text
from caredesk.search.engines.base import START, STOP, marked


@pytest.mark.parametrize("written", ["(415) 555-0199", "415-555-0199", "415.555.0199", "+1 415 555 0199",
                                     "4155550199", "1-415-555-0199"])
def test_a_phone_number_in_any_format_gives_its_digits(written):
    digits = text.phone_digits(f"Call me at {written} after five.")
    assert len(digits) == 1 and digits[0].endswith("4155550199")
    assert "4155550199" in text.phone_forms(digits[0]) and "5550199" in text.phone_forms(digits[0])


@pytest.mark.parametrize("written", ["order 12345", "ORD-0012345", "on 2026-03-02", "on 03/02/2026", "v1.2.3"])
def test_short_numbers_dates_and_references_are_not_phone_numbers(written):
    assert text.phone_digits(written) == []


def test_keys_hold_identifiers_email_parts_and_the_digits_of_phones_in_any_text():
    keys = text.keys_for(["Reach me on (415) 555-0199."], ["Jane.Doe@Example.com", "+14155550132"]).split()
    assert {"jane.doe@example.com", "jane.doe", "example.com", "jane", "doe"} <= set(keys)
    assert {"14155550132", "4155550132", "5550132", "4155550199", "5550199"} <= set(keys)
    assert len(keys) == len(set(keys))


def test_ids_are_lower_case_identifiers_with_phone_digits():
    assert text.ids_for(["Dana Whitfield", "+1 (415) 555-0132"]) == "dana whitfield | +1 (415) 555-0132 | 14155550132"


@pytest.mark.parametrize(("typed", "phone"), [("4155550199", "4155550199"), ("(415) 555-0199", "4155550199"),
                                              ("+1 415 555 0199", "14155550199"), ("555-0199", "5550199")])
def test_a_query_that_is_a_phone_number_is_searched_by_digits(typed, phone):
    query = text.parse(typed)
    assert query.phone == phone and query.phrases == []
    assert "4155550199" in query.phone_forms or query.phone == "5550199"


def test_words_and_quoted_phrases():
    query = text.parse('passport "two weeks" Fee')
    assert query.phrases == [["passport"], ["two", "weeks"], ["fee"]] and query.phone == "" and query.substring == ""


def test_a_single_term_is_also_a_substring_of_identifiers():
    assert text.parse("Whitf").substring == "whitf"
    assert text.parse("ab").substring == ""
    assert text.parse("dana@example.com").phrases == [["dana", "example", "com"]]


def test_a_ticket_number_or_a_long_query_is_not_a_phone_number():
    assert text.parse("#12345").phone == ""
    assert len(text.parse("x" * 500).text) == text.MAX_QUERY


def test_highlights_are_escaped_then_marked():
    assert marked(f"<b>{START}refund{STOP}</b>") == "&lt;b&gt;<mark>refund</mark>&lt;/b&gt;"


def test_the_trigram_index_is_asked_for_the_most_telling_part_of_an_identifier():
    assert text.substring_key("kimberly.smith14825@example.com") == "smith14825"
    assert text.substring_key("ord-0012345") == "0012345"
    assert text.substring_key("whitf") == "whitf"
    assert text.substring_key("@example.com") == "example"
    assert text.substring_key("a.b@example.com") == "a.b@example.com"  # no part of 3 characters: the whole
