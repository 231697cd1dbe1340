"""Hostile and malformed archives are refused, and refusing leaves nothing behind."""

from __future__ import annotations

import io
import warnings
import zipfile
from pathlib import Path

import pytest

from tests.model_server import (
    FAKE_MODEL_FILES,
    ServerState,
    build_zip,
    fake_entry,
    leftovers,
    no_proxy,  # noqa: F401  (autouse: no proxy between the downloader and the test server)
    serve,
    zip_with_symlink,
)
from voicecoach.errors import ModelError
from voicecoach.models import ArchiveRefused, ExtractLimits, install_model, safe_extract_zip
from voicecoach.models.download import Progress


def _with(extra: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for rel, data in FAKE_MODEL_FILES.items():
            zf.writestr(f"vosk-model-test-0.1/{rel}", data)
        for name, data in extra.items():
            with warnings.catch_warnings():  # zipfile warns about the duplicate on purpose
                warnings.simplefilter("ignore")
                zf.writestr(zipfile.ZipInfo(name), data)
    return buffer.getvalue()


def _bomb() -> bytes:
    """A model with one 8 MB member of zeros: about 1000:1."""
    files = dict(FAKE_MODEL_FILES)
    files["graph/HCLr.fst"] = bytes(8 * 1024 * 1024)
    return build_zip(files)


def _many_files(count: int = 20_000) -> bytes:
    files = dict(FAKE_MODEL_FILES)
    files.update({f"junk/{i:05d}": b"" for i in range(count)})
    return build_zip(files, compression=zipfile.ZIP_STORED)


HOSTILE = {
    "zip slip (../)": (_with({"vosk-model-test-0.1/../../evil.txt": b"pwned"}), "climbs out"),
    "absolute path": (_with({"/tmp/voicecoach-evil.txt": b"pwned"}), "absolute path"),
    "windows drive path": (_with({"C:/evil.txt": b"pwned"}), "absolute path"),
    "backslash path": (_with({"..\\evil.txt": b"pwned"}), "backslash"),
    "symlink": (zip_with_symlink("vosk-model-test-0.1/graph/link", "/etc/passwd"), "symbolic link"),
    "compression bomb": (_bomb(), "compression bomb"),
    "too many files": (_many_files(), "entries"),
    "duplicate names": (_with({"vosk-model-test-0.1/README": b"again"}), "twice"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_archive_is_refused_before_anything_is_written(tmp_path: Path, case: str):
    archive_bytes, reason = HOSTILE[case]
    archive = tmp_path / "model.zip"
    archive.write_bytes(archive_bytes)
    dest = tmp_path / "out"
    dest.mkdir()
    with pytest.raises(ArchiveRefused, match=reason):
        safe_extract_zip(archive, dest, ExtractLimits.for_archive(len(archive_bytes), 10_000))
    assert list(dest.iterdir()) == []
    assert not (tmp_path / "evil.txt").exists()
    assert not Path("/tmp/voicecoach-evil.txt").exists()


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_download_installs_nothing_and_leaves_no_temporaries(tmp_path: Path, case: str):
    """Even with a matching checksum (a bad catalog entry), a hostile archive is refused."""
    archive_bytes, reason = HOSTILE[case]
    target = tmp_path / "models"
    with serve(ServerState(files={"/m.zip": archive_bytes})) as (base, _):
        entry = fake_entry(archive_bytes, url=f"{base}/m.zip")
        with pytest.raises(ArchiveRefused, match=reason):
            install_model(entry, target, progress=Progress(io.StringIO(), tty=False))
    assert list(target.iterdir()) == []
    assert leftovers(target) == []


def test_archive_that_is_not_a_model_is_refused(tmp_path: Path):
    files = {k: v for k, v in FAKE_MODEL_FILES.items() if not k.startswith("am/")}
    archive_bytes = build_zip(files)
    target = tmp_path / "models"
    with serve(ServerState(files={"/m.zip": archive_bytes})) as (base, _):
        entry = fake_entry(archive_bytes, url=f"{base}/m.zip")
        with pytest.raises(ArchiveRefused, match="am/final.mdl"):
            install_model(entry, target, progress=Progress(io.StringIO(), tty=False))
    assert list(target.iterdir()) == []


def test_corrupt_archive_is_refused(tmp_path: Path):
    good = bytearray(build_zip(FAKE_MODEL_FILES, compression=zipfile.ZIP_STORED))
    at = good.index(bytes(range(256)) * 8)  # inside am/final.mdl's stored bytes
    good[at + 100] ^= 0xFF
    archive = tmp_path / "model.zip"
    archive.write_bytes(bytes(good))
    dest = tmp_path / "out"
    dest.mkdir()
    with pytest.raises(ArchiveRefused, match="corrupt"):
        safe_extract_zip(archive, dest)


def test_truncated_archive_is_refused(tmp_path: Path):
    good = build_zip(FAKE_MODEL_FILES)
    archive = tmp_path / "model.zip"
    archive.write_bytes(good[: len(good) // 2])
    dest = tmp_path / "out"
    dest.mkdir()
    with pytest.raises(ArchiveRefused, match="corrupt"):
        safe_extract_zip(archive, dest)


def test_a_well_formed_archive_extracts_exactly_its_files(tmp_path: Path):
    archive = tmp_path / "model.zip"
    archive.write_bytes(build_zip(FAKE_MODEL_FILES))
    dest = tmp_path / "out"
    dest.mkdir()
    written = safe_extract_zip(archive, dest)
    assert written == sum(len(v) for v in FAKE_MODEL_FILES.values())
    for rel, data in FAKE_MODEL_FILES.items():
        assert (dest / "vosk-model-test-0.1" / rel).read_bytes() == data


def _half() -> bytes:
    whole = build_zip(FAKE_MODEL_FILES)
    return whole[: len(whole) // 2]


def _corrupt() -> bytes:
    good = bytearray(build_zip(FAKE_MODEL_FILES, compression=zipfile.ZIP_STORED))
    good[good.index(bytes(range(256)) * 8) + 100] ^= 0xFF
    return bytes(good)


@pytest.mark.parametrize(
    ("case", "served", "catalog_matches", "reason"),
    [
        ("corrupt, checksum matches", _corrupt(), True, "corrupt"),
        ("corrupt, checksum differs", _corrupt(), False, "SHA-256"),
        ("truncated at the source", _half(), False, "SHA-256"),
        ("truncated, checksum matches", _half(), True, "corrupt"),
    ],
)
def test_damaged_download_installs_nothing(tmp_path: Path, case, served, catalog_matches, reason):
    good = build_zip(FAKE_MODEL_FILES)
    described = served if catalog_matches else good
    target = tmp_path / "models"
    with serve(ServerState(files={"/m.zip": served})) as (base, _):
        entry = fake_entry(described, url=f"{base}/m.zip", archive_bytes=len(served))
        with pytest.raises(ModelError, match=reason):
            install_model(entry, target, progress=Progress(io.StringIO(), tty=False))
    assert list(target.iterdir()) == [], case
