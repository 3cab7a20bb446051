"""The labelled sensitive-issues corpus (tests/fixtures/sensitive_issues/corpus.yaml) and its scores."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

CORPUS = Path(__file__).parents[2] / "fixtures" / "sensitive_issues" / "corpus.yaml"


def examples(path: Path = CORPUS) -> list[tuple[str, frozenset[str]]]:
    """(text, expected qualifier keys) for every text of the corpus."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    result: list[tuple[str, frozenset[str]]] = []
    for section, texts in data.items():
        for entry in texts:
            if section == "several":
                result.append((entry["text"], frozenset(entry["expect"])))
            else:
                result.append((entry, frozenset() if section == "none" else frozenset({section})))
    return result


@dataclass
class Scores:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    @property
    def precision(self) -> float:
        return self.true_positives / ((self.true_positives + self.false_positives) or 1)

    @property
    def recall(self) -> float:
        return self.true_positives / ((self.true_positives + self.false_negatives) or 1)


def score(find, labelled: list[tuple[str, frozenset[str]]]) -> tuple[Scores, list[tuple[str, set, set]]]:
    """Precision and recall over (text, qualifier) pairs of `find(text) -> set of keys`, and the mistakes."""
    scores, mistakes = Scores(), []
    for text, expected in labelled:
        got = set(find(text))
        scores.true_positives += len(got & expected)
        scores.false_positives += len(got - expected)
        scores.false_negatives += len(expected - got)
        if got != expected:
            mistakes.append((text, set(expected), got))
    return scores, mistakes
