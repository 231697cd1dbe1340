"""What a doctor check reports, and the checklist it is printed as.

Each check is a plain function returning a :class:`CheckResult`; the
checklist is the list of them. A check that cannot run because an earlier,
essential one failed says so (``skip``) instead of failing twice. Exit
status 0 means every *essential* check passed: warnings (a quiet microphone,
no Vosk model while PocketSphinx covers English) do not fail the doctor.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["CheckResult", "Status", "all_passed", "format_checklist"]


class Status(StrEnum):
    """How a check went."""

    OK = "ok"
    """Works."""
    WARN = "warn"
    """Works, but something is worth fixing."""
    FAIL = "FAIL"
    """Does not work; voicecoach cannot run as configured (if essential)."""
    SKIP = "skip"
    """Not run (asked not to, or it depends on a check that failed)."""


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One line of the checklist."""

    name: str
    """Short name: ``speech output``, ``microphone``..."""
    status: Status
    """How it went."""
    detail: str
    """What was found, in plain words."""
    fix: str | None = None
    """What to do about a warning or failure."""
    essential: bool = True
    """Whether a failure makes the doctor fail (exit 1)."""


def all_passed(results: Iterable[CheckResult]) -> bool:
    """True unless an essential check failed."""
    return not any(r.status is Status.FAIL and r.essential for r in results)


_MARK = {Status.OK: "[ ok ]", Status.WARN: "[warn]", Status.FAIL: "[FAIL]", Status.SKIP: "[skip]"}


def format_checklist(results: Iterable[CheckResult]) -> str:
    """The checklist as the terminal shows it: one line each, the fix indented below."""
    results = list(results)
    width = max((len(r.name) for r in results), default=0)
    lines = []
    for r in results:
        lines.append(f"{_MARK[r.status]} {r.name:<{width}}  {r.detail}")
        if r.fix and r.status is not Status.OK:
            lines.append(f"{'':7}{'':<{width}}  fix: {r.fix}")
    failed = [r for r in results if r.status is Status.FAIL and r.essential]
    warned = [r for r in results if r.status is Status.WARN
              or (r.status is Status.FAIL and not r.essential)]
    if failed:
        lines.append(f"{len(failed)} essential check(s) failed: "
                     f"{', '.join(r.name for r in failed)}; voicecoach cannot run like this")
    elif warned:
        lines.append(f"ready, with {len(warned)} warning(s): {', '.join(r.name for r in warned)}")
    else:
        lines.append("all checks passed: ready")
    return "\n".join(lines)
