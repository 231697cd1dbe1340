"""What the history knows about past sessions, as plain values.

The SQLite store (:mod:`voicecoach.adapters.history`) answers its queries with
these frozen dataclasses, and the pure rules (:mod:`voicecoach.core.progression`,
:mod:`voicecoach.core.planning`) take them as input. Keeping them here, free of
I/O, is what lets the progression rules be tested over synthetic histories
without a database, and the store be tested without the rules.

Times are seconds since the Unix epoch (``time.time()``), in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class SessionOutcome(StrEnum):
    """How a session ended. A session with no recorded end was interrupted."""

    COMPLETED = "completed"
    """Every exercise was done (skipped exercises still count as reached)."""
    FINISHED_EARLY = "finished_early"
    """The person said "finish" or "stop" before the end."""
    INTERRUPTED = "interrupted"
    """The program stopped without ending the session (crash, power cut, Ctrl-C)."""
    PAIN = "pain"
    """Ended after a pain report."""
    SYMPTOM = "symptom"
    """Ended because of a warning symptom (headache, nausea, ...)."""
    SCREENING = "screening"
    """Ended by the screening questions (a contraindication was reported)."""


#: Outcomes that mean the body said no; they reset the pain-free streak.
SAFETY_OUTCOMES: frozenset[SessionOutcome] = frozenset(
    {SessionOutcome.PAIN, SessionOutcome.SYMPTOM}
)


@dataclass(frozen=True, slots=True)
class ExerciseLoad:
    """The load one exercise was prescribed at: what progression raises and lowers."""

    name: str
    """Exercise name, as in the routine (the key loads are matched by)."""
    reps: int
    """Repetitions per set and side."""
    hold: float | None = None
    """Longest hold step in seconds, or None for an exercise without holds."""


@dataclass(frozen=True, slots=True)
class ExerciseSummary:
    """One exercise of one session: prescribed versus done."""

    index: int
    """Zero-based position in the routine."""
    name: str
    """Exercise name."""
    prescribed_reps: int
    """Total repetitions asked for (reps x sets x sides)."""
    done_reps: int
    """Repetitions actually completed."""
    prescribed_holds: int
    """Total holds asked for."""
    done_holds: int
    """Holds actually completed."""
    skipped: bool = False
    """Whether the person skipped (part of) it."""
    pain_reports: int = 0
    """Pain reports during this exercise."""
    load: ExerciseLoad | None = None
    """The per-set load it was prescribed at, when known."""


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """One past session, as the history table and the report show it."""

    id: int
    """Row id in the store."""
    routine_id: str
    """Stable id of the routine (e.g. its file name without suffix)."""
    routine_title: str
    """The routine's title at the time."""
    routine_version: int
    """The routine's ``version`` at the time."""
    started_at: float
    """Wall-clock start, epoch seconds."""
    ended_at: float | None
    """Wall-clock end, or None if it never ended (interrupted)."""
    outcome: SessionOutcome
    """How it ended."""
    exercises: tuple[ExerciseSummary, ...] = ()
    """Every exercise reached, in routine order."""
    pauses: int = 0
    """How many times the person paused."""
    skips: int = 0
    """How many skips."""
    pain_reports: int = 0
    """How many pain reports."""
    symptoms: int = 0
    """How many warning symptoms."""
    resumed_from: int | None = None
    """The interrupted session this one continued, if any."""

    @property
    def prescribed_reps(self) -> int:
        """Total repetitions prescribed over the exercises reached."""
        return sum(e.prescribed_reps for e in self.exercises)

    @property
    def done_reps(self) -> int:
        """Total repetitions done."""
        return sum(e.done_reps for e in self.exercises)

    @property
    def prescribed_holds(self) -> int:
        """Total holds prescribed over the exercises reached."""
        return sum(e.prescribed_holds for e in self.exercises)

    @property
    def done_holds(self) -> int:
        """Total holds done."""
        return sum(e.done_holds for e in self.exercises)

    @property
    def loads(self) -> tuple[ExerciseLoad, ...]:
        """The load of every exercise whose load is known."""
        return tuple(e.load for e in self.exercises if e.load is not None)

    @property
    def pain_exercises(self) -> frozenset[str]:
        """Names of the exercises during which pain was reported."""
        return frozenset(e.name for e in self.exercises if e.pain_reports)


@dataclass(frozen=True, slots=True)
class PainReport:
    """One "it hurts", with where and when it happened."""

    session_id: int
    """The session it belongs to."""
    at: float
    """Wall-clock time, epoch seconds."""
    t: float
    """Seconds into the session."""
    exercise: str | None = None
    """Exercise name, if inside an exercise."""
    exercise_index: int | None = None
    """Zero-based exercise index."""
    side: str | None = None
    """Side, for sided exercises."""
    set: int | None = None
    """One-based set."""
    rep: int | None = None
    """One-based repetition."""
    kind: str = "pain"
    """``pain`` or ``symptom``."""
    detail: str | None = None
    """Which symptom, for symptoms (e.g. ``headache``)."""


@dataclass(frozen=True, slots=True)
class InterruptedSession:
    """A session that stopped without an end: the one to offer to resume."""

    session_id: int
    """The interrupted session."""
    routine_id: str
    """Its routine."""
    routine_version: int
    """The routine version it ran; resuming a changed routine makes no sense."""
    started_at: float
    """When it started, epoch seconds."""
    last_activity_at: float
    """Time of its last recorded event, epoch seconds."""
    resume_from: int
    """Zero-based index of the first exercise not finished."""


@dataclass(frozen=True, slots=True)
class RoutineHistory:
    """What the progression rules need to know about one routine's past."""

    routine_id: str
    """The routine."""
    sessions: tuple[SessionSummary, ...] = field(default_factory=tuple)
    """Its sessions, newest first."""
