"""The engine's running core: stepping through the plan, timers, speech, records.

:class:`FlowCore` knows how to begin a unit, how a unit ends (speech done,
timer due, person ready), how to freeze and thaw everything, and how the
session ends. The dialogs (:mod:`.dialogs`) and command answers
(:mod:`.engine`) build on it. Every method that acts takes the session time
``t`` and appends to an action list ``out``; nothing reads a clock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from voicecoach.core.actions import (
    Action,
    Cue,
    Priority,
    Record,
    RecordKind,
    Scalar,
    Speak,
    StopSpeaking,
)
from voicecoach.core.routine import Routine
from voicecoach.core.session.plan import Part, Plan, Timing, Unit, UnitKind, build_plan
from voicecoach.core.session.state import (
    PACE_MAX,
    PACE_MIN,
    RATE_MAX,
    RATE_MIN,
    VOLUME_MAX,
    VOLUME_MIN,
    SessionOptions,
    SessionState,
)
from voicecoach.core.session.timers import FrozenTimer, Tick, Timer, countdown_ticks
from voicecoach.core.session.wording import Wording

#: Seconds of slack when comparing a deadline to "now" (float sums of timers).
EPSILON = 1e-9
#: A countdown word whose second comes while the coach is still talking is said
#: when the line ends if that is at most this late, else left out: "Five" half a
#: second late, then "Four" right behind it, breaks the rhythm a person holds to.
TICK_GRACE = 0.25

_STATE_OF_UNIT = {
    UnitKind.HOLD: SessionState.HOLDING,
    UnitKind.REST: SessionState.RESTING,
    UnitKind.SET_REST: SessionState.RESTING,
    UnitKind.EXERCISE_REST: SessionState.RESTING,
    UnitKind.BREATH: SessionState.MOVING,
}


def clamp(value: float, low: float, high: float) -> float:
    """``value`` limited to [low, high]."""
    return min(high, max(low, value))


@dataclass(frozen=True, slots=True)
class Frozen:
    """Everything needed to pick up exactly where a pause (or dialog) began."""

    state: SessionState
    """The state that was interrupted."""
    timer: FrozenTimer | None
    """The running timer, frozen."""
    cut: tuple[Part, ...]
    """Parts of the current unit not yet (fully) spoken."""


class FlowCore:
    """Plan stepping, timers, speech bookkeeping and records."""

    def __init__(self, routine: Routine, options: SessionOptions | None = None) -> None:
        self._options = options or SessionOptions()
        self._routine = routine
        self._w = Wording(routine.language)
        self._gentle = self._options.gentle
        self._plan: Plan = build_plan(routine, self._w, self._gentle)
        self._state = SessionState.IDLE
        self._now = 0.0
        self._t0 = 0.0
        self._next_id = 1
        self._pending: dict[int, Speak] = {}
        self._inflight: list[tuple[int, Part]] = []
        self._wait_id: int | None = None
        self._timer: Timer | None = None
        self._late_tick: tuple[Timer, Tick] | None = None
        """A countdown word due while the coach was still talking (see TICK_GRACE)."""
        self._pos = 0
        self._frozen: Frozen | None = None
        self._pace = clamp(self._options.pace, PACE_MIN, PACE_MAX)
        self._rate = clamp(self._options.rate, RATE_MIN, RATE_MAX)
        self._volume = clamp(self._options.volume, VOLUME_MIN, VOLUME_MAX)
        self._open: int | None = None
        self._ex_reps = 0
        self._ex_holds = 0
        self._total_reps = 0
        self._worked: set[int] = set()
        self._pains = 0
        self._skips = 0
        self._last_answer: tuple[str, ...] = ()
        self._started = False
        self._outcome: str | None = None

    # ----------------------------------------------------------------- basics
    @property
    def state(self) -> SessionState:
        """The current :class:`SessionState`."""
        return self._state

    @property
    def finished(self) -> bool:
        """Whether the session has ended (for any reason)."""
        return self._state is SessionState.FINISHED

    @property
    def outcome(self) -> str | None:
        """Why the session ended ("completed", "finished", "pain", "symptom",
        "screening", "interrupted"), or None while it runs."""
        return self._outcome

    def interrupt(self, now: float, reason: str = "interrupted") -> list[Action]:
        """End at once without a word: Ctrl-C, SIGTERM, a fatal device error.

        The coach is already silent (the loop stopped the speaker); what is
        left is to close the open exercise and record the end, so that the
        history can offer to resume where the person stopped.
        """
        if self.finished or not self._started:
            return []
        t = self._now = max(self._now, now)
        out: list[Action] = []
        self._close_exercise(t, out)
        self._timer = None
        self._wait_id = None
        self._frozen = None
        self._inflight = []
        self._outcome = "interrupted"
        out.append(self._end_record(t, "interrupted", cause=reason))
        self._set_state(SessionState.FINISHED, t, out)
        return out

    @property
    def routine(self) -> Routine:
        """The routine being run (the step-up routine once accepted)."""
        return self._routine

    @property
    def next_deadline(self) -> float | None:
        """When :meth:`advance` must be called next; None while waiting for speech or the person."""
        return self._timer.deadline if self._timer is not None else None

    def _unit(self) -> Unit | None:
        units = self._plan.units
        return units[self._pos] if 0 <= self._pos < len(units) else None

    def _in_plan(self) -> bool:
        return (
            self._started
            and self._unit() is not None
            and self._state
            not in (
                SessionState.SCREENING,
                SessionState.OFFER,
                SessionState.FINISHED,
                SessionState.IDLE,
            )
        )

    def _speak(
        self,
        text: str,
        cue: Cue | None = None,
        priority: Priority = Priority.NORMAL,
        interruptible: bool = True,
    ) -> Speak:
        speak = Speak(self._next_id, text, priority, interruptible, cue)
        self._next_id += 1
        self._pending[speak.id] = speak
        return speak

    def _answer(self, out: list[Action], *texts: str, priority: Priority = Priority.URGENT) -> None:
        """Say a reply to the person (not awaited)."""
        texts = tuple(t for t in texts if t)
        if not texts:
            return
        self._last_answer = texts
        out.append(self._speak(" ".join(texts), priority=priority))

    def _silence(self, out: list[Action], reason: str, force: bool = False) -> tuple[Part, ...]:
        """Stop speaking; return the current unit's parts that were cut.

        ``force`` (safety intents) emits StopSpeaking even when nothing is known
        to be playing. A safety message cut by an ordinary command is said
        again at once, from its start: it must never be lost.
        """
        if not force and not self._pending:
            return ()
        cut = tuple(part for sid, part in self._inflight if sid in self._pending)
        safety = [s for s in self._pending.values() if s.priority >= Priority.SAFETY]
        out.append(StopSpeaking(reason))
        self._pending.clear()
        self._inflight = []
        self._wait_id = None
        if not force:
            for speak in safety:
                out.append(self._speak(speak.text, speak.cue, speak.priority, speak.interruptible))
        return cut

    def _record(self, kind: RecordKind, t: float, **data: Scalar) -> Record:
        unit = self._unit() if self._in_plan() else None
        if unit is None:
            return Record(kind, t, data=dict(data))
        ex = self._routine.exercises[unit.exercise]
        return Record(
            kind,
            t,
            exercise=ex.name,
            exercise_index=unit.exercise,
            side=unit.side,
            set=unit.set,
            rep=unit.rep,
            data=dict(data),
        )

    def _set_state(self, new: SessionState, t: float, out: list[Action]) -> None:
        if new is self._state:
            return
        out.append(
            self._record(RecordKind.STATE, t, **{"from": self._state.value, "to": new.value})
        )
        self._state = new

    # ------------------------------------------------------------- the plan
    def _emit_parts(self, parts: tuple[Part, ...], out: list[Action]) -> Speak | None:
        last = None
        self._inflight = []
        for part in parts:
            last = self._speak(part.text, part.cue, part.priority)
            self._inflight.append((last.id, part))
            out.append(last)
        return last

    def _goto(self, index: int, t: float, out: list[Action]) -> None:
        """Begin unit ``index`` (or the closing after the last)."""
        self._timer = None
        self._wait_id = None
        units = self._plan.units
        if index >= len(units):
            self._close_exercise(t, out)
            self._end(t, out, "completed")
            return
        unit = units[index]
        self._pos = index
        if unit.kind is UnitKind.EXERCISE_REST:
            self._close_exercise(t, out)
        elif unit.exercise != self._open:
            self._close_exercise(t, out)
            self._open, self._ex_reps, self._ex_holds = unit.exercise, 0, 0
            p = self._plan.prescriptions[unit.exercise]
            out.append(
                self._record(
                    RecordKind.EXERCISE_STARTED,
                    t,
                    reps=p.reps,
                    sets=p.sets,
                    sides=p.sides,
                    prescribed_reps=p.total_reps,
                    prescribed_holds=p.holds * p.total_reps,
                    hold_seconds=p.hold_seconds,
                    gentle=self._gentle,
                )
            )
        self._begin(unit, unit.parts, t, out)

    def _begin(self, unit: Unit, parts: tuple[Part, ...], t: float, out: list[Action]) -> None:
        last = self._emit_parts(parts, out)
        if unit.timing is Timing.SPEECH:
            self._set_state(SessionState.SPEAKING, t, out)
            self._wait_id = last.id if last is not None else None
            if last is None:
                self._speech_finished(t, out)
        elif unit.timing is Timing.TIMER:
            self._set_state(_STATE_OF_UNIT[unit.kind], t, out)
            self._start_timer(unit, t, self._seconds(unit))
            self._announce(self._timer)
        else:
            self._set_state(SessionState.WAITING_READY, t, out)

    def _announce(self, timer: Timer | None) -> None:
        """Start ``timer``'s clock when the unit's first line is heard (see Timer.heard_at)."""
        if timer is not None and self._inflight:
            timer.cue_id = self._inflight[0][0]

    def _seconds(self, unit: Unit) -> float:
        return unit.seconds / self._pace if unit.paced else unit.seconds

    def _start_timer(self, unit: Unit, t: float, seconds: float) -> None:
        w = self._w
        numbers: list[tuple[int, str]] = []
        if unit.kind is UnitKind.HOLD:
            top = min(5, math.floor(seconds) - 3)
            numbers = [(n, w.capital(w.number(n)) + ".") for n in range(top, 0, -1)]
        elif unit.kind in (UnitKind.REST, UnitKind.SET_REST, UnitKind.EXERCISE_REST):
            if seconds >= 20:
                numbers.append((10, w("ten_seconds")))
            if seconds >= 6:
                numbers += [(n, w.capital(w.number(n)) + ".") for n in (3, 2, 1)]
        self._timer = Timer(t, t + seconds, countdown_ticks(t, seconds, numbers))

    def _speech_finished(self, t: float, out: list[Action]) -> None:
        """The awaited part of a speech-paced unit was spoken: move, or go on."""
        unit = self._unit()
        self._wait_id = None
        if unit is None:
            return
        seconds = self._seconds(unit)
        if seconds > 0:
            self._set_state(SessionState.MOVING, t, out)
            self._timer = Timer(t, t + seconds)
        else:
            self._unit_finished(t, out)

    def _timer_finished(self, t: float, out: list[Action]) -> None:
        unit = self._unit()
        self._timer = None
        if unit is None:
            return
        if unit.kind is UnitKind.HOLD:
            out.append(
                self._record(RecordKind.HOLD_DONE, t, seconds=unit.seconds, held=unit.seconds)
            )
            self._ex_holds += 1
            out.append(self._speak(self._w("hold_end"), Cue.HOLD_END))
        self._unit_finished(t, out)

    def _unit_finished(self, t: float, out: list[Action]) -> None:
        unit = self._unit()
        if unit is None:
            return
        if unit.rep_end:
            self._ex_reps += 1
            self._total_reps += 1
            self._worked.add(unit.exercise)
            total = self._plan.prescriptions[unit.exercise].reps
            out.append(self._record(RecordKind.REP_DONE, t, of=total))
        if unit.exercise_end:
            self._close_exercise(t, out)
        self._goto(self._pos + 1, t, out)

    def _close_exercise(self, t: float, out: list[Action], skipped: bool = False) -> None:
        if self._open is None:
            return
        ei, self._open = self._open, None
        p = self._plan.prescriptions[ei]
        out.append(
            Record(
                RecordKind.EXERCISE_ENDED,
                t,
                exercise=self._routine.exercises[ei].name,
                exercise_index=ei,
                data={
                    "prescribed_reps": p.total_reps,
                    "done_reps": self._ex_reps,
                    "prescribed_holds": p.holds * p.total_reps,
                    "done_holds": self._ex_holds,
                    "hold_seconds": p.hold_seconds,
                    "skipped": skipped,
                    "gentle": self._gentle,
                },
            )
        )

    # ------------------------------------------------------- freeze and thaw
    def _freeze(self, t: float, cut: tuple[Part, ...]) -> None:
        """Stop every timer exactly; remember what to pick up."""
        if self._frozen is not None:
            return
        timer = self._timer.freeze(t) if self._timer is not None else None
        self._frozen = Frozen(self._state, timer, cut)
        self._timer = None
        self._wait_id = None

    def _thaw(self, t: float, out: list[Action]) -> None:
        """Pick up where the freeze was, re-cueing the position."""
        frozen, self._frozen = self._frozen, None
        unit = self._unit()
        if frozen is None or unit is None:
            return
        if frozen.state in (SessionState.HOLDING, SessionState.RESTING) and frozen.timer:
            self._emit_parts((self._recue(unit, frozen.timer.remaining),), out)
            self._set_state(frozen.state, t, out)
            self._timer = frozen.timer.thaw(t)
            self._announce(self._timer)
        elif frozen.state is SessionState.SPEAKING and frozen.cut:
            self._begin(unit, frozen.cut, t, out)
        elif frozen.state is SessionState.MOVING and unit.timing is Timing.SPEECH:
            self._begin(unit, unit.parts[-1:], t, out)
        else:
            self._begin(unit, unit.parts, t, out)

    def _recue(self, unit: Unit, remaining: float) -> Part:
        """The position reminder for a hold or rest, with the time left.

        "Keep the knee lifted. Six seconds left." Remaining time is rounded up,
        as a countdown display does.
        """
        w = self._w
        left = w.capital(w.seconds(math.ceil(remaining - EPSILON)))
        if unit.kind is UnitKind.HOLD:
            lead = unit.text or w.hold(unit.seconds)
            return Part(f"{lead} {w('seconds_left', seconds=left)}", Cue.HOLD_START)
        return Part(w("rest_left", seconds=left))

    # ------------------------------------------------------------ the end
    def _summary(self) -> str:
        w = self._w
        count = len(self._routine.exercises)
        if not self._worked:
            text = w("summary_none")
        else:
            text = w(
                "summary",
                exercises=w.number(len(self._worked)),
                total=w.number(count),
                reps=w.number(self._total_reps),
                duration=w.minutes(self._now - self._t0),
            )
        if self._pains:
            text += " " + w("summary_pain", times=w.times(self._pains))
        return text

    def _end_record(self, t: float, reason: str, **extra: Scalar) -> Record:
        return Record(
            RecordKind.SESSION_ENDED,
            t,
            data={
                "reason": reason,
                "exercises_done": len(self._worked),
                "exercises": len(self._routine.exercises),
                "reps_done": self._total_reps,
                "duration": round(t - self._t0, 3),
                "pains": self._pains,
                "gentle": self._gentle,
                "skipped": self._skips,
                "title": self._routine.title,
                **extra,
            },
        )

    def _end(self, t: float, out: list[Action], reason: str, *lead: str) -> None:
        """End the session: say ``lead`` (or the closing), the summary, goodbye."""
        self._close_exercise(t, out)
        self._timer = None
        self._wait_id = None
        self._frozen = None
        w = self._w
        if not lead:
            lead = (w("closing_done") if reason == "completed" else w("closing_stopped"),)
        safety = reason in ("pain", "symptom", "screening")
        texts = [*lead, self._summary(), w("goodbye")] if not safety else [*lead]
        self._last_answer = tuple(texts)
        priority = Priority.SAFETY if safety else Priority.URGENT
        out.append(self._speak(" ".join(texts), priority=priority, interruptible=not safety))
        self._outcome = reason
        out.append(self._end_record(t, reason))
        self._set_state(SessionState.FINISHED, t, out)
        self._inflight = []
