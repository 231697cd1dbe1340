"""The waiting loop: listen cheaply, act only on a confirmed start phrase, then wait again.

:class:`Waiter` is device-free: feed it audio blocks, it gates them
(:class:`~voicecoach.serve.gate.VoiceGate`), recognizes finished utterances
and returns the commands it accepts. :func:`serve` wires it to an audio
source and two seams: ``say(text)`` and ``start_session(routine_name)``,
which runs a whole live session and returns when it is over. The microphone
is closed while the coach speaks or a session runs (the session opens its
own), and reopened for the next wait.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from voicecoach.serve.gate import GateSettings, Utterance, VoiceGate
from voicecoach.serve.language import ENGLISH
from voicecoach.serve.phrases import CommandKind, ServeCommand, ServeGrammar, normalize
from voicecoach.serve.recognize import Heard, UtteranceRecognizer

__all__ = ["Decision", "DecisionKind", "Waiter", "confirmed", "serve"]

log = logging.getLogger(__name__)

#: A bare "start" (no wake word) is a short utterance: longer is talk.
BARE_START_MAX_SECONDS = 1.5
#: The sentence said when waiting begins (in English; each language has its own).
READY_TEXT = ENGLISH.ready

AudioSource = Callable[[], AbstractContextManager[Iterator[np.ndarray]]]
"""Opens the microphone; yields 16 kHz float32 blocks until closed."""


class DecisionKind(StrEnum):
    """What became of one utterance."""

    ACCEPTED = "accepted"
    NOT_A_COMMAND = "not a command"
    NOT_CONFIRMED = "not confirmed"
    TOO_LONG = "too long"


@dataclass(frozen=True, slots=True)
class Decision:
    """One utterance's fate (logged, and what tests and the benchmark look at)."""

    kind: DecisionKind
    """Accepted or why not."""
    heard: Heard | None
    """Both readings (None when the utterance was too long to try)."""
    command: ServeCommand | None
    """The command, when accepted."""
    seconds: float
    """Voiced length of the utterance."""


def confirmed(command: ServeCommand, heard: Heard, grammar: ServeGrammar,
              seconds: float) -> bool:
    """The free reading backs the grammar's: its key word was really said.

    A start needs a start word in the free reading too; a bare "start"
    (not addressed) must also be short and all but alone; a listing, which
    only speaks, needs two of its words (one, when the wake word was heard
    too, or when an addressed listing is that one word: "코치, 목록").
    """
    free = normalize(heard.free)
    if command.kind is CommandKind.LIST:  # harmless (it only speaks): two words in common
        asked = set(normalize(heard.grammar)) - set(grammar.wake)
        common = len(asked & set(free))
        woke = command.addressed and set(grammar.wake) <= set(free)
        whole = command.addressed and common == len(asked)
        return common >= 2 or (common >= 1 and (woke or whole))
    text = f" {' '.join(free)} "
    said_start = any(f" {start} " in text or _sounds_like(start, free)
                     for start in grammar.start_words)
    if not said_start:
        return False
    if not command.addressed:
        return seconds <= BARE_START_MAX_SECONDS and len(free) <= 2
    return True


def _sounds_like(word: str, free: list[str]) -> bool:
    """A one-word start word read freely as a near spelling ("stuart" for "start")."""
    import difflib

    return " " not in word and any(
        difflib.SequenceMatcher(None, word, w).ratio() >= 0.7 for w in free)


class Waiter:
    """Gate -> recognizer -> grammar -> second opinion, one utterance at a time."""

    def __init__(self, grammar: ServeGrammar, recognizer: UtteranceRecognizer,
                 gate: GateSettings | None = None,
                 on_decision: Callable[[Decision], None] | None = None) -> None:
        self.grammar = grammar
        self.recognizer = recognizer
        self.gate_settings = gate or GateSettings()
        self.gate = VoiceGate(self.gate_settings)
        self.on_decision = on_decision
        self.utterances = 0
        """How many times the recognizer ran."""

    def reset(self) -> None:
        """Forget partial audio (the microphone was closed); keep the learned noise floor."""
        noise = self.gate.noise_db
        self.gate = VoiceGate(self.gate_settings)
        self.gate.noise_db = noise

    def feed(self, samples: np.ndarray) -> list[ServeCommand]:
        """Add audio; return accepted commands (usually none)."""
        out = []
        for utt in self.gate.feed(samples):
            decision = self.decide(utt)
            log.info("heard %.1f s: %s %s", utt.seconds, decision.kind,
                     decision.heard if decision.heard else "")
            if self.on_decision is not None:
                self.on_decision(decision)
            if decision.command is not None:
                out.append(decision.command)
        return out

    def decide(self, utt: Utterance) -> Decision:
        """Recognize one utterance and judge it."""
        if utt.cut:
            return Decision(DecisionKind.TOO_LONG, None, None, utt.seconds)
        self.utterances += 1
        heard = self.recognizer.recognize(utt.samples)
        command = self.grammar.parse(heard.grammar)
        if command is None:
            return Decision(DecisionKind.NOT_A_COMMAND, heard, None, utt.seconds)
        if not confirmed(command, heard, self.grammar, utt.seconds):
            return Decision(DecisionKind.NOT_CONFIRMED, heard, None, utt.seconds)
        return Decision(DecisionKind.ACCEPTED, heard, command, utt.seconds)


def act(command: ServeCommand, grammar: ServeGrammar, say: Callable[[str], None],
        start_session: Callable[[str], None]) -> None:
    """Do what an accepted command asks."""
    if command.kind is CommandKind.LIST:
        say(grammar.listing())
    elif command.kind is CommandKind.UNKNOWN_ROUTINE:
        say(grammar.lang.unknown_routine.format(name=command.routine))
    elif command.routine is not None:
        start_session(command.routine)


def serve(waiter: Waiter, open_source: AudioSource, say: Callable[[str], None],
          start_session: Callable[[str], None], announce: bool = True,
          should_stop: Callable[[], bool] = lambda: False) -> None:
    """Wait, act, wait again — until ``should_stop()`` or the source ends.

    ``open_source`` is called for every wait, so a microphone unplugged
    during a session is found again (or fails with a clear error) next time.
    """
    while not should_stop():
        if announce:
            say(waiter.grammar.lang.ready)
        commands: list[ServeCommand] = []
        waiter.reset()
        with open_source() as blocks:
            log.info("listening for a start phrase")
            for block in blocks:
                commands = waiter.feed(block)
                if commands or should_stop():
                    break
            else:
                return  # the source ended (a file, a test)
        for command in commands:
            act(command, waiter.grammar, say, start_session)
