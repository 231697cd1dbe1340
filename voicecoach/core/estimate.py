"""How long a routine takes, estimated from its steps, for ``voicecoach list``.

The session engine knows the exact time only as it runs (people pause, say
"slower", wait before "ready"). This estimate is for choosing a routine: it
adds up every spoken sentence at an unhurried coaching pace, every hold,
rest and paced breath, and every repetition of every set on every side.
"""

from __future__ import annotations

from voicecoach.core.routine import Exercise, Routine, StepKind

#: Speaking pace of a calm coach (about 150 words a minute).
WORDS_PER_SECOND = 2.5
#: Time allowed for the person to get into position and say "ready".
READY_SECONDS = 5.0
#: Counting a repetition aloud ("three of ten").
REP_COUNT_SECONDS = 1.0
#: Announcing a side ("Now the left side").
SIDE_SECONDS = 1.5


def speech_seconds(text: str | None) -> float:
    """How long ``text`` takes to say."""
    if not text:
        return 0.0
    return len(text.split()) / WORDS_PER_SECOND


def rep_seconds(exercise: Exercise) -> float:
    """One repetition: every step's words plus its own time."""
    total = 0.0
    for step in exercise.steps:
        total += speech_seconds(step.text) + speech_seconds(step.cue) + step.seconds
        if step.kind is StepKind.READY:
            total += READY_SECONDS
    return total


def exercise_seconds(exercise: Exercise) -> float:
    """The whole exercise: introduction, every rep of every set on every side, rests between sets.

    Capped at ``limits.max_duration`` when the exercise has one, because the
    coach stops it there.
    """
    intro = speech_seconds(exercise.name) + speech_seconds(exercise.setup)
    intro += sum(speech_seconds(note) for note in exercise.safety)
    if exercise.ready:
        intro += READY_SECONDS
    sides = max(1, len(exercise.sides))
    per_set = exercise.reps * (rep_seconds(exercise) + REP_COUNT_SECONDS)
    per_side = exercise.sets * per_set + (exercise.sets - 1) * exercise.rest_between_sets
    total = intro + sides * per_side + (SIDE_SECONDS * sides if exercise.sides else 0.0)
    if exercise.limits.max_duration is not None:
        total = min(total, float(exercise.limits.max_duration))
    return total


def routine_seconds(routine: Routine) -> float:
    """The whole routine: every exercise and the rests between them."""
    return sum(
        exercise_seconds(exercise) + routine.rest_after(index)
        for index, exercise in enumerate(routine.exercises)
    )
