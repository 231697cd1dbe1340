"""A real Session in virtual time, recorded into a real history file."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from tests.history_data import ROUTINE, T0
from voicecoach.adapters.history import SQLiteHistory, plan_next
from voicecoach.core.actions import Record, RecordKind
from voicecoach.core.history import SessionOutcome
from voicecoach.core.intents import Intent
from voicecoach.core.planning import SessionPlan
from voicecoach.core.progression import DecisionKind, exercise_load
from voicecoach.core.session import Session, SessionOptions, SessionState
from voicecoach.core.session.simulate import Simulation, TimedCommand, VirtualDriver

ROUTINE_ID = "lying"


def run(store: SQLiteHistory, commands: Sequence[TimedCommand] = (), *,
        options: SessionOptions | None = None, at: float = T0, resumed_from: int | None = None,
        power_cut: Callable[[Record], bool] | None = None,
        yes_to_offers: bool = False) -> tuple[int, Simulation]:
    """Drive a Session in virtual time, recording each record as it is emitted.

    ``power_cut`` ends the run (without ending the session) right after the
    first record it returns True for. ``yes_to_offers`` accepts the session's
    offers (resume, step up) as the person would, where the driver says no.
    """
    opts = options or SessionOptions()
    sid = store.start_session(ROUTINE_ID, ROUTINE.title, ROUTINE.version, at, routine=ROUTINE,
                              resumed_from=resumed_from, resume_index=opts.resume_from or 0)
    return drive(store, sid, Session(ROUTINE, opts), commands, power_cut, yes_to_offers)


def run_planned(store: SQLiteHistory, at: float, *, yes_to_offers: bool = True,
                power_cut: Callable[[Record], bool] | None = None) -> tuple[int, SessionPlan]:
    """What the live loop does: plan from the history, start, let the engine offer."""
    plan = plan_next(store, ROUTINE_ID, ROUTINE, at)
    sid = store.start_planned(ROUTINE_ID, plan, at)
    options = SessionOptions(screening_due=plan.screening_due, resume_from=plan.resume_from,
                             step_up=plan.step_up)
    drive(store, sid, Session(plan.routine, options), (), power_cut, yes_to_offers)
    return sid, plan


def drive(store: SQLiteHistory, sid: int, session: Session, commands: Sequence[TimedCommand],
          power_cut: Callable[[Record], bool] | None,
          yes_to_offers: bool) -> tuple[int, Simulation]:
    driver = VirtualDriver(session)
    driver.start(commands)
    recorded = 0
    while True:
        for entry in driver.emitted[recorded:]:
            if isinstance(entry.action, Record):
                store.record(sid, entry.action)
                if power_cut is not None and power_cut(entry.action):
                    return sid, driver.finish()
        recorded = len(driver.emitted)
        offer = driver.session.state is SessionState.OFFER and driver.playing is None
        if yes_to_offers and offer:
            driver.say(Intent.YES)
        elif not driver.step():
            return sid, driver.finish()


def expected() -> list[tuple[str, int, int]]:
    """(name, total reps, total holds) straight from the routine."""
    out = []
    for ex in ROUTINE.exercises:
        total = ex.reps * ex.sets * max(1, len(ex.sides))
        holds = sum(1 for s in ex.steps if s.hold)
        out.append((ex.name, total, total * holds))
    return out


def test_completed_session_done_equals_prescribed(tmp_path: Path) -> None:
    with SQLiteHistory(tmp_path / "h.sqlite3") as store:
        sid, sim = run(store)
        assert sim.finished
        [s] = store.recent_sessions()
        assert s.id == sid and s.outcome is SessionOutcome.COMPLETED
        got = [(e.name, e.prescribed_reps, e.prescribed_holds) for e in s.exercises]
        assert got == expected()
        assert [(e.done_reps, e.done_holds) for e in s.exercises] == [
            (reps, holds) for _, reps, holds in expected()]
        assert store.integrity_check() == "ok"
        # Every record the engine emitted is in the events table, in order.
        emitted = [e.action for e in sim.timeline if isinstance(e.action, Record)]
        assert store.events(sid) == emitted
        [ended] = [r for r in emitted if r.kind is RecordKind.SESSION_ENDED]
        assert s.ended_at == pytest.approx(T0 + ended.t)


def test_skip_pause_and_finish_early(tmp_path: Path) -> None:
    with SQLiteHistory(tmp_path / "h.sqlite3") as store:
        _, sim = run(store, [TimedCommand(40, Intent.PAUSE), TimedCommand(50, Intent.RESUME),
                             TimedCommand(70, Intent.NEXT)])
        s = store.recent_sessions()[0]
        assert s.pauses == 1 and s.skips >= 1
        knee, tilt = s.exercises
        assert knee.skipped and knee.done_reps < knee.prescribed_reps
        assert (tilt.done_reps, tilt.prescribed_reps) == (expected()[1][1],) * 2
        _, sim = run(store, [TimedCommand(40, Intent.FINISH), TimedCommand(41, Intent.YES)],
                     at=T0 + 3600)
        s = store.recent_sessions()[0]
        assert s.outcome is SessionOutcome.FINISHED_EARLY
        assert s.done_reps < s.prescribed_reps
        assert store.last_interrupted(ROUTINE_ID) is None


def test_pain_is_recorded_and_steps_back(tmp_path: Path) -> None:
    with SQLiteHistory(tmp_path / "h.sqlite3") as store:
        run(store, [TimedCommand(45, Intent.PAIN), TimedCommand(60, Intent.PAIN)])
        s = store.recent_sessions()[0]
        assert s.pain_reports >= 1
        [report, *_] = store.pain_reports()
        assert report.exercise == "Knee to chest" and report.rep is not None
        plan = plan_next(store, ROUTINE_ID, ROUTINE, T0 + 86400)
        assert plan.decision.kind is DecisionKind.STEP_BACK
        before, after = (exercise_load(r.exercises[0]) for r in (ROUTINE, plan.routine))
        assert (before.reps, before.hold, after.reps, after.hold) == (3, 5.0, 3, 3.0)
        assert "easier" in plan.decision.sentence


def test_interrupted_session_resumes_where_it_stopped(tmp_path: Path) -> None:
    with SQLiteHistory(tmp_path / "h.sqlite3") as store:
        sid, _ = run(store, power_cut=lambda r: r.kind is RecordKind.EXERCISE_ENDED)
        plan = plan_next(store, ROUTINE_ID, ROUTINE, T0 + 600)
        assert plan.resume_from == 1 and plan.resumed_session == sid
        _, sim = run(store, options=SessionOptions(resume_from=plan.resume_from),
                     at=T0 + 700, resumed_from=sid, yes_to_offers=True)
        assert sim.finished
        new, old = store.recent_sessions()
        assert old.outcome is SessionOutcome.INTERRUPTED
        assert old.exercises[0].done_reps == expected()[0][1]
        assert new.outcome is SessionOutcome.COMPLETED and new.resumed_from == sid
        assert [e.name for e in new.exercises] == ["Pelvic tilt"]
        assert new.done_reps == new.prescribed_reps == expected()[1][1]
        assert store.last_interrupted(ROUTINE_ID) is None


def test_the_live_loop_path_screening_step_up_and_resume(tmp_path: Path) -> None:
    """Plan from the history, start with the plan, accept the engine's offers."""
    day = 86400.0
    with SQLiteHistory(tmp_path / "h.sqlite3") as store:
        sid, plan = run_planned(store, T0)
        assert plan.screening_due and plan.step_up is None
        assert store.last_screening() == (pytest.approx(store.last_screening_at()), 1)
        for n in (1, 2):
            _, plan = run_planned(store, T0 + n * day)
            assert not plan.screening_due and plan.step_up is None
        # Three completed pain-free sessions: the engine offers the step up; "yes".
        sid, plan = run_planned(store, T0 + 3 * day)
        assert plan.step_up is not None
        s = store.recent_sessions(1)[0]
        assert s.outcome is SessionOutcome.COMPLETED
        assert [e.load.reps for e in s.exercises if e.load] == [4, 5]
        assert s.done_reps == s.prescribed_reps == 4 * 2 + 5
        # The next session keeps the raised load (no new offer yet).
        _, plan = run_planned(store, T0 + 4 * day)
        assert plan.step_up is None and plan.routine.exercises[0].reps == 4
        # A power cut after the first exercise; the next start offers to resume: "yes".
        cut, _ = run_planned(store, T0 + 5 * day,
                             power_cut=lambda r: r.kind is RecordKind.EXERCISE_ENDED)
        resumed, plan = run_planned(store, T0 + 5 * day + 600)
        assert (plan.resume_from, plan.resumed_session) == (1, cut)
        new, old = store.recent_sessions(2)
        assert old.id == cut and old.outcome is SessionOutcome.INTERRUPTED
        assert new.resumed_from == cut and [e.name for e in new.exercises] == ["Pelvic tilt"]
        assert new.outcome is SessionOutcome.COMPLETED
        assert new.done_reps == new.prescribed_reps
        assert store.last_interrupted(ROUTINE_ID) is None


def test_declined_resume_starts_over(tmp_path: Path) -> None:
    with SQLiteHistory(tmp_path / "h.sqlite3") as store:
        cut, _ = run_planned(store, T0, power_cut=lambda r: r.kind is RecordKind.EXERCISE_ENDED)
        sid, plan = run_planned(store, T0 + 600, yes_to_offers=False)
        assert plan.resume_from == 1
        s = store.recent_sessions(1)[0]
        assert s.resumed_from is None and [e.name for e in s.exercises] == [
            "Knee to chest", "Pelvic tilt"]
        assert s.done_reps == s.prescribed_reps
