"""The session's states, options and the snapshot a terminal view shows."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from voicecoach.core.routine import Routine


class SessionState(StrEnum):
    """Where the session is; every command is answered according to this."""

    IDLE = "idle"
    """Created, :meth:`Session.start` not called yet."""
    SCREENING = "screening"
    """Asking the contraindication questions; waiting for yes or no."""
    OFFER = "offer"
    """Offering to resume or to step up; waiting for yes or no."""
    SPEAKING = "speaking"
    """Saying an instruction; continues when the speech is done."""
    MOVING = "moving"
    """The person moves (or breathes) after a cue; a timer runs."""
    HOLDING = "holding"
    """Holding a position; a timer with a spoken countdown runs."""
    RESTING = "resting"
    """Resting between sets or exercises; a timer with a countdown runs."""
    WAITING_READY = "waiting_ready"
    """Waiting for "ready" before the exercise goes on."""
    PAUSED = "paused"
    """Everything frozen until "resume"."""
    STOP_DIALOG = "stop_dialog"
    """Halted by "stop"; asking whether to continue or finish."""
    PAIN_DIALOG = "pain_dialog"
    """After "it hurts": asking whether to go on gently, skip, or finish."""
    SYMPTOM_CHECK = "symptom_check"
    """A warning symptom heard where the coach's own voice could explain it
    (:attr:`Command.unconfirmed`): halted, asking whether the person said it."""
    FINISHED = "finished"
    """Ended (completed, finished, or ended for safety)."""


#: States in which the routine itself is running (timers or speech advance it).
RUNNING_STATES = frozenset(
    {
        SessionState.SPEAKING,
        SessionState.MOVING,
        SessionState.HOLDING,
        SessionState.RESTING,
        SessionState.WAITING_READY,
    }
)

#: Safe bounds for what the person can change by voice.
PACE_MIN, PACE_MAX, PACE_STEP = 0.5, 1.5, 1.2
RATE_MIN, RATE_MAX, RATE_STEP = 0.7, 1.3, 0.1
VOLUME_MIN, VOLUME_MAX, VOLUME_STEP = 0.2, 1.0, 0.1


@dataclass(frozen=True)
class SessionOptions:
    """How this session starts; everything the history or the person decided before."""

    screening_due: bool = False
    """Ask the contraindication questions first (first run, or the interval passed)."""
    resume_from: int | None = None
    """Offer to continue at this exercise index (where the last session stopped)."""
    step_up: Routine | None = None
    """Offer this slightly harder routine instead (after pain-free sessions)."""
    pace: float = 1.0
    """Tempo of movements and rests: above 1 is quicker, below 1 slower."""
    volume: float = 0.8
    """Starting output volume in [0, 1]."""
    rate: float = 1.0
    """Starting speech rate factor."""
    gentle: bool = False
    """Start in the gentler variant (fewer reps, shorter holds), e.g. after recent pain."""


@dataclass(frozen=True)
class SessionStatus:
    """A snapshot for a terminal view or a status line; plain values only."""

    state: SessionState
    """The current state."""
    paused: bool
    """Frozen by pause, stop or a pain report."""
    time: float
    """Session time of this snapshot, seconds."""
    exercise: str | None = None
    """Current exercise name (the upcoming one while resting between exercises)."""
    exercise_index: int | None = None
    """Zero-based index of that exercise."""
    exercise_count: int = 0
    """Exercises in the routine."""
    side: str | None = None
    """Current side, if the exercise has sides."""
    set: int | None = None
    """One-based set number."""
    sets: int | None = None
    """Sets in this exercise."""
    rep: int | None = None
    """One-based repetition number."""
    reps: int | None = None
    """Repetitions per side and set."""
    step: str | None = None
    """What the coach is asking for right now (filled text)."""
    countdown: float | None = None
    """Seconds left on the running (or frozen) hold or rest timer."""
    pace: float = 1.0
    """Current tempo."""
    volume: float = 0.8
    """Current volume."""
    rate: float = 1.0
    """Current speech rate."""
    gentle: bool = False
    """Running the gentler variant."""
    pains: int = 0
    """Pain reports so far."""
