"""Get a model the first time a session needs one, but only with the person's consent.

A fresh Raspberry Pi has no model. Rather than fail with "run this command",
the live session can ask ("I need to download the English speech model, 40
megabytes. Shall I?") and install it through exactly the same verified path
as ``voicecoach models download``. Nothing is fetched unless ``consent``
returns True, and only catalog models with a confirmed checksum that fit in
memory are ever offered.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from pathlib import Path

from voicecoach.errors import ModelError
from voicecoach.models.catalog import Catalog, CatalogEntry, load_catalog
from voicecoach.models.download import Progress
from voicecoach.models.install import install_model
from voicecoach.models.locate import (
    ModelLocation,
    ModelPlaces,
    default_install_dir,
    default_places,
    find_model,
    require_model,
    suggested_download,
)
from voicecoach.models.memory import check_memory


def offer_for(
    language: str, catalog: Catalog, available_memory: int | None = None
) -> CatalogEntry | None:
    """The model that may be offered for ``language``: confirmed checksum, fits in memory."""
    entry = suggested_download(language, catalog)
    if entry is None or not entry.checksum_confirmed:
        return None
    if not check_memory(entry.memory_mb, available_memory).fits:
        return None
    return entry


def ensure_model(
    language: str,
    consent: Callable[[CatalogEntry], bool],
    explicit: Path | None = None,
    *,
    places: ModelPlaces | None = None,
    catalog: Catalog | None = None,
    available_memory: int | None = None,
    progress: Progress | None = None,
    opener: urllib.request.OpenerDirector | None = None,
) -> ModelLocation:
    """:func:`require_model`, except that a *missing* model may be downloaded after ``consent``.

    A damaged or too-large model is not replaced behind the person's back:
    its :class:`ModelError` (with the fix) is raised as usual.
    """
    places = places or default_places(explicit)
    catalog = catalog if catalog is not None else load_catalog()

    def locate() -> ModelLocation:
        return require_model(
            language, explicit, places=places, catalog=catalog, available_memory=available_memory
        )

    try:
        return locate()
    except ModelError:
        found = find_model(
            language, explicit, places=places, catalog=catalog, available_memory=available_memory
        )
        entry = None if found is not None else offer_for(language, catalog, available_memory)
        if entry is None or not consent(entry):
            raise
    install_model(entry, default_install_dir(places), progress=progress, opener=opener)
    return locate()
