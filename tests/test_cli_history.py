"""``voicecoach history`` and ``voicecoach report`` as a user runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, run_cli
from tests.history_data import fill_history
from voicecoach.adapters.history import SQLiteHistory


def test_history_without_a_file_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "data" / "history.sqlite3"
    result = run_cli("history", env={"VOICECOACH_HISTORY": str(path)})
    assert result.returncode == 0, result.stderr
    assert "No sessions recorded yet" in result.stdout
    assert not path.parent.exists()
    result = run_cli("report", "--history", str(path))
    assert result.returncode == 2 and "no history" in result.stderr
    assert "Traceback" not in result.stderr


def test_history_report_and_forget(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    with SQLiteHistory(path) as store:
        fill_history(store, days=10)
    env = {"VOICECOACH_HISTORY": str(path)}
    result = run_cli("history", "-n", "3", "--csv", str(tmp_path / "all.csv"), env=env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["#", "started", "routine", "outcome", "reps", "holds", "pauses",
                                "skips", "pain"]
    assert sum("Lying relief (v1)" in line for line in lines) == 3
    assert (tmp_path / "all.csv").read_text().count("\n") == 1 + 2 * 8

    out = tmp_path / "rep" / "physio.html"
    result = run_cli("report", "--out", str(out), "--days", "0", "--csv",
                     str(tmp_path / "r.csv"), env=env)
    assert result.returncode == 0, result.stderr
    assert "8 sessions" in result.stdout
    assert out.exists() and (tmp_path / "rep" / "physio-pain.png").stat().st_size > 0

    result = run_cli("history", "--forget", env=env, input="")
    assert result.returncode == 2 and "--yes" in result.stderr
    assert path.exists()
    result = run_cli("history", "--forget", "--yes", env=env)
    assert result.returncode == 0 and "Deleted" in result.stdout
    assert not path.exists() and not Path(str(path) + "-wal").exists()


def forget_in_terminal(path: Path, answer: bytes) -> subprocess.CompletedProcess[str]:
    """Run ``history --forget`` with a terminal on stdin, typing ``answer``."""
    master, slave = os.openpty()
    env = dict(os.environ, PYTHONPATH=str(ROOT), VOICECOACH_HISTORY=str(path))
    proc = subprocess.Popen([sys.executable, "-m", "voicecoach", "history", "--forget"],
                            cwd=ROOT, env=env, stdin=slave, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    os.close(slave)
    try:
        os.write(master, answer)
        out, err = proc.communicate(timeout=60)
    finally:
        os.close(master)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def test_forget_asks_first(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    SQLiteHistory(path).close()
    kept = forget_in_terminal(path, b"n\n")
    assert kept.returncode == 1 and "cannot be undone" in kept.stdout and path.exists()
    gone = forget_in_terminal(path, b"yes\n")
    assert gone.returncode == 0, gone.stderr
    assert not path.exists()
