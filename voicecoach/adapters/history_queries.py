"""The SQL behind :class:`~voicecoach.adapters.history.SQLiteHistory`.

Split out so the store stays about files, locks and transactions, and this
module about what a record means for the tables and how the answers are read
back. Every function takes an open connection; the caller holds the lock and,
for :func:`apply_record`, the write transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass

from voicecoach.core.actions import Record, RecordKind, Scalar
from voicecoach.core.history import (
    SAFETY_OUTCOMES,
    ExerciseLoad,
    ExerciseSummary,
    InterruptedSession,
    PainReport,
    SessionOutcome,
    SessionSummary,
)
from voicecoach.core.routine import Routine

#: Keys the engine may put in ``EXERCISE_ENDED.data`` to state prescribed and
#: done counts itself; when absent, the store counts REP_DONE / HOLD_DONE.
DATA_KEYS = {
    "prescribed_reps": ("prescribed_reps", "reps_prescribed"),
    "done_reps": ("done_reps", "reps_done"),
    "prescribed_holds": ("prescribed_holds", "holds_prescribed"),
    "done_holds": ("done_holds", "holds_done"),
}


def _int_from(data: dict[str, Scalar], column: str) -> int | None:
    for key in DATA_KEYS[column]:
        value = data.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return int(value)
    return None


@dataclass(frozen=True, slots=True)
class Offers:
    """What the engine will offer in a session, so a "yes" can be recorded fully."""

    step_up: Routine | None = None
    """The harder routine offered."""
    resume: tuple[int, int] | None = None
    """(interrupted session id, exercise index) offered for resume."""


def accepted_offer(r: Record) -> str | None:
    """``"step_up"`` / ``"resume"`` for an offer record the person said yes to."""
    if r.kind.value != "offer" or r.data.get("answer") is not True:
        return None
    offer = r.data.get("offer")
    return offer if isinstance(offer, str) else None


def link_resume(c: sqlite3.Connection, session_id: int, resumed: int, index: int) -> None:
    """Mark the session as continuing ``resumed`` from exercise ``index``."""
    c.execute(
        "UPDATE sessions SET resumed_from = ?, resume_index = ? WHERE id = ?",
        (resumed, index, session_id),
    )
    # Exercises before the resume point are not part of this session's load.
    c.execute(
        "DELETE FROM exercises WHERE session_id = ? AND idx < ? AND started_t IS NULL",
        (session_id, index),
    )


def _take_counts(
    c: sqlite3.Connection, r: Record, key: tuple[int, int | None], columns: tuple[str, ...]
) -> None:
    for column in columns:
        value = _int_from(r.data, column)
        if value is not None:
            c.execute(
                f"UPDATE exercises SET {column} = ? WHERE session_id = ? AND idx = ?",
                (value, *key),
            )


def _ensure_exercise(c: sqlite3.Connection, session_id: int, r: Record) -> bool:
    if r.exercise_index is None:
        return False
    c.execute(
        "INSERT INTO exercises (session_id, idx, name) VALUES (?, ?, ?)"
        " ON CONFLICT (session_id, idx) DO NOTHING",
        (session_id, r.exercise_index, r.exercise or ""),
    )
    return True


def apply_record(c: sqlite3.Connection, session_id: int, r: Record, at: float) -> None:
    """Keep the exercise and session rows current with one new record."""
    key = (session_id, r.exercise_index)
    kind = r.kind
    if kind is RecordKind.EXERCISE_STARTED and _ensure_exercise(c, session_id, r):
        c.execute(
            "UPDATE exercises SET started_t = coalesce(started_t, ?) WHERE session_id = ?"
            " AND idx = ?",
            (r.t, *key),
        )
        _take_counts(c, r, key, ("prescribed_reps", "prescribed_holds"))
        # The load (reps per set, longest hold) comes from start_session's routine
        # when given; the engine's own numbers only fill it in when it was not.
        reps, hold = r.data.get("reps"), r.data.get("hold_seconds")
        if isinstance(reps, int) and not isinstance(reps, bool):
            c.execute(
                "UPDATE exercises SET reps = ?, hold = ? WHERE session_id = ? AND idx = ?"
                " AND reps IS NULL",
                (reps, hold if isinstance(hold, int | float) and hold else None, *key),
            )
        c.execute(
            "UPDATE sessions SET resume_index = ? WHERE id = ?", (r.exercise_index, session_id)
        )
    elif kind is RecordKind.EXERCISE_ENDED and _ensure_exercise(c, session_id, r):
        c.execute(
            "UPDATE exercises SET ended_t = ? WHERE session_id = ? AND idx = ?", (r.t, *key)
        )
        _take_counts(c, r, key, tuple(DATA_KEYS))
        if r.data.get("skipped"):
            c.execute("UPDATE exercises SET skipped = 1 WHERE session_id = ? AND idx = ?", key)
        c.execute(
            "UPDATE sessions SET resume_index = ? WHERE id = ?",
            (int(r.exercise_index or 0) + 1, session_id),
        )
    elif kind in _COUNTERS and _ensure_exercise(c, session_id, r):
        column = _COUNTERS[kind]
        c.execute(
            f"UPDATE exercises SET {column} = {column} + 1 WHERE session_id = ? AND idx = ?", key
        )
    elif kind is RecordKind.SKIPPED and _ensure_exercise(c, session_id, r):
        c.execute("UPDATE exercises SET skipped = 1 WHERE session_id = ? AND idx = ?", key)
    elif kind is RecordKind.SCREENING_ANSWER:
        question = next((r.data[k] for k in ("question", "key", "id") if k in r.data), "")
        answer = r.data.get("answer", "")
        if isinstance(answer, bool):
            answer = "yes" if answer else "no"
        c.execute(
            "INSERT INTO screening_answers (session_id, answered_at, question, answer)"
            " VALUES (?, ?, ?, ?)",
            (session_id, at, str(question), str(answer)),
        )
    elif kind is RecordKind.SESSION_ENDED:
        outcome = _outcome(c, session_id, r)
        c.execute(
            "UPDATE sessions SET ended_at = ?, outcome = ? WHERE id = ?",
            (at, outcome.value, session_id),
        )


_COUNTERS = {
    RecordKind.REP_DONE: "done_reps",
    RecordKind.HOLD_DONE: "done_holds",
    RecordKind.PAIN: "pain_reports",
}


#: The engine's SESSION_ENDED ``reason`` words that differ from outcome names.
_REASONS = {"finished": SessionOutcome.FINISHED_EARLY.value, "stopped": "finished_early"}


def _outcome(c: sqlite3.Connection, session_id: int, r: Record) -> SessionOutcome:
    """The outcome a SESSION_ENDED record states, or what the exercises imply."""
    stated = r.data.get("outcome", r.data.get("reason"))
    if isinstance(stated, str):
        stated = _REASONS.get(stated, stated)
        if stated in {o.value for o in SessionOutcome}:
            return SessionOutcome(stated)
    unfinished = c.execute(
        "SELECT count(*) FROM exercises WHERE session_id = ? AND ended_t IS NULL", (session_id,)
    ).fetchone()[0]
    return SessionOutcome.FINISHED_EARLY if unfinished else SessionOutcome.COMPLETED


_SESSION_COLUMNS = (
    "s.id, s.routine_id, s.routine_title, s.routine_version, s.started_at, s.ended_at,"
    " s.outcome, s.resumed_from"
)


def sessions(
    c: sqlite3.Connection, where: str, params: tuple[object, ...], limit: int | None
) -> list[SessionSummary]:
    """Session summaries matching ``where`` (an SQL condition on ``s``), newest first."""
    sql = (
        f"SELECT {_SESSION_COLUMNS} FROM sessions s WHERE {where}"
        " ORDER BY s.started_at DESC, s.id DESC"
    )
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    rows = c.execute(sql, params).fetchall()
    if not rows:
        return []
    ids = [int(r[0]) for r in rows]
    marks = ",".join("?" * len(ids))
    exercises: dict[int, list[ExerciseSummary]] = defaultdict(list)
    for x in c.execute(
        "SELECT session_id, idx, name, prescribed_reps, done_reps, prescribed_holds, done_holds,"
        f" skipped, pain_reports, reps, hold FROM exercises WHERE session_id IN ({marks})"
        " ORDER BY session_id, idx",
        ids,
    ):
        load = ExerciseLoad(x[2], int(x[9]), x[10]) if x[9] is not None else None
        exercises[int(x[0])].append(
            ExerciseSummary(
                index=int(x[1]), name=str(x[2]), prescribed_reps=int(x[3]), done_reps=int(x[4]),
                prescribed_holds=int(x[5]), done_holds=int(x[6]), skipped=bool(x[7]),
                pain_reports=int(x[8]), load=load,
            )
        )
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for e in c.execute(
        f"SELECT session_id, kind, count(*) FROM events WHERE session_id IN ({marks})"
        " AND kind IN ('paused', 'skipped', 'pain', 'symptom') GROUP BY session_id, kind",
        ids,
    ):
        counts[int(e[0])][str(e[1])] = int(e[2])
    out = []
    for r in rows:
        sid, n = int(r[0]), counts[int(r[0])]
        out.append(
            SessionSummary(
                id=sid, routine_id=str(r[1]), routine_title=str(r[2]),
                routine_version=int(r[3]), started_at=float(r[4]),
                ended_at=None if r[5] is None else float(r[5]),
                outcome=SessionOutcome(r[6] or SessionOutcome.INTERRUPTED.value),
                exercises=tuple(exercises[sid]), pauses=n.get("paused", 0),
                skips=n.get("skipped", 0), pain_reports=n.get("pain", 0),
                symptoms=n.get("symptom", 0),
                resumed_from=None if r[7] is None else int(r[7]),
            )
        )
    return out


def pain_free_streak(c: sqlite3.Connection, routine_id: str) -> int:
    """Completed sessions without pain or symptoms since the last one with them."""
    count = 0
    for s in sessions(c, "s.routine_id = ?", (routine_id,), None):
        if s.pain_reports or s.symptoms or s.outcome in SAFETY_OUTCOMES:
            break
        if s.outcome is SessionOutcome.COMPLETED:
            count += 1
    return count


def last_interrupted(c: sqlite3.Connection, routine_id: str | None) -> InterruptedSession | None:
    """The newest session (of ``routine_id``) if it never ended and was not resumed."""
    where, params = ("WHERE routine_id = ?", (routine_id,)) if routine_id else ("", ())
    row = c.execute(
        "SELECT id, routine_id, routine_version, started_at, last_event_at, resume_index,"
        " ended_at, coalesce(outcome, 'interrupted') FROM sessions"
        f" {where} ORDER BY started_at DESC, id DESC LIMIT 1",
        params,
    ).fetchone()
    if row is None or row[7] != SessionOutcome.INTERRUPTED.value:
        return None
    resumed = c.execute("SELECT 1 FROM sessions WHERE resumed_from = ?", (row[0],)).fetchone()
    if resumed:
        return None
    return InterruptedSession(
        session_id=int(row[0]), routine_id=str(row[1]), routine_version=int(row[2]),
        started_at=float(row[3]), last_activity_at=float(row[4] or row[3]),
        resume_from=int(row[5]),
    )


def last_screening(c: sqlite3.Connection) -> tuple[float, int | None] | None:
    """(when, question-set version) of the latest screening that passed, or None.

    A ``screening_passed`` record says so directly (with the version asked).
    Files from before the engine recorded it count a screening as passed when
    it has answers, no ``screening_failed``, and the session went on.
    """
    best: tuple[float, int | None] | None = None
    row = c.execute(
        "SELECT at, data FROM events WHERE kind = 'screening_passed' ORDER BY at DESC LIMIT 1"
    ).fetchone()
    if row is not None and row[0] is not None:
        version = json.loads(row[1]).get("version")
        best = (float(row[0]), version if isinstance(version, int) else None)
    row = c.execute(
        "SELECT max(a.answered_at) FROM screening_answers a JOIN sessions s ON s.id = a.session_id"
        " WHERE coalesce(s.outcome, '') != 'screening'"
        " AND NOT EXISTS (SELECT 1 FROM events e WHERE e.session_id = s.id"
        "                 AND e.kind IN ('screening_failed', 'screening_passed'))"
        " AND (s.ended_at IS NOT NULL OR EXISTS (SELECT 1 FROM exercises x"
        "      WHERE x.session_id = s.id AND x.started_t IS NOT NULL))"
    ).fetchone()
    if row is not None and row[0] is not None and (best is None or row[0] > best[0]):
        best = (float(row[0]), None)
    return best


def pain_reports(c: sqlite3.Connection, since: float) -> list[PainReport]:
    """Pain reports and warning symptoms at or after ``since``, oldest first."""
    out = []
    for r in c.execute(
        "SELECT session_id, at, t, exercise, exercise_index, side, set_no, rep, kind, data"
        " FROM events WHERE kind IN ('pain', 'symptom') AND at >= ? ORDER BY at, id",
        (since,),
    ):
        data = json.loads(r[9])
        detail = data.get("symptom", data.get("detail"))
        out.append(
            PainReport(
                session_id=int(r[0]), at=float(r[1]), t=float(r[2]), exercise=r[3],
                exercise_index=r[4], side=r[5], set=r[6], rep=r[7], kind=str(r[8]),
                detail=None if detail is None else str(detail),
            )
        )
    return out


def events(c: sqlite3.Connection, session_id: int) -> list[Record]:
    """One session's records, rebuilt exactly as they were written."""
    return [
        Record(
            kind=RecordKind(r[0]), t=float(r[1]), exercise=r[2], exercise_index=r[3], side=r[4],
            set=r[5], rep=r[6], data=json.loads(r[7]),
        )
        for r in c.execute(
            "SELECT kind, t, exercise, exercise_index, side, set_no, rep, data FROM events"
            " WHERE session_id = ? ORDER BY id",
            (session_id,),
        )
    ]
