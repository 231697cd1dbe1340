"""``voicecoach render``: a routine paced as a session into one WAV, with real audio durations."""

from __future__ import annotations

import wave

import numpy as np
import pytest

from tests.conftest import run_cli
from voicecoach.adapters.phrase_cache import PhraseCache
from voicecoach.adapters.session_render import render_session
from voicecoach.adapters.synth import Synthesizer
from voicecoach.adapters.tts import Pyttsx3Renderer
from voicecoach.core.library import load_routine

ROUTINE = """\
title: Short test
language: en
exercises:
  - name: Knee to chest
    setup: Lie on your back, knees bent, feet flat.
    reps: 2
    steps:
      - inhale: Pull your knee toward your chest.
      - hold: 4s
      - exhale: Lower the leg slowly.
    rest: 5s
"""


def _silent_runs(samples: np.ndarray, rate: int) -> list[float]:
    win = rate // 100
    frames = samples[: len(samples) // win * win].reshape(-1, win)
    quiet = np.sqrt(np.mean(frames**2, axis=1)) < 1e-3
    runs, n = [], 0
    for q in quiet:
        if q:
            n += 1
        elif n:
            runs.append(n / 100)
            n = 0
    return runs


@pytest.fixture
def routine_file(tmp_path):
    path = tmp_path / "short.yaml"
    path.write_text(ROUTINE)
    return path


def test_render_lays_real_speech_out_at_session_times(routine_file, tmp_path):
    routine = load_routine(routine_file).routine
    with Pyttsx3Renderer() as renderer:
        synth = Synthesizer(renderer, PhraseCache(tmp_path / "cache"))
        result = render_session(routine, synth, None, 165)
        again = render_session(routine, synth, None, 165)
    audio = result.audio
    assert result.finished and result.utterances > 6
    assert audio.rate == 22050
    # two 4 s holds and the speech around them: at least that long, and deterministic
    assert audio.duration > 2 * 4 + 5
    assert np.array_equal(audio.samples, again.audio.samples)
    runs = _silent_runs(audio.samples, audio.rate)
    assert sum(r >= 3.0 for r in runs) >= 2  # the holds are heard as silence
    assert 0.02 < float(np.sqrt(np.mean(audio.samples**2))) < 0.3
    assert audio.peak() <= 1.0


def test_render_cli_writes_a_wav_any_player_can_read(routine_file, tmp_path):
    out = tmp_path / "out" / "session.wav"
    done = run_cli("render", str(routine_file), "-o", str(out), "--sample-rate", "16000",
                   env={"VOICECOACH_CACHE_DIR": str(tmp_path / "cache")})
    assert done.returncode == 0, done.stderr
    assert "utterances" in done.stdout and "Audio saved" not in done.stdout
    with wave.open(str(out)) as w:
        assert w.getframerate() == 16000 and w.getnchannels() == 1 and w.getsampwidth() == 2
        assert w.getnframes() / 16000 > 13


def test_render_cli_bad_routine_is_a_plain_error(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: x\nexercises: 3\n")
    done = run_cli("render", str(bad), "-o", str(tmp_path / "x.wav"))
    assert done.returncode != 0 and "bad.yaml" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "x.wav").exists()
    done = run_cli("render", "no-such-routine", "-o", str(tmp_path / "x.wav"))
    assert done.returncode == 2 and "no routine named" in done.stderr
