"""The Speex noise suppressor in front of the recognizers, and its noise-floor gate."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.speech_corpus import Voice, place, say
from voicecoach.adapters.denoise import open_denoiser

RATE = 16000


def _noise(seconds: float, dbfs: float, seed: int = 3) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal(int(seconds * RATE))
    return (x * 10 ** (dbfs / 20) * 32767).astype(np.int16)


def _run(denoiser, audio: np.ndarray) -> np.ndarray:
    return np.concatenate([denoiser.process(audio[i : i + 800]) for i in range(0, len(audio), 800)])


@pytest.fixture
def speech() -> np.ndarray:
    audio, _ = place([("pause", say("pause", Voice("piper", "joe", 1.0)))])
    return audio


def test_in_a_quiet_room_the_gated_suppressor_passes_speech_untouched(speech):
    gated = open_denoiser(RATE, -15, gate_db=-50.0)
    assert gated is not None, "libspeexdsp is a runtime dependency"
    quiet = np.concatenate([_noise(3.0, -70.0), speech + _noise(len(speech) / RATE, -70.0)])
    out = _run(gated, quiet)
    assert not gated.suppressing
    assert np.array_equal(out, quiet[: len(out)])
    always = _run(open_denoiser(RATE, -15), quiet)
    assert not np.array_equal(always, quiet[: len(always)])  # what the gate spares


def test_over_a_noise_floor_the_gate_switches_the_suppressor_in(speech):
    gated = open_denoiser(RATE, -15, gate_db=-50.0)
    noisy = _noise(4.0, -35.0)
    out = _run(gated, noisy)
    assert gated.suppressing
    tail = slice(len(out) - RATE, len(out))  # after the floor estimate has settled
    level = lambda x: 10 * np.log10(np.mean((x.astype(np.float64) / 32768) ** 2))  # noqa: E731
    assert level(out[tail]) < level(noisy[tail]) - 6  # the noise was pushed down


def test_the_gate_has_hysteresis():
    gated = open_denoiser(RATE, -15, gate_db=-50.0)
    _run(gated, _noise(4.0, -48.0))  # above the gate
    assert gated.suppressing
    _run(gated, _noise(4.0, -53.0))  # below the gate, within its hysteresis
    assert gated.suppressing
    _run(gated, _noise(4.0, -62.0))  # well below
    assert not gated.suppressing
