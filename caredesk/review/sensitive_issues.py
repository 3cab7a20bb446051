"""The sensitive-issues file (SOP 002's qualifiers as data): loading with errors naming the file and field.

Pure: no Django import. `caredesk.review.configured` picks the file from the settings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from caredesk.review.matcher import Matcher, MatcherError, Qualifier, Vocabulary

DEFAULT_FILE = Path(__file__).parent / "defaults" / "sensitive_issues.yaml"
TOP_LEVEL = {"version", "matching", "negations", "negation_scope_ends", "ignored_words", "real_words", "qualifiers"}
MATCHING = {"negation_window": (0, 20), "max_gap": (0, 20), "fuzzy_min_length": (3, 40)}
QUALIFIER_FIELDS = {"key", "name", "phrases", "patterns", "exclusions"}


class SensitiveIssuesError(ValueError):
    """The file cannot be used: `file` and `field` say where, `message` what."""

    def __init__(self, file: str, field: str, message: str):
        super().__init__(f"{file}: {field}: {message}" if field else f"{file}: {message}")
        self.file = file
        self.field = field
        self.message = message


def _words(file: str, field: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise SensitiveIssuesError(file, field, "expected a list of non-empty texts")
    return tuple(item.strip() for item in value)


def _qualifier(file: str, index: int, entry: Any, seen: set[str]) -> Qualifier:
    where = f"qualifiers[{index}]"
    if not isinstance(entry, dict):
        raise SensitiveIssuesError(file, where, "expected a mapping with key, name, phrases and patterns")
    unknown = set(entry) - QUALIFIER_FIELDS
    if unknown:
        raise SensitiveIssuesError(file, f"{where}.{sorted(unknown)[0]}",
                                   f"unknown field; expected one of {', '.join(sorted(QUALIFIER_FIELDS))}")
    key = entry.get("key")
    if not isinstance(key, str) or not key.replace("_", "").isalnum() or not key.islower():
        raise SensitiveIssuesError(file, f"{where}.key", "expected a lowercase key of letters, digits and '_'")
    if key in seen:
        raise SensitiveIssuesError(file, f"{where}.key", f"{key!r} is already used by another qualifier")
    seen.add(key)
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise SensitiveIssuesError(file, f"{where}.name", "expected the qualifier's name as the SOP writes it")
    qualifier = Qualifier(
        key=key, name=name.strip(),
        phrases=_words(file, f"{where}.phrases", entry.get("phrases")),
        patterns=_words(file, f"{where}.patterns", entry.get("patterns")),
        exclusions=_words(file, f"{where}.exclusions", entry.get("exclusions")),
    )
    if not qualifier.phrases and not qualifier.patterns:
        raise SensitiveIssuesError(file, where, f"{key!r} needs at least one phrase or pattern")
    return qualifier


def _vocabulary(file: str, data: dict) -> Vocabulary:
    matching = data.get("matching") or {}
    if not isinstance(matching, dict):
        raise SensitiveIssuesError(file, "matching", "expected a mapping")
    numbers = {}
    for name, value in matching.items():
        if name not in MATCHING:
            raise SensitiveIssuesError(file, f"matching.{name}",
                                       f"unknown setting; expected one of {', '.join(MATCHING)}")
        low, high = MATCHING[name]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise SensitiveIssuesError(file, f"matching.{name}", f"expected a whole number from {low} to {high}")
        numbers[name] = value

    def lowered(name: str) -> frozenset[str]:
        return frozenset(word.lower() for word in _words(file, name, data.get(name)))

    return Vocabulary(
        negations=lowered("negations"), negation_scope_ends=lowered("negation_scope_ends"),
        ignored_words=lowered("ignored_words"), real_words=lowered("real_words"), **numbers,
    )


def parse(text: str, file: str) -> Matcher:
    """A matcher from the file's text; SensitiveIssuesError names the field at fault."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        raise SensitiveIssuesError(file, where, f"not valid YAML: {getattr(error, 'problem', error)}") from error
    if not isinstance(data, dict):
        raise SensitiveIssuesError(file, "", "expected a mapping with version and qualifiers")
    unknown = set(data) - TOP_LEVEL
    if unknown:
        raise SensitiveIssuesError(file, sorted(unknown)[0], f"unknown field; expected one of {', '.join(sorted(TOP_LEVEL))}")
    if data.get("version") != 1:
        raise SensitiveIssuesError(file, "version", "expected version: 1")
    entries = data.get("qualifiers")
    if not isinstance(entries, list) or not entries:
        raise SensitiveIssuesError(file, "qualifiers", "expected a non-empty list of qualifiers")
    seen: set[str] = set()
    qualifiers = [_qualifier(file, index, entry, seen) for index, entry in enumerate(entries)]
    try:
        return Matcher(qualifiers, _vocabulary(file, data))
    except MatcherError as error:
        key, _, rest = error.field.partition(".")
        index = next(index for index, qualifier in enumerate(qualifiers) if qualifier.key == key)
        raise SensitiveIssuesError(file, f"qualifiers[{index}].{rest}", error.message) from error


def load(path: str | Path | None = None) -> Matcher:
    """The matcher of a sensitive-issues file (the shipped default without a path)."""
    path = Path(path) if path else DEFAULT_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SensitiveIssuesError(str(path), "", f"cannot be read as a UTF-8 file: {error}") from error
    return parse(text, str(path))
