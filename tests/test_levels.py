"""FrameLevels: loudness per 10 ms frame, broadband or in the recognizer's band."""

from __future__ import annotations

import numpy as np

from benchmarks.speech_corpus import pink_noise
from voicecoach.adapters.levels import FrameLevels

RATE = 16000


def tone(hz: float, seconds: float, amplitude: float = 3000.0) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return np.rint(amplitude * np.sin(2 * np.pi * hz * t)).astype(np.int16)


def levels(audio: np.ndarray, band: tuple[float, float] | None) -> float:
    lv = FrameLevels(RATE, band_hz=band)
    for i in range(0, len(audio), 800):  # 50 ms chunks, as a microphone gives them
        lv.add(audio[i : i + 800], i / RATE)
    return lv.level(0.1, len(audio) / RATE - 0.1)


def test_in_band_tone_reads_the_same_broadband_and_in_band():
    x = tone(1000, 1.0)
    assert abs(levels(x, None) - levels(x, (150, 6000))) < 1.5


def test_rumble_below_the_band_is_not_counted():
    x = tone(50, 1.0)
    # A 10 ms frame holds half a cycle of 50 Hz: some leaks into the band (measured 18 dB down).
    assert levels(x, None) - levels(x, (150, 6000)) > 12


def test_pink_noise_is_mostly_below_the_band():
    """Why the recognizer measures in band: pink noise's energy is mostly rumble."""
    x = np.rint(pink_noise(RATE, seed=1) * 3000).astype(np.int16)
    assert levels(x, None) - levels(x, (150, 6000)) > 4  # measured 5.4 dB


def test_quiet_tail_is_how_long_the_talker_has_been_silent():
    lv = FrameLevels(RATE, band_hz=(150, 6000))
    word, pause = tone(1000, 0.4), np.zeros(int(0.25 * RATE), np.int16)
    audio = np.concatenate([word, pause])
    for i in range(0, len(audio), 320):  # 20 ms chunks, as the live loop reads them
        lv.add(audio[i : i + 320], i / RATE)
    assert abs(lv.quiet_tail(20.0, 1.0) - 0.25) <= 0.011
    # Still talking, or a noise within the drop of the voice: never quiet.
    lv.add(tone(1000, 0.02), len(audio) / RATE)
    assert lv.quiet_tail(20.0, 1.0) == 0.0
    noise = np.rint(pink_noise(RATE, seed=2)[: RATE // 2] * 3000).astype(np.int16)
    babble = FrameLevels(RATE, band_hz=(150, 6000))
    babble.add(np.concatenate([word, noise]), 0.0)
    assert babble.quiet_tail(20.0, 1.0) < 0.1
    assert FrameLevels(RATE).quiet_tail(20.0, 1.0) == 0.0  # nothing heard yet
