"""Does every runtime dependency have a wheel for 64-bit Raspberry Pi OS (aarch64, CPython 3.11)?

Walks the installed runtime dependency closure of voicecoach (from this
environment's metadata, with markers evaluated for Linux aarch64) and asks
pip, through its ordinary index, for a binary wheel of each pinned version
for manylinux aarch64 up to glibc 2.36 (Bookworm). Wheels land in a
temporary folder that is deleted; a Markdown table is printed.

    /work/venv/bin/python tools/check_aarch64.py
"""

from __future__ import annotations

import importlib.metadata as md
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from packaging.requirements import Requirement

ROOTS = ["pydantic", "PyYAML", "pyttsx3", "vosk", "pocketsphinx", "sounddevice", "numpy", "soxr",
         "platformdirs", "matplotlib"]
GLIBC = ["2_36", "2_34", "2_31", "2_28", "2_27", "2_26", "2_24", "2_17"]
PLATFORMS = [*(f"manylinux_{g}_aarch64" for g in GLIBC), "manylinux2014_aarch64",
             "linux_aarch64", "any"]
MARKERS = {"extra": "", "sys_platform": "linux", "platform_system": "Linux",
           "platform_machine": "aarch64", "python_version": "3.11"}


def closure() -> dict[str, str]:
    seen: dict[str, str] = {}
    todo = list(ROOTS)
    while todo:
        name = todo.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in seen:
            continue
        dist = md.distribution(name)
        seen[key] = dist.version
        for text in dist.requires or []:
            req = Requirement(text)
            if req.marker is None or req.marker.evaluate(MARKERS):
                todo.append(req.name)
    return dict(sorted(seen.items()))


def wheel_for(name: str, version: str, folder: Path) -> str | None:
    args = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
            "--python-version", "3.11", "--implementation", "cp", "-d", str(folder)]
    for platform in PLATFORMS:
        args += ["--platform", platform]
    proc = subprocess.run([*args, f"{name}=={version}"], capture_output=True, text=True)
    if proc.returncode != 0:
        return None
    found = sorted(folder.glob("*.whl"))
    return found[-1].name if found else None


def main() -> int:
    print("| package | version | aarch64 wheel (CPython 3.11) |")
    print("|---|---|---|")
    missing = 0
    for name, version in closure().items():
        with tempfile.TemporaryDirectory() as tmp:
            wheel = wheel_for(name, version, Path(tmp))
        if wheel is None:
            missing += 1
        print(f"| {name} | {version} | {wheel or '**none** (see below)'} |")
    return 0 if missing == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
