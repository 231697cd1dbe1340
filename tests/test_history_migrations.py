"""Upgrading history files written by older voicecoach versions."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from voicecoach.adapters.history import SQLiteHistory
from voicecoach.adapters.history_schema import MIGRATIONS, SCHEMA_VERSION, migrate
from voicecoach.core.actions import Record, RecordKind
from voicecoach.core.history import SessionOutcome

#: Version 1 exactly as voicecoach 0.1 shipped it. Frozen here on purpose: if
#: the first migration is ever edited, files in the field no longer match it.
V1_SCHEMA = """
CREATE TABLE sessions (id INTEGER PRIMARY KEY, routine_id TEXT NOT NULL,
    routine_title TEXT NOT NULL, routine_version INTEGER NOT NULL, started_at REAL NOT NULL,
    ended_at REAL, outcome TEXT);
CREATE INDEX sessions_by_routine ON sessions(routine_id, started_at);
CREATE TABLE exercises (session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL, name TEXT NOT NULL, reps INTEGER, hold REAL,
    prescribed_reps INTEGER NOT NULL DEFAULT 0, done_reps INTEGER NOT NULL DEFAULT 0,
    prescribed_holds INTEGER NOT NULL DEFAULT 0, done_holds INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0, pain_reports INTEGER NOT NULL DEFAULT 0,
    started_t REAL, ended_t REAL, PRIMARY KEY (session_id, idx));
CREATE TABLE events (id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    t REAL NOT NULL, kind TEXT NOT NULL, exercise TEXT, exercise_index INTEGER, side TEXT,
    set_no INTEGER, rep INTEGER, data TEXT NOT NULL DEFAULT '{}');
CREATE INDEX events_by_session ON events(session_id, id);
CREATE TABLE screening_answers (id INTEGER PRIMARY KEY,
    session_id INTEGER REFERENCES sessions(id) ON DELETE CASCADE,
    answered_at REAL NOT NULL, question TEXT NOT NULL, answer TEXT NOT NULL);
PRAGMA user_version = 1;
"""

V1_DATA = """
INSERT INTO sessions VALUES (1, 'lying', 'Lying relief', 1, 1000.0, 1500.0, 'completed');
INSERT INTO sessions VALUES (2, 'lying', 'Lying relief', 1, 90000.0, NULL, NULL);
INSERT INTO exercises VALUES (1, 0, 'Knee to chest', 3, 5.0, 6, 6, 6, 6, 0, 0, 1.0, 60.0);
INSERT INTO exercises VALUES (2, 0, 'Knee to chest', 3, 5.0, 6, 6, 6, 6, 0, 1, 1.0, 60.0);
INSERT INTO exercises VALUES (2, 1, 'Pelvic tilt', 4, NULL, 4, 2, 0, 0, 0, 0, 61.0, NULL);
INSERT INTO exercises VALUES (2, 2, 'Cat', 4, NULL, 4, 0, 0, 0, 0, 0, NULL, NULL);
INSERT INTO events (session_id, t, kind, exercise, exercise_index, data)
    VALUES (1, 0.0, 'session_started', NULL, NULL, '{}'),
           (1, 500.0, 'session_ended', NULL, NULL, '{}'),
           (2, 30.0, 'pain', 'Knee to chest', 0, '{}'),
           (2, 61.0, 'exercise_started', 'Pelvic tilt', 1, '{}'),
           (2, 70.0, 'rep_done', 'Pelvic tilt', 1, '{}');
INSERT INTO screening_answers VALUES (1, 1, 1010.0, 'fever', 'no');
"""


def make_v1_file(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(V1_SCHEMA + V1_DATA)
    conn.commit()
    conn.close()


def schema_of(conn: sqlite3.Connection) -> set[tuple[str, str]]:
    rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL")
    return {(name, " ".join(sql.replace("(", " ( ").split())) for name, sql in rows}


def test_first_migration_still_builds_the_shipped_v1() -> None:
    frozen, built = sqlite3.connect(":memory:"), sqlite3.connect(":memory:")
    frozen.executescript(V1_SCHEMA)
    built.isolation_level = None
    assert migrate(built, target=1) == [1]
    tables = {n for n, _ in schema_of(frozen)}
    assert tables == {n for n, _ in schema_of(built)}
    cols = "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?)"
    for table in ("sessions", "exercises", "events", "screening_answers"):
        assert frozen.execute(cols, (table,)).fetchall() == built.execute(cols, (table,)).fetchall()


def test_v1_file_upgrades_to_current(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    make_v1_file(path)
    with SQLiteHistory(path) as store:
        conn = store._conn
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert store.integrity_check() == "ok"
        # Backfilled: wall-clock event times, last activity, resume point.
        ats = [r[0] for r in conn.execute("SELECT at FROM events ORDER BY id")]
        assert ats == [1000.0, 1500.0, 90030.0, 90061.0, 90070.0]
        found = store.last_interrupted("lying")
        assert found is not None
        assert (found.session_id, found.resume_from, found.last_activity_at) == (2, 1, 90070.0)
        old, new = store.recent_sessions()[::-1]
        assert old.outcome is SessionOutcome.COMPLETED and new.outcome is SessionOutcome.INTERRUPTED
        assert new.pain_reports == 1 and new.exercises[0].pain_reports == 1
        assert store.last_screening_at() == 1010.0
        # And the upgraded file takes new sessions.
        sid = store.start_session("lying", "Lying relief", 1, 200000.0,
                                  resumed_from=2, resume_index=1)
        store.record(sid, Record(RecordKind.EXERCISE_STARTED, 1.0, "Pelvic tilt", 1))
        assert store.last_interrupted("lying").session_id == sid
    # Opening again is a no-op.
    with SQLiteHistory(path) as store:
        assert len(store.recent_sessions()) == 3


def test_every_migration_is_numbered_in_order() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, SCHEMA_VERSION + 1))


def test_failed_migration_leaves_the_old_version(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    make_v1_file(path)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE blocker (x)")  # harmless; now break v2 on purpose:
    conn.execute("ALTER TABLE sessions ADD COLUMN resume_index INTEGER")
    with pytest.raises(sqlite3.OperationalError, match="duplicate column"):
        migrate(conn)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert "last_event_at" not in {r[1] for r in conn.execute("PRAGMA table_info(sessions)")}
    conn.close()
