"""Breath and hold sounds: quiet, click-free, and distinct from each other."""

from __future__ import annotations

import numpy as np
import pytest

from voicecoach.adapters.earcons import LEVEL, earcon
from voicecoach.core.actions import Cue


def _pitch_track(samples: np.ndarray, rate: int) -> list[float]:
    """Dominant frequency in each of four quarters of the sound."""
    out = []
    for part in np.array_split(samples, 4):
        spectrum = np.abs(np.fft.rfft(part * np.hanning(len(part)), n=1 << 16))
        out.append(float(np.argmax(spectrum)) * rate / (1 << 16))
    return out


@pytest.mark.parametrize("rate", [16000, 44100, 48000])
@pytest.mark.parametrize("cue", list(Cue))
def test_cues_are_quiet_and_start_and_end_at_zero(cue, rate):
    clip = earcon(cue, rate)
    assert clip.rate == rate
    assert 0.1 < clip.duration < 0.6
    assert abs(clip.peak() - LEVEL) < 1e-3
    assert abs(clip.samples[0]) < 1e-3 and abs(clip.samples[-1]) < 1e-3
    # no step steeper than a 1.4 kHz tone at full cue level can make (a click is a jump)
    assert np.max(np.abs(np.diff(clip.samples))) < 2 * np.pi * 1400 * LEVEL / rate


def test_inhale_rises_and_exhale_falls():
    up = _pitch_track(earcon(Cue.INHALE, 48000).samples, 48000)
    down = _pitch_track(earcon(Cue.EXHALE, 48000).samples, 48000)
    assert up[0] < up[-1] and down[0] > down[-1]


def test_hold_end_has_two_notes_and_hold_start_one():
    def onsets(samples: np.ndarray, rate: int) -> int:
        env = np.abs(samples).reshape(-1, rate // 100)[:, :].max(axis=1) if len(samples) % (
            rate // 100) == 0 else np.array([np.abs(w).max() for w in np.array_split(
                samples, len(samples) // (rate // 100))])
        loud = env > 0.3 * env.max()
        return int(np.sum(loud[1:] & ~loud[:-1]) + loud[0])

    assert onsets(earcon(Cue.HOLD_START, 48000).samples, 48000) == 1
    assert onsets(earcon(Cue.HOLD_END, 48000).samples, 48000) == 2


def test_all_four_are_different():
    clips = [earcon(c, 16000).samples for c in Cue]
    for i in range(len(clips)):
        for j in range(i + 1, len(clips)):
            n = min(len(clips[i]), len(clips[j]))
            assert not np.allclose(clips[i][:n], clips[j][:n], atol=0.02)
