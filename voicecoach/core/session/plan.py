"""A routine flattened into the units the engine steps through.

Each :class:`Unit` is one thing the coach does: say an instruction and wait
for it to be spoken (plus the movement time after it), run a timer (hold,
rest, one breath), or wait for the person ("ready"). Flattening makes
"go back", "skip" and "continue more gently" plain index arithmetic: every
unit knows its exercise, set, side and repetition, and the unit its
repetition (or exercise) starts at.

The plan is rebuilt, never edited, when the session turns gentler.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from voicecoach.core.actions import Cue, Priority
from voicecoach.core.routine import BREATH_SECONDS, Exercise, Routine, StepKind, fill_side
from voicecoach.core.session.wording import Wording


class UnitKind(StrEnum):
    """What a unit is, for status answers, records and navigation."""

    INTRO = "intro"
    HEADER = "header"
    STEP = "step"
    HOLD = "hold"
    REST = "rest"
    BREATH = "breath"
    READY = "ready"
    SET_REST = "set_rest"
    EXERCISE_REST = "exercise_rest"


class Timing(StrEnum):
    """What moves the session past a unit."""

    SPEECH = "speech"
    """The last part finishing (``speech_done``), then ``seconds`` of movement."""
    TIMER = "timer"
    """A timer of ``seconds`` started when the unit begins."""
    PERSON = "person"
    """The person saying "ready"."""


@dataclass(frozen=True, slots=True)
class Part:
    """One utterance of a unit."""

    text: str
    """Filled text."""
    cue: Cue | None = None
    """Sound played with it."""
    priority: Priority = Priority.NORMAL
    """Urgency for the renderer."""


@dataclass(frozen=True, slots=True)
class Unit:
    """One step of the flattened session."""

    kind: UnitKind
    """What this unit is."""
    parts: tuple[Part, ...]
    """What is said when it begins."""
    timing: Timing
    """What ends it."""
    exercise: int
    """Exercise index (for an exercise rest: the exercise just done)."""
    anchor: int
    """Unit index where this unit's repetition (or exercise intro) starts."""
    seconds: float = 0.0
    """Movement time after speech, or the timer length (before pace)."""
    paced: bool = True
    """Whether the pace setting scales ``seconds`` (holds are prescribed, so not)."""
    set: int | None = None
    """One-based set, inside the repetitions."""
    side: str | None = None
    """Current side."""
    rep: int | None = None
    """One-based repetition."""
    step: int | None = None
    """Index of the routine step this unit comes from."""
    text: str | None = None
    """The step's own instruction (for status and re-cues)."""
    rep_end: bool = False
    """Finishing this unit completes a repetition."""
    exercise_end: bool = False
    """Finishing this unit completes the exercise."""


@dataclass(frozen=True, slots=True)
class Prescription:
    """What one exercise asks for, as planned (after gentler changes)."""

    reps: int
    """Repetitions per side and set."""
    sets: int
    """Sets."""
    sides: int
    """Sides (1 when the exercise has none)."""
    holds: int
    """Hold steps per repetition."""
    hold_seconds: float
    """Longest hold."""

    @property
    def total_reps(self) -> int:
        """Repetitions over all sets and sides."""
        return self.reps * self.sets * self.sides


@dataclass(frozen=True)
class Plan:
    """The flattened routine."""

    units: tuple[Unit, ...]
    """Every unit in order."""
    starts: tuple[int, ...]
    """Index of each exercise's intro unit."""
    prescriptions: tuple[Prescription, ...]
    """Per exercise."""


def gentler_reps(reps: int) -> int:
    """Half the repetitions, rounded up, at least one."""
    return max(1, math.ceil(reps / 2))


def gentler_hold(seconds: float) -> float:
    """Half the hold, in whole seconds, at least two (or the hold itself if shorter)."""
    return min(seconds, max(2.0, float(round(seconds / 2))))


def build_plan(routine: Routine, words: Wording, gentle: bool = False) -> Plan:
    """Flatten ``routine``; ``gentle`` halves repetitions and holds."""
    units: list[Unit] = []
    starts: list[int] = []
    prescriptions: list[Prescription] = []
    count = len(routine.exercises)
    for ei, ex in enumerate(routine.exercises):
        starts.append(len(units))
        reps = gentler_reps(ex.reps) if gentle else ex.reps
        holds = [s.hold for s in ex.steps if s.hold is not None]
        longest = max(holds, default=0.0)
        prescriptions.append(
            Prescription(
                reps=reps,
                sets=ex.sets,
                sides=max(1, len(ex.sides)),
                holds=len(holds),
                hold_seconds=gentler_hold(longest) if gentle and holds else longest,
            )
        )
        _exercise(units, routine, ei, ex, reps, gentle, words, count)
    return Plan(tuple(units), tuple(starts), tuple(prescriptions))


def _exercise(
    units: list[Unit],
    routine: Routine,
    ei: int,
    ex: Exercise,
    reps: int,
    gentle: bool,
    w: Wording,
    count: int,
) -> None:
    start = len(units)
    sides: list[str | None] = list(ex.sides) or [None]
    first_side = sides[0]
    intro = [
        w("exercise_intro", n=w.number(ei + 1), total=w.number(count), name=ex.name)
        if count > 1
        else w("exercise_intro_single", name=ex.name)
    ]
    sets_text = w("prescription_sets", sets=w.capital(w.number(ex.sets))) if ex.sets > 1 else ""
    reps_text = w("prescription_reps", reps=w.number(reps)) if reps > 1 else w("prescription_rep")
    if not sets_text:
        reps_text = w.capital(reps_text)
    if reps > 1 or ex.sets > 1:
        each_side = w("each_side") if ex.sides else ""
        intro.append(w("prescription", sets=sets_text, reps=reps_text, each_side=each_side))
    if ex.setup:
        intro.append(fill_side(ex.setup, first_side))
    intro += [fill_side(s, first_side) for s in ex.safety]
    base: dict[str, Any] = {"exercise": ei, "anchor": start}
    units.append(Unit(UnitKind.INTRO, tuple(Part(t) for t in intro), Timing.SPEECH, **base))
    if ex.ready:
        units.append(Unit(UnitKind.READY, (Part(w("ready_prompt")),), Timing.PERSON, **base))
    for set_no in range(1, ex.sets + 1):
        for si, side in enumerate(sides):
            header: list[str] = []
            if ex.sets > 1 and si == 0:
                header.append(w("set_header", n=w.number(set_no), total=w.number(ex.sets)))
            if side is not None:
                key = "first_side" if si == 0 else "next_side"
                header.append(w(key, side=side))
                if si > 0 and ex.setup and "{side}" in ex.setup:
                    header.append(fill_side(ex.setup, side))
            if header:
                settle = 2.0 if (si > 0 or set_no > 1) else 0.0
                units.append(
                    Unit(
                        UnitKind.HEADER,
                        tuple(Part(t) for t in header),
                        Timing.SPEECH,
                        exercise=ei,
                        anchor=len(units),
                        seconds=settle,
                        set=set_no,
                        side=side,
                    )
                )
            for rep in range(1, reps + 1):
                _rep(units, ei, ex, set_no, side, rep, reps, gentle, w)
        if set_no < ex.sets and ex.rest_between_sets > 0:
            what = w("next_set", n=w.number(set_no + 1), total=w.number(ex.sets))
            units.append(
                _rest(UnitKind.SET_REST, ex.rest_between_sets, what, w, ei, len(units), set_no)
            )
    # The last repetition unit closes the exercise.
    last = len(units) - 1
    while units[last].kind in (UnitKind.SET_REST,):
        last -= 1
    units[last] = replace(units[last], exercise_end=True)
    rest = routine.rest_after(ei)
    if rest > 0:
        upcoming = routine.exercises[ei + 1].name
        units.append(_rest(UnitKind.EXERCISE_REST, rest, upcoming, w, ei, len(units), None))


def _rep(
    units: list[Unit],
    ei: int,
    ex: Exercise,
    set_no: int,
    side: str | None,
    rep: int,
    reps: int,
    gentle: bool,
    w: Wording,
) -> None:
    anchor = len(units)
    prefix: list[Part] = []
    if reps > 1:
        text = (
            w("last_one")
            if rep == reps
            else w("count", n=w.capital(w.number(rep)), total=w.number(reps))
        )
        prefix.append(Part(text))
    ctx: dict[str, Any] = {
        "exercise": ei,
        "anchor": anchor,
        "set": set_no,
        "side": side,
        "rep": rep,
    }
    for k, step in enumerate(ex.steps):
        kind = step.kind
        step_text = fill_side(step.text, side) if step.text else None
        if kind in (StepKind.SAY, StepKind.INHALE, StepKind.EXHALE):
            spoken = step_text or ""
            cue = None
            if kind is StepKind.INHALE:
                spoken, cue = w.breath("inhale", spoken), Cue.INHALE
            elif kind is StepKind.EXHALE:
                spoken, cue = w.breath("exhale", spoken), Cue.EXHALE
            parts = (*prefix, Part(spoken, cue))
            units.append(
                Unit(
                    UnitKind.STEP,
                    parts,
                    Timing.SPEECH,
                    seconds=step.seconds,
                    step=k,
                    text=spoken,
                    **ctx,
                )
            )
        elif kind is StepKind.HOLD:
            seconds = gentler_hold(step.seconds) if gentle else step.seconds
            cue_text = fill_side(step.cue, side) if step.cue else None
            parts = (*prefix, Part(w.hold(seconds, cue_text), Cue.HOLD_START))
            units.append(
                Unit(
                    UnitKind.HOLD,
                    parts,
                    Timing.TIMER,
                    seconds=seconds,
                    paced=False,
                    step=k,
                    text=cue_text,
                    **ctx,
                )
            )
        elif kind is StepKind.REST:
            said = w("rest", seconds=w.seconds(step.seconds))
            units.append(
                Unit(
                    UnitKind.REST,
                    (*prefix, Part(said)),
                    Timing.TIMER,
                    seconds=step.seconds,
                    step=k,
                    text=said,
                    **ctx,
                )
            )
        elif kind is StepKind.BREATHS:
            # The announcement is speech-paced, so the first breath gets its full time.
            n = step.breaths or 1
            half = BREATH_SECONDS / 2
            intro = w("breaths_intro", n=w.number(n)) if n > 1 else w("breaths_intro_one")
            parts = (*prefix, Part(intro))
            units.append(Unit(UnitKind.STEP, parts, Timing.SPEECH, step=k, text=intro, **ctx))
            for _ in range(n):
                for key, cue in (("breath_in", Cue.INHALE), ("breath_out", Cue.EXHALE)):
                    units.append(
                        Unit(
                            UnitKind.BREATH,
                            (Part(w(key), cue),),
                            Timing.TIMER,
                            seconds=half,
                            step=k,
                            text=w(key),
                            **ctx,
                        )
                    )
        else:  # READY
            prompt = step_text if step_text else w("ready_prompt")
            units.append(
                Unit(
                    UnitKind.READY,
                    (*prefix, Part(prompt)),
                    Timing.PERSON,
                    step=k,
                    text=prompt,
                    **ctx,
                )
            )
        prefix = []
    units[-1] = replace(units[-1], rep_end=True)


def _rest(
    kind: UnitKind,
    seconds: float,
    what: str,
    w: Wording,
    ei: int,
    index: int,
    set_no: int | None,
) -> Unit:
    said = w("rest", seconds=w.seconds(seconds))
    parts = (Part(said), Part(w("next_preview", what=what), priority=Priority.BACKGROUND))
    return Unit(
        kind, parts, Timing.TIMER, seconds=seconds, exercise=ei, anchor=index, set=set_no, text=said
    )


def estimate_speech(text: str, rate: float = 1.0) -> float:
    """Rough seconds to say ``text``: 150 words a minute plus a breath."""
    words = len(text.split())
    return 0.3 + words / (2.5 * max(rate, 0.1))
