"""Finds SOP 002's sensitive issues in a text: phrase and pattern lists matched on stems, with misspellings
corrected, negated mentions dropped and look-alikes excluded. Pure: no Django import.

How a text is read:

1. It is cut at whitespace, and each piece into words and punctuation (a piece is read once per process
   and remembered: most pieces of a text are then one dictionary lookup). Contractions are opened
   ("isn't" -> "is not", "I've" -> "I have"), a possessive loses its "'s" ("mechanic's" -> "mechanic"),
   and ignored words (articles, possessive pronouns) are dropped.
2. Each word becomes its Snowball stem ("licensed", "licenses" -> "licens"). A word the lists do not know,
   of `fuzzy_min_length` letters or more, is compared with the lists' words of that length or more
   (optimal string alignment distance 1, or 2 from 9 letters): "attourney" reads as "attorney", unless it
   is an English word (pyspellchecker's bundled dictionary) or one of `real_words`. Negation words read
   as one marker `not`; punctuation and `negation_scope_ends` words end a clause.
3. A phrase matches its words in order, side by side. A pattern also knows `a|b|c` (any of these words),
   `...` (up to `max_gap` words, within a sentence), `...N` (up to N words) and `=word` (this exact word, not
   its stem: `=sued` without "Sue").
4. A match is dropped when a negation word stands in its clause within `negation_window` words before it,
   or inside it (unless the pattern itself says `not`), or when one of its qualifier's `exclusions`
   overlaps it.

Only patterns whose every word occurs in the text are tried, so most texts end after one set intersection.
"""

from __future__ import annotations

import re
from collections.abc import Container, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

import snowballstemmer
from rapidfuzz import process
from rapidfuzz.distance import OSA

NEGATION = "~not"
SENTENCE_END = "~."  # punctuation: ends gaps and negation scopes
CLAUSE_END = "~,"  # a scope-ending word: ends negation scopes only
GAP = "..."
CACHE_LIMIT = 200_000

# In a piece of text: an acronym written with dots ("B.B.B."), a word with its apostrophes, punctuation.
WORD_PATTERN = re.compile(r"(?:[^\W\d_]\.){2,}|[^\W_]+(?:['’][^\W_]+)*|[.!?;:,()\"]")
EDGE_PUNCTUATION = ".,;:!?()\"'“”‘’"
CONTRACTIONS = {
    "n't": ("not",), "'m": ("am",), "'re": ("are",), "'ve": ("have",), "'ll": ("will",), "'d": ("would",),
    "'s": (),
}
IRREGULAR_NEGATIONS = {"won't": ("will", "not"), "can't": ("can", "not"), "cannot": ("can", "not"),
                       "shan't": ("shall", "not"), "ain't": ("is", "not")}


@lru_cache(maxsize=1)
def english_words() -> Container[str]:
    """The words of pyspellchecker's bundled English frequency list (MIT, shipped in the package, nothing is
    downloaded): a real word such as "field" or "label" is never read as a misspelling of "file" or "libel"."""
    from spellchecker import SpellChecker

    return SpellChecker(language="en", distance=1).word_frequency.dictionary


class MatcherError(ValueError):
    """A phrase or pattern that cannot be compiled; `field` names it."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Qualifier:
    """One of SOP 002's sensitive issues with the words that raise it."""

    key: str
    name: str
    phrases: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    exclusions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Vocabulary:
    """The words that shape reading: negations, scope ends, ignored words, real words never corrected."""

    negations: frozenset[str] = frozenset()
    negation_scope_ends: frozenset[str] = frozenset()
    ignored_words: frozenset[str] = frozenset()
    real_words: frozenset[str] = frozenset()
    negation_window: int = 5
    max_gap: int = 4
    fuzzy_min_length: int = 6


@dataclass(frozen=True)
class Match:
    """A qualifier found in a text: `matched` is the text's own words, as written."""

    qualifier: str
    matched: str
    start: int  # word positions in the read text, for overlap checks
    end: int


@dataclass(frozen=True)
class _Compiled:
    qualifier: str
    elements: tuple  # (frozenset of codes) for a word, or int for a gap
    negated_by_itself: bool
    exclusion: bool = False
    slots: tuple = ()  # the word elements alone: all must occur in a text for the pattern to match


class Matcher:
    """Compiled qualifiers; `find(text)` answers the matches, one per qualifier and distinct words."""

    def __init__(self, qualifiers: Sequence[Qualifier], vocabulary: Vocabulary):
        self.qualifiers = tuple(qualifiers)
        self.vocabulary = vocabulary
        self._stemmer = snowballstemmer.stemmer("english")
        self._stems: dict[str, str] = {}
        self._cache: dict[str, tuple] = {}
        self._exact: set[str] = set()
        self._surface: dict[str, str] = {}  # a list word -> its code, the targets of misspellings
        raw = [(qualifier.key, f"{qualifier.key}.{kind}[{index}]", text, kind)
               for qualifier in self.qualifiers
               for kind in ("phrases", "patterns", "exclusions")
               for index, text in enumerate(getattr(qualifier, kind))]
        for _, source, text, _ in raw:  # exact words first: they change how the text is read
            self._exact.update(word[1:].lower() for part in text.split() for word in part.split("|")
                               if word.startswith("=") and len(word) > 1)
        compiled = [self._compile(key, source, text, kind) for key, source, text, kind in raw]
        self._known_codes = {code for pattern in compiled for element in pattern.elements
                             if isinstance(element, frozenset) for code in element}
        self._fuzzy_targets = [word for word, code in self._surface.items()
                               if len(word) >= vocabulary.fuzzy_min_length and code in self._known_codes]
        self._by_first: dict[str, list[_Compiled]] = {}
        for pattern in compiled:
            for code in pattern.elements[0]:
                self._by_first.setdefault(code, []).append(pattern)

    # --- reading ----------------------------------------------------------------------------------

    def _stem(self, word: str) -> str:
        stem = self._stems.get(word)
        if stem is None:
            stem = self._stems[word] = self._stemmer.stemWord(word)
        return stem

    def _split(self, token: str) -> tuple[str, ...]:
        """A lowercased token as its words: contractions opened, a possessive dropped."""
        token = token.replace("’", "'")
        if token in IRREGULAR_NEGATIONS:
            return IRREGULAR_NEGATIONS[token]
        for ending, words in CONTRACTIONS.items():
            if token.endswith(ending) and len(token) > len(ending):
                return (*self._split(token[: -len(ending)]), *words)
        return tuple(part for part in token.split("'") if part)

    def _word_code(self, word: str, *, correct: bool) -> str | None:
        vocabulary = self.vocabulary
        if word in vocabulary.ignored_words:
            return None
        if word in vocabulary.negations:
            return NEGATION
        if word in vocabulary.negation_scope_ends:
            return CLAUSE_END
        if word in self._exact:
            return "=" + word
        stem = self._stem(word)
        if not correct or stem in self._known_codes or word in vocabulary.real_words:
            return stem
        if (len(word) >= vocabulary.fuzzy_min_length and word.isalpha() and self._fuzzy_targets
                and word not in english_words()):
            limit = 2 if len(word) >= 9 else 1
            candidates = process.extract(word, self._fuzzy_targets, scorer=OSA.distance, score_cutoff=limit,
                                         limit=None)
            if candidates:  # the closest; on a tie the one with the same first letter, then the same length
                target = min(candidates, key=lambda candidate: (
                    candidate[1], candidate[0][0] != word[0], abs(len(candidate[0]) - len(word))))[0]
                return self._surface[target]
        return stem

    def _chunk_codes(self, chunk: str) -> tuple:
        """The codes of a whitespace-separated piece of text: its words and punctuation, in order."""
        return tuple(chain.from_iterable(self._codes(token) for token in WORD_PATTERN.findall(chunk)))

    def _codes(self, token: str, *, correct: bool = True) -> tuple:
        lowered = token.lower()
        if lowered[-1] == "." and len(lowered) > 1:
            lowered = lowered.replace(".", "")
        if not lowered[0].isalnum():
            return (SENTENCE_END,) if lowered not in '()"' else ()
        return tuple(code for word in self._split(lowered)
                     if (code := self._word_code(word, correct=correct)) is not None)

    def _read(self, text: str) -> tuple[list[str], list]:
        """The text's whitespace-separated pieces and their codes, in order (a piece gives none or several)."""
        cache = self._cache
        if len(cache) > CACHE_LIMIT:
            cache.clear()
        words = text.split()  # pieces such as "lawyer," or "isn't"; each is read once, then remembered
        for chunk in set(words).difference(cache):
            cache[chunk] = self._chunk_codes(chunk)
        return words, list(chain.from_iterable(map(cache.__getitem__, words)))

    def _origins(self, words: list[str]) -> list[int]:
        """For each code of `_read`, the index of the piece it came from."""
        return [index for index, word in enumerate(words) for _ in self._cache[word]]

    # --- compiling --------------------------------------------------------------------------------

    def _compile(self, key: str, source: str, text: str, kind: str) -> _Compiled:
        elements: list = []
        for part in text.split():
            if part.startswith(GAP):
                if kind == "phrases":
                    raise MatcherError(source, f"{text!r} has a gap ('...'): gaps belong in patterns")
                size = part[len(GAP):]
                if size and not size.isdigit():
                    raise MatcherError(source, f"{part!r} is not a gap: write '...' or '...N' with N a number")
                if not elements or isinstance(elements[-1], int):
                    raise MatcherError(source, f"{text!r} must have a word before each gap")
                elements.append(int(size) if size else self.vocabulary.max_gap)
                continue
            alternatives = part.split("|")
            if kind == "phrases" and len(alternatives) > 1:
                raise MatcherError(source, f"{text!r} has alternatives ('|'): alternatives belong in patterns")
            if len(alternatives) == 1:  # one word may read as several ("isn't" -> "is not")
                elements.extend(self._alternative_codes(source, text, part, single=False))
                continue
            codes: set[str] = set()
            for alternative in alternatives:
                for element in self._alternative_codes(source, text, alternative, single=True):
                    codes.update(element)
            if codes:
                elements.append(frozenset(codes))
        if not elements:
            raise MatcherError(source, f"{text!r} has no word to match")
        if isinstance(elements[-1], int):
            raise MatcherError(source, f"{text!r} must end with a word, not a gap")
        negated = any(isinstance(element, frozenset) and NEGATION in element for element in elements)
        return _Compiled(key, tuple(elements), negated, exclusion=kind == "exclusions",
                         slots=tuple(element for element in elements if isinstance(element, frozenset)))

    def _alternative_codes(self, source: str, text: str, alternative: str, *, single: bool) -> list[frozenset]:
        """The elements one written word stands for: one per word it reads as (none for an ignored word)."""
        if alternative.startswith("="):
            word = alternative[1:].lower()
            if not word.isalpha():
                raise MatcherError(source, f"{text!r}: '={word}' must be one word of letters")
            self._surface.setdefault(word, "=" + word)
            return [frozenset({"=" + word})]
        if not alternative or not WORD_PATTERN.fullmatch(alternative) or not alternative[0].isalnum():
            raise MatcherError(source, f"{text!r}: {alternative!r} is not a word")
        codes = self._codes(alternative, correct=False)
        if single and len(codes) > 1:
            raise MatcherError(
                source, f"{text!r}: {alternative!r} reads as several words, which cannot be an alternative"
            )
        if len(codes) == 1:
            self._surface.setdefault(alternative.lower(), codes[0])
        # A stem also takes the exact words of that stem ("sue" takes a text's "=sued").
        return [frozenset({code, *("=" + word for word in self._exact if self._stem(word) == code)})
                for code in codes]

    # --- matching ---------------------------------------------------------------------------------

    def _end_of(self, codes: list, position: int, elements: tuple, index: int) -> int:
        """The position after `elements[index:]` matched from `position`, or -1."""
        length, count = len(codes), len(elements)
        while index < count:
            element = elements[index]
            if element.__class__ is int:  # a gap: the shortest skip after which the rest matches
                for skip in range(element + 1):
                    at = position + skip
                    if at > length or (skip and codes[at - 1] == SENTENCE_END):
                        break
                    end = self._end_of(codes, at, elements, index + 1)
                    if end >= 0:
                        return end
                return -1
            if position >= length or codes[position] not in element:
                return -1
            position += 1
            index += 1
        return position

    def _negated(self, codes: list, start: int, end: int) -> bool:
        if NEGATION in codes[start:end]:
            return True
        for position in range(start - 1, max(-1, start - 1 - self.vocabulary.negation_window), -1):
            code = codes[position]
            if code == NEGATION:
                return True
            if code in (SENTENCE_END, CLAUSE_END):
                return False
        return False

    def find(self, text: str) -> list[Match]:
        """Every qualifier the text raises, with the words that raised it, in text order."""
        words, codes = self._read(text)
        present = set(codes)
        # Only patterns whose every word occurs somewhere in the text can match: most texts stop here.
        viable: dict[str, list[_Compiled]] = {}
        for code in present.intersection(self._by_first):
            for pattern in self._by_first[code]:
                if not any(present.isdisjoint(slot) for slot in pattern.slots):
                    viable.setdefault(code, []).append(pattern)
        if not viable:
            return []
        spans: list[tuple[int, int, _Compiled]] = []
        for position, code in enumerate(codes):
            for pattern in viable.get(code, ()):
                end = self._end_of(codes, position + 1, pattern.elements, 1)  # its first word is `code`
                if end < 0:
                    continue
                if pattern.exclusion or pattern.negated_by_itself or not self._negated(codes, position, end):
                    spans.append((position, end, pattern))
        if not spans:
            return []
        return self._matches(words, spans)

    def _matches(self, words: list[str], spans: list[tuple[int, int, _Compiled]]) -> list[Match]:
        excluded = [(start, end, pattern.qualifier) for start, end, pattern in spans if pattern.exclusion]
        origins = self._origins(words)
        found: dict[tuple[str, str], Match] = {}
        taken: list[tuple[int, int, str]] = []  # a longer match hides the shorter ones inside or across it
        for start, end, pattern in sorted(spans, key=lambda span: (span[1] - span[0]), reverse=True):
            if pattern.exclusion or any(
                qualifier == pattern.qualifier and start < other_end and other_start < end
                for other_start, other_end, qualifier in excluded + taken
            ):
                continue
            taken.append((start, end, pattern.qualifier))
            matched = " ".join(words[origins[start]: origins[end - 1] + 1]).strip(EDGE_PUNCTUATION)
            found.setdefault((pattern.qualifier, matched.lower()), Match(pattern.qualifier, matched, start, end))
        return sorted(found.values(), key=lambda match: match.start)

    def qualifiers_in(self, text: str) -> dict[str, list[str]]:
        """{qualifier key: [matched words, ...]} for a text."""
        result: dict[str, list[str]] = {}
        for match in self.find(text):
            result.setdefault(match.qualifier, []).append(match.matched)
        return result
