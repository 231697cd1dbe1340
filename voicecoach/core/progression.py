"""Raise the load gradually, back off after pain: the seeds' rules, made explicit.

The seeds say: at first no more than 10 repetitions and holds of at most 10
seconds; "subsequently the duration, frequency and amplitude of the loads can
be increased"; and if pain appears, stop. The rules here turn that into
numbers a physiotherapist can read and change (:class:`ProgressionSettings`):

* **Start.** With no history at this routine version, the routine runs as
  written but never above :attr:`~ProgressionSettings.start_max_reps`
  repetitions or :attr:`~ProgressionSettings.start_max_hold` second holds.
* **Current load.** The load of the newest session of this routine version
  that recorded one (what the person actually did last time, including an
  accepted step up or an applied step back). A new routine ``version`` starts
  over: the physiotherapist's new prescription wins over old progress.
* **Step back.** If the newest session had a pain report (or a warning
  symptom, or ended because of one), the exercises it hurt in (all of them if
  the pain was outside an exercise) go down by ``back_reps`` repetitions and
  ``back_hold`` seconds, never below the floors. Applied, and said, without
  asking.
* **Step up.** After every ``step_up_after`` completed sessions at the current
  load with no pain or symptom, offer (yes / no) one step: ``rep_step`` more
  repetitions, or once an exercise is at its ``limits.max_reps``, a hold
  ``hold_step`` seconds longer, never past ``limits.max_hold``. A declined
  offer comes back after another ``step_up_after`` such sessions.

Everything is a pure function of a :class:`~voicecoach.core.routine.Routine`
and a :class:`~voicecoach.core.history.RoutineHistory`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from voicecoach.core.durations import spoken_duration
from voicecoach.core.history import (
    SAFETY_OUTCOMES,
    ExerciseLoad,
    RoutineHistory,
    SessionOutcome,
    SessionSummary,
)
from voicecoach.core.routine import DEFAULT_MAX_HOLD, DEFAULT_MAX_REPS, Exercise, Routine, StepKind

__all__ = [
    "DEFAULT_SETTINGS",
    "DecisionKind",
    "LoadChange",
    "ProgressionDecision",
    "ProgressionSettings",
    "apply_loads",
    "current_loads",
    "decide",
    "exercise_load",
    "starting_routine",
]


@dataclass(frozen=True, slots=True)
class ProgressionSettings:
    """The progression rules' numbers (defaults follow the seeds, gently)."""

    step_up_after: int = 3
    """Completed pain-free sessions at the current load before a step up is offered."""
    rep_step: int = 1
    """Repetitions added by one step up."""
    hold_step: float = 2.0
    """Seconds added to holds by one step up (once reps are at their limit)."""
    raise_holds_first: bool = False
    """Raise holds before repetitions (default: repetitions first)."""
    min_reps_to_raise: int = 2
    """Exercises done fewer times than this (timed, one-off) never get more reps."""
    back_reps: int = 2
    """Repetitions taken off after pain."""
    back_hold: float = 2.0
    """Seconds taken off holds after pain."""
    min_reps: int = 3
    """Floor for stepping back (an exercise already below it is left alone)."""
    min_hold: float = 3.0
    """Floor for holds when stepping back, in seconds."""
    start_max_reps: int = DEFAULT_MAX_REPS
    """Most repetitions in a first session (the seeds: no more than 10)."""
    start_max_hold: float = DEFAULT_MAX_HOLD
    """Longest hold in a first session, seconds (the seeds: at most 10)."""


#: The rules as documented above.
DEFAULT_SETTINGS = ProgressionSettings()


class DecisionKind(StrEnum):
    """What the rules decided for the next session."""

    START = "start"
    """No history at this version: the starting load."""
    KEEP = "keep"
    """Same load as last time."""
    STEP_UP = "step_up"
    """Offer a small increase (the person says yes or no)."""
    STEP_BACK = "step_back"
    """Lower the load after pain (applied without asking)."""


@dataclass(frozen=True, slots=True)
class LoadChange:
    """One exercise's load, before and after a decision."""

    exercise: str
    """Exercise name."""
    before: ExerciseLoad
    """Load it had."""
    after: ExerciseLoad
    """Load it gets."""


@dataclass(frozen=True, slots=True)
class ProgressionDecision:
    """The outcome of :func:`decide`."""

    kind: DecisionKind
    """What was decided."""
    current: Routine
    """The routine at the load to run if nothing is accepted."""
    routine: Routine
    """The routine to run: equals ``current`` except for STEP_UP, where it is the offer."""
    changes: tuple[LoadChange, ...] = ()
    """Every exercise whose load changes from ``current`` (STEP_UP) or from last time."""
    sentence: str = ""
    """What the coach says about it ("" when nothing needs saying)."""
    streak: int = 0
    """Completed pain-free sessions at the current load."""


def exercise_load(ex: Exercise) -> ExerciseLoad:
    """The load an exercise is written at."""
    holds = [float(s.hold) for s in ex.steps if s.kind is StepKind.HOLD and s.hold]
    return ExerciseLoad(ex.name, ex.reps, max(holds) if holds else None)


def _with_load(ex: Exercise, reps: int, hold: float | None) -> Exercise:
    reps = max(1, min(reps, ex.limits.max_reps))
    current = exercise_load(ex).hold
    steps = ex.steps
    if hold is not None and current is not None and hold != current:
        delta = min(hold, float(ex.limits.max_hold)) - current
        steps = [
            s.model_copy(update={"hold": max(1.0, min(float(s.hold) + delta, ex.limits.max_hold))})
            if s.kind is StepKind.HOLD and s.hold
            else s
            for s in ex.steps
        ]
    if reps == ex.reps and steps is ex.steps:
        return ex
    return ex.model_copy(update={"reps": reps, "steps": steps})


def _replace(routine: Routine, loads: Mapping[str, tuple[int, float | None]]) -> Routine:
    exercises = [
        _with_load(ex, *loads[ex.name]) if ex.name in loads else ex for ex in routine.exercises
    ]
    if all(a is b for a, b in zip(exercises, routine.exercises, strict=True)):
        return routine
    return routine.model_copy(update={"exercises": exercises})


def starting_routine(
    routine: Routine, settings: ProgressionSettings = DEFAULT_SETTINGS
) -> Routine:
    """The routine capped at the seeds' starting load."""
    loads = {}
    for ex in routine.exercises:
        load = exercise_load(ex)
        hold = None if load.hold is None else min(load.hold, settings.start_max_hold)
        loads[ex.name] = (min(load.reps, settings.start_max_reps), hold)
    return _replace(routine, loads)


def apply_loads(routine: Routine, loads: Mapping[str, ExerciseLoad]) -> Routine:
    """The routine at recorded loads (matched by exercise name, clamped to its limits)."""
    return _replace(routine, {name: (load.reps, load.hold) for name, load in loads.items()})


def current_loads(routine: Routine, history: RoutineHistory) -> dict[str, ExerciseLoad] | None:
    """Loads of the newest session at this routine version that recorded any."""
    for s in history.sessions:
        if s.routine_version == routine.version and s.loads:
            return {load.name: load for load in s.loads}
    return None


def decide(
    routine: Routine,
    history: RoutineHistory,
    settings: ProgressionSettings = DEFAULT_SETTINGS,
) -> ProgressionDecision:
    """Apply the rules above to a routine (as written) and its history."""
    past = [s for s in history.sessions if s.routine_version == routine.version]
    loads = current_loads(routine, history)
    if loads is None:
        start = starting_routine(routine, settings)
        changes = _changes(routine, start)
        sentence = _start_sentence(settings) if changes else ""
        return ProgressionDecision(DecisionKind.START, start, start, changes, sentence)
    current = apply_loads(routine, loads)
    newest = past[0]
    if newest.pain_reports or newest.symptoms or newest.outcome in SAFETY_OUTCOMES:
        hurt = newest.pain_exercises if newest.pain_reports and not newest.symptoms else frozenset()
        back = _step_back(current, hurt or {e.name for e in current.exercises}, settings)
        changes = _changes(current, back)
        if changes:
            return ProgressionDecision(
                DecisionKind.STEP_BACK, back, back, changes, _back_sentence(changes)
            )
        return ProgressionDecision(DecisionKind.KEEP, current, current)
    streak = _streak(past, current)
    if streak and streak % settings.step_up_after == 0:
        up = _step_up(current, settings)
        changes = _changes(current, up)
        if changes:
            sentence = _up_sentence(streak, changes)
            return ProgressionDecision(
                DecisionKind.STEP_UP, current, up, changes, sentence, streak
            )
    return ProgressionDecision(DecisionKind.KEEP, current, current, streak=streak)


def _streak(past: list[SessionSummary], current: Routine) -> int:
    """Completed sessions without pain, newest first, while the load stays the same."""
    want = {ex.name: exercise_load(ex) for ex in current.exercises}
    count = 0
    for s in past:
        if s.pain_reports or s.symptoms or s.outcome in SAFETY_OUTCOMES:
            break
        if s.loads and any(want.get(load.name, load) != load for load in s.loads):
            break
        if s.outcome is SessionOutcome.COMPLETED:
            count += 1
    return count


def _step_up(routine: Routine, settings: ProgressionSettings) -> Routine:
    loads: dict[str, tuple[int, float | None]] = {}
    for ex in routine.exercises:
        load = exercise_load(ex)
        can_reps = ex.reps >= settings.min_reps_to_raise and ex.reps < ex.limits.max_reps
        can_hold = load.hold is not None and load.hold < ex.limits.max_hold
        order = ("hold", "reps") if settings.raise_holds_first else ("reps", "hold")
        for what in order:
            if what == "reps" and can_reps:
                loads[ex.name] = (ex.reps + settings.rep_step, load.hold)
                break
            if what == "hold" and can_hold and load.hold is not None:
                loads[ex.name] = (ex.reps, load.hold + settings.hold_step)
                break
    return _replace(routine, loads)


def _step_back(
    routine: Routine, names: set[str] | frozenset[str], s: ProgressionSettings
) -> Routine:
    loads: dict[str, tuple[int, float | None]] = {}
    for ex in routine.exercises:
        if ex.name not in names:
            continue
        load = exercise_load(ex)
        reps = max(min(s.min_reps, ex.reps), ex.reps - s.back_reps)
        hold = None
        if load.hold is not None:
            hold = max(min(s.min_hold, load.hold), load.hold - s.back_hold)
        loads[ex.name] = (reps, hold)
    return _replace(routine, loads)


def _changes(before: Routine, after: Routine) -> tuple[LoadChange, ...]:
    out = []
    for a, b in zip(before.exercises, after.exercises, strict=True):
        la, lb = exercise_load(a), exercise_load(b)
        if la != lb:
            out.append(LoadChange(a.name, la, lb))
    return tuple(out)


def _describe(changes: tuple[LoadChange, ...]) -> str:
    parts = []
    for c in changes:
        bits = []
        if c.after.reps != c.before.reps:
            bits.append(f"{c.after.reps} repetitions")
        if c.after.hold is not None and c.after.hold != c.before.hold:
            bits.append(f"holds of {spoken_duration(c.after.hold)}")
        parts.append(f"{c.exercise}: {' and '.join(bits)}")
    if len(parts) > 3:
        return f"a little more in {len(parts)} exercises"
    return "; ".join(parts)


def _up_sentence(streak: int, changes: tuple[LoadChange, ...]) -> str:
    return (
        f"You have done this routine {streak} times without pain. Would you like to "
        f"make it a little harder? {_describe(changes)}. Say yes or no."
    )


def _back_sentence(changes: tuple[LoadChange, ...]) -> str:
    return (
        "Because of the discomfort you reported last time, we go a little easier today. "
        f"{_describe(changes)}."
    )


def _start_sentence(settings: ProgressionSettings) -> str:
    return (
        f"We start gently: no more than {settings.start_max_reps} repetitions, and holds "
        f"of at most {spoken_duration(settings.start_max_hold)}."
    )
