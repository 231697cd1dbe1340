"""Where routines are found, by name or path, and the catalog ``voicecoach list`` shows.

Search order:

1. a path given by the user (anything with a ``/`` or ending in ``.yaml`` / ``.yml``);
2. the user routine folder: ``$VOICECOACH_ROUTINES`` if set, else the
   platform's user data folder (``~/.local/share/voicecoach/routines`` on Linux);
3. the bundled routines: ``voicecoach/scripts`` inside an installed wheel, or the
   repository's top-level ``scripts/`` when running from a checkout.

A routine's name is its file stem. When two folders hold the same name the
first in the order above is used, and the clash is *reported* as a warning
naming both files (a copy of a bundled routine edited in the user folder is
the usual cause, and the person should know which one they will hear).
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field, replace
from enum import StrEnum
from importlib import resources
from pathlib import Path

from voicecoach.core.diagnostics import Diagnostic, RoutineError, Severity
from voicecoach.core.estimate import routine_seconds
from voicecoach.core.loader import ROUTINE_SUFFIXES, LoadedRoutine, load_routine_file
from voicecoach.errors import VoicecoachError

#: The routine ``voicecoach run`` starts with no argument: two gentle minutes
#: lying on the back, well inside the seeds' starting limits (see README).
DEFAULT_ROUTINE = "try-it"
#: Environment variable naming the user routine folder.
ROUTINES_ENV = "VOICECOACH_ROUTINES"


class Origin(StrEnum):
    """Where a routine file was found."""

    PATH = "path"
    """Named directly by the user."""
    USER = "user"
    """The user routine folder."""
    BUNDLED = "bundled"
    """Shipped with voicecoach."""


@dataclass(frozen=True, slots=True)
class RoutineFolder:
    """A folder searched for routines."""

    origin: Origin
    """Which kind of folder it is."""
    path: Path
    """The folder (it may not exist yet, e.g. a fresh user folder)."""


@dataclass(frozen=True, slots=True)
class RoutineFile:
    """A routine file found by discovery (not yet loaded)."""

    id: str
    """The routine's name: the file stem."""
    path: Path
    """The file."""
    origin: Origin
    """Where it was found."""


@dataclass(frozen=True, slots=True)
class RoutineEntry:
    """One row of ``voicecoach list``."""

    file: RoutineFile
    """Which file."""
    title: str = ""
    """The routine's title (empty when the file is invalid)."""
    language: str = ""
    """Its language code."""
    exercises: int = 0
    """How many exercises it has."""
    seconds: float = 0.0
    """Estimated duration (see :mod:`voicecoach.core.estimate`)."""
    warnings: tuple[Diagnostic, ...] = ()
    """Lint warnings and name clashes."""
    errors: tuple[Diagnostic, ...] = field(default=())
    """Why the file does not load (empty for a valid routine)."""

    @property
    def valid(self) -> bool:
        """Whether the routine loads."""
        return not self.errors


def bundled_folder() -> Path:
    """The bundled routines: inside the installed package, else the checkout's ``scripts/``."""
    try:
        packaged = resources.files("voicecoach") / "scripts"
        if isinstance(packaged, Path) and packaged.is_dir():
            return packaged
    except (ModuleNotFoundError, OSError):  # pragma: no cover - broken installs
        pass
    return Path(__file__).resolve().parents[2] / "scripts"


def user_folder() -> Path:
    """The user routine folder (``$VOICECOACH_ROUTINES`` or the platform's user data dir)."""
    override = os.environ.get(ROUTINES_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return platformdirs.user_data_path("voicecoach") / "routines"


def search_folders() -> list[RoutineFolder]:
    """The folders searched by name, first match first."""
    return [
        RoutineFolder(Origin.USER, user_folder()),
        RoutineFolder(Origin.BUNDLED, bundled_folder()),
    ]


def discover(
    folders: list[RoutineFolder] | None = None,
) -> tuple[list[RoutineFile], list[Diagnostic]]:
    """Every routine file in ``folders`` (default :func:`search_folders`), and the name clashes.

    Of two files with one name, the first (in folder order, ``.yaml`` before
    ``.yml``) is listed; each clash is a warning naming both files.
    """
    chosen: dict[str, RoutineFile] = {}
    clashes: list[Diagnostic] = []
    for folder in folders if folders is not None else search_folders():
        for found in _files_in(folder):
            first = chosen.get(found.id)
            if first is None:
                chosen[found.id] = found
            else:
                clashes.append(_clash(first, found))
    return list(chosen.values()), clashes


def _files_in(folder: RoutineFolder) -> list[RoutineFile]:
    try:
        entries = sorted(folder.path.iterdir())
    except OSError:  # missing or unreadable folder: nothing found there
        return []
    files = [
        RoutineFile(p.stem, p, folder.origin)
        for p in entries
        if p.suffix in ROUTINE_SUFFIXES and not p.name.startswith(".") and p.is_file()
    ]
    return sorted(files, key=lambda f: (f.id, ROUTINE_SUFFIXES.index(f.path.suffix)))


def _clash(used: RoutineFile, other: RoutineFile) -> Diagnostic:
    return Diagnostic(
        str(used.path),
        0,
        0,
        "",
        f"routine name '{used.id}' is also used by {other.path} ({other.origin}); "
        f"using {used.path} ({used.origin})",
        "rename one of the files so that each name means one routine",
        Severity.WARNING,
        "name-clash",
    )


def is_path_like(name: str | Path) -> bool:
    """Whether ``name`` names a file rather than a routine in the library."""
    if isinstance(name, Path):
        return True
    return os.sep in name or "/" in name or name.endswith(ROUTINE_SUFFIXES)


def find_routine(name_or_path: str | Path | None = None) -> tuple[RoutineFile, list[Diagnostic]]:
    """Resolve a name or path to a file, with any clash warnings for that name.

    Raises :class:`VoicecoachError` (with "did you mean") if nothing matches.
    """
    name = DEFAULT_ROUTINE if name_or_path is None else name_or_path
    if is_path_like(name):
        path = Path(name).expanduser()
        return RoutineFile(path.stem, path, Origin.PATH), []
    files, clashes = discover()
    by_id = {f.id: f for f in files}
    found = by_id.get(str(name))
    if found is None:
        close = difflib.get_close_matches(str(name), list(by_id), n=1, cutoff=0.5)
        known = ", ".join(sorted(by_id)) or "none"
        hint = f"did you mean '{close[0]}'? " if close else ""
        raise VoicecoachError(
            f"no routine named '{name}'",
            f"{hint}known routines: {known} (see: voicecoach list); or give a path to a .yaml file",
        )
    return found, [c for c in clashes if c.file == str(found.path)]


def load_routine(name_or_path: str | Path | None = None) -> LoadedRoutine:
    """Find and load a routine by name or path (default :data:`DEFAULT_ROUTINE`).

    Raises :class:`RoutineError` for an invalid file and
    :class:`VoicecoachError` for an unknown name. Clash warnings are added to
    the result's ``warnings``.
    """
    found, clashes = find_routine(name_or_path)
    display = str(found.path) if found.origin is not Origin.PATH else str(name_or_path)
    loaded = load_routine_file(found.path, display=display)
    if clashes:
        loaded = replace(loaded, warnings=(*clashes, *loaded.warnings))
    return loaded


def list_routines(folders: list[RoutineFolder] | None = None) -> list[RoutineEntry]:
    """Every discoverable routine with its title, language, size and estimated duration.

    Invalid files are listed too (with their errors) rather than hidden, so
    a typo in a user routine is noticed.
    """
    files, clashes = discover(folders)
    entries = []
    for found in files:
        own = tuple(c for c in clashes if c.file == str(found.path))
        try:
            loaded = load_routine_file(found.path)
        except RoutineError as exc:
            entries.append(RoutineEntry(found, warnings=own, errors=tuple(exc.errors)))
            continue
        routine = loaded.routine
        entries.append(
            RoutineEntry(
                found,
                title=routine.title,
                language=routine.language,
                exercises=len(routine.exercises),
                seconds=routine_seconds(routine),
                warnings=own + loaded.warnings,
            )
        )
    return entries
