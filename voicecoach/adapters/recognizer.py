"""The recognizer interface every speech engine implements.

A recognizer is fed audio chunks as they arrive and answers with the commands
it is sure of, each stamped with the audio time at which it fired. It is a
streaming state machine owned by one thread: Vosk crashes the whole process
when one recognizer is used from two threads, so every engine here checks
ownership instead of trusting callers. Audio format is checked at this
boundary too (Vosk silently returns nonsense for float32 or stereo input).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from voicecoach.core.intents import Command

__all__ = [
    "AudioFormatError",
    "Recognizer",
    "RecognizerInfo",
    "ThreadOwner",
    "WrongThreadError",
    "check_chunk",
]


@dataclass(frozen=True, slots=True)
class RecognizerInfo:
    """What is listening: always shown to the user (``listen``, ``doctor``, logs)."""

    engine: str
    """``"vosk"`` or ``"sphinx"``."""
    model: str
    """Model name as a person would recognise it."""
    model_path: str
    """Where the model was loaded from."""
    language: str
    """Phrase table language, e.g. ``"en"``."""

    def describe(self) -> str:
        """One line for a terminal: engine, language, model and where it lives."""
        return f"{self.engine} ({self.language}) model {self.model} at {self.model_path}"


@runtime_checkable
class Recognizer(Protocol):
    """Turns a stream of int16 mono audio into :class:`Command` events."""

    sample_rate: int
    """The only rate :meth:`accept` takes."""
    info: RecognizerInfo
    """Engine, model and language, for the user."""

    def accept(self, chunk: np.ndarray, t: float) -> list[Command]:
        """Feed ``chunk`` (1-D int16 at :attr:`sample_rate`) starting at audio time ``t``.

        Returns the commands that fired while decoding it (usually none), with
        ``Command.time`` the audio time at the end of the chunk that decided them.
        """
        ...

    def reset(self) -> None:
        """Forget the current utterance (e.g. after the coach has spoken)."""
        ...


class WrongThreadError(RuntimeError):
    """A recognizer was used from a thread other than its owner (a programming error)."""


class AudioFormatError(ValueError):
    """A chunk is not 1-D int16 audio (a programming error at the source boundary)."""


class ThreadOwner:
    """Binds an object to the first thread that uses it and refuses all others."""

    def __init__(self, what: str) -> None:
        self._what = what
        self._owner: int | None = None

    def check(self) -> None:
        """Raise :class:`WrongThreadError` unless called from the owning thread."""
        me = threading.get_ident()
        if self._owner is None:
            self._owner = me
        elif self._owner != me:
            raise WrongThreadError(
                f"{self._what} belongs to thread {self._owner}; called from {me}. "
                "Create one recognizer per thread."
            )


def check_chunk(chunk: np.ndarray) -> np.ndarray:
    """Return ``chunk`` as contiguous 1-D int16, or raise :class:`AudioFormatError`.

    No conversion happens here on purpose: a float or stereo chunk reaching a
    recognizer means a source forgot to convert, and guessing would hide it.
    """
    if not isinstance(chunk, np.ndarray):
        raise AudioFormatError(f"audio chunk must be a numpy array, got {type(chunk).__name__}")
    if chunk.dtype != np.int16:
        raise AudioFormatError(f"audio chunk must be int16, got {chunk.dtype}")
    if chunk.ndim != 1:
        raise AudioFormatError(f"audio chunk must be mono (1-D), got shape {chunk.shape}")
    return np.ascontiguousarray(chunk)
