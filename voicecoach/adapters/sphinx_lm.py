"""A tiny command language model for PocketSphinx: commands against a garbage vocabulary.

Keyword spotting asks "does this stretch sound like *stop*?" with a fixed
threshold, so it either misses commands or fires inside conversation. A
language model instead makes every stretch of speech *compete*: each command
phrase is one token (``cmd:it_hurts``, its pronunciation the words' phones
joined), and ordinary speech has hundreds of frequent English words to decode
into. "We should stop by the shop" then comes out as garbage words, with
perhaps a ``cmd:stop`` inside them, which the recognizer's isolation check
can see and refuse; a lone "stop" comes out as ``cmd:stop``.

The model is a unigram ARPA file written here in a few lines: command tokens
share ``command_weight`` of the probability (safety phrases ``safety_boost``
times more each, so they win close calls), garbage words share the rest in
proportion to their rank, and ``</s>`` keeps some. A unigram is enough: the
recognizer decides on segment timing, not on word order.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from voicecoach.core.phrases import Phrase

__all__ = ["CommandLM", "command_token", "write_arpa"]

#: Prefix that makes command tokens distinct from garbage words of the same spelling.
TOKEN_PREFIX = "cmd:"


def command_token(phrase: Phrase) -> str:
    """The single LM/dictionary token standing for ``phrase``."""
    return TOKEN_PREFIX + phrase.text.replace(" ", "_")


@dataclass(frozen=True, slots=True)
class CommandLM:
    """The vocabulary and probabilities of a command language model."""

    commands: Mapping[str, Phrase]
    """Token -> phrase."""
    garbage: tuple[str, ...]
    """Garbage words, most frequent first."""
    command_weight: float = 0.5
    """Share of probability for all command tokens together."""
    safety_boost: float = 3.0
    """How much likelier each safety token is than each other command token."""
    end_weight: float = 0.1
    """Probability of ``</s>``."""

    def unigrams(self) -> dict[str, float]:
        """Token -> probability (sums to 1 with ``</s>``)."""
        weights = {t: (self.safety_boost if p.is_safety else 1.0)
                   for t, p in self.commands.items()}
        total_w = sum(weights.values())
        probs = {t: self.command_weight * w / total_w for t, w in weights.items()}
        # Zipf-like: frequent garbage words are likelier, as in speech.
        ranks = [1.0 / (r + 10) for r in range(len(self.garbage))]
        garbage_mass = 1.0 - self.command_weight - self.end_weight
        for word, r in zip(self.garbage, ranks, strict=True):
            probs[word] = garbage_mass * r / sum(ranks)
        return probs


def write_arpa(lm: CommandLM) -> str:
    """``lm`` as ARPA text, the format PocketSphinx reads."""
    probs = lm.unigrams()
    lines = ["\\data\\", f"ngram 1={len(probs) + 2}", "", "\\1-grams:",
             "-99.0000 <s>", f"{math.log10(lm.end_weight):.4f} </s>"]
    lines += [f"{math.log10(p):.4f} {w}" for w, p in probs.items()]
    lines += ["", "\\end\\", ""]
    return "\n".join(lines)


def pronunciations(words: Iterable[str], dictionary: str) -> dict[str, list[str]]:
    """Every pronunciation of each of ``words`` in a CMU-style ``dictionary`` file.

    Read once at start-up (about 50 ms for the wheel's 3 MB dictionary): the
    decoder's own lookup only returns the first pronunciation, and compound
    command tokens should accept every way of saying their words.
    """
    wanted = set(words)
    found: dict[str, list[str]] = {}
    with open(dictionary, encoding="utf-8") as f:
        for line in f:
            head, _, phones = line.partition(" ")
            word = head.split("(")[0]
            if word in wanted:
                found.setdefault(word, []).append(phones.split("#")[0].strip())
    return found


def token_pronunciations(phrase: Phrase, prons: Mapping[str, list[str]],
                         limit: int = 4) -> list[str]:
    """Pronunciations of ``phrase`` as one token: combinations of its words', at most ``limit``."""
    combos = [""]
    for word in phrase.words:
        combos = [f"{c} {p}".strip() for c in combos for p in prons[word]][:limit]
    return combos
