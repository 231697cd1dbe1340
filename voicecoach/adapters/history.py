"""The local session history: a SQLite file that never loses a recorded event.

Every :class:`~voicecoach.core.actions.Record` the engine emits is written by
:meth:`SQLiteHistory.record` in its own transaction, committed before the call
returns. The file runs in WAL mode with ``synchronous=FULL``: in WAL mode
``NORMAL`` already survives a crash of the program (the WAL is in the OS page
cache), but a power cut could lose the last transactions; ``FULL`` syncs the WAL
on every commit, so once ``record`` has returned the event survives a power
cut too. That costs one fsync per event, a few per second at most in a session
(see ``benchmarks/history.py``). WAL also lets ``voicecoach history`` read
while a session writes.

The history is health data. The directory is created ``0700`` and the file
and its ``-wal``/``-shm`` companions ``0600`` (the umask is tightened while
opening, since SQLite creates the companions lazily). Nothing is ever sent
anywhere, and :func:`forget_history` removes it all. Log lines carry session
ids and counts only, never what hurt, where, or an answer to a screening
question.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import stat
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from voicecoach.adapters import history_queries as q
from voicecoach.adapters.history_schema import SCHEMA_VERSION, migrate, schema_version
from voicecoach.core.actions import Record
from voicecoach.core.history import (
    InterruptedSession,
    PainReport,
    RoutineHistory,
    SessionOutcome,
    SessionSummary,
)
from voicecoach.core.planning import SessionPlan, plan_session
from voicecoach.core.progression import DEFAULT_SETTINGS, ProgressionSettings
from voicecoach.core.routine import Exercise, Routine, StepKind
from voicecoach.errors import VoicecoachError

__all__ = [
    "HISTORY_ENV",
    "HistoryError",
    "HistoryStore",
    "SQLiteHistory",
    "default_history_path",
    "forget_history",
    "history_files",
    "plan_next",
    "resolve_history_path",
]

log = logging.getLogger(__name__)

#: Environment variable naming the history file (overrides the default place).
HISTORY_ENV = "VOICECOACH_HISTORY"
HISTORY_FILENAME = "history.sqlite3"
_COMPANIONS = ("-wal", "-shm", "-journal")
_UMASK_LOCK = threading.Lock()


class HistoryError(VoicecoachError):
    """The history file cannot be opened, read or written."""


class HistoryStore(Protocol):
    """What the live loop and the planner need from a history."""

    def start_session(
        self,
        routine_id: str,
        title: str,
        version: int,
        started_at: float,
        *,
        routine: Routine | None = None,
        resumed_from: int | None = None,
        resume_index: int = 0,
        step_up: Routine | None = None,
        resume_offer: tuple[int, int] | None = None,
    ) -> int: ...

    def record(self, session_id: int, record: Record) -> None: ...

    def record_all(self, session_id: int, actions: Iterable[object]) -> int: ...

    def end_session(
        self, session_id: int, ended_at: float, outcome: SessionOutcome
    ) -> None: ...

    def recent_sessions(self, limit: int = 20) -> list[SessionSummary]: ...

    def last_interrupted(self, routine_id: str | None = None) -> InterruptedSession | None: ...

    def routine_history(self, routine_id: str, limit: int = 60) -> RoutineHistory: ...

    def last_screening_at(self) -> float | None: ...

    def last_screening(self) -> tuple[float, int | None] | None: ...


def plan_next(
    store: HistoryStore,
    routine_id: str,
    routine: Routine,
    now: float,
    settings: ProgressionSettings = DEFAULT_SETTINGS,
) -> SessionPlan:
    """Ask the store what :func:`~voicecoach.core.planning.plan_session` needs, and plan.

    The live loop calls this before a session: the plan's ``screening_due``,
    ``resume_from`` and ``step_up`` go into the engine's ``SessionOptions`` and
    ``plan.routine`` into :meth:`SQLiteHistory.start_session`.
    """
    last = store.last_screening()
    return plan_session(
        routine,
        store.routine_history(routine_id),
        now=now,
        interrupted=store.last_interrupted(routine_id),
        last_screening_at=None if last is None else last[0],
        screening_version=None if last is None else last[1],
        settings=settings,
    )


def default_history_path() -> Path:
    """``$VOICECOACH_HISTORY``, else the user's data directory."""
    env = os.environ.get(HISTORY_ENV)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("voicecoach")) / HISTORY_FILENAME


def resolve_history_path(path: str | os.PathLike[str] | None = None) -> Path:
    """An explicit path wins over the environment, which wins over the default."""
    return Path(path).expanduser() if path is not None else default_history_path()


def history_files(path: str | os.PathLike[str]) -> list[Path]:
    """The history file and whichever of its companions exist."""
    base = Path(path)
    candidates = [base] + [base.with_name(base.name + s) for s in _COMPANIONS]
    return [p for p in candidates if p.exists()]


def forget_history(path: str | os.PathLike[str]) -> list[Path]:
    """Delete the history file and its companions; return what was removed."""
    removed = []
    for p in history_files(path):
        p.unlink()
        removed.append(p)
    log.info("history forgotten (%d files removed)", len(removed))
    return removed


class SQLiteHistory:
    """The history in one SQLite file; safe to call from more than one thread."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = resolve_history_path(path)
        self._lock = threading.Lock()
        self._started: dict[int, float] = {}
        self._offers: dict[int, q.Offers] = {}
        self._conn = _open(self.path)

    # -- lifecycle ---------------------------------------------------------

    def close(self) -> None:
        """Close the file (checkpointing the WAL)."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> SQLiteHistory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self, what: str) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self._conn
                except BaseException:
                    self._conn.execute("ROLLBACK")
                    raise
                self._conn.execute("COMMIT")
            except sqlite3.Error as exc:
                log.error("history: could not %s: %s", what, exc)
                raise HistoryError(f"could not {what} in {self.path}: {exc}", _HINT) from exc

    def _read(self, sql: str, params: Sequence[object] = ()) -> list[sqlite3.Row]:
        with self._lock:
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise HistoryError(f"could not read {self.path}: {exc}", _HINT) from exc

    # -- writing -----------------------------------------------------------

    def start_session(
        self,
        routine_id: str,
        title: str,
        version: int,
        started_at: float,
        *,
        routine: Routine | None = None,
        resumed_from: int | None = None,
        resume_index: int = 0,
        step_up: Routine | None = None,
        resume_offer: tuple[int, int] | None = None,
    ) -> int:
        """Open a session; any session still open is closed as interrupted.

        Pass ``routine`` (the one run, progression applied) so the prescribed
        load is known even for exercises never reached. If the resume is
        already agreed, ``resumed_from`` / ``resume_index`` say which session
        this continues and where. If the engine is going to *offer* things,
        pass them: ``step_up`` (the harder routine) and ``resume_offer``
        (interrupted session id, exercise index); when the engine records the
        person's "yes" (an ``offer`` record), the prescription and the resume
        link are updated in the same transaction as that record.
        """
        with self._tx("start a session") as c:
            c.execute(
                "UPDATE sessions SET outcome = ? WHERE outcome IS NULL",
                (SessionOutcome.INTERRUPTED.value,),
            )
            cur = c.execute(
                "INSERT INTO sessions (routine_id, routine_title, routine_version, started_at,"
                " last_event_at, resumed_from, resume_index) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (routine_id, title, version, started_at, started_at, resumed_from, resume_index),
            )
            session_id = int(cur.lastrowid or 0)
            if routine is not None:
                _prescribe(c, session_id, routine, resume_index)
        self._started[session_id] = started_at
        self._offers[session_id] = q.Offers(step_up, resume_offer)
        log.info("history: session %d started", session_id)
        return session_id

    def start_planned(self, routine_id: str, plan: SessionPlan, started_at: float) -> int:
        """:meth:`start_session` with everything a :class:`SessionPlan` offers."""
        resume = None
        if plan.resumed_session is not None and plan.resume_from is not None:
            resume = (plan.resumed_session, plan.resume_from)
        r = plan.routine
        return self.start_session(
            routine_id, r.title, r.version, started_at, routine=r, step_up=plan.step_up,
            resume_offer=resume,
        )

    def prescribe(self, session_id: int, routine: Routine, from_index: int = 0) -> None:
        """Record (or replace) the load prescribed, e.g. after a step-up was accepted."""
        with self._tx("record the prescribed load") as c:
            _prescribe(c, session_id, routine, from_index)

    def record(self, session_id: int, record: Record) -> None:
        """Write one engine record; it is on disk when this returns."""
        started = self._started_at(session_id)
        at = started + record.t
        with self._tx("record an event") as c:
            c.execute(
                "INSERT INTO events (session_id, t, at, kind, exercise, exercise_index, side,"
                " set_no, rep, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    session_id, record.t, at, record.kind.value, record.exercise,
                    record.exercise_index, record.side, record.set, record.rep,
                    json.dumps(record.data, sort_keys=True),
                ),
            )
            c.execute("UPDATE sessions SET last_event_at = ? WHERE id = ?", (at, session_id))
            q.apply_record(c, session_id, record, at)
            offers = self._offers.get(session_id)
            if offers is not None and q.accepted_offer(record) == "step_up" and offers.step_up:
                _prescribe(c, session_id, offers.step_up, 0)
            if offers is not None and q.accepted_offer(record) == "resume" and offers.resume:
                q.link_resume(c, session_id, *offers.resume)

    def record_all(self, session_id: int, actions: Iterable[object]) -> int:
        """Record every :class:`Record` among an engine's output actions; return how many."""
        count = 0
        for action in actions:
            if isinstance(action, Record):
                self.record(session_id, action)
                count += 1
        return count

    def end_session(self, session_id: int, ended_at: float, outcome: SessionOutcome) -> None:
        """Close a session with how it ended (overrides what the records implied)."""
        with self._tx("end a session") as c:
            c.execute(
                "UPDATE sessions SET ended_at = ?, outcome = ? WHERE id = ?",
                (ended_at, SessionOutcome(outcome).value, session_id),
            )
        log.info("history: session %d ended", session_id)

    def _started_at(self, session_id: int) -> float:
        if session_id not in self._started:
            rows = self._read("SELECT started_at FROM sessions WHERE id = ?", (session_id,))
            if not rows:
                raise HistoryError(f"no session {session_id} in {self.path}")
            self._started[session_id] = float(rows[0][0])
        return self._started[session_id]

    # -- reading -----------------------------------------------------------

    def recent_sessions(self, limit: int = 20) -> list[SessionSummary]:
        """The newest sessions first."""
        with self._lock:
            return q.sessions(self._conn, "1", (), limit)

    def sessions_since(self, since: float | None = None) -> list[SessionSummary]:
        """Every session started at or after ``since`` (all if None), oldest first."""
        with self._lock:
            rows = q.sessions(self._conn, "s.started_at >= ?", (since or 0.0,), None)
        return rows[::-1]

    def routine_history(self, routine_id: str, limit: int = 60) -> RoutineHistory:
        """One routine's sessions, newest first, for the progression rules."""
        with self._lock:
            rows = q.sessions(self._conn, "s.routine_id = ?", (routine_id,), limit)
        return RoutineHistory(routine_id=routine_id, sessions=tuple(rows))

    def pain_free_completed_since_pain(self, routine_id: str) -> int:
        """Completed sessions of the routine with no pain or symptom since the last one that had."""
        with self._lock:
            return q.pain_free_streak(self._conn, routine_id)

    def last_interrupted(self, routine_id: str | None = None) -> InterruptedSession | None:
        """The latest session (of the routine) if it was interrupted and not yet resumed."""
        with self._lock:
            return q.last_interrupted(self._conn, routine_id)

    def last_screening_at(self) -> float | None:
        """When the screening questions were last passed (no contraindication)."""
        last = self.last_screening()
        return None if last is None else last[0]

    def last_screening(self) -> tuple[float, int | None] | None:
        """(when, question-set version or None) of the last passed screening."""
        with self._lock:
            return q.last_screening(self._conn)

    def screening_answers(self) -> list[tuple[float, str, str]]:
        """Every screening answer as (answered_at, question, answer), oldest first."""
        rows = self._read(
            "SELECT answered_at, question, answer FROM screening_answers ORDER BY answered_at, id"
        )
        return [(float(r[0]), str(r[1]), str(r[2])) for r in rows]

    def pain_reports(self, since: float | None = None) -> list[PainReport]:
        """Every pain report and warning symptom, oldest first."""
        with self._lock:
            return q.pain_reports(self._conn, since or 0.0)

    def events(self, session_id: int) -> list[Record]:
        """The records of one session, in the order they were written."""
        with self._lock:
            return q.events(self._conn, session_id)

    def integrity_check(self) -> str:
        """SQLite's own verdict on the file (``ok`` when healthy)."""
        return str(self._read("PRAGMA integrity_check")[0][0])


_HINT = (
    "check the disk has space and the file is yours; set VOICECOACH_HISTORY to use "
    "another file"
)


def _prescribe(c: sqlite3.Connection, session_id: int, routine: Routine, start: int) -> None:
    for idx, ex in enumerate(routine.exercises):
        if idx < start:
            continue
        reps, hold, total_reps, total_holds = _prescription(ex)
        c.execute(
            "INSERT INTO exercises (session_id, idx, name, reps, hold, prescribed_reps,"
            " prescribed_holds) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (session_id, idx) DO UPDATE SET name = excluded.name,"
            " reps = excluded.reps, hold = excluded.hold,"
            " prescribed_reps = excluded.prescribed_reps,"
            " prescribed_holds = excluded.prescribed_holds",
            (session_id, idx, ex.name, reps, hold, total_reps, total_holds),
        )


def _prescription(ex: Exercise) -> tuple[int, float | None, int, int]:
    """(reps per set and side, longest hold, total reps, total holds) of an exercise."""
    holds = [float(s.hold) for s in ex.steps if s.kind is StepKind.HOLD and s.hold]
    total = ex.reps * ex.sets * max(1, len(ex.sides))
    return ex.reps, (max(holds) if holds else None), total, total * len(holds)


def _open(path: Path) -> sqlite3.Connection:
    """Open (creating owner-only) and migrate the history file."""
    memory = str(path) == ":memory:"
    with _UMASK_LOCK:
        old_umask = os.umask(0o077)
        try:
            if not memory:
                _prepare_files(path)
            try:
                conn = sqlite3.connect(
                    str(path), isolation_level=None, check_same_thread=False, timeout=10.0
                )
                conn.row_factory = sqlite3.Row
                conn.execute("PRAGMA busy_timeout = 10000")
                conn.execute("PRAGMA foreign_keys = ON")
                if not memory:
                    conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = FULL")
                before = schema_version(conn)
                applied = migrate(conn)
                # Touch the WAL index now, while the umask is tight.
                conn.execute("SELECT count(*) FROM sessions").fetchone()
            except sqlite3.DatabaseError as exc:
                raise HistoryError(
                    f"cannot use {path} as the voicecoach history ({exc})",
                    "move the file away, or set VOICECOACH_HISTORY to another file",
                ) from exc
            if not memory:
                for p in history_files(path):
                    _owner_only(p, 0o600)
        finally:
            os.umask(old_umask)
    if applied:
        log.info("history: schema upgraded from v%d to v%d", before, SCHEMA_VERSION)
    return conn


def _prepare_files(path: Path) -> None:
    parent = path.parent
    if not parent.exists():
        try:
            parent.mkdir(parents=True, mode=0o700)
        except OSError as exc:
            raise HistoryError(f"cannot create {parent}: {exc}", _HINT) from exc
        _owner_only(parent, 0o700)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise HistoryError(f"cannot open {path}: {exc}", _HINT) from exc
    os.close(fd)


def _owner_only(path: Path, mode: int) -> None:
    """Tighten ``path`` to ``mode`` if anyone but the owner could read it."""
    current = stat.S_IMODE(path.stat().st_mode)
    if current & 0o077:
        path.chmod(mode)
        log.warning("history: tightened permissions of %s to %o", path.name, mode)
