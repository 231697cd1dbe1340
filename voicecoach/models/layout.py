"""What a Vosk model folder must contain, and whether one on disk is whole.

Vosk itself, handed a half-copied or wrong folder, aborts the process from
C++ or logs a warning and fails later. Checking the layout first turns every
such case into a sentence naming what is missing and the command that fixes
it. Models voicecoach installs also carry a small manifest of file sizes, so
a model truncated after installation (a full disk, an interrupted copy) is
caught by a few ``stat`` calls rather than by the recognizer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

#: Written inside every model voicecoach installs.
MANIFEST_NAME = ".voicecoach-install.json"

#: Files every Vosk model has (the "new" layout Vosk 0.3.x loads).
REQUIRED_FILES: tuple[str, ...] = ("am/final.mdl", "conf/model.conf")

#: A decoding graph: either a static HCLG, or the lookahead pair HCLr + Gr.
GRAPH_CHOICES: tuple[tuple[str, ...], ...] = (
    ("graph/HCLG.fst",),
    ("graph/HCLr.fst", "graph/Gr.fst"),
)


@dataclass(frozen=True, slots=True)
class ModelCheck:
    """The result of looking at a folder that should hold a Vosk model."""

    path: Path
    """The folder looked at."""
    problems: tuple[str, ...] = field(default=())
    """What is wrong, one short phrase each; empty when the model looks whole."""
    manifest: dict[str, object] | None = None
    """The install manifest when voicecoach installed this model, else None."""

    @property
    def ok(self) -> bool:
        """Whether the folder looks like a whole Vosk model."""
        return not self.problems


def _file_ok(path: Path) -> bool:
    try:
        return path.is_file() and path.stat().st_size > 0
    except OSError:
        return False


def layout_problems(root: Path) -> list[str]:
    """What keeps ``root`` from being a Vosk model (empty list: it is one)."""
    if not root.is_dir():
        return ["not a folder" if root.exists() else "does not exist"]
    problems = [f"{rel} missing or empty" for rel in REQUIRED_FILES if not _file_ok(root / rel)]
    if not any(all(_file_ok(root / rel) for rel in choice) for choice in GRAPH_CHOICES):
        problems.append("no decoding graph (graph/HCLG.fst, or graph/HCLr.fst with graph/Gr.fst)")
    return problems


def looks_like_model(root: Path) -> bool:
    """Cheap yes/no used when scanning folders."""
    return not layout_problems(root)


def read_manifest(root: Path) -> dict[str, object] | None:
    """The install manifest of ``root``, or None when absent or unreadable."""
    try:
        data = json.loads((root / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def manifest_problems(root: Path, manifest: dict[str, object]) -> list[str]:
    """Files whose size no longer matches what was installed."""
    files = manifest.get("files")
    if not isinstance(files, dict):
        return ["install record is damaged"]
    problems = []
    for rel, size in files.items():
        try:
            actual = (root / rel).stat().st_size
        except OSError:
            problems.append(f"{rel} missing")
            continue
        if actual != size:
            problems.append(f"{rel} is {actual} bytes, was {size} when installed")
    return problems


def check_model(root: Path) -> ModelCheck:
    """Look at ``root``: layout, then (when present) the install manifest."""
    problems = layout_problems(root)
    manifest = read_manifest(root) if root.is_dir() else None
    if manifest is not None and not problems:
        problems = manifest_problems(root, manifest)
    return ModelCheck(path=root, problems=tuple(problems), manifest=manifest)


def write_manifest(root: Path, info: dict[str, object]) -> None:
    """Record every file's size (plus ``info``) so later damage can be spotted."""
    files = {
        p.relative_to(root).as_posix(): p.stat().st_size
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != MANIFEST_NAME
    }
    payload = dict(info, files=files)
    (root / MANIFEST_NAME).write_text(json.dumps(payload, indent=1), encoding="utf-8")


def folder_bytes(root: Path) -> int:
    """Total size of the regular files under ``root``."""
    total = 0
    for p in root.rglob("*"):
        try:
            if p.is_file() and not p.is_symlink():
                total += p.stat().st_size
        except OSError:
            continue
    return total
