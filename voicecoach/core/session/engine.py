"""The session engine's public face: :class:`Session`.

Feed it time and what happened (a command, a finished utterance, a timer
due); it answers with a list of :mod:`voicecoach.core.actions`. It never
sleeps, reads a clock or touches a device, so the live loop, the simulator
and the tests drive the very same object.

Every command is answered in every state. Safety intents come first: "it
hurts" and a warning symptom always silence the coach (``StopSpeaking`` is the
first action returned) before anything else happens. Any other command also
cuts the coach short (barge-in), answers, and then says again what it cut.
"""

from __future__ import annotations

from voicecoach.core.actions import (
    Action,
    Priority,
    Record,
    RecordKind,
    Scalar,
    SetRate,
    SetVolume,
)
from voicecoach.core.intents import SAFETY_INTENTS, Command, Intent
from voicecoach.core.routine import Routine
from voicecoach.core.screening import SCREENING_QUESTIONS
from voicecoach.core.session.dialogs import FINISH_WORDS, NO_WORDS, YES_WORDS, DialogCore, Stage
from voicecoach.core.session.flow import EPSILON, TICK_GRACE
from voicecoach.core.session.plan import Part, UnitKind, estimate_speech
from voicecoach.core.session.state import (
    PACE_MAX,
    PACE_MIN,
    PACE_STEP,
    RATE_MAX,
    RATE_MIN,
    RATE_STEP,
    RUNNING_STATES,
    VOLUME_MAX,
    VOLUME_MIN,
    VOLUME_STEP,
    SessionOptions,
    SessionState,
    SessionStatus,
)

S = SessionState

#: Answers to a question: with no question asked they change nothing.
ANSWERS = frozenset({Intent.RESUME, Intent.READY, Intent.YES, Intent.NO})

#: Help per state: what can be said right now.
HELP_KEYS = {
    S.SPEAKING: "help_running",
    S.MOVING: "help_running",
    S.HOLDING: "help_running",
    S.RESTING: "help_running",
    S.WAITING_READY: "help_ready",
    S.PAUSED: "help_paused",
    S.STOP_DIALOG: "help_stop",
    S.PAIN_DIALOG: "help_pain",
    S.SYMPTOM_CHECK: "help_symptom_check",
    S.SCREENING: "help_question",
    S.OFFER: "help_offer",
    S.FINISHED: "help_finished",
}


class Session(DialogCore):
    """One guided session of one routine. See the module docstring."""

    def __init__(self, routine: Routine, options: SessionOptions | None = None) -> None:
        super().__init__(routine, options)
        self._init_dialogs()

    # ------------------------------------------------------------ inputs
    def start(self, now: float) -> list[Action]:
        """Begin: greet, remind to consult a doctor and to stop on pain, then go."""
        if self._started:
            return []
        self._started = True
        self._t0 = self._now = now
        opts = self._options
        out: list[Action] = [
            Record(
                RecordKind.SESSION_STARTED,
                now,
                data={
                    "title": self._routine.title,
                    "version": self._routine.version,
                    "language": self._routine.language,
                    "exercises": len(self._routine.exercises),
                    "screening": opts.screening_due,
                    "resume_from": opts.resume_from,
                    "step_up_offered": opts.step_up is not None,
                    "gentle": self._gentle,
                    "pace": self._pace,
                    "volume": self._volume,
                    "rate": self._rate,
                },
            ),
            SetVolume(self._volume),
            SetRate(self._rate),
        ]
        w = self._w
        self._set_state(S.SPEAKING, now, out)
        out.append(self._speak(w("welcome", title=self._routine.title)))
        out.append(self._speak(w("disclaimer"), priority=Priority.SAFETY, interruptible=False))
        self._next_stage(now, out)
        return out

    def speech_started(self, speak_id: int, now: float) -> None:
        """The driver reports that utterance ``speak_id`` began to sound at ``now``.

        A hold or rest announced by that line starts counting from this moment
        (a line queued on a busy machine can sound late). Nothing else changes.
        """
        timer = self._timer
        if timer is not None and timer.cue_id == speak_id:
            timer.heard_at(now)

    def speech_done(self, speak_id: int, now: float, interrupted: bool = False) -> list[Action]:
        """The driver reports an utterance finished (or was cut off)."""
        self._now = max(self._now, now)
        self._pending.pop(speak_id, None)
        out: list[Action] = []
        if speak_id == self._wait_id and self._state is S.SPEAKING:
            self._speech_finished(self._now, out)
        if self._late_tick is not None and not self._pending:
            timer, tick = self._late_tick
            self._late_tick = None
            if timer is self._timer and self._now - tick.t <= TICK_GRACE:
                out.append(self._speak(tick.text))
        return out

    def advance(self, now: float) -> list[Action]:
        """Fire every timer due at or before ``now``, each at its own time."""
        out: list[Action] = []
        while self._timer is not None and self._timer.deadline <= now + EPSILON:
            timer = self._timer
            t = max(self._now, timer.deadline)
            self._now = t
            if timer.ticks and timer.ticks[0].t < timer.end:
                tick = timer.ticks.pop(0)
                if self._pending:  # said just after the line in progress, or not at all
                    self._late_tick = (timer, tick)
                else:
                    self._late_tick = None
                    out.append(self._speak(tick.text))
            else:
                self._late_tick = None
                self._timer_finished(t, out)
        self._now = max(self._now, now)
        return out

    def command(self, cmd: Command) -> list[Action]:
        """Act on what the person said; ``cmd.time`` is now."""
        if not self._started:
            raise RuntimeError("Session.command() before start(); call start(now) first")
        t = self._now = max(self._now, cmd.time)
        out: list[Action] = []
        intent = cmd.intent
        state = self._state
        if self._answers_nothing(intent) or self._doubt_in_question(cmd):
            # "Go on, tell me" or "I'm ready to go" in the room, heard while the
            # coach runs, used to cut it mid-sentence and start the line again.
            # Nothing asked, nothing paused: carry on, and keep the record. The
            # same for the echo of the symptom question itself.
            out.append(self._command_record(cmd, t, ignored=True))
            return out
        cut = self._silence(out, intent.value, force=intent in SAFETY_INTENTS)
        doubt: dict[str, Scalar] = {"unconfirmed": True} if cmd.unconfirmed else {}
        out.append(self._command_record(cmd, t, **doubt))
        if intent is Intent.PAIN:
            self._on_pain(cmd, t, out)
        elif intent is Intent.SYMPTOM:
            self._on_symptom(cmd, t, out, cut)
        elif intent in (Intent.LOUDER, Intent.QUIETER, Intent.SLOWER, Intent.FASTER):
            self._adjust(intent, t, out)
            self._say_again(cut, t, out)
        elif intent is Intent.HELP:
            self._answer(out, self._w(self._help_key()))
            self._say_again(cut, t, out, ask=True)
        elif intent is Intent.STATUS:
            self._answer(out, self._status_text(t))
            self._say_again(cut, t, out, ask=True)
        elif state is S.FINISHED:
            self._finished_answer(intent, out)
        elif state in RUNNING_STATES:
            self._running(cmd, t, out, cut)
        elif state is S.PAUSED:
            self._paused(cmd, t, out)
        elif state is S.STOP_DIALOG:
            self._stop_dialog(cmd, t, out)
        elif state is S.PAIN_DIALOG:
            self._pain_dialog(cmd, t, out)
        elif state is S.SYMPTOM_CHECK:
            self._symptom_check(cmd, t, out)
        else:
            self._pre_dialog(cmd, t, out, cut)
        return out

    def _answers_nothing(self, intent: Intent) -> bool:
        """An answer (resume, ready, yes, no) while the coach runs and asks nothing.

        Said by the person it changes nothing (the coach is already going); heard
        in conversation it would cut the coach. Waiting for "ready" is the one
        running state where an answer is wanted.
        """
        if intent not in ANSWERS or self._state not in RUNNING_STATES:
            return False
        return not (self._state is S.WAITING_READY and intent in YES_WORDS)

    def _doubt_in_question(self, cmd: Command) -> bool:
        """An unconfirmed symptom while the coach asks about one.

        The question names the symptom ("I may have heard dizziness"), and a
        canceller that could not vouch for the first one cannot for its echo
        either: seen live, "i'm dizzy" heard in the question itself ended the
        session. The coach is halted already; only "yes" ends it.
        """
        return (cmd.intent is Intent.SYMPTOM and cmd.unconfirmed
                and self._state is S.SYMPTOM_CHECK)

    def _command_record(self, cmd: Command, t: float, **extra: Scalar) -> Record:
        return self._record(
            RecordKind.COMMAND,
            t,
            intent=cmd.intent.value,
            text=cmd.text,
            source=cmd.source.value,
            confidence=cmd.confidence,
            detail=cmd.detail,
            state=self._state.value,
            **extra,
        )

    # ------------------------------------------------------------ per state
    def _running(self, cmd: Command, t: float, out: list[Action], cut: tuple[Part, ...]) -> None:
        intent = cmd.intent
        words = cmd.text.lower()
        if intent is Intent.PAUSE:
            self._freeze(t, cut)
            self._paused_at = t
            self._set_state(S.PAUSED, t, out)
            out.append(self._record(RecordKind.PAUSED, t))
            self._answer(out, self._w("paused"))
        elif intent is Intent.NEXT:
            self._next(t, out, exercise_level="exercise" in words)
        elif intent is Intent.PREVIOUS:
            self._previous(t, out, exercise_level="exercise" in words)
        elif intent is Intent.REPEAT:
            self._repeat(t, out)
        elif intent is Intent.STOP:
            self._open_stop(t, out, cut)
        elif intent is Intent.FINISH:
            self._end(t, out, "finished")
        elif self._state is S.WAITING_READY and intent in YES_WORDS:
            self._answer(out, self._w("ready_ack"), priority=Priority.NORMAL)
            self._unit_finished(t, out)
        else:
            # nothing this state acts on (answers are filtered before the cut): carry on.
            self._say_again(cut, t, out)

    def _paused(self, cmd: Command, t: float, out: list[Action]) -> None:
        intent = cmd.intent
        w = self._w
        if intent in YES_WORDS:
            self._carry_on(t, out)
        elif intent in (Intent.NEXT, Intent.PREVIOUS):
            out.append(
                self._record(RecordKind.RESUMED, t, paused_for=round(t - (self._paused_at or t), 3))
            )
            self._paused_at = None
            exercise_level = "exercise" in cmd.text.lower()
            if intent is Intent.NEXT:
                self._next(t, out, exercise_level)
            else:
                self._previous(t, out, exercise_level)
        elif intent is Intent.STOP:
            self._open_stop(t, out, ())
        elif intent is Intent.FINISH:
            self._end(t, out, "finished")
        else:  # pause, repeat, no
            self._answer(out, w("still_paused"))

    def _stop_dialog(self, cmd: Command, t: float, out: list[Action]) -> None:
        intent = cmd.intent
        if intent in YES_WORDS:
            self._carry_on(t, out)
        elif intent in FINISH_WORDS:
            self._end(t, out, "finished")
        elif intent in (Intent.NEXT, Intent.PREVIOUS) and self._pre is None:
            self._paused_at = None
            exercise_level = "exercise" in cmd.text.lower()
            if intent is Intent.NEXT:
                self._next(t, out, exercise_level)
            else:
                self._previous(t, out, exercise_level)
        elif intent is Intent.REPEAT:
            self._emit_parts((Part(self._w("stop_question"), priority=Priority.URGENT),), out)
        else:
            self._answer(
                out,
                self._w("take_your_time") if intent is Intent.PAUSE else "",
                self._w("continue_or_finish"),
            )

    def _pain_dialog(self, cmd: Command, t: float, out: list[Action]) -> None:
        if self._pain_answer(cmd.intent, t, out):
            return
        if cmd.intent is Intent.PAUSE:
            self._answer(out, self._w("take_your_time"))
        self._pain_question(out)

    def _pre_dialog(self, cmd: Command, t: float, out: list[Action], cut: tuple[Part, ...]) -> None:
        intent = cmd.intent
        pre = self._pre
        w = self._w
        if pre is None:
            return
        screening = pre.stage is Stage.SCREENING
        if intent is Intent.STOP:
            self._open_stop(t, out, cut)
        elif intent is Intent.FINISH:
            self._pre = None
            self._end(t, out, "finished")
        elif screening and intent in (Intent.YES, Intent.NO):
            self._screening_answer(intent is Intent.YES, t, out)
        elif not screening and (intent in YES_WORDS or intent in NO_WORDS):
            self._offer_answer(intent in YES_WORDS, t, out)
        elif intent is Intent.PREVIOUS and screening and pre.index > 0:
            pre.index -= 1
            self._ask(t, out)
        else:
            lead = {
                Intent.PAUSE: w("take_your_time"),
                Intent.PREVIOUS: w("nothing_back"),
                Intent.REPEAT: "",
            }.get(intent, w("yes_no_only"))
            self._answer(out, lead)
            self._ask(t, out)

    def _finished_answer(self, intent: Intent, out: list[Action]) -> None:
        w = self._w
        if intent is Intent.REPEAT and self._last_answer:
            self._answer(out, *self._last_answer)
        elif intent in (Intent.FINISH, Intent.STOP):
            self._answer(out, w("already_ended"))
        elif intent is Intent.PREVIOUS:
            self._answer(out, w("ended"), w("nothing_back"))
        else:
            self._answer(out, w("ended"))

    # -------------------------------------------------------------- helpers
    def _say_again(
        self, cut: tuple[Part, ...], t: float, out: list[Action], ask: bool = False
    ) -> None:
        """After an answer, say again whatever the answer cut short."""
        unit = self._unit()
        if self._state is S.SPEAKING and unit is not None and self._wait_id is None:
            self._begin(unit, cut or unit.parts[-1:], t, out)
        elif self._state in (S.SCREENING, S.OFFER) and ask:
            self._ask(t, out)
        elif self._state is S.PAIN_DIALOG and ask:
            self._pain_question(out)
        elif self._state is S.SYMPTOM_CHECK and ask:
            self._symptom_question(out)
        elif cut:
            self._emit_parts(cut, out)

    def _adjust(self, intent: Intent, t: float, out: list[Action]) -> None:
        w = self._w
        if intent in (Intent.LOUDER, Intent.QUIETER):
            louder = intent is Intent.LOUDER
            step = VOLUME_STEP if louder else -VOLUME_STEP
            level = round(min(VOLUME_MAX, max(VOLUME_MIN, self._volume + step)), 3)
            if level == self._volume:
                self._answer(out, w("loudest" if louder else "quietest"))
                return
            self._volume = level
            out.append(SetVolume(level))
            self._answer(out, w("louder" if louder else "quieter"))
            return
        slower = intent is Intent.SLOWER
        pace = self._pace / PACE_STEP if slower else self._pace * PACE_STEP
        pace = min(PACE_MAX, max(PACE_MIN, pace))
        rate = self._rate - RATE_STEP if slower else self._rate + RATE_STEP
        rate = round(min(RATE_MAX, max(RATE_MIN, rate)), 3)
        if pace == self._pace and rate == self._rate:
            self._answer(out, w("slowest" if slower else "fastest"))
            return
        unit = self._unit()
        if self._timer is not None and unit is not None and unit.paced and pace != self._pace:
            self._timer.rescale(t, self._pace / pace)
        self._pace = pace
        if rate != self._rate:
            self._rate = rate
            out.append(SetRate(rate))
        self._answer(out, w("slower" if slower else "faster"))

    def _help_key(self) -> str:
        if self._state is S.PAIN_DIALOG and self._pre is not None:
            return "help_pain_pre"
        return HELP_KEYS.get(self._state, "help_running")

    def _status_text(self, t: float) -> str:
        w = self._w
        state = self._state
        if state is S.FINISHED:
            return f"{w('ended')} {self._summary()}"
        if self._pre is not None:
            if self._pre.stage is Stage.SCREENING:
                return w(
                    "status_question",
                    n=w.number(self._pre.index + 1),
                    total=w.number(len(SCREENING_QUESTIONS)),
                )
            return w("status_before")
        status = self.status(t)
        parts: list[str] = []
        if status.paused:
            parts.append(w("status_paused"))
        if status.exercise is not None and status.exercise_index is not None:
            parts.append(
                w(
                    "status_exercise",
                    n=w.number(status.exercise_index + 1),
                    total=w.number(status.exercise_count),
                    name=status.exercise,
                )
            )
        if status.side:
            parts.append(w.capital(w("status_side", side=status.side)))
        if status.set is not None and status.sets and status.sets > 1:
            parts.append(w("status_set", n=w.number(status.set), total=w.number(status.sets)))
        if status.rep is not None and status.reps and status.reps > 1:
            key = "status_rep_last" if status.rep >= status.reps else "status_rep"
            parts.append(
                w(
                    key,
                    n=w.number(status.rep),
                    total=w.number(status.reps),
                    left=w.number(status.reps - status.rep),
                )
            )
        unit = self._unit()
        if status.countdown is not None and unit is not None:
            key = "status_holding" if unit.kind is UnitKind.HOLD else "status_resting"
            parts.append(w(key, seconds=w.seconds(status.countdown)))
        parts.append(w("status_session_left", minutes=w.minutes(self._estimate_left(t))))
        return " ".join(parts)

    def _estimate_left(self, t: float) -> float:
        """Rough seconds left in the session (speech by word count, timers by pace)."""
        total = 0.0
        for unit in self._plan.units[self._pos :]:
            total += sum(estimate_speech(p.text, self._rate) for p in unit.parts)
            total += self._seconds(unit)
        return total

    # ---------------------------------------------------------------- view
    def status(self, now: float | None = None) -> SessionStatus:
        """A snapshot for a terminal view (``now`` defaults to the last known time)."""
        t = self._now if now is None else max(now, self._now)
        unit = self._unit() if self._in_plan() else None
        base = {
            "state": self._state,
            "time": t,
            "exercise_count": len(self._routine.exercises),
            "pace": self._pace,
            "volume": self._volume,
            "rate": self._rate,
            "gentle": self._gentle,
            "pains": self._pains,
            "paused": self._state in (S.PAUSED, S.STOP_DIALOG, S.PAIN_DIALOG, S.SYMPTOM_CHECK),
        }
        if unit is None:
            return SessionStatus(**base)  # type: ignore[arg-type]
        index = unit.exercise
        if unit.kind is UnitKind.EXERCISE_REST and index + 1 < len(self._routine.exercises):
            index += 1
        ex = self._routine.exercises[index]
        p = self._plan.prescriptions[index]
        countdown = None
        if unit.kind in (UnitKind.HOLD, UnitKind.REST, UnitKind.SET_REST, UnitKind.EXERCISE_REST):
            countdown = round(self._remaining(t), 3)
        step = unit.text or (unit.parts[-1].text if unit.parts else None)
        return SessionStatus(
            **base,  # type: ignore[arg-type]
            exercise=ex.name,
            exercise_index=index,
            side=unit.side,
            set=unit.set,
            sets=p.sets,
            rep=unit.rep,
            reps=p.reps,
            step=step,
            countdown=countdown,
        )
