"""Located problems in a routine file: what is wrong, where, and how to fix it.

A physiotherapist editing a YAML file needs the same thing a programmer gets
from a compiler: ``file:line:col``, the field, the problem and the fix, for
*every* problem at once rather than one per run. :class:`Diagnostic` is that
one line; :class:`RoutineError` carries all of a file's errors (and its
warnings, which never stop a routine from running).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from voicecoach.errors import VoicecoachError


class Severity(StrEnum):
    """How serious a diagnostic is."""

    ERROR = "error"
    """The routine cannot be loaded until this is fixed."""
    WARNING = "warning"
    """The routine loads, but probably does not say what its author meant."""


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem in one place of a routine file."""

    file: str
    """The file as the user named it (or ``<text>`` for in-memory text)."""
    line: int
    """1-based line; 0 when the problem concerns the whole file."""
    column: int
    """1-based column; 0 when unknown."""
    field: str
    """Field path such as ``exercises[0].steps[2].hold``; empty for file-level problems."""
    message: str
    """What is wrong, as a plain sentence fragment."""
    hint: str = ""
    """How to fix it; empty when the message already says."""
    severity: Severity = Severity.ERROR
    """Error (refuses the file) or warning (reported, file still loads)."""
    code: str = ""
    """A short stable identifier (``yaml-alias``, ``unknown-key``, ``breath-hold-after-exhale``)
    so tests and tools can match a kind of problem without parsing prose."""

    def location(self) -> str:
        """``file:line:col`` (or less when the position is unknown)."""
        if self.line <= 0:
            return self.file
        if self.column <= 0:
            return f"{self.file}:{self.line}"
        return f"{self.file}:{self.line}:{self.column}"

    def format(self) -> str:
        """The one-line form: ``file:line:col: error: field: message; hint``."""
        parts = [self.location(), str(self.severity)]
        if self.field:
            parts.append(self.field)
        text = ": ".join(parts) + ": " + self.message
        if self.hint:
            text += "; " + self.hint
        return text

    def __str__(self) -> str:
        return self.format()


def format_path(path: Sequence[str | int]) -> str:
    """``("exercises", 0, "steps", 2, "hold")`` -> ``exercises[0].steps[2].hold``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


class RoutineError(VoicecoachError):
    """A routine file could not be loaded; carries every error found in it.

    ``str()`` of it lists each diagnostic on its own line, so the CLI's
    generic error printer shows a useful report for any command that loads a
    routine (``run``, ``simulate``), not only ``validate``.
    """

    def __init__(self, diagnostics: Iterable[Diagnostic], file: str = "") -> None:
        diags = list(diagnostics)
        self.diagnostics: list[Diagnostic] = diags
        self.file = file or (diags[0].file if diags else "")
        errors = [d for d in diags if d.severity is Severity.ERROR]
        count = len(errors)
        noun = "error" if count == 1 else "errors"
        lines = "\n".join("  " + d.format() for d in diags)
        message = f"routine file {self.file} has {count} {noun}:\n{lines}"
        super().__init__(
            message, f"fix the lines above, then check with: voicecoach validate {self.file}"
        )

    @property
    def errors(self) -> list[Diagnostic]:
        """Only the diagnostics that refuse the file."""
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]
