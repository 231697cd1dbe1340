"""What the waiting coach answers to: start commands naming routines, and "what routines are there".

Built from the routine library (:func:`~voicecoach.core.library.list_routines`):
each routine is known by the words of its name (``lying-standing``) and the
distinctive words of its title ("Pain when *lying* or *standing*"); words every
routine shares ("pain") name none of them.

Never start on conversation: a start command is either addressed to the
coach ("coach, start the sitting routine") or the single word "start" said
as a whole utterance. Anything else — "we should start dinner" — is ignored.
"coach, start my back routine" (no routine word) starts the default routine.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["CommandKind", "RoutineName", "ServeCommand", "ServeGrammar", "normalize"]

#: Words that may sit around a routine's name without naming anything.
FILLER = frozenset({
    "the", "my", "a", "an", "routine", "routines", "exercise", "exercises", "session",
    "please", "now", "back", "workout", "program", "some", "for", "me", "with", "of",
})
#: Title words too common to tell routines apart.
STOP = frozenset({"pain", "when", "in", "or", "and", "to", "on", "at", "your", "you", "is",
                  "the", "a", "an", "of", "for", "with", "two"})
#: "what routines are there" and its variants (whole utterance, or after the wake word).
LIST_PHRASES = (
    "what routines are there", "what routines do you have", "which routines are there",
    "list routines", "list the routines", "what routines", "which routines",
)


class CommandKind(StrEnum):
    """What a recognized utterance asks for."""

    START = "start"
    """Start a routine (:attr:`ServeCommand.routine`)."""
    LIST = "list"
    """Say which routines there are."""
    UNKNOWN_ROUTINE = "unknown routine"
    """Addressed to the coach, "start" and words that name no routine."""


@dataclass(frozen=True, slots=True)
class ServeCommand:
    """A command the waiting coach acts on."""

    kind: CommandKind
    """What to do."""
    routine: str | None = None
    """Routine name to start (START), or the unmatched words (UNKNOWN_ROUTINE)."""
    addressed: bool = False
    """Said after the wake word."""


@dataclass(frozen=True, slots=True)
class RoutineName:
    """A routine as the waiting coach can hear it."""

    id: str
    """The routine's name (file stem)."""
    title: str
    """Its title, spoken when listing."""


def normalize(text: str) -> list[str]:
    """Lowercase words, punctuation dropped (recognizers and typed text alike)."""
    return re.findall(r"[a-z0-9']+", text.lower().replace("-", " ").replace("_", " "))


class ServeGrammar:
    """Parse utterances into :class:`ServeCommand`; also the vocabulary a recognizer needs."""

    def __init__(self, routines: Iterable[RoutineName], default: str,
                 wake_word: str = "coach", start_words: Iterable[str] = ("start", "begin")
                 ) -> None:
        self.routines = list(routines)
        self.default = default
        self.wake = normalize(wake_word)
        self.start_words = tuple(" ".join(normalize(w)) for w in start_words)
        word_sets = {r.id: self._words(r) for r in self.routines}
        shared = set.intersection(*word_sets.values()) if len(word_sets) > 1 else set()
        self.keywords = {rid: words - shared for rid, words in word_sets.items()}

    @staticmethod
    def _words(routine: RoutineName) -> set[str]:
        return {w for w in normalize(routine.id) + normalize(routine.title)
                if w not in STOP and w not in FILLER}

    def vocabulary(self) -> set[str]:
        """Every word the grammar can use (for a recognizer's word list)."""
        words = set(self.wake) | FILLER
        for phrase in (*self.start_words, *LIST_PHRASES):
            words.update(phrase.split())
        for keys in self.keywords.values():
            words |= keys
        return words

    def phrases(self) -> list[str]:
        """Whole commands, for a grammar-constrained recognizer."""
        wake = " ".join(self.wake)
        out = list(self.start_words) + list(LIST_PHRASES)
        for start in self.start_words:
            out.append(f"{wake} {start}")
            out.append(f"{wake} {start} my routine")
            for rid, keys in self.keywords.items():
                name = " ".join(normalize(rid))
                out.append(f"{wake} {start} {name}")
                out.append(f"{wake} {start} the {name} routine")
                for key in sorted(keys):
                    out.append(f"{wake} {start} the {key} routine")
        out += [f"{wake} {p}" for p in LIST_PHRASES]
        return list(dict.fromkeys(out))

    def parse(self, text: str) -> ServeCommand | None:
        """The command in ``text``, or None for anything that is not one (conversation)."""
        words = normalize(text)
        addressed = bool(self.wake) and words[: len(self.wake)] == self.wake
        rest = words[len(self.wake):] if addressed else words
        phrase = " ".join(rest)
        if phrase in LIST_PHRASES:
            return ServeCommand(CommandKind.LIST, addressed=addressed)
        start = next((s for s in self.start_words
                      if phrase == s or phrase.startswith(s + " ")), None)
        if start is None:
            return None
        after = [w for w in rest[len(start.split()):] if w not in FILLER]
        if not addressed:  # unaddressed: only the start word alone, as the whole utterance
            return ServeCommand(CommandKind.START, self.default) if phrase == start else None
        if not after:
            return ServeCommand(CommandKind.START, self.default, addressed=True)
        routine = self.match(after)
        if routine is None:
            return ServeCommand(CommandKind.UNKNOWN_ROUTINE, " ".join(after), addressed=True)
        return ServeCommand(CommandKind.START, routine, addressed=True)

    def match(self, words: list[str]) -> str | None:
        """The routine these words name best (a unique best overlap), else None."""
        spoken = set(words)
        scores = {rid: len(spoken & keys) for rid, keys in self.keywords.items()}
        best = max(scores.values(), default=0)
        winners = [rid for rid, score in scores.items() if score == best]
        if best == 0 or len(winners) != 1:
            return None
        return winners[0]

    def listing(self) -> str:
        """The sentence that answers "what routines are there"."""
        if not self.routines:
            return "There are no routines yet."
        names = [f"{' '.join(normalize(r.id))}: {r.title}" for r in self.routines]
        wake = " ".join(self.wake)
        start = self.start_words[0] if self.start_words else "start"
        return (f"There are {len(names)} routines. " + ". ".join(names) +
                f". Say {wake}, {start}, and the routine's name.")
