"""The progression rules over synthetic histories."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from voicecoach.core.history import (
    ExerciseSummary,
    InterruptedSession,
    RoutineHistory,
    SessionOutcome,
    SessionSummary,
)
from voicecoach.core.planning import RESUME_WINDOW, plan_session
from voicecoach.core.progression import (
    DecisionKind,
    ProgressionSettings,
    decide,
    exercise_load,
    starting_routine,
)
from voicecoach.core.routine import Routine
from voicecoach.core.screening import SCREENING_INTERVAL_DAYS

DAY = 86400.0


def make_routine(reps: int = 8, hold: float = 6, max_reps: int = 10, max_hold: float = 10,
                 version: int = 1, reason: str | None = None) -> Routine:
    limits = {"max_reps": max_reps, "max_hold": max_hold}
    if reason:
        limits["reason"] = reason
    return Routine.model_validate({
        "title": "Synthetic", "version": version,
        "exercises": [
            {"name": "Knee lift", "reps": reps, "sides": ["left", "right"], "limits": limits,
             "steps": [{"inhale": "Lift."}, {"hold": hold}, {"exhale": "Lower."}]},
            {"name": "Pelvic tilt", "reps": reps, "limits": limits,
             "steps": [{"inhale": "Tilt."}, {"exhale": "Release."}]},
            {"name": "Walk on all fours", "reps": 1, "steps": [{"say": "Walk."}, {"rest": 60}]},
        ],
    })


def past(routine: Routine, *, outcome: SessionOutcome = SessionOutcome.COMPLETED,
         pain_in: str | None = None, symptoms: int = 0, at: float = 0.0,
         sid: int = 1) -> SessionSummary:
    """A session summary as the store returns it, at ``routine``'s load."""
    exercises = tuple(
        ExerciseSummary(i, ex.name, ex.reps, ex.reps, 0, 0,
                        pain_reports=int(ex.name == pain_in), load=exercise_load(ex))
        for i, ex in enumerate(routine.exercises)
    )
    return SessionSummary(sid, "synthetic", routine.title, routine.version, at, at + 600, outcome,
                          exercises, pain_reports=int(pain_in is not None), symptoms=symptoms)


def hist(*sessions: SessionSummary) -> RoutineHistory:
    """Newest first, like the store."""
    return RoutineHistory("synthetic", tuple(sessions))


def loads(routine: Routine) -> list[tuple[int, float | None]]:
    return [(exercise_load(ex).reps, exercise_load(ex).hold) for ex in routine.exercises]


def test_first_session_respects_the_seeds() -> None:
    r = make_routine(reps=15, hold=12, max_reps=20, max_hold=20, reason="physio plan")
    d = decide(r, hist())
    assert d.kind is DecisionKind.START
    assert loads(d.routine)[:2] == [(10, 10.0), (10, None)]
    assert "no more than 10 repetitions" in d.sentence
    gentle = make_routine()
    assert decide(gentle, hist()).routine == gentle and decide(gentle, hist()).sentence == ""


def test_step_up_after_three_pain_free_completed_sessions() -> None:
    r = make_routine()
    two = hist(past(r), past(r))
    assert decide(r, two).kind is DecisionKind.KEEP
    three = hist(past(r), past(r, outcome=SessionOutcome.FINISHED_EARLY), past(r), past(r))
    d = decide(r, three)
    assert d.kind is DecisionKind.STEP_UP and d.streak == 3
    assert loads(d.routine) == [(9, 6.0), (9, None), (1, None)]  # walk: a one-off, untouched
    assert d.current == r
    assert "3 times without pain" in d.sentence and "Say yes or no" in d.sentence
    assert "Knee lift: 9 repetitions" in d.sentence
    # Declined (load unchanged): asked again after three more, not before.
    assert decide(r, hist(*[past(r)] * 4)).kind is DecisionKind.KEEP
    assert decide(r, hist(*[past(r)] * 6)).kind is DecisionKind.STEP_UP


def test_pain_resets_the_streak_and_steps_back_where_it_hurt() -> None:
    r = make_routine()
    d = decide(r, hist(past(r, pain_in="Knee lift"), past(r), past(r), past(r)))
    assert d.kind is DecisionKind.STEP_BACK
    assert loads(d.routine) == [(6, 4.0), (8, None), (1, None)]
    assert "easier" in d.sentence
    assert "Knee lift: 6 repetitions and holds of 4 seconds" in d.sentence
    # The next session ran at the lower load without pain: keep it, streak restarts.
    lower = d.routine
    d2 = decide(r, hist(past(lower), past(r, pain_in="Knee lift"), past(r), past(r)))
    assert d2.kind is DecisionKind.KEEP and d2.routine == lower and d2.streak == 1


def test_symptom_steps_back_everything_and_floors_hold() -> None:
    r = make_routine(reps=4, hold=4)
    d = decide(r, hist(past(r, outcome=SessionOutcome.SYMPTOM, symptoms=1)))
    assert d.kind is DecisionKind.STEP_BACK
    assert loads(d.routine) == [(3, 3.0), (3, None), (1, None)]
    low = make_routine(reps=2, hold=2)
    assert decide(low, hist(past(low, pain_in="Knee lift"))).kind is DecisionKind.KEEP


def test_at_max_reps_holds_grow_then_nothing() -> None:
    r = make_routine(reps=10, hold=8)
    d = decide(r, hist(*[past(r)] * 3))
    assert loads(d.routine)[:2] == [(10, 10.0), (10, None)]
    assert [c.exercise for c in d.changes] == ["Knee lift"]
    top = d.routine
    assert decide(r, hist(*[past(top)] * 3)).kind is DecisionKind.KEEP


def test_holds_first_setting() -> None:
    r = make_routine()
    d = decide(r, hist(*[past(r)] * 2), ProgressionSettings(step_up_after=2,
                                                          raise_holds_first=True))
    assert loads(d.routine)[:2] == [(8, 8.0), (9, None)]


def test_new_routine_version_starts_over() -> None:
    old, new = make_routine(version=1), make_routine(reps=5, version=2)
    d = decide(new, hist(past(make_routine(reps=10, version=1)), past(old)))
    assert d.kind is DecisionKind.START and loads(d.routine)[0] == (5, 6.0)


@settings(max_examples=150, deadline=None)
@given(
    reps=st.integers(1, 10), hold=st.sampled_from([1.0, 2.5, 5.0, 10.0]),
    days=st.lists(st.sampled_from(["ok", "ok", "ok", "pain", "symptom", "early", "cut"]),
                  max_size=40),
    accept=st.booleans(),
)
def test_simulated_histories_stay_within_limits(reps: int, hold: float, days: list[str],
                                                accept: bool) -> None:
    """Whatever happens, loads stay within [floor, limits] and move one step at a time."""
    base = make_routine(reps=reps, hold=hold)
    s = ProgressionSettings()
    sessions: list[SessionSummary] = []
    for day, what in enumerate(days):
        d = decide(base, hist(*sessions))
        run = d.routine if (d.kind is not DecisionKind.STEP_UP or accept) else d.current
        for before, after in zip(d.current.exercises, d.routine.exercises, strict=True):
            b, a = exercise_load(before), exercise_load(after)
            assert 1 <= a.reps <= after.limits.max_reps
            assert a.hold is None or 1.0 <= a.hold <= after.limits.max_hold
            if d.kind is DecisionKind.STEP_UP:
                assert b.reps <= a.reps <= b.reps + s.rep_step
                assert (a.hold or 0) - (b.hold or 0) <= s.hold_step
            if d.kind is DecisionKind.STEP_BACK:
                assert a.reps <= b.reps and (a.hold or 0) <= (b.hold or 0)
                assert a.reps >= min(s.min_reps, b.reps)
        outcome = {"early": SessionOutcome.FINISHED_EARLY, "cut": SessionOutcome.INTERRUPTED,
                   "symptom": SessionOutcome.SYMPTOM}.get(what, SessionOutcome.COMPLETED)
        sessions.insert(0, past(run, outcome=outcome, at=day * DAY, sid=day,
                                pain_in="Knee lift" if what == "pain" else None,
                                symptoms=int(what == "symptom")))
    for ex in decide(base, hist(*sessions)).routine.exercises:
        assert ex.reps <= 10 and all((st.hold or 0) <= 10 for st in ex.steps)


def test_starting_routine_is_idempotent() -> None:
    r = make_routine(reps=15, hold=12, max_reps=20, max_hold=20, reason="physio plan")
    once = starting_routine(r)
    assert starting_routine(once) == once


def test_plan_screening_resume_and_step_up() -> None:
    r = make_routine()
    now = 100 * DAY
    plan = plan_session(r, hist(), now=now)
    assert plan.screening_due and plan.resume_from is None and plan.step_up is None
    plan = plan_session(r, hist(*[past(r)] * 3), now=now, last_screening_at=now - DAY)
    assert not plan.screening_due
    assert plan.step_up is not None and plan.routine == r
    assert plan_session(r, hist(), now=now,
                        last_screening_at=now - SCREENING_INTERVAL_DAYS * DAY).screening_due
    assert plan_session(r, hist(), now=now, last_screening_at=now - DAY,
                        screening_version=None).screening_due
    cut = InterruptedSession(7, "synthetic", 1, now - 3600, now - 1800, resume_from=2)
    plan = plan_session(r, hist(*[past(r)] * 3), now=now, interrupted=cut)
    assert (plan.resume_from, plan.resumed_session, plan.step_up) == (2, 7, None)
    stale = InterruptedSession(7, "synthetic", 1, now, now - RESUME_WINDOW - 1, resume_from=2)
    assert plan_session(r, hist(), now=now, interrupted=stale).resume_from is None
    other_version = InterruptedSession(7, "synthetic", 2, now, now, resume_from=2)
    assert plan_session(r, hist(), now=now, interrupted=other_version).resume_from is None
    nothing_done = InterruptedSession(7, "synthetic", 1, now, now, resume_from=0)
    assert plan_session(r, hist(), now=now, interrupted=nothing_done).resume_from is None
