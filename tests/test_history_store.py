"""The SQLite history on real files: round trips, queries, permissions, logs."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from tests.history_data import DAY, ROUTINE, T0, run_session
from voicecoach.adapters.history import (
    HISTORY_ENV,
    HistoryError,
    SQLiteHistory,
    forget_history,
    history_files,
    resolve_history_path,
)
from voicecoach.adapters.history_schema import SCHEMA_VERSION
from voicecoach.core.actions import Record, RecordKind
from voicecoach.core.history import SessionOutcome


def test_session_round_trip(tmp_path: Path) -> None:
    with SQLiteHistory(tmp_path / "h.sqlite3") as store:
        sid = run_session(store, T0)
        [s] = store.recent_sessions()
        assert s.id == sid
        assert s.outcome is SessionOutcome.COMPLETED
        assert (s.routine_id, s.routine_title, s.routine_version) == ("lying", "Lying relief", 1)
        assert [e.name for e in s.exercises] == ["Knee to chest", "Pelvic tilt"]
        assert [(e.prescribed_reps, e.done_reps) for e in s.exercises] == [(6, 6), (4, 4)]
        assert [(e.prescribed_holds, e.done_holds) for e in s.exercises] == [(6, 6), (0, 0)]
        assert s.exercises[0].load is not None and s.exercises[0].load.hold == 5.0
        assert s.ended_at == pytest.approx(T0 + 43)
        events = store.events(sid)
        assert events[0] == Record(RecordKind.SESSION_STARTED, 0.0)
        assert events[2] == Record(RecordKind.REP_DONE, 6.0, "Knee to chest", 0, "left", 1, 1)
        assert store.integrity_check() == "ok"


def test_engine_stated_counts_win_and_outcome_is_kept(tmp_path: Path) -> None:
    with SQLiteHistory(tmp_path / "h.sqlite3") as store:
        sid = store.start_session("r", "R", 2, T0, routine=ROUTINE)
        store.record(sid, Record(RecordKind.EXERCISE_STARTED, 1, "Knee to chest", 0))
        store.record(sid, Record(RecordKind.EXERCISE_ENDED, 9, "Knee to chest", 0,
                                 data={"prescribed_reps": 6, "done_reps": 2, "skipped": True}))
        store.record(sid, Record(RecordKind.SESSION_ENDED, 10, data={"outcome": "pain"}))
        [s] = store.recent_sessions()
        assert s.outcome is SessionOutcome.PAIN
        assert (s.exercises[0].done_reps, s.exercises[0].skipped) == (2, True)
        assert s.exercises[1].done_reps == 0  # never reached, still prescribed
        assert s.prescribed_reps == 10
        store.end_session(sid, T0 + 20, SessionOutcome.SYMPTOM)
        assert store.recent_sessions()[0].outcome is SessionOutcome.SYMPTOM


def test_unended_session_is_offered_for_resume_until_resumed(tmp_path: Path) -> None:
    with SQLiteHistory(tmp_path / "h.sqlite3") as store:
        run_session(store, T0)
        assert store.last_interrupted() is None
        sid = run_session(store, T0 + DAY, complete=False)
        found = store.last_interrupted("lying")
        assert found is not None
        assert (found.session_id, found.resume_from, found.routine_version) == (sid, 0, 1)
        assert store.last_interrupted("other") is None
        new = store.start_session("lying", ROUTINE.title, 1, T0 + DAY + 60, routine=ROUTINE,
                                  resumed_from=sid, resume_index=found.resume_from)
        assert store.recent_sessions()[1].outcome is SessionOutcome.INTERRUPTED
        assert store.last_interrupted() is not None and store.last_interrupted().session_id == new
        store.end_session(new, T0 + DAY + 600, SessionOutcome.COMPLETED)
        assert store.last_interrupted() is None


def test_pain_free_streak_and_pain_reports(tmp_path: Path) -> None:
    with SQLiteHistory(tmp_path / "h.sqlite3") as store:
        run_session(store, T0)
        run_session(store, T0 + DAY, pain=True)
        run_session(store, T0 + 2 * DAY)
        run_session(store, T0 + 3 * DAY, complete=False)
        run_session(store, T0 + 4 * DAY)
        assert store.pain_free_completed_since_pain("lying") == 2
        [report] = store.pain_reports()
        assert (report.exercise, report.side, report.rep, report.kind) == (
            "Knee to chest", "left", 2, "pain")
        assert report.at == pytest.approx(T0 + DAY + 11)
        history = store.routine_history("lying")
        assert [s.pain_reports for s in history.sessions] == [0, 0, 0, 1, 0]


def test_screening_dates(tmp_path: Path) -> None:
    with SQLiteHistory(tmp_path / "h.sqlite3") as store:
        assert store.last_screening_at() is None
        sid = store.start_session("r", "R", 1, T0)
        store.record(sid, Record(RecordKind.SCREENING_ANSWER, 5, data={"question": "fever",
                                                                        "answer": "no"}))
        store.record(sid, Record(RecordKind.SESSION_ENDED, 9, data={"outcome": "completed"}))
        bad = store.start_session("r", "R", 1, T0 + DAY)
        store.record(bad, Record(RecordKind.SCREENING_ANSWER, 5, data={"question": "fever",
                                                                        "answer": "yes"}))
        store.record(bad, Record(RecordKind.SCREENING_FAILED, 6))
        store.record(bad, Record(RecordKind.SESSION_ENDED, 7, data={"outcome": "screening"}))
        assert store.last_screening_at() == pytest.approx(T0 + 5)
        assert store.screening_answers() == [(T0 + 5, "fever", "no"), (T0 + DAY + 5, "fever",
                                                                         "yes")]


def test_files_are_owner_only(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        path = tmp_path / "new" / "dir" / "history.sqlite3"
        with SQLiteHistory(path) as store:
            run_session(store, T0)
            files = history_files(path)
            assert {p.name for p in files} >= {"history.sqlite3", "history.sqlite3-wal",
                                               "history.sqlite3-shm"}
            for p in files:
                assert stat.S_IMODE(p.stat().st_mode) == 0o600, p
            assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        # A file someone made world-readable is tightened on open.
        path.chmod(0o644)
        SQLiteHistory(path).close()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    finally:
        os.umask(old)


def test_wal_and_full_sync(tmp_path: Path) -> None:
    with SQLiteHistory(tmp_path / "h.sqlite3") as store:
        conn = store._conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_no_pain_detail_in_logs(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with SQLiteHistory(tmp_path / "h.sqlite3") as store:
        sid = run_session(store, T0, pain=True)
        store.record(sid, Record(RecordKind.SYMPTOM, 50, "Knee to chest", 0,
                                 data={"symptom": "numbness"}))
        store.record(sid, Record(RecordKind.SCREENING_ANSWER, 51,
                                 data={"question": "osteoporosis", "answer": "yes"}))
        with pytest.raises(HistoryError):
            store.record(9999, Record(RecordKind.PAIN, 1, "Knee to chest",
                                      data={"where": "sharp left hip"}))
    forget_history(tmp_path / "h.sqlite3")
    assert caplog.records, "the store logs its lifecycle"
    text = caplog.text.lower()
    for secret in ("hip", "knee", "numbness", "osteoporosis", "pain", "symptom"):
        assert secret not in text


def test_path_resolution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(HISTORY_ENV, str(tmp_path / "env.sqlite3"))
    assert resolve_history_path() == tmp_path / "env.sqlite3"
    assert resolve_history_path(tmp_path / "x.sqlite3") == tmp_path / "x.sqlite3"
    monkeypatch.delenv(HISTORY_ENV)
    assert resolve_history_path().name == "history.sqlite3"
    assert "voicecoach" in str(resolve_history_path())


def test_forget_removes_everything(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    store = SQLiteHistory(path)
    run_session(store, T0)
    store.close()
    assert forget_history(path)
    assert history_files(path) == []
    assert list(tmp_path.iterdir()) == []


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(HistoryError, match="cannot use .* as the voicecoach history"):
        SQLiteHistory(path)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(Exception, match="newer than this voicecoach"):
        SQLiteHistory(path)


def test_engine_record_shapes(tmp_path: Path) -> None:
    """The session engine's data keys: reason words, boolean answers, per-exercise numbers."""
    with SQLiteHistory(tmp_path / "h.sqlite3") as store:
        sid = store.start_session("r", "R", 1, T0)
        store.record(sid, Record(RecordKind.SCREENING_ANSWER, 1, data={
            "key": "fever", "answer": False, "condition": "fever", "version": 1}))
        store.record(sid, Record(RecordKind.EXERCISE_STARTED, 2, "Bridge", 0, data={
            "reps": 5, "sets": 1, "sides": 2, "prescribed_reps": 10, "prescribed_holds": 10,
            "hold_seconds": 4.0}))
        store.record(sid, Record(RecordKind.SESSION_ENDED, 9, data={"reason": "finished"}))
        [s] = store.recent_sessions()
        assert s.outcome is SessionOutcome.FINISHED_EARLY
        assert (s.prescribed_reps, s.prescribed_holds) == (10, 10)
        assert s.exercises[0].load is not None
        assert (s.exercises[0].load.reps, s.exercises[0].load.hold) == (5, 4.0)
        assert store.screening_answers() == [(T0 + 1, "fever", "no")]


def test_plan_next_from_a_real_store(tmp_path: Path) -> None:
    from voicecoach.adapters.history import plan_next
    from voicecoach.core.progression import DecisionKind

    with SQLiteHistory(tmp_path / "h.sqlite3") as store:
        first = plan_next(store, "lying", ROUTINE, T0)
        assert first.decision.kind is DecisionKind.START and first.screening_due
        for day in range(3):
            run_session(store, T0 + day * DAY)
        plan = plan_next(store, "lying", ROUTINE, T0 + 3 * DAY)
        assert plan.step_up is not None
        assert [ex.reps for ex in plan.step_up.exercises] == [4, 5]
        # Accepted: the next session runs (and records) the harder routine, then hurts.
        sid = store.start_session("lying", ROUTINE.title, 1, T0 + 3 * DAY,
                                  routine=plan.step_up)
        store.record(sid, Record(RecordKind.EXERCISE_STARTED, 1, "Knee to chest", 0))
        store.record(sid, Record(RecordKind.PAIN, 5, "Knee to chest", 0, "left", 1, 2))
        store.record(sid, Record(RecordKind.SESSION_ENDED, 6, data={"reason": "pain"}))
        plan = plan_next(store, "lying", ROUTINE, T0 + 4 * DAY)
        assert plan.decision.kind is DecisionKind.STEP_BACK
        assert [ex.reps for ex in plan.routine.exercises] == [3, 5]
        assert plan.step_up is None
        # Interrupted: offered for resume from where it stopped, at the same load.
        sid = store.start_session("lying", ROUTINE.title, 1, T0 + 5 * DAY, routine=plan.routine)
        store.record(sid, Record(RecordKind.EXERCISE_STARTED, 1, "Knee to chest", 0))
        store.record(sid, Record(RecordKind.EXERCISE_ENDED, 50, "Knee to chest", 0))
        resume = plan_next(store, "lying", ROUTINE, T0 + 5 * DAY + 3600)
        assert (resume.resume_from, resume.resumed_session) == (1, sid)
        assert resume.routine == plan.routine
