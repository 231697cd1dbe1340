"""The history database schema, as an ordered list of migrations.

``PRAGMA user_version`` holds the schema version of a history file. Opening a
file runs every migration above its version, each in its own ``BEGIN
IMMEDIATE`` transaction that also bumps ``user_version``, so a crash or a
second process opening the file at the same moment leaves it either fully at
the old version or fully at the new one. Migrations are append-only: a file
written by an older voicecoach must keep upgrading the same way, so an old
entry is never edited (``tests/test_history_migrations.py`` pins version 1).

Times are REAL seconds since the Unix epoch (UTC); session-relative times
(``t``) are seconds since the session started, as the engine stamps them.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from voicecoach.errors import VoicecoachError


@dataclass(frozen=True, slots=True)
class Migration:
    """One step of the schema."""

    version: int
    """The ``user_version`` the file has after this step."""
    description: str
    """What changed and why, for the log."""
    sql: str
    """The statements, run inside one transaction."""


_V1 = """
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    routine_id TEXT NOT NULL,
    routine_title TEXT NOT NULL,
    routine_version INTEGER NOT NULL,
    started_at REAL NOT NULL,
    ended_at REAL,
    outcome TEXT
);
CREATE INDEX sessions_by_routine ON sessions(routine_id, started_at);

CREATE TABLE exercises (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    name TEXT NOT NULL,
    reps INTEGER,
    hold REAL,
    prescribed_reps INTEGER NOT NULL DEFAULT 0,
    done_reps INTEGER NOT NULL DEFAULT 0,
    prescribed_holds INTEGER NOT NULL DEFAULT 0,
    done_holds INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    pain_reports INTEGER NOT NULL DEFAULT 0,
    started_t REAL,
    ended_t REAL,
    PRIMARY KEY (session_id, idx)
);

CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    t REAL NOT NULL,
    kind TEXT NOT NULL,
    exercise TEXT,
    exercise_index INTEGER,
    side TEXT,
    set_no INTEGER,
    rep INTEGER,
    data TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX events_by_session ON events(session_id, id);

CREATE TABLE screening_answers (
    id INTEGER PRIMARY KEY,
    session_id INTEGER REFERENCES sessions(id) ON DELETE CASCADE,
    answered_at REAL NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL
);
"""

# Version 2: resume support. A session now remembers where to resume
# (``resume_index``, kept current as exercises start and end), when it was
# last active, and which interrupted session it continued; every event gets
# its wall-clock time so reports need no join. Old rows are backfilled from
# the events and exercises they already have.
_V2 = """
ALTER TABLE sessions ADD COLUMN resumed_from INTEGER REFERENCES sessions(id);
ALTER TABLE sessions ADD COLUMN resume_index INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN last_event_at REAL;
ALTER TABLE events ADD COLUMN at REAL;

UPDATE events SET at = (
    SELECT s.started_at + events.t FROM sessions s WHERE s.id = events.session_id
);
UPDATE sessions SET last_event_at = coalesce(
    (SELECT max(e.at) FROM events e WHERE e.session_id = sessions.id), started_at
);
UPDATE sessions SET resume_index = coalesce(
    (SELECT max(CASE WHEN x.ended_t IS NOT NULL THEN x.idx + 1 ELSE x.idx END)
       FROM exercises x WHERE x.session_id = sessions.id AND x.started_t IS NOT NULL),
    0
);
CREATE INDEX events_by_kind ON events(kind, session_id);
"""

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "sessions, exercises, events, screening answers", _V1),
    Migration(2, "resume point, last activity, wall-clock event times", _V2),
)

#: The schema version this voicecoach writes.
SCHEMA_VERSION = MIGRATIONS[-1].version


def schema_version(conn: sqlite3.Connection) -> int:
    """The file's ``PRAGMA user_version``."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> list[int]:
    """Bring the file up to ``target``; return the versions applied.

    ``conn`` must be in autocommit mode (``isolation_level=None``) so the
    explicit transactions here are the only ones.
    """
    current = schema_version(conn)
    if current > SCHEMA_VERSION:
        raise VoicecoachError(
            f"the history file has schema version {current}, newer than this voicecoach "
            f"understands ({SCHEMA_VERSION})",
            "upgrade voicecoach, or pass a different history file",
        )
    applied: list[int] = []
    for step in MIGRATIONS:
        if step.version > target:
            break
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Re-read inside the write lock: another process may have migrated.
            if schema_version(conn) >= step.version:
                conn.execute("COMMIT")
                continue
            for statement in _statements(step.sql):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {int(step.version)}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        applied.append(step.version)
    return applied


def _statements(sql: str) -> list[str]:
    """Split a migration into statements (``executescript`` would commit)."""
    statements, buffer = [], ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
