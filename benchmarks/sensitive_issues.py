"""The sensitive-issues matcher (issue 11, SOP 002): precision and recall on the labelled corpus, and texts
per second on one core for 2 KB customer texts. Target: at least 2,000 texts/s; precision and recall at
least 0.9.

Each 2 KB text is ordinary customer mail (the corpus' `none` sentences, an order reference and a made-up
name, so the matcher keeps meeting words it has not seen) with one corpus sentence at a random place;
its expected qualifiers are that sentence's. Precision and recall are also printed for held_out.yaml,
sentences written after the file was tuned and never used to tune it. The baseline, measured in the same run on the same texts, is a
plain scan: `phrase in text.lower()` for every phrase of the file, as written.

    .venv/bin/python -m benchmarks.sensitive_issues [--texts 5000] [--seed 7]
"""

from __future__ import annotations

import argparse
import os
import random
import time

from caredesk.review import sensitive_issues
from caredesk.review.matcher import english_words
from tests.unit.review.corpus import CORPUS, examples, score

HELD_OUT = CORPUS.with_name("held_out.yaml")

SYLLABLES = "ka lo mi ne ru sa ti vo be da fe gi ho ju ly mar ten sol vin dor".split()


def made_up_name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()


def two_kb_texts(labelled, count: int, rng: random.Random) -> list[tuple[str, frozenset[str]]]:
    ordinary = [text for text, expected in labelled if not expected]
    texts = []
    for _ in range(count):
        sentence, expected = rng.choice(labelled)
        parts = [f"Hello, this is {made_up_name(rng)} about order PP-{rng.randint(1000, 99999)}."]
        while sum(len(part) + 1 for part in parts) < 2048 - len(sentence):
            parts.append(rng.choice(ordinary))
        parts.insert(rng.randint(1, len(parts)), sentence)
        texts.append((" ".join(parts)[:2048 + len(sentence)], expected))
    return texts


def plain_scan(qualifiers):
    phrases = [(qualifier.key, phrase.lower()) for qualifier in qualifiers for phrase in qualifier.phrases]

    def find(text: str) -> set[str]:
        lowered = text.lower()
        return {key for key, phrase in phrases if phrase in lowered}

    return find


def rate(find, texts: list[str]) -> float:
    started = time.process_time()
    for text in texts:
        find(text)
    return len(texts) / (time.process_time() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--texts", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    rng = random.Random(options.seed)
    labelled = examples()
    started = time.perf_counter()
    matcher = sensitive_issues.load()
    english_words()  # the dictionary of real words, loaded on the first unknown word
    load_ms = (time.perf_counter() - started) * 1000
    matched = lambda text: matcher.qualifiers_in(text).keys()  # noqa: E731
    baseline = plain_scan(matcher.qualifiers)
    texts = two_kb_texts(labelled, options.texts, rng)
    bodies = [text for text, _ in texts]
    cold = rate(matched, bodies)  # the first pass meets every made-up name and order reference once
    warm = rate(matched, bodies)
    plain = rate(baseline, bodies)
    print(f"load average {os.getloadavg()[0]:.1f}; the file and the dictionary load in {load_ms:.0f} ms")
    print(f"{'':50} {'precision':>9} {'recall':>7}")
    for name, find in (("matcher", matched), ("baseline (lower + in)", baseline)):
        held_out = examples(HELD_OUT)
        for where, items in ((f"{len(labelled)} corpus sentences", labelled), (f"{len(texts)} texts of 2 KB", texts),
                             (f"{len(held_out)} held-out sentences", held_out)):
            scores, _ = score(find, items)
            print(f"{name + ', ' + where:50} {scores.precision:9.3f} {scores.recall:7.3f}")
    print(f"matcher, 2 KB texts, first pass: {cold:,.0f} texts/s on one core")
    print(f"matcher, 2 KB texts, again:      {warm:,.0f} texts/s on one core (target >= 2,000)")
    print(f"baseline, 2 KB texts:            {plain:,.0f} texts/s; ratio matcher / baseline {warm / plain:.2f}")


if __name__ == "__main__":
    main()
