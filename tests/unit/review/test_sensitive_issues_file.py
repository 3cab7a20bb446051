"""The sensitive-issues file: the shipped default holds SOP 002's fourteen qualifiers; a bad file's error
names the file and the field."""

from __future__ import annotations

import pytest

from caredesk.review import sensitive_issues
from caredesk.review.sensitive_issues import SensitiveIssuesError

SOP_002_QUALIFIERS = [
    "Retained or contacted a lawyer or legal counsel", "Fraudulent claims", "Illegal actions",
    "Agreement violations", "Falsified records", "Mischaracterization", "Nonregistered company", "Slander",
    "Better Business Bureau complaint", "Social media complaint", "Unlicensed contractor", "Foreclosure notice",
    "Lien requests from creditors against installers or homeowners", "Customer privacy concerns",
]
VALID = """
version: 1
negations: [not]
qualifiers:
  - key: legal
    name: Lawyer
    phrases: [lawyer]
"""


def test_the_shipped_file_has_the_fourteen_qualifiers_of_sop_002():
    assert [qualifier.name for qualifier in sensitive_issues.load().qualifiers] == SOP_002_QUALIFIERS


def test_a_team_file_replaces_the_default(tmp_path):
    path = tmp_path / "issues.yaml"
    path.write_text(VALID)
    matcher = sensitive_issues.load(path)
    assert matcher.qualifiers_in("my lawyer") == {"legal": ["lawyer"]}
    assert matcher.qualifiers_in("not a lawyer") == {}


@pytest.mark.parametrize("text, field, message", [
    ("version: 1\nqualifiers: [", "line 2", "not valid YAML"),
    ("- a list", "", "expected a mapping"),
    (VALID.replace("version: 1", "version: 2"), "version", "expected version: 1"),
    (VALID + "colour: red\n", "colour", "unknown field"),
    (VALID.replace("negations: [not]", "negations: not"), "negations", "list of non-empty texts"),
    (VALID.replace("negations: [not]", "matching: {max_gap: 99}"), "matching.max_gap", "from 0 to 20"),
    (VALID.replace("negations: [not]", "matching: {gap: 2}"), "matching.gap", "unknown setting"),
    ("version: 1\nqualifiers: []", "qualifiers", "non-empty list"),
    (VALID.replace("key: legal", "key: Legal Issues"), "qualifiers[0].key", "lowercase key"),
    (VALID.replace("    name: Lawyer\n", ""), "qualifiers[0].name", "qualifier's name"),
    (VALID.replace("phrases: [lawyer]", "phrases: lawyer"), "qualifiers[0].phrases", "list of non-empty texts"),
    (VALID.replace("phrases: [lawyer]", "phrase: [lawyer]"), "qualifiers[0].phrase", "unknown field"),
    (VALID.replace("phrases: [lawyer]", "exclusions: [x]"), "qualifiers[0]", "at least one phrase or pattern"),
    (VALID.replace("phrases: [lawyer]", "patterns: [sue ...]"), "qualifiers[0].patterns[0]", "must end with a word"),
    (VALID + "  - key: legal\n    name: Again\n    phrases: [x]\n", "qualifiers[1].key", "already used"),
])
def test_a_bad_file_names_the_file_and_the_field(tmp_path, text, field, message):
    path = tmp_path / "issues.yaml"
    path.write_text(text)
    with pytest.raises(SensitiveIssuesError) as error:
        sensitive_issues.load(path)
    assert (error.value.file, error.value.field) == (str(path), field)
    assert message in error.value.message


def test_a_missing_file_says_so(tmp_path):
    with pytest.raises(SensitiveIssuesError) as error:
        sensitive_issues.load(tmp_path / "nowhere.yaml")
    assert "cannot be read" in error.value.message
