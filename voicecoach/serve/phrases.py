"""What the waiting coach answers to: start commands naming routines, and "what routines are there".

Built from the routine library (:func:`~voicecoach.core.library.list_routines`):
each routine is known by the words of its name (``lying-standing``) and the
distinctive words of its title ("Pain when *lying* or *standing*"); words every
routine shares ("pain") name none of them.

Never start on conversation: a start command is either addressed to the
coach ("coach, start the sitting routine") or the single word "start" said
as a whole utterance. Anything else — "we should start dinner" — is ignored.
"coach, start my back routine" (no routine word) starts the default routine.
The words themselves (wake word, start words, filler, word order) come from
:mod:`~voicecoach.serve.language`: Korean says "코치, 허리 운동 시작".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from voicecoach.serve.language import ENGLISH, ServeLanguage

__all__ = ["CommandKind", "RoutineName", "ServeCommand", "ServeGrammar", "normalize"]


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
    """Lowercase words of any script, punctuation dropped (recognizers and typed text alike)."""
    return re.findall(r"\w+(?:'\w+)*", text.lower().replace("-", " ").replace("_", " "))


class ServeGrammar:
    """Parse utterances into :class:`ServeCommand`; also the vocabulary a recognizer needs.

    ``wake_word`` and ``start_words`` default to the language's own
    (:mod:`~voicecoach.serve.language`).
    """

    def __init__(self, routines: Iterable[RoutineName], default: str,
                 wake_word: str | None = None, start_words: Iterable[str] | None = None,
                 language: ServeLanguage = ENGLISH) -> None:
        self.lang = language
        self.routines = list(routines)
        self.default = default
        self.wake = normalize(wake_word if wake_word is not None else language.wake_word)
        self.start_words = tuple(" ".join(normalize(w))
                                 for w in (start_words or language.start_words))
        self.list_phrases = tuple(" ".join(normalize(p)) for p in language.list_phrases)
        self._own = set(self.wake).union(*(p.split() for p in self.list_phrases),
                                         *(w.split() for w in self.start_words))
        word_sets = {r.id: self._words(r) for r in self.routines}
        shared = set.intersection(*word_sets.values()) if len(word_sets) > 1 else set()
        self.keywords = {rid: words - shared for rid, words in word_sets.items()}

    def _words(self, routine: RoutineName) -> set[str]:
        return {w for w in normalize(routine.id) + normalize(routine.title)
                if w not in self.lang.stop and w not in self.lang.filler}

    def vocabulary(self) -> set[str]:
        """Every word the grammar can use (for a recognizer's word list)."""
        return {w for p in self.phrases() for w in p.split()}

    def _start(self, start: str, words: str) -> str:
        body = f"{words} {start}" if self.lang.start_last else f"{start} {words}"
        return " ".join(f"{' '.join(self.wake)} {body}".split())

    def phrases(self) -> list[str]:
        """Whole commands, for a grammar-constrained recognizer."""
        wake = " ".join(self.wake)
        out = list(self.start_words) + list(self.list_phrases)
        for start in self.start_words:
            out.append(self._start(start, ""))
            out += [self._start(start, words) for words in self.lang.default_phrases]
            for rid, keys in self.keywords.items():
                for word in (" ".join(normalize(rid)), *sorted(keys)):
                    out += [self._start(start, t.format(word))
                            for t in self.lang.routine_templates]
        out += [f"{wake} {p}" for p in self.list_phrases]
        return list(dict.fromkeys(out))

    def parse(self, text: str) -> ServeCommand | None:
        """The command in ``text``, or None for anything that is not one (conversation)."""
        words = normalize(text)
        addressed = bool(self.wake) and words[: len(self.wake)] == self.wake
        rest = words
        while self.wake and rest[: len(self.wake)] == self.wake:  # "coach, coach, start"
            rest = rest[len(self.wake):]
        phrase = " ".join(rest)
        if phrase in self.list_phrases:
            return ServeCommand(CommandKind.LIST, addressed=addressed)
        if not addressed:  # unaddressed: only the start word alone, as the whole utterance
            return ServeCommand(CommandKind.START, self.default) if phrase in self.start_words \
                else None
        named = self._routine_words(rest)
        if named is None:
            return None
        # the grammar's own words are how a recognizer mishears filler, never a routine name
        named = [w for w in named if w not in self.lang.filler and w not in self._own]
        if not named:
            return ServeCommand(CommandKind.START, self.default, addressed=True)
        routine = self.match(named)
        if routine is None:
            return ServeCommand(CommandKind.UNKNOWN_ROUTINE, " ".join(named), addressed=True)
        return ServeCommand(CommandKind.START, routine, addressed=True)

    def _routine_words(self, rest: list[str]) -> list[str] | None:
        """The words naming the routine around the start word, or None without a start word.

        Verb first: the start word opens ``rest``. Verb last: it closes it,
        followed by nothing but filler ("시작 해줘").
        """
        for start in self.start_words:
            size = len(start.split())
            if not self.lang.start_last:
                if rest[:size] == start.split():
                    return rest[size:]
                continue
            for i in range(len(rest) - size, -1, -1):
                if rest[i:i + size] == start.split() and \
                        all(w in self.lang.filler for w in rest[i + size:]):
                    return rest[:i]
        return None

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
            return self.lang.no_routines
        names = ". ".join(f"{' '.join(normalize(r.id))}: {r.title}" for r in self.routines)
        start = self.start_words[0] if self.start_words else self.lang.start_words[0]
        return self.lang.listing.format(count=len(self.routines), names=names,
                                        wake=" ".join(self.wake), start=start)
