"""Spoken dialogs: screening, offers, stop, and the safety paths.

A dialog asks one question and waits for the person (no deadline). Answers
arrive as intents and are mapped generously, because a person on the floor
says what comes to mind: in the pain dialog "continue", "yes", "resume" and
"ready" all mean *go on more gently*; "next" and "skip" mean *skip this
exercise*; "finish", "stop" and "no" mean *finish*.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from voicecoach.core.actions import Action, Priority, Record, RecordKind, Scalar
from voicecoach.core.intents import Command, Intent, Symptom
from voicecoach.core.routine import Routine
from voicecoach.core.screening import SCREENING_QUESTIONS, SCREENING_VERSION, Severity
from voicecoach.core.session.navigate import NavCore
from voicecoach.core.session.plan import Part, build_plan
from voicecoach.core.session.state import RUNNING_STATES, SessionState
from voicecoach.core.session.wording import Wording

YES_WORDS = frozenset({Intent.YES, Intent.READY, Intent.RESUME})
NO_WORDS = frozenset({Intent.NO, Intent.NEXT})
FINISH_WORDS = frozenset({Intent.FINISH, Intent.STOP, Intent.NO})


class Stage(StrEnum):
    """Questions asked before the first exercise."""

    SCREENING = "screening"
    RESUME = "resume"
    STEP_UP = "step_up"


@dataclass(slots=True)
class PreDialog:
    """Where the pre-exercise questions are."""

    stage: Stage
    """Which question set."""
    index: int = 0
    """Screening question index."""


class DialogCore(NavCore):
    """Screening, offers, stop and pain dialogs, symptoms."""

    def _init_dialogs(self) -> None:
        self._stages: list[Stage] = []
        self._pre: PreDialog | None = None
        self._first_index = 0
        self._paused_at: float | None = None
        self._doubted: tuple[str, str] | None = None  # (symptom, words) being asked about
        opts = self._options
        if opts.screening_due:
            self._stages.append(Stage.SCREENING)
        count = len(self._routine.exercises)
        if opts.resume_from is not None and 0 < opts.resume_from < count:
            self._stages.append(Stage.RESUME)
        if opts.step_up is not None:
            self._stages.append(Stage.STEP_UP)

    # ------------------------------------------------------- before the start
    def _next_stage(self, t: float, out: list[Action]) -> None:
        if not self._stages:
            self._pre = None
            self._goto(self._first_index, t, out)
            return
        stage = self._stages.pop(0)
        self._pre = PreDialog(stage)
        if stage is Stage.SCREENING:
            self._emit_parts((Part(self._w("screening_intro")),), out)
        self._ask(t, out)

    def _question(self) -> str:
        pre = self._pre
        w = self._w
        if pre is None:
            return ""
        if pre.stage is Stage.SCREENING:
            return w(f"screening.{SCREENING_QUESTIONS[pre.index].key}")
        if pre.stage is Stage.RESUME:
            index = self._options.resume_from or 0
            return w(
                "offer_resume", n=w.number(index + 1), name=self._routine.exercises[index].name
            )
        step_up = self._options.step_up
        return w("offer_step_up", what=_step_up_words(self._routine, step_up, w))

    def _ask(self, t: float, out: list[Action]) -> None:
        """(Re-)ask the current pre-exercise question and wait for the answer."""
        if self._pre is None:
            return
        state = SessionState.SCREENING if self._pre.stage is Stage.SCREENING else SessionState.OFFER
        self._set_state(state, t, out)
        self._emit_parts((Part(self._question()),), out)

    def _screening_answer(self, yes: bool, t: float, out: list[Action]) -> None:
        pre = self._pre
        if pre is None:
            return
        question = SCREENING_QUESTIONS[pre.index]
        out.append(
            Record(
                RecordKind.SCREENING_ANSWER,
                t,
                data={
                    "key": question.key,
                    "answer": yes,
                    "condition": question.condition,
                    "severity": question.severity.value,
                    "version": SCREENING_VERSION,
                },
            )
        )
        w = self._w
        if yes:
            out.append(
                Record(
                    RecordKind.SCREENING_FAILED,
                    t,
                    data={
                        "key": question.key,
                        "condition": question.condition,
                        "severity": question.severity.value,
                        "version": SCREENING_VERSION,
                    },
                )
            )
            why_key = "why.contraindicated"
            if question.severity is Severity.NOT_ADVISED:
                why_key = "why.not_advised"
            why = w(why_key, condition=w(f"condition.{question.key}"))
            self._pre = None
            self._end(t, out, "screening", w("screening_failed", why=why))
            return
        pre.index += 1
        if pre.index >= len(SCREENING_QUESTIONS):
            out.append(
                Record(
                    RecordKind.SCREENING_PASSED,
                    t,
                    data={
                        "questions": len(SCREENING_QUESTIONS),
                        "version": SCREENING_VERSION,
                    },
                )
            )
            self._answer(out, w("screening_passed"), priority=Priority.NORMAL)
            self._next_stage(t, out)
            return
        self._ask(t, out)

    def _offer_answer(self, yes: bool, t: float, out: list[Action]) -> None:
        pre = self._pre
        if pre is None:
            return
        w = self._w
        data: dict[str, Scalar] = {"offer": pre.stage.value, "answer": yes}
        if pre.stage is Stage.RESUME:
            data["exercise_index"] = self._options.resume_from
            if yes:
                self._first_index = self._plan.starts[self._options.resume_from or 0]
                # Continuing a stopped session is not the day to raise the load.
                self._stages = [s for s in self._stages if s is not Stage.STEP_UP]
        elif yes and self._options.step_up is not None:
            self._routine = self._options.step_up
            self._plan = build_plan(self._routine, w, self._gentle)
            self._first_index = 0
            data["title"] = self._routine.title
        out.append(Record(RecordKind.OFFER, t, data=data))
        self._answer(out, w("offer_yes" if yes else "offer_no"), priority=Priority.NORMAL)
        self._next_stage(t, out)

    # ------------------------------------------------------------ stop dialog
    def _open_stop(self, t: float, out: list[Action], cut: tuple[Part, ...]) -> None:
        if self._pre is None:
            self._freeze(t, cut)
        self._set_state(SessionState.STOP_DIALOG, t, out)
        self._emit_parts((Part(self._w("stop_question"), priority=Priority.URGENT),), out)

    def _carry_on(self, t: float, out: list[Action]) -> None:
        """Leave a dialog or pause and go on where the person was."""
        if self._pre is not None:
            self._ask(t, out)
            return
        if self._paused_at is not None:
            out.append(
                self._record(RecordKind.RESUMED, t, paused_for=round(t - self._paused_at, 3))
            )
            self._paused_at = None
        self._thaw(t, out)

    # ------------------------------------------------------------------ pain
    def _on_pain(self, cmd: Command, t: float, out: list[Action]) -> None:
        """Already silenced. Record, instruct, and offer a gentler way on."""
        w = self._w
        self._pains += 1
        out.append(
            self._record(
                RecordKind.PAIN, t, count=self._pains, text=cmd.text, state=self._state.value
            )
        )
        if self._state is SessionState.FINISHED:
            self._answer(out, w("pain_after_end"), priority=Priority.SAFETY)
            return
        if self._pains >= 2:
            self._end(t, out, "pain", w("pain_second"))
            return
        if self._pre is None and self._state is not SessionState.PAIN_DIALOG:
            self._freeze(t, ())
        self._set_state(SessionState.PAIN_DIALOG, t, out)
        out.append(self._speak(w("pain_first"), priority=Priority.SAFETY, interruptible=False))
        self._pain_question(out)

    def _pain_question(self, out: list[Action]) -> None:
        key = "pain_question_pre" if self._pre is not None else "pain_question"
        self._emit_parts((Part(self._w(key), priority=Priority.URGENT),), out)

    def _pain_answer(self, intent: Intent, t: float, out: list[Action]) -> bool:
        """Act on an answer in the pain dialog; False if it was not an answer."""
        if intent in YES_WORDS:
            if self._paused_at is not None:
                self._paused_at = None
            self._go_gentler(t, out)
            if self._pre is not None:
                self._ask(t, out)
            else:
                self._restart_here(t, out)
            return True
        if intent in FINISH_WORDS:
            self._end(t, out, "finished")
            return True
        if intent is Intent.NEXT and self._pre is None:
            self._skip_exercise(t, out)
            return True
        return False

    # -------------------------------------------------------------- symptoms
    def _on_symptom(
        self, cmd: Command, t: float, out: list[Action], cut: tuple[Part, ...] = ()
    ) -> None:
        """Already silenced. End the session with the advice, or, when the
        words may have been the coach's own voice misheard, ask first."""
        try:
            symptom: str = Symptom(cmd.detail or "").value
        except ValueError:
            symptom = "unknown"
        if cmd.unconfirmed and self._state in RUNNING_STATES:
            # The session is halted at once either way; a question costs the
            # person one word, a session ended for the coach's own voice costs
            # the day's exercise (seen live: "dizzy" heard in the disclaimer).
            self._doubted = (symptom, cmd.text)
            self._freeze(t, cut)
            self._set_state(SessionState.SYMPTOM_CHECK, t, out)
            self._symptom_question(out)
            return
        self._end_for_symptom(symptom, cmd.text, t, out)

    def _end_for_symptom(self, symptom: str, text: str, t: float, out: list[Action]) -> None:
        w = self._w
        self._doubted = None
        out.append(self._record(RecordKind.SYMPTOM, t, symptom=symptom, text=text))
        advice = w("symptom", symptom=w(f"symptom.{symptom}"))
        if self._state is SessionState.FINISHED:
            self._answer(out, advice, priority=Priority.SAFETY)
            return
        self._pre = None
        self._end(t, out, "symptom", advice)

    def _symptom_question(self, out: list[Action]) -> None:
        symptom = self._doubted[0] if self._doubted else "unknown"
        text = self._w("symptom_check", symptom=self._w(f"symptom.{symptom}"))
        self._emit_parts((Part(text, priority=Priority.URGENT),), out)

    def _symptom_check(self, cmd: Command, t: float, out: list[Action]) -> None:
        """An answer to "I may have heard dizziness. Is that right?"."""
        intent = cmd.intent
        if intent is Intent.YES and self._doubted is not None:
            self._end_for_symptom(*self._doubted, t, out)
        elif intent in (Intent.NO, Intent.RESUME):
            self._doubted = None
            self._carry_on(t, out)
        elif intent is Intent.FINISH:
            self._doubted = None
            self._end(t, out, "finished")
        elif intent is Intent.REPEAT:
            self._symptom_question(out)
        else:
            self._answer(out, self._w("yes_or_no"))


def _step_up_words(current: Routine, harder: Routine | None, words: Wording) -> str:
    """Say what the step up changes: more reps, longer holds, one more set."""
    if harder is None:
        return words("step_up_generic")
    more_reps = longer = more_sets = False
    for old, new in zip(current.exercises, harder.exercises, strict=False):
        more_reps |= new.reps > old.reps
        more_sets |= new.sets > old.sets
        old_holds = [s.hold or 0 for s in old.steps]
        new_holds = [s.hold or 0 for s in new.steps]
        longer |= max(new_holds, default=0) > max(old_holds, default=0)
    changes = [
        words(key)
        for key, flag in (
            ("step_up_more_reps", more_reps),
            ("step_up_longer_holds", longer),
            ("step_up_more_sets", more_sets),
        )
        if flag
    ]
    return words("and").join(changes) if changes else words("step_up_generic")
