"""Phrase tables: which spoken words mean which :class:`Intent`, per language.

A table is data, not code: recognizers build their grammars and keyword lists
from it, ``voicecoach phrases`` prints it, and the matcher turns a string of
recognized words back into intents. Each language lives in its own module
(:mod:`.en`, :mod:`.ko`) so adding one touches nothing else.

Besides the command phrases a table carries *fillers*: ordinary words of the
language that a grammar-mode recognizer may map non-command speech onto
(a garbage path for models that have no ``[unk]`` word). A filler is never a
command; hearing one next to a command is evidence of conversation.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from voicecoach.core.intents import SAFETY_INTENTS, Intent
from voicecoach.errors import VoicecoachError

__all__ = [
    "LANGUAGES",
    "Match",
    "Phrase",
    "PhraseTable",
    "find_phrases",
    "phrase_table",
]

#: Languages with a phrase table, mapped to their module under this package.
LANGUAGES: dict[str, str] = {"en": "en", "ko": "ko"}


@dataclass(frozen=True, slots=True)
class Phrase:
    """One way of saying one command."""

    text: str
    """The words, lower case, separated by single spaces."""
    intent: Intent
    """What the phrase means."""
    detail: str | None = None
    """Extra meaning: the :class:`~voicecoach.core.intents.Symptom` for symptoms."""

    @property
    def words(self) -> tuple[str, ...]:
        """The phrase split into recognizer words."""
        return tuple(self.text.split())

    @property
    def is_safety(self) -> bool:
        """Safety phrases are tuned for recall rather than precision."""
        return self.intent in SAFETY_INTENTS


@dataclass(frozen=True, slots=True)
class PhraseTable:
    """Every command phrase of one language, plus its filler words."""

    language: str
    """ISO 639-1 code, e.g. ``"en"``."""
    name: str
    """The language's English name, for messages."""
    phrases: tuple[Phrase, ...]
    """Every phrase, in display order."""
    fillers: tuple[str, ...] = ()
    """Common non-command words, used as a garbage path when a model has no ``[unk]``."""
    interjections: tuple[str, ...] = ()
    """Words that may come right before a safety phrase without making it conversation
    ("oh, it hurts", "no, stop"); recognizers add them to their garbage path."""

    def words(self) -> frozenset[str]:
        """Every distinct word used by a command phrase."""
        return frozenset(w for p in self.phrases for w in p.words)

    def by_intent(self) -> dict[Intent, list[Phrase]]:
        """Phrases grouped by intent, in :class:`Intent` order."""
        groups: dict[Intent, list[Phrase]] = {}
        for intent in Intent:
            found = [p for p in self.phrases if p.intent is intent]
            if found:
                groups[intent] = found
        return groups


@dataclass(frozen=True, slots=True)
class Match:
    """A phrase found in a sequence of recognized words."""

    phrase: Phrase
    """The phrase that matched."""
    start: int
    """Index of its first word in the sequence."""
    end: int
    """Index one past its last word."""


def phrase_table(language: str) -> PhraseTable:
    """Return the phrase table for ``language`` (e.g. ``"en"``, ``"ko"``).

    Raises :class:`VoicecoachError` naming the languages that exist.
    """
    key = language.lower().split("-")[0].split("_")[0]
    if key not in LANGUAGES:
        raise VoicecoachError(
            f"no phrase table for language {language!r}",
            f"use one of: {', '.join(sorted(LANGUAGES))}",
        )
    return _load(key)


@cache
def _load(key: str) -> PhraseTable:
    module = importlib.import_module(f"{__name__}.{LANGUAGES[key]}")
    table: PhraseTable = module.TABLE
    return table


def find_phrases(words: Sequence[str], table: PhraseTable) -> list[Match]:
    """Find command phrases in ``words``, longest match first, left to right.

    Longest-first matters: "pain in my leg" is a symptom, not "pain" followed
    by garbage. Words that start no phrase are skipped (they are garbage).
    """
    index = _index(table)
    matches: list[Match] = []
    i = 0
    while i < len(words):
        best: Phrase | None = None
        for phrase in index.get(words[i], ()):
            n = len(phrase.words)
            if tuple(words[i : i + n]) == phrase.words and (
                best is None or n > len(best.words)
            ):
                best = phrase
        if best is None:
            i += 1
            continue
        matches.append(Match(best, i, i + len(best.words)))
        i += len(best.words)
    return matches


@cache
def _index(table: PhraseTable) -> dict[str, tuple[Phrase, ...]]:
    index: dict[str, list[Phrase]] = {}
    for phrase in table.phrases:
        index.setdefault(phrase.words[0], []).append(phrase)
    return {k: tuple(v) for k, v in index.items()}
