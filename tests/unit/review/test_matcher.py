"""The sensitive-issues matcher, pure: stems, negation, misspellings, look-alikes, the pattern language."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from caredesk.review import sensitive_issues
from caredesk.review.matcher import Matcher, MatcherError, Qualifier, Vocabulary


@pytest.fixture(scope="module")
def shipped() -> Matcher:
    return sensitive_issues.load()


def found(matcher: Matcher, text: str) -> dict[str, list[str]]:
    return matcher.qualifiers_in(text)


@pytest.mark.parametrize("text, qualifier, words", [
    ("I've talked to legal counsel about this", "legal_counsel", ["talked to legal counsel"]),
    ("you will hear from my solicitor", "legal_counsel", ["solicitor"]),
    ("I'm writing a review on Yelp so everyone knows", "social_media_complaint",
     ["writing a review on Yelp"]),
    ("a mechanic's lien was filed against us", "creditor_lien", ["mechanic's lien"]),
    ("the installer isn't licensed in this state", "unlicensed_contractor", ["installer isn't licensed"]),
])
def test_the_issue_examples_match(shipped, text, qualifier, words):
    assert found(shipped, text) == {qualifier: words}


@pytest.mark.parametrize("text", [
    "I am not going to sue anyone",
    "the contractor's license plate",
    "Sue called yesterday about the order",
    "Please send the lien waiver so we can close the job",
    "Your privacy policy link is broken",
    "The city council approved the permit",
])
def test_negations_names_and_look_alikes_do_not_match(shipped, text):
    assert found(shipped, text) == {}


def test_stems_take_other_forms_of_a_word(shipped):
    assert found(shipped, "Two liens were recorded")["creditor_lien"] == ["liens"]
    assert found(shipped, "They are suing us")["legal_counsel"] == ["suing"]
    assert found(shipped, "You slandered me")["slander"] == ["slandered"]


def test_misspellings_of_listed_words_match_and_real_words_near_them_do_not(shipped):
    assert found(shipped, "I called my attourney")["legal_counsel"] == ["attourney"]
    assert found(shipped, "The house is in forclosure") == {"foreclosure_notice": ["forclosure"]}
    assert found(shipped, "This is ilegal") == {"illegal_actions": ["ilegal"]}
    assert found(shipped, "We missed the appointment") == {}  # "missed" is a real word, not "misled"


def test_a_negation_reaches_only_to_the_end_of_its_clause(shipped):
    assert found(shipped, "I'm not happy, so my lawyer will call you") == {"legal_counsel": ["lawyer"]}
    assert found(shipped, "If this isn't fixed I will contact my attorney") == {"legal_counsel": ["attorney"]}
    assert found(shipped, "I have no intention of taking legal action") == {}


def test_a_pattern_that_says_not_is_not_cancelled_by_its_own_negation(shipped):
    assert "unlicensed_contractor" in found(shipped, "The electrician has no license")


def test_acronyms_with_dots_read_as_one_word(shipped):
    assert found(shipped, "I filed with the B.B.B. today") == {"better_business_bureau": ["B.B.B"]}


def test_matches_report_each_qualifier_once_per_distinct_words(shipped):
    text = "My lawyer called. My lawyer will sue. Your crew is a bunch of crooks."
    result = found(shipped, text)
    assert result["legal_counsel"] == ["lawyer", "will sue"]
    assert set(result) == {"legal_counsel"}  # "crooks" alone is not a fraud claim: the pattern needs a subject


def small(**kinds) -> Matcher:
    return Matcher([Qualifier(key="q", name="Q", **kinds)], Vocabulary(negations=frozenset({"not"}), max_gap=2))


def test_the_pattern_language():
    matcher = small(patterns=("call|phone ... =police",))
    assert matcher.qualifiers_in("I will call the local police") == {"q": ["call the local police"]}
    assert matcher.qualifiers_in("I will call them all now about the police") == {}  # more than max_gap words
    assert matcher.qualifiers_in("I will call. The police") == {}  # a gap stays in its sentence
    assert matcher.qualifiers_in("I will call policemen") == {}  # =police is that word only
    assert small(patterns=("call ...5 police",)).qualifiers_in("call them all now about police") == {
        "q": ["call them all now about police"]}


def test_exclusions_drop_overlapping_matches():
    matcher = small(phrases=("lien",), exclusions=("lien waiver",))
    assert matcher.qualifiers_in("send the lien waiver") == {}
    assert matcher.qualifiers_in("send the lien waiver; there is a lien") == {"q": ["lien"]}


@pytest.mark.parametrize("kinds, field, message", [
    ({"phrases": ("call ... police",)}, "q.phrases[0]", "gaps belong in patterns"),
    ({"phrases": ("call|phone",)}, "q.phrases[0]", "alternatives belong in patterns"),
    ({"patterns": ("... police",)}, "q.patterns[0]", "must have a word before each gap"),
    ({"patterns": ("police ...",)}, "q.patterns[0]", "must end with a word"),
    ({"patterns": ("call ...x police",)}, "q.patterns[0]", "is not a gap"),
    ({"patterns": ("call|isn't police",)}, "q.patterns[0]", "reads as several words"),
    ({"patterns": ("=2x",)}, "q.patterns[0]", "one word of letters"),
    ({"exclusions": ("$$",)}, "q.exclusions[0]", "is not a word"),
])
def test_bad_patterns_name_their_field(kinds, field, message):
    with pytest.raises(MatcherError) as error:
        Matcher([Qualifier(key="q", name="Q", **{"phrases": ("x",), **kinds})], Vocabulary())
    assert error.value.field == field and message in error.value.message


def test_the_matcher_and_the_file_loader_import_no_django():
    for module in ("matcher.py", "sensitive_issues.py"):
        tree = ast.parse((Path(sensitive_issues.__file__).parent / module).read_text())
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
        assert not any(name.startswith("django") for name in imported), module
