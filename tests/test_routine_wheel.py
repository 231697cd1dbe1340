"""The installed-wheel layout: `pip install` alone gives working bundled routines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import ROOT

PROBE = """
import json
from voicecoach.core.library import bundled_folder, load_routine, list_routines
loaded = load_routine()
print(json.dumps({
    "folder": str(bundled_folder()),
    "default": loaded.id,
    "path": str(loaded.path),
    "listed": sorted(e.file.id for e in list_routines() if e.valid),
}))
"""


def _run(*args: str, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=300, **kwargs)


def test_wheel_contains_and_finds_the_bundled_routines(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    built = _run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
        "--no-index", "-q", "-w", str(dist), str(ROOT),
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    (wheel,) = dist.glob("voicecoach-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    bundled = sorted(p.name for p in (ROOT / "scripts").glob("*.yaml"))
    shipped = [n.split("/")[-1] for n in names if n.startswith("voicecoach/scripts/")]
    assert sorted(n for n in shipped if n.endswith(".yaml")) == bundled
    assert "voicecoach/py.typed" in names

    site = tmp_path / "site"
    installed = _run(
        sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q",
        "--target", str(site), str(wheel),
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    env = {k: v for k, v in os.environ.items() if k != "VOICECOACH_ROUTINES"}
    env["PYTHONPATH"] = str(site)
    env["VOICECOACH_ROUTINES"] = str(tmp_path / "no-user-routines")
    probe = _run(sys.executable, "-c", PROBE, cwd=tmp_path, env=env)
    assert probe.returncode == 0, probe.stderr
    found = json.loads(probe.stdout)
    assert found["folder"] == str(site / "voicecoach" / "scripts")
    assert found["path"].startswith(str(site))
    assert found["default"] == "try-it"
    assert found["listed"] == [Path(name).stem for name in bundled]
