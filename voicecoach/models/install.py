"""Download, verify, unpack and install a catalog model, all or nothing.

The order matters: the archive is downloaded to a hidden ``.part`` file in
the target folder (kept after a network failure so the next try resumes),
its SHA-256 is compared with the catalog's *before* it is opened, it is
unpacked by :func:`~voicecoach.models.extract.safe_extract_zip` into a hidden
temporary folder *inside the target folder* (same file system, so the final
step is one atomic ``rename``), the unpacked folder must look like a Vosk
model, and only then is it renamed into place. At no moment does a folder
that :mod:`~voicecoach.models.locate` would pick up hold half a model.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import shutil
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from voicecoach.errors import ModelError
from voicecoach.models.catalog import CatalogEntry
from voicecoach.models.download import Progress, fetch
from voicecoach.models.extract import (
    ArchiveRefused,
    ExtractLimits,
    is_tar_archive,
    safe_extract_tar,
    safe_extract_zip,
)
from voicecoach.models.layout import check_model, layout_problems, looks_like_model, write_manifest


class ChecksumMismatch(ModelError):
    """The archive is not the one the catalog names; it was deleted."""


@dataclass(frozen=True, slots=True)
class Installed:
    """The result of an install."""

    path: Path
    """The model folder, ready for Vosk."""
    already: bool = False
    """True when a whole copy was already there and nothing was done."""
    resumed_from: int = 0
    """Bytes reused from an interrupted earlier download."""


def part_path(target_dir: Path, entry: CatalogEntry) -> Path:
    """Where the archive of ``entry`` is downloaded before it is checked."""
    kind = "tgz" if is_tar_archive(entry.url) else "zip"
    return target_dir / f".{entry.name}.{kind}.part"


def partial_downloads(folder: Path | None) -> dict[str, Path]:
    """Interrupted downloads waiting in ``folder`` to be resumed, by model name."""
    if folder is None or not folder.is_dir():
        return {}
    found = {}
    for suffix in (".zip.part", ".tgz.part"):
        found.update({p.name[1 : -len(suffix)]: p for p in sorted(folder.glob(f".*{suffix}"))})
    return found


def _sweep_leftovers(target_dir: Path, name: str) -> None:
    """Remove temporary folders a killed earlier install left behind."""
    for leftover in target_dir.glob(f".{name}.*.tmp"):
        shutil.rmtree(leftover, ignore_errors=True)


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _model_root(unpacked: Path) -> Path:
    """The model folder inside what was unpacked: itself, or its one sub-folder."""
    if looks_like_model(unpacked):
        return unpacked
    children = [p for p in unpacked.iterdir() if not p.name.startswith(".")]
    if len(children) == 1 and children[0].is_dir() and not children[0].is_symlink():
        inner = children[0]
        if looks_like_model(inner):
            return inner
        problems = layout_problems(inner)
    else:
        problems = layout_problems(unpacked)
    raise ArchiveRefused(
        "the archive does not hold a Vosk model (" + "; ".join(problems) + ")",
        "check that the catalog entry or the file you gave is a Vosk model archive",
    )


def unpack_and_install(
    archive: Path, entry: CatalogEntry, target_dir: Path, *, force: bool = False
) -> Path:
    """Unpack a verified ``archive`` and move the model into ``target_dir/entry.name``.

    Raises :class:`ArchiveRefused` (nothing installed, temporaries removed)
    for a hostile archive or one that is not a Vosk model.
    """
    final = target_dir / entry.name
    tmp = Path(tempfile.mkdtemp(prefix=f".{entry.name}.", suffix=".tmp", dir=target_dir))
    try:
        limits = ExtractLimits.for_archive(entry.archive_bytes, entry.unpacked_bytes)
        if is_tar_archive(entry.url):
            safe_extract_tar(archive, tmp, limits, entry.folder)
        else:
            safe_extract_zip(archive, tmp, limits)
        root = _model_root(tmp)
        if root == tmp:
            # The model was unpacked straight into the private temporary folder
            # (a package's folder, stripped): give it a model folder's usual mode,
            # so a service running as another user can read it.
            os.chmod(root, 0o755)
        write_manifest(
            root,
            {
                "name": entry.name,
                "language": entry.language,
                "sha256": entry.sha256,
                "url": entry.url,
                "installed": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
            },
        )
        if final.exists():
            if not force:
                raise ModelError(
                    f"{final} already exists", f"voicecoach models download {entry.name} --force"
                )
            old = tmp / ".replaced"
            os.rename(final, old)
            try:
                os.rename(root, final)
            except OSError:
                os.rename(old, final)
                raise
        else:
            os.rename(root, final)
        return final
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def install_model(
    entry: CatalogEntry,
    target_dir: Path,
    *,
    allow_unverified: bool = False,
    force: bool = False,
    archive: Path | None = None,
    progress: Progress | None = None,
    opener: urllib.request.OpenerDirector | None = None,
) -> Installed:
    """Fetch (or take ``archive``), verify, unpack and install ``entry`` into ``target_dir``.

    * A whole copy already installed is left alone unless ``force``.
    * An entry whose checksum is unconfirmed is refused unless ``allow_unverified``;
      its archive is still compared with the catalog value.
    * A checksum mismatch deletes the download and installs nothing.
    * A network failure keeps ``.part`` so the next call resumes.
    """
    final = target_dir / entry.name
    if not force and final.is_dir() and check_model(final).ok:
        return Installed(final, already=True)
    if not entry.checksum_confirmed and not allow_unverified:
        raise ModelError(
            f"the checksum of {entry.name} in the catalog could not be confirmed from a "
            "named public source, so the download cannot be proven genuine",
            f"to accept that risk: voicecoach models download {entry.name} --allow-unverified",
        )
    target_dir.mkdir(parents=True, exist_ok=True)
    _sweep_leftovers(target_dir, entry.name)
    resumed = 0
    if archive is not None:
        source = archive
        digest = _sha256_of(archive)
    else:
        source = part_path(target_dir, entry)
        fetched = fetch(
            entry.url,
            source,
            expected_size=entry.archive_bytes,
            progress=progress,
            opener=opener,
            label=entry.name,
        )
        digest, resumed = fetched.sha256, fetched.resumed_from
    if digest != entry.sha256:
        if archive is None:
            source.unlink(missing_ok=True)
        raise ChecksumMismatch(
            f"{entry.name}: the archive's SHA-256 is {digest}, the catalog says {entry.sha256}; "
            "it was not installed"
            + ("" if archive is not None else " and the download was deleted"),
            "try again later (a damaged or tampered download); if it persists, report it",
        )
    try:
        path = unpack_and_install(source, entry, target_dir, force=force)
    except ArchiveRefused:
        if archive is None:
            source.unlink(missing_ok=True)
        raise
    if archive is None:
        source.unlink(missing_ok=True)
    return Installed(path, resumed_from=resumed)


def remove_model(path: Path) -> None:
    """Delete an installed model folder: renamed away first, so it vanishes at once."""
    trash = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    os.rename(path, trash / path.name)
    shutil.rmtree(trash, ignore_errors=True)

