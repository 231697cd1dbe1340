"""Speech models: the catalog, safe downloads, and finding a model anywhere.

The one call most code needs is :func:`require_model` (or :func:`find_model`)::

    from voicecoach.models import require_model
    location = require_model("en", explicit=args.model)   # ModelError with the fix
    vosk.Model(str(location.path))

Importing this package does no I/O; the catalog is read when first asked for.
"""

from voicecoach.models.catalog import Catalog, CatalogEntry, load_catalog
from voicecoach.models.download import DownloadError, Progress, fetch
from voicecoach.models.ensure import ensure_model
from voicecoach.models.extract import ArchiveRefused, ExtractLimits, safe_extract_zip
from voicecoach.models.install import ChecksumMismatch, Installed, install_model, remove_model
from voicecoach.models.layout import ModelCheck, check_model
from voicecoach.models.locate import (
    ENV_VAR,
    ModelLocation,
    ModelPlaces,
    Origin,
    all_models,
    default_install_dir,
    default_places,
    find_model,
    require_model,
)
from voicecoach.models.memory import MemoryCheck, available_memory_bytes, check_memory

__all__ = [
    "ENV_VAR",
    "ArchiveRefused",
    "Catalog",
    "CatalogEntry",
    "ChecksumMismatch",
    "DownloadError",
    "ExtractLimits",
    "Installed",
    "MemoryCheck",
    "ModelCheck",
    "ModelLocation",
    "ModelPlaces",
    "Origin",
    "Progress",
    "all_models",
    "available_memory_bytes",
    "check_memory",
    "check_model",
    "default_install_dir",
    "default_places",
    "ensure_model",
    "fetch",
    "find_model",
    "install_model",
    "load_catalog",
    "remove_model",
    "require_model",
    "safe_extract_zip",
]
