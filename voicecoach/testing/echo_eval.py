"""Run a synthesized session through cancellation, recognition and the echo guard.

One pipeline for the tests and ``benchmarks/echo.py``: the microphone track
goes through :class:`EchoCanceller` (or not), a recognizer turns it into
commands, and :class:`EchoGuard` judges each against what the coach was
saying. :func:`score` compares the commands kept with what the person said.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from voicecoach.adapters.echo.canceller import EchoCanceller, EchoOptions
from voicecoach.core.echo_guard import EchoGuard, Utterance, Verdict
from voicecoach.core.intents import Command, Intent
from voicecoach.testing.room import Session

__all__ = ["Heard", "Outcome", "Recognize", "Score", "engine", "run_session", "score"]


@dataclass(frozen=True, slots=True)
class Heard:
    """A command a recognizer reported, with the span of audio it matched."""

    intent: Intent
    text: str
    start: float
    end: float


Recognize = Callable[[np.ndarray], list[Heard]]
"""Audio (float, 16 kHz) in, commands heard out."""


@dataclass(frozen=True)
class Outcome:
    """What came out of one session."""

    judged: list[tuple[Command, Verdict | None]]
    """Every recognized command with the guard's verdict (None: no guard)."""
    cleaned: np.ndarray
    """The audio the recognizer heard."""
    seconds_processed: float
    """CPU seconds spent in the canceller."""

    @property
    def kept(self) -> list[Command]:
        """The commands that would reach the session."""
        return [c for c, v in self.judged if v is None or not v.drop]


@dataclass(frozen=True)
class Score:
    """Hits, misses and false commands of one session."""

    hits: int
    misses: int
    false: int


def run_session(
    session: Session,
    recognize: Recognize,
    *,
    aec: bool = True,
    guard: bool = True,
    options: EchoOptions | None = None,
    block: int = 320,
) -> Outcome:
    """Cancel (if ``aec``), recognize, and judge (if ``guard``) one session."""
    import time

    scene = session.scene
    # Recognition runs after the whole track here, so keep the evidence of all of it.
    options = replace(options or EchoOptions(), history_s=len(scene.mic) / scene.rate + 1.0)
    canceller = EchoCanceller(options) if aec else None
    spent = 0.0
    if canceller is not None:
        started = time.process_time()
        parts = [
            canceller.process(scene.mic[i : i + block], scene.reference[i : i + block])
            for i in range(0, len(scene.mic), block)
        ]
        parts.append(canceller.flush())
        spent = time.process_time() - started
        cleaned = np.concatenate(parts)
    else:
        cleaned = scene.mic
    echo_guard = EchoGuard() if guard else None
    if echo_guard is not None:
        for line in session.lines:
            echo_guard.spoke(Utterance(line.text, line.start, line.duration))
    judged: list[tuple[Command, Verdict | None]] = []
    for heard in recognize(cleaned):
        command = Command(heard.intent, heard.end, heard.text)
        verdict = None
        if echo_guard is not None:
            evidence = canceller.evidence(heard.start, heard.end) if canceller else None
            verdict = echo_guard.judge(command, evidence)
        judged.append((command, verdict))
    if canceller is not None:
        canceller.close()
    return Outcome(judged, cleaned, spent)


def score(
    session: Session, kept: list[Command], intents: dict[str, Intent], late_s: float = 0.8
) -> Score:
    """Count commands said and heard (right intent, during or just after), missed, and false."""
    used: set[int] = set()
    hits = 0
    for spoken in session.commands:
        want = intents[spoken.text]
        for i, command in enumerate(kept):
            if i in used:
                continue
            if command.intent is want and spoken.start <= command.time <= spoken.end + late_s:
                used.add(i)
                hits += 1
                break
    # A second report of a command the person did say is not a false command.
    false = 0
    for i, command in enumerate(kept):
        if i in used:
            continue
        if any(
            s.start - 0.2 <= command.time <= s.end + late_s and command.intent is intents[s.text]
            for s in session.commands
        ):
            continue
        false += 1
    return Score(hits, len(session.commands) - hits, false)


def engine(recognizer: Any, resets: list[float] | tuple[float, ...] = ()) -> Recognize:
    """A product :class:`~voicecoach.adapters.recognizer.Recognizer` as a ``Recognize``.

    Audio is fed in 50 ms chunks as if live. The recognizer is reset at each
    time in ``resets`` (the start of each coach utterance, as the live loop
    does: "forget the current utterance after the coach has spoken").
    A command's span is taken as the 0.8 s before it fired.
    """

    def recognize(audio: np.ndarray) -> list[Heard]:
        rate = recognizer.sample_rate
        pcm = np.clip(np.round(audio * 32768.0), -32768, 32767).astype(np.int16)
        step = rate // 20
        pending = sorted(resets)
        recognizer.reset()
        heard: list[Heard] = []
        for i in range(0, len(pcm), step):
            t = i / rate
            if pending and t >= pending[0]:
                while pending and t >= pending[0]:
                    pending.pop(0)
                recognizer.reset()
            for c in recognizer.accept(pcm[i : i + step], t):
                heard.append(Heard(c.intent, c.text, max(0.0, c.time - 0.8), c.time))
        return heard

    return recognize
