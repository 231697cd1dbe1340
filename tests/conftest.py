"""Shared test fixtures."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def pytest_configure(config: pytest.Config) -> None:
    """The tests choose their engines and models themselves.

    What this machine's user has installed in the user data folder
    (`voicecoach models download`), or names in $VOICECOACH_VOSK_MODEL, must
    not change what `auto` picks in them or in the programs they start.
    A hook, not an import-time change: benchmarks import this module's
    helpers and must keep the caller's environment.
    """
    os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="voicecoach-tests-data-")
    os.environ.pop("VOICECOACH_VOSK_MODEL", None)


def run_cli(*args: str, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess[str]:
    """Run ``python -m voicecoach ARGS`` from the repository root, as a user would."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(kwargs.pop("env", {}))
    return subprocess.run(
        [sys.executable, "-m", "voicecoach", *args],
        cwd=kwargs.pop("cwd", ROOT),
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        **kwargs,
    )


@pytest.fixture
def cli():
    """The CLI runner as a fixture."""
    return run_cli


from tests.pulse import pulse_room  # noqa: E402,F401  (fixture re-export)
from tests.speech_fixtures import en_model, ko_model  # noqa: E402,F401  (fixture re-export)
