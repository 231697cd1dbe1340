"""Load a routine script file: safe YAML, validated model, located errors, warnings.

This is the one way routine files enter the program (``run``, ``simulate``,
``validate``, ``list`` all come through here), so every caller gets the same
guarantees: a hostile or broken file is refused quickly with a
:class:`~voicecoach.core.diagnostics.RoutineError` listing *every* problem
as ``file:line:col: field: what; fix``, never a traceback and never
unbounded memory. A valid file comes back as a :class:`LoadedRoutine` with
its stable id (the file stem, which the history keys on), its path, a digest
of its bytes (so the history can tell when a routine was edited) and its
warnings (the breath rule and friends, see :mod:`voicecoach.core.lint`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from voicecoach.core.diagnostics import Diagnostic, RoutineError, Severity, format_path
from voicecoach.core.explain import explain, finish
from voicecoach.core.lint import lint_routine
from voicecoach.core.routine import Routine
from voicecoach.core.yamlsafe import (
    MAX_BYTES,
    YamlDocument,
    YamlProblem,
    YamlRejected,
    decode,
    parse_text,
    read_limited,
)

#: File name endings recognised as routine files.
ROUTINE_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, slots=True)
class LoadedRoutine:
    """A validated routine and where it came from."""

    id: str
    """Stable identifier: the file stem (``lying-standing``); the history keys on it."""
    routine: Routine
    """The validated routine."""
    path: Path | None = None
    """The file it was read from (None for in-memory text)."""
    digest: str = ""
    """SHA-256 of the file's bytes, so a history can tell when the routine was edited."""
    warnings: tuple[Diagnostic, ...] = ()
    """Lint warnings (breath rule, long sentences, ...); they never stop loading."""

    @property
    def title(self) -> str:
        """The routine's title (shortcut)."""
        return self.routine.title


def load_routine_file(path: str | Path, *, display: str | None = None) -> LoadedRoutine:
    """Load and validate the routine file at ``path``.

    ``display`` is how the file is named in messages (default: ``path`` as
    given). Raises :class:`RoutineError` with every problem found.
    """
    file_path = Path(path)
    name = display if display is not None else str(path)
    try:
        raw = read_limited(file_path, MAX_BYTES)
    except YamlRejected as exc:
        raise RoutineError(_yaml_diagnostics(exc.problems, name), name) from None
    return load_routine_bytes(raw, file=name, routine_id=file_path.stem, path=file_path)


def load_routine_bytes(
    raw: bytes,
    *,
    file: str = "<text>",
    routine_id: str = "text",
    path: Path | None = None,
) -> LoadedRoutine:
    """Load a routine from the bytes of a file (UTF-8, optional BOM)."""
    if len(raw) > MAX_BYTES:
        problem = YamlProblem(
            f"file is larger than {MAX_BYTES // 1024} KB; a routine file is a few KB",
            "check that this is the right file, or split the routine into several files",
            None,
            "file-too-large",
        )
        raise RoutineError(_yaml_diagnostics([problem], file), file)
    try:
        doc = parse_text(decode(raw))
    except YamlRejected as exc:
        raise RoutineError(_yaml_diagnostics(exc.problems, file), file) from None
    routine, diagnostics = validate_document(doc, file)
    errors = [d for d in diagnostics if d.severity is Severity.ERROR]
    if errors or routine is None:
        raise RoutineError(diagnostics, file)
    return LoadedRoutine(
        id=routine_id,
        routine=routine,
        path=path,
        digest=hashlib.sha256(raw).hexdigest(),
        warnings=tuple(diagnostics),
    )


def load_routine_text(
    text: str, *, file: str = "<text>", routine_id: str = "text"
) -> LoadedRoutine:
    """Load a routine from YAML text (tests, editors, the simulator)."""
    return load_routine_bytes(
        text.encode("utf-8", errors="surrogatepass"), file=file, routine_id=routine_id
    )


def validate_document(doc: YamlDocument, file: str) -> tuple[Routine | None, list[Diagnostic]]:
    """Validate parsed YAML against the routine model.

    Returns the routine (None when invalid) and every diagnostic: the YAML
    reader's non-fatal problems, validation errors, and (for a valid routine)
    lint warnings, all in file order.
    """
    diagnostics = _yaml_diagnostics(doc.problems, file)
    data = doc.data
    if data is None:
        return None, [
            _file_error(file, "file is empty", "start with 'title:' and 'exercises:'", "empty")
        ]
    if not isinstance(data, dict):
        mark = doc.mark_for(())
        return None, [
            Diagnostic(
                file,
                mark.line if mark else 0,
                mark.column if mark else 0,
                "",
                "a routine file is a mapping of keys (title, language, exercises, ...), not "
                + ("a list" if isinstance(data, list) else "a single value"),
                "start the file with 'title: <name>' and 'exercises:'",
                code="not-a-mapping",
            )
        ]
    try:
        routine = Routine.model_validate(data)
    except ValidationError as exc:
        return None, finish(diagnostics + explain(exc, doc, file), file)
    if diagnostics:
        return None, diagnostics
    warnings = lint_routine(routine, file, lambda p: doc.mark_for(p))
    return routine, finish(warnings, file)


def check_routine_file(path: str | Path, *, display: str | None = None) -> list[Diagnostic]:
    """Every error and warning for one file, without raising (for ``validate``)."""
    try:
        loaded = load_routine_file(path, display=display)
    except RoutineError as exc:
        return exc.diagnostics
    return list(loaded.warnings)


def _yaml_diagnostics(problems: list[YamlProblem], file: str) -> list[Diagnostic]:
    out = []
    for problem in problems:
        line, column = (problem.mark.line, problem.mark.column) if problem.mark else (0, 0)
        out.append(
            Diagnostic(
                file,
                line,
                column,
                format_path(problem.path),
                problem.message,
                problem.hint,
                code=problem.code,
            )
        )
    return out


def _file_error(file: str, message: str, hint: str, code: str) -> Diagnostic:
    return Diagnostic(file, 1, 1, "", message, hint, code=code)
