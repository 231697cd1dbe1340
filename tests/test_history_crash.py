"""A session killed with SIGKILL at random points loses nothing it reported recorded."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from voicecoach.adapters.history import SQLiteHistory
from voicecoach.core.history import SessionOutcome

TOTAL_EVENTS = 6 * (1 + 20 + 2 + 1)


def kill_writer_after(path: Path, lines: int) -> list[tuple[int, str, int, int]]:
    """Start the writer, SIGKILL it right after ``lines`` event lines; return them."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.history_writer", str(path)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None
    reported: list[tuple[int, str, int, int]] = []
    try:
        assert proc.stdout.readline().startswith("session ")
        while len(reported) < lines:
            line = proc.stdout.readline()
            if not line or line.strip() == "done":
                break
            seq, kind, index, resume = line.split()
            reported.append((int(seq), kind, int(index), int(resume)))
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL or (lines >= TOTAL_EVENTS and proc.returncode == 0)
    return reported


@pytest.mark.parametrize("seed", range(6))
def test_sigkill_loses_nothing_reported(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    path = tmp_path / "history.sqlite3"
    lines = [0, 1, rng.randrange(2, 60), rng.randrange(60, TOTAL_EVENTS - 2),
             TOTAL_EVENTS - 1, rng.randrange(0, TOTAL_EVENTS)][seed]
    reported = kill_writer_after(path, lines)

    # Read the file with plain sqlite3 first: it must be healthy as SQLite sees it.
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = [json.loads(d)["seq"] for (d,) in conn.execute("SELECT data FROM events ORDER BY id")]
    conn.close()
    # Everything reported is there, in order, with no gap: the writer may have
    # committed a few more than the parent read before the kill, never fewer.
    assert stored[: len(reported)] == [r[0] for r in reported]
    assert stored == list(range(len(stored)))

    with SQLiteHistory(path) as store:
        assert store.integrity_check() == "ok"
        found = store.last_interrupted("crash")
        assert found is not None
        events = store.events(found.session_id)
        last = events[-1] if events else None
        expected = 0
        if last is not None:
            index = last.exercise_index or 0
            expected = index + 1 if last.kind.value == "exercise_ended" else index
        assert found.resume_from == expected
        if reported:
            assert found.resume_from >= reported[-1][3]
        [session] = store.recent_sessions()
        assert session.outcome is SessionOutcome.INTERRUPTED
        assert session.done_reps == sum(1 for e in events if e.kind.value == "rep_done")
        # Resuming closes the offer.
        new = store.start_session("crash", "Crash routine", 1, 1_700_000_100.0,
                                  resumed_from=found.session_id, resume_index=found.resume_from)
        store.end_session(new, 1_700_000_200.0, SessionOutcome.COMPLETED)
        assert store.last_interrupted("crash") is None
