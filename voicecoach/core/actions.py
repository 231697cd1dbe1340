"""What the session engine asks the outside world to do, and what it records.

The engine (``voicecoach.core.session``) never speaks, sleeps or writes a
file. It returns lists of these small frozen values; the live loop, the
renderer, the simulator and the history store each act on the ones they care
about. Keeping them plain data is what lets a 60-minute session run in
milliseconds of virtual time and be replayed exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum, StrEnum


class Priority(IntEnum):
    """How urgently an utterance must be heard. Higher cuts lower."""

    BACKGROUND = 0
    """Encouragement, "what comes next": dropped if something else is due."""
    NORMAL = 1
    """Instructions and counts."""
    URGENT = 2
    """Answers to the person (status, help, pause/resume acknowledgements)."""
    SAFETY = 3
    """Safety instructions; never interrupted except by another safety message."""


class Cue(StrEnum):
    """A gentle sound played with an utterance, so eyes-closed users can follow."""

    INHALE = "inhale"
    EXHALE = "exhale"
    HOLD_START = "hold_start"
    HOLD_END = "hold_end"


@dataclass(frozen=True, slots=True)
class Speak:
    """Say ``text``. The engine waits for :meth:`Session.speech_done` with ``id``."""

    id: int
    """Unique, increasing id of this utterance within the session."""
    text: str
    """What to say, already filled in (sides, numbers as words where needed)."""
    priority: Priority = Priority.NORMAL
    """Higher priority interrupts lower; see :class:`Priority`."""
    interruptible: bool = True
    """Whether a spoken command may cut this utterance short."""
    cue: Cue | None = None
    """A sound to play just before the words, or None."""


@dataclass(frozen=True, slots=True)
class StopSpeaking:
    """Fall silent now (with a short fade); drop anything queued."""

    reason: str = ""
    """Why, for the event log ("pause", "pain", ...)."""


@dataclass(frozen=True, slots=True)
class SetVolume:
    """Change the output volume; applies from the next audio buffer."""

    level: float
    """Linear gain in [0, 1]."""


@dataclass(frozen=True, slots=True)
class SetRate:
    """Change the speech rate."""

    factor: float
    """Multiplier on the voice's normal rate, within safe bounds (about 0.7 to 1.3)."""


class RecordKind(StrEnum):
    """The kinds of facts the history keeps about a session."""

    SESSION_STARTED = "session_started"
    SESSION_ENDED = "session_ended"
    EXERCISE_STARTED = "exercise_started"
    EXERCISE_ENDED = "exercise_ended"
    REP_DONE = "rep_done"
    HOLD_DONE = "hold_done"
    PAUSED = "paused"
    RESUMED = "resumed"
    SKIPPED = "skipped"
    PAIN = "pain"
    SYMPTOM = "symptom"
    SCREENING_ANSWER = "screening_answer"
    SCREENING_FAILED = "screening_failed"
    SCREENING_PASSED = "screening_passed"
    OFFER = "offer"
    """An offer (resume, step up) and the person's answer, in ``data``."""
    GENTLER = "gentler"
    COMMAND = "command"
    STATE = "state"


Scalar = str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class Record:
    """A fact for the history and the event log, stamped with session time."""

    kind: RecordKind
    """What happened."""
    t: float
    """Seconds of session time."""
    exercise: str | None = None
    """Exercise name, when inside an exercise."""
    exercise_index: int | None = None
    """Zero-based index of the exercise in the routine."""
    side: str | None = None
    """Current side, when the exercise has sides."""
    set: int | None = None
    """One-based set number."""
    rep: int | None = None
    """One-based repetition number."""
    data: dict[str, Scalar] = field(default_factory=dict)
    """Anything else worth keeping (prescribed vs done, answers, reasons)."""


Action = Speak | StopSpeaking | SetVolume | SetRate | Record
