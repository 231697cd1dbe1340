"""Downloads against a local HTTP server: progress, checksums, resume, proxies, atomic install."""

from __future__ import annotations

import io
import os
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
)
from voicecoach.errors import ModelError
from voicecoach.models import (
    ChecksumMismatch,
    DownloadError,
    Progress,
    check_model,
    install_model,
)
from voicecoach.models.install import part_path


class FakeClock:
    """Advances one second per reading, so speeds and times left are predictable."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def _quiet() -> Progress:
    return Progress(io.StringIO(), tty=False)


@pytest.fixture
def archive() -> bytes:
    # Large enough for several 64 KB reads, so progress and resume have something to do.
    files = dict(FAKE_MODEL_FILES)
    files["graph/HCLr.fst"] = os.urandom(600_000)
    return build_zip(files)


def test_download_verifies_installs_and_reports_progress(tmp_path: Path, archive: bytes):
    target = tmp_path / "models"
    out = io.StringIO()
    progress = Progress(out, tty=False, clock=FakeClock())
    with serve(ServerState(files={"/m.zip": archive})) as (base, state):
        entry = fake_entry(archive, url=f"{base}/m.zip")
        result = install_model(entry, target, progress=progress)
    assert result.path == target / entry.name
    assert not result.already
    check = check_model(result.path)
    assert check.ok, check.problems
    assert check.manifest is not None and check.manifest["sha256"] == entry.sha256
    assert (result.path / "graph/Gr.fst").read_bytes() == FAKE_MODEL_FILES["graph/Gr.fst"]
    assert leftovers(target) == []
    text = out.getvalue()
    # Plain lines when not a terminal: a start line, tenths of the way, and the end.
    assert text.startswith(f"downloading {entry.name} (")
    assert "100%" in text and "/s" in text and "left" in text
    assert text.rstrip().splitlines()[-1].startswith("downloaded ")
    assert "\r" not in text
    assert [r[0] for r in state.requests] == ["GET"]


def test_progress_on_a_terminal_redraws_one_line(tmp_path: Path, archive: bytes):
    out = io.StringIO()
    with serve(ServerState(files={"/m.zip": archive})) as (base, _):
        entry = fake_entry(archive, url=f"{base}/m.zip")
        install_model(entry, tmp_path, progress=Progress(out, tty=True, clock=FakeClock()))
    assert "\r" in out.getvalue()
    assert "100%" in out.getvalue()


def test_second_download_finds_it_installed_and_fetches_nothing(tmp_path: Path, archive: bytes):
    with serve(ServerState(files={"/m.zip": archive})) as (base, state):
        entry = fake_entry(archive, url=f"{base}/m.zip")
        install_model(entry, tmp_path, progress=_quiet())
        again = install_model(entry, tmp_path, progress=_quiet())
    assert again.already
    assert len(state.requests) == 1


def test_checksum_mismatch_is_refused_and_nothing_is_installed(tmp_path: Path, archive: bytes):
    target = tmp_path / "models"
    with serve(ServerState(files={"/m.zip": archive})) as (base, _):
        entry = fake_entry(archive, url=f"{base}/m.zip", sha256="0" * 64)
        with pytest.raises(ChecksumMismatch, match="catalog says 0000"):
            install_model(entry, target, progress=_quiet())
    assert list(target.iterdir()) == []  # no model, no .part, no temporary folder


def test_unconfirmed_checksum_needs_explicit_consent(tmp_path: Path, archive: bytes):
    with serve(ServerState(files={"/m.zip": archive})) as (base, state):
        entry = fake_entry(archive, url=f"{base}/m.zip", checksum_confirmed=False)
        with pytest.raises(ModelError, match="could not be confirmed") as refused:
            install_model(entry, tmp_path, progress=_quiet())
        assert "--allow-unverified" in str(refused.value)
        assert state.requests == []  # refused before any download
        result = install_model(entry, tmp_path, allow_unverified=True, progress=_quiet())
    assert check_model(result.path).ok


def test_interrupted_download_resumes_with_range(tmp_path: Path, archive: bytes):
    target = tmp_path / "models"
    state = ServerState(files={"/m.zip": archive}, drop_after=len(archive) // 3)
    with serve(state) as (base, _):
        entry = fake_entry(archive, url=f"{base}/m.zip")
        with pytest.raises(DownloadError, match="run the same command again"):
            install_model(entry, target, progress=_quiet())
        part = part_path(target, entry)
        assert part.stat().st_size == len(archive) // 3  # kept for the retry
        assert not (target / entry.name).exists()  # and nothing half-installed
        result = install_model(entry, target, progress=_quiet())
    assert result.resumed_from == len(archive) // 3
    assert state.requests[-1][2].get("Range") == f"bytes={len(archive) // 3}-"
    assert check_model(result.path).ok
    assert leftovers(target) == []


def test_server_ignoring_range_restarts_cleanly(tmp_path: Path, archive: bytes):
    state = ServerState(files={"/m.zip": archive}, drop_after=1000, honour_range=False)
    with serve(state) as (base, _):
        entry = fake_entry(archive, url=f"{base}/m.zip")
        with pytest.raises(DownloadError):
            install_model(entry, tmp_path, progress=_quiet())
        result = install_model(entry, tmp_path, progress=_quiet())
    assert result.resumed_from == 0
    assert check_model(result.path).ok


def test_stale_oversized_part_is_discarded(tmp_path: Path, archive: bytes):
    with serve(ServerState(files={"/m.zip": archive})) as (base, _):
        entry = fake_entry(archive, url=f"{base}/m.zip")
        part_path(tmp_path, entry).write_bytes(b"x" * (len(archive) + 10))
        result = install_model(entry, tmp_path, progress=_quiet())
    assert check_model(result.path).ok


def test_missing_file_on_the_server_is_a_clear_error(tmp_path: Path, archive: bytes):
    with serve(ServerState()) as (base, _):
        entry = fake_entry(archive, url=f"{base}/nothing.zip")
        with pytest.raises(DownloadError, match="HTTP 404"):
            install_model(entry, tmp_path, progress=_quiet())
    assert leftovers(tmp_path) == []


def test_unreachable_server_is_a_clear_error(tmp_path: Path, archive: bytes):
    with serve() as (base, _):
        pass  # the port is closed again
    entry = fake_entry(archive, url=f"{base}/m.zip")
    with pytest.raises(DownloadError, match="cannot reach"):
        install_model(entry, tmp_path, progress=_quiet())


def test_failed_reinstall_keeps_the_old_model_whole(tmp_path: Path, archive: bytes):
    """Atomic install: a refused --force leaves the installed model exactly as it was."""
    with serve(ServerState(files={"/m.zip": archive})) as (base, state):
        entry = fake_entry(archive, url=f"{base}/m.zip")
        first = install_model(entry, tmp_path, progress=_quiet())
        before = sorted(p.relative_to(first.path) for p in first.path.rglob("*"))
        state.files["/m.zip"] = archive[:-1] + bytes([archive[-1] ^ 1])  # tampered
        with pytest.raises(ChecksumMismatch):
            install_model(entry, tmp_path, force=True, progress=_quiet())
    assert sorted(p.relative_to(first.path) for p in first.path.rglob("*")) == before
    assert check_model(first.path).ok
    assert leftovers(tmp_path) == []


def test_forced_reinstall_replaces_a_damaged_model(tmp_path: Path, archive: bytes):
    with serve(ServerState(files={"/m.zip": archive})) as (base, _):
        entry = fake_entry(archive, url=f"{base}/m.zip")
        first = install_model(entry, tmp_path, progress=_quiet())
        (first.path / "am/final.mdl").write_bytes(b"truncated")
        assert not check_model(first.path).ok  # the install record notices
        fixed = install_model(entry, tmp_path, force=True, progress=_quiet())
    assert check_model(fixed.path).ok
    assert leftovers(tmp_path) == []


def test_install_from_a_local_archive_is_verified_too(tmp_path: Path, archive: bytes):
    zip_path = tmp_path / "copied-from-usb.zip"
    zip_path.write_bytes(archive)
    entry = fake_entry(archive, url="http://unused.invalid/m.zip")
    result = install_model(entry, tmp_path / "models", archive=zip_path)
    assert check_model(result.path).ok
    assert zip_path.exists()  # the user's file is theirs
    wrong = fake_entry(archive, url="http://unused.invalid/m.zip", sha256="f" * 64)
    with pytest.raises(ChecksumMismatch):
        install_model(wrong, tmp_path / "other", archive=zip_path)
    assert list((tmp_path / "other").iterdir()) == []


def test_http_proxy_from_the_environment_is_used(tmp_path: Path, archive: bytes, monkeypatch):
    """The model host does not exist; only a proxy that serves it can make this work."""
    with serve(ServerState(files={"/vosk/m.zip": archive})) as (proxy, state):
        monkeypatch.setenv("HTTP_PROXY", proxy)
        monkeypatch.setenv("http_proxy", proxy)
        entry = fake_entry(archive, url="http://models.voicecoach-test.invalid/vosk/m.zip")
        result = install_model(entry, tmp_path, progress=_quiet())
    assert check_model(result.path).ok
    method, path, _ = state.requests[0]
    assert (method, path) == ("GET", "http://models.voicecoach-test.invalid/vosk/m.zip")


def test_https_proxy_from_the_environment_is_used(tmp_path: Path, archive: bytes, monkeypatch):
    """An https URL goes through the proxy as a CONNECT tunnel (this proxy refuses it)."""
    with serve() as (proxy, state):
        monkeypatch.setenv("HTTPS_PROXY", proxy)
        monkeypatch.setenv("https_proxy", proxy)
        entry = fake_entry(archive, url="https://models.voicecoach-test.invalid/m.zip")
        with pytest.raises(DownloadError, match="cannot reach"):
            install_model(entry, tmp_path, progress=_quiet())
    assert [(m, p) for m, p, _ in state.requests] == [
        ("CONNECT", "models.voicecoach-test.invalid:443")
    ]


def test_first_session_downloads_only_with_consent(tmp_path: Path, archive: bytes):
    from voicecoach.models import ModelPlaces
    from voicecoach.models.catalog import Catalog
    from voicecoach.models.ensure import ensure_model

    project = tmp_path / "models"
    project.mkdir()
    where = ModelPlaces(project_dir=project, packages=False)
    asked: list[str] = []
    with serve(ServerState(files={"/m.zip": archive})) as (base, state):
        entry = fake_entry(archive, url=f"{base}/m.zip")
        catalog = Catalog([entry], "test")

        def refuse(offered):
            asked.append(offered.name)
            return False

        with pytest.raises(ModelError, match="voicecoach models download vosk-model-test-0.1"):
            ensure_model("xx", refuse, places=where, catalog=catalog, progress=_quiet())
        assert asked == [entry.name] and state.requests == []
        located = ensure_model(
            "xx", lambda offered: True, places=where, catalog=catalog, progress=_quiet()
        )
        assert located.path == project / entry.name and located.ok
        again = ensure_model("xx", refuse, places=where, catalog=catalog, progress=_quiet())
    assert again.path == located.path
    assert len(state.requests) == 1 and asked == [entry.name]  # not asked a second time
