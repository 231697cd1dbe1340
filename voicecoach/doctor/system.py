"""Doctor checks that need no audio: the config file, disk space, the history database."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
from pathlib import Path

from voicecoach.config import Settings
from voicecoach.doctor.checks import CheckResult, Status

__all__ = ["MIN_FREE_MB", "WARN_FREE_MB", "check_config", "check_disk", "check_history"]

#: Below this much free space the history cannot be trusted to be written.
MIN_FREE_MB = 20
#: Below this, a model download or a year of history may not fit.
WARN_FREE_MB = 300


def check_config(settings: Settings | None, error: str | None) -> CheckResult:
    """The config file was read and every value is usable (``error`` is the ConfigError text)."""
    if error is not None or settings is None:
        return CheckResult("config file", Status.FAIL, error or "could not be read",
                           "correct the values named above, then run voicecoach config")
    if not settings.config_found:
        return CheckResult("config file", Status.OK,
                           f"none at {settings.config_path}: using the defaults",
                           "voicecoach config --init writes one to edit")
    return CheckResult("config file", Status.OK, f"{settings.config_path} is valid")


def _existing_parent(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path("/")


def check_disk(paths: list[Path]) -> CheckResult:
    """Free space where the history and the models live (the least of them)."""
    worst: tuple[int, Path] | None = None
    for path in paths:
        place = _existing_parent(path)
        try:
            free = shutil.disk_usage(place).free
        except OSError:
            continue
        if worst is None or free < worst[0]:
            worst = (free, place)
    if worst is None:
        return CheckResult("disk space", Status.WARN, "could not be measured", essential=False)
    free_mb = worst[0] // (1024 * 1024)
    detail = f"{free_mb:,} MB free at {worst[1]}"
    if free_mb < MIN_FREE_MB:
        return CheckResult("disk space", Status.FAIL, detail,
                           "free some space: sessions could not be recorded")
    if free_mb < WARN_FREE_MB:
        return CheckResult("disk space", Status.WARN, detail,
                           "free some space (a speech model needs 50 MB to 2 GB)",
                           essential=False)
    return CheckResult("disk space", Status.OK, detail)


def check_history(path: Path) -> CheckResult:
    """Open the history read-only, run ``integrity_check``, look at its permissions.

    Nothing is created or changed: a missing file is fine when its folder can
    be created and written, since the first session creates it.
    """
    name = "history database"
    if not path.exists():
        parent = _existing_parent(path.parent)
        if os.access(parent, os.W_OK | os.X_OK):
            return CheckResult(name, Status.OK, f"{path} will be created by the first session")
        return CheckResult(name, Status.FAIL, f"{path} cannot be created ({parent} is not "
                           "writable)", "set session.history in the config to a writable place")
    if path.is_dir():
        return CheckResult(name, Status.FAIL, f"{path} is a folder, not a database",
                           "set session.history to a file path")
    if not os.access(path, os.R_OK | os.W_OK) or not os.access(path.parent, os.W_OK | os.X_OK):
        return CheckResult(name, Status.FAIL, f"{path} (or its folder) is not writable by you",
                           f"fix its owner: sudo chown $USER {path} {path.parent}")
    try:
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            rows = db.execute("PRAGMA integrity_check").fetchall()
            sessions = _count_sessions(db)
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        return CheckResult(name, Status.FAIL, f"{path} cannot be read as a database ({exc})",
                           f"move it aside (mv {path} {path}.broken); a new one is created")
    verdict = ", ".join(str(r[0]) for r in rows[:3])
    if verdict != "ok":
        return CheckResult(name, Status.FAIL, f"{path} is damaged: {verdict}",
                           f"copy what can be saved: sqlite3 {path} .recover > history.sql; "
                           f"then move the file aside")
    mode = stat.S_IMODE(path.stat().st_mode)
    detail = f"{path}: integrity ok, {sessions} session(s)"
    if mode & 0o077:
        return CheckResult(name, Status.WARN, f"{detail}; readable by others ({mode:o})",
                           f"it holds health data: chmod 600 {path}", essential=False)
    return CheckResult(name, Status.OK, detail)


def _count_sessions(db: sqlite3.Connection) -> int | str:
    try:
        return int(db.execute("SELECT count(*) FROM sessions").fetchone()[0])
    except sqlite3.DatabaseError:
        return "no"
