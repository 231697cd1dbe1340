"""A synthetic history, recorded the way the engine would record it."""

from __future__ import annotations

from voicecoach.adapters.history import SQLiteHistory
from voicecoach.core.actions import Record, RecordKind
from voicecoach.core.routine import Routine

T0 = 1_700_000_000.0
DAY = 86400.0

ROUTINE = Routine.model_validate(
    {
        "title": "Lying relief",
        "exercises": [
            {
                "name": "Knee to chest",
                "sides": ["left", "right"],
                "reps": 3,
                "steps": [{"inhale": "Pull the {side} knee in."}, {"hold": "5s"},
                          {"exhale": "Lower it."}],
            },
            {"name": "Pelvic tilt", "reps": 4, "steps": [{"inhale": "Tilt."}, {"exhale": "Back."}]},
        ],
    }
)


def run_session(store: SQLiteHistory, start: float, *, pain: bool = False,
                complete: bool = True, routine_id: str = "lying") -> int:
    """Record a session of ROUTINE the way the engine would."""
    sid = store.start_session(routine_id, ROUTINE.title, ROUTINE.version, start, routine=ROUTINE)
    t = 0.0
    store.record(sid, Record(RecordKind.SESSION_STARTED, t))
    for index, ex in enumerate(ROUTINE.exercises):
        t += 1
        store.record(sid, Record(RecordKind.EXERCISE_STARTED, t, ex.name, index))
        for side in ex.sides or [None]:
            for rep in range(1, ex.reps + 1):
                t += 5
                store.record(sid, Record(RecordKind.REP_DONE, t, ex.name, index, side, 1, rep))
                if any(s.hold for s in ex.steps):
                    store.record(sid, Record(RecordKind.HOLD_DONE, t, ex.name, index, side, 1, rep))
                if pain and index == 0 and rep == 2 and side == "left":
                    store.record(
                        sid, Record(RecordKind.PAIN, t, ex.name, index, side, 1, rep,
                                    {"where": "sharp left hip"}),
                    )
        if not complete and index == 0:
            return sid
        store.record(sid, Record(RecordKind.EXERCISE_ENDED, t, ex.name, index))
    store.record(sid, Record(RecordKind.SESSION_ENDED, t + 1))
    return sid


def fill_history(store: SQLiteHistory, days: int = 42, start: float = T0) -> None:
    """Six weeks of mostly daily sessions with a few skipped days, two pain reports,
    a symptom, an early finish and an interrupted session."""
    for day in range(days):
        if day % 7 in (3,) or day % 11 == 5:
            continue  # missed days
        at = start + day * DAY + 8 * 3600
        if day == 12:
            run_session(store, at, complete=False)
        elif day in (9, 30):
            run_session(store, at, pain=True)
        elif day == 20:
            sid = run_session(store, at, complete=False)
            store.record(sid, Record(RecordKind.SYMPTOM, 40, "Knee to chest", 0,
                                     data={"symptom": "dizziness"}))
            store.record(sid, Record(RecordKind.SESSION_ENDED, 41, data={"outcome": "symptom"}))
        elif day == 25:
            sid = run_session(store, at, complete=False)
            store.record(sid, Record(RecordKind.SESSION_ENDED, 41))
        else:
            sid = run_session(store, at)
        if day == 0:
            sid = store.recent_sessions(1)[0].id
            store.record(sid, Record(RecordKind.SCREENING_ANSWER, 0.5,
                                     data={"question": "Do you have a fever?", "answer": "no"}))
