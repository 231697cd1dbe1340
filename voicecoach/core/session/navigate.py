"""Moving around the plan the way a person expects: next, go back, repeat, gentler.

* "next" during a hold, a rest or a paced breath ends that timer early (the
  person has had enough of it); anywhere else, and whenever the words say
  "exercise", it skips to the next exercise.
* "go back" works like a music player's previous button: part-way through a
  repetition it restarts that repetition; at its very start (or in a rest) it
  goes to the previous repetition; at an exercise's introduction, or when the
  words say "exercise", to the previous exercise.
* "repeat" says the current instruction again and leaves the clock alone,
  except for a movement, whose time starts again after the repeated words.
"""

from __future__ import annotations

from voicecoach.core.actions import Action, RecordKind
from voicecoach.core.session.flow import FlowCore
from voicecoach.core.session.plan import (
    Plan,
    Timing,
    Unit,
    UnitKind,
    build_plan,
    gentler_hold,
    gentler_reps,
)
from voicecoach.core.session.state import PACE_MIN, PACE_STEP, SessionState

_BETWEEN = (UnitKind.HEADER, UnitKind.SET_REST, UnitKind.EXERCISE_REST)


def _exercise_level(unit: Unit) -> bool:
    return unit.kind is UnitKind.INTRO or (unit.kind is UnitKind.READY and unit.rep is None)


class NavCore(FlowCore):
    """Navigation on top of the running core."""

    def _remaining(self, t: float) -> float:
        if self._timer is not None:
            return self._timer.remaining(t)
        if self._frozen is not None and self._frozen.timer is not None:
            return self._frozen.timer.remaining
        return 0.0

    def _next(self, t: float, out: list[Action], exercise_level: bool) -> None:
        unit = self._unit()
        if unit is None:
            return
        if not exercise_level and unit.timing is Timing.TIMER:
            remaining = self._remaining(t)
            self._frozen = None
            self._timer = None
            self._answer(out, self._w("skip_timer"))
            if unit.kind is UnitKind.HOLD:
                held = round(max(0.0, unit.seconds - remaining), 3)
                out.append(self._record(RecordKind.HOLD_DONE, t, seconds=unit.seconds, held=held))
                self._ex_holds += 1
            self._unit_finished(t, out)
            return
        self._skip_exercise(t, out)

    def _skip_exercise(self, t: float, out: list[Action]) -> None:
        unit = self._unit()
        if unit is None:
            return
        self._frozen = None
        self._timer = None
        upcoming = unit.kind is UnitKind.EXERCISE_REST
        target = unit.exercise + (1 if upcoming else 0)
        name = self._routine.exercises[target].name
        out.append(self._record(RecordKind.SKIPPED, t, skipped=name, skipped_index=target))
        self._skips += 1
        if not upcoming:
            self._close_exercise(t, out, skipped=True)
        if target + 1 >= len(self._plan.starts):
            self._end(t, out, "completed", self._w("skip_last"))
            return
        self._answer(out, self._w("skip_exercise"))
        self._goto(self._plan.starts[target + 1], t, out)

    def _previous(self, t: float, out: list[Action], exercise_level: bool) -> None:
        unit = self._unit()
        if unit is None:
            return
        units = self._plan.units
        w = self._w
        target: int | None
        if unit.kind in (UnitKind.SET_REST, UnitKind.EXERCISE_REST) and not exercise_level:
            target = units[self._pos - 1].anchor
        elif exercise_level or _exercise_level(unit):
            back = 0 if unit.kind is UnitKind.EXERCISE_REST else 1
            index = unit.exercise - back
            target = self._plan.starts[index] if index >= 0 else None
        elif self._pos != unit.anchor:
            target = unit.anchor
        else:
            index = unit.anchor - 1
            while index >= 0 and units[index].kind in _BETWEEN:
                index -= 1
            target = None if index < 0 else units[index].anchor
        if target is None:
            self._answer(out, w("nothing_back"))
            self._resume_in_place(t, out)
            return
        self._frozen = None
        dest = units[target]
        if dest.kind is UnitKind.INTRO:
            self._answer(out, w("back_exercise", name=self._routine.exercises[dest.exercise].name))
        elif dest.rep is not None:
            self._answer(out, w("back_rep", n=w.number(dest.rep)))
        self._goto(target, t, out)

    def _resume_in_place(self, t: float, out: list[Action]) -> None:
        """After a refused move: pick up again if frozen by pause, else carry on."""
        if self._state is SessionState.PAUSED:
            return
        if self._frozen is not None:
            self._thaw(t, out)

    def _repeat(self, t: float, out: list[Action]) -> None:
        unit = self._unit()
        if unit is None:
            return
        state = self._state
        if state is SessionState.SPEAKING or state is SessionState.WAITING_READY:
            self._begin(unit, unit.parts, t, out)
        elif state is SessionState.MOVING and unit.timing is Timing.SPEECH:
            self._timer = None
            self._begin(unit, unit.parts[-1:], t, out)
        elif state in (SessionState.HOLDING, SessionState.RESTING):
            parts = [self._recue(unit, self._remaining(t))]
            parts += [p for p in unit.parts[1:] if unit.kind is not UnitKind.HOLD]
            self._emit_parts(tuple(parts), out)
        else:
            self._emit_parts(unit.parts[-1:], out)

    # ------------------------------------------------------------ gentler
    def _go_gentler(self, t: float, out: list[Action]) -> None:
        """Rebuild the plan with fewer reps and shorter holds; restart this repetition."""
        unit = self._unit()
        w = self._w
        ei = unit.exercise if unit is not None else 0
        old = self._plan.prescriptions[ei] if self._plan.prescriptions else None
        new_plan = build_plan(self._routine, w, gentle=True)
        changes: list[str] = []
        if old is not None and not self._gentle:
            if gentler_reps(old.reps) != old.reps:
                changes.append(
                    w("gentler_reps", new=w.number(gentler_reps(old.reps)), old=w.number(old.reps))
                )
            if old.holds and gentler_hold(old.hold_seconds) != old.hold_seconds:
                changes.append(
                    w(
                        "gentler_hold",
                        new=w.seconds(gentler_hold(old.hold_seconds)),
                        old=w.seconds(old.hold_seconds),
                    )
                )
        slower = max(PACE_MIN, self._pace / PACE_STEP)
        if slower < self._pace:
            self._pace = slower
            changes.append(w("gentler_pace"))
        out.append(
            self._record(
                RecordKind.GENTLER,
                t,
                changes="; ".join(changes),
                pace=self._pace,
                already=self._gentle,
            )
        )
        target = _match(unit, new_plan) if unit is not None else 0
        self._gentle = True
        self._plan = new_plan
        self._pos = target
        if changes:
            said = (
                changes[0]
                if len(changes) == 1
                else ", ".join(changes[:-1]) + w("and") + changes[-1]
            )
            self._answer(out, w("gentler", changes=said))
        if self._open is not None:
            # The exercise goes on under its new prescription: keep counting it.
            self._open = new_plan.units[target].exercise

    def _restart_here(self, t: float, out: list[Action]) -> None:
        """Begin the current unit afresh (after a dialog that changed the plan)."""
        self._frozen = None
        self._goto(self._pos, t, out)


def _match(unit: Unit, plan: Plan) -> int:
    """Where ``unit``'s repetition (or section) lies in a rebuilt ``plan``."""
    reps = plan.prescriptions[unit.exercise].reps
    for index, other in enumerate(plan.units):
        if other.exercise != unit.exercise or other.kind in (UnitKind.EXERCISE_REST,):
            continue
        if unit.rep is not None:
            if (other.set, other.side, other.rep) == (unit.set, unit.side, min(unit.rep, reps)):
                return other.anchor
        elif other.kind is unit.kind and (other.set, other.side) == (unit.set, unit.side):
            return index
    if unit.kind is UnitKind.EXERCISE_REST:
        for index, other in enumerate(plan.units):
            if other.kind is UnitKind.EXERCISE_REST and other.exercise == unit.exercise:
                return index
    return plan.starts[unit.exercise]
