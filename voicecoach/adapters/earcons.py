"""Gentle sounds for the breath and the hold, told apart with eyes closed.

Each cue differs in *direction* and *rhythm*, not just pitch, so they stay
distinct for someone who has no musical ear and through a small speaker:

* inhale: one soft tone gliding up (the chest rising);
* exhale: the same tone gliding down, a little longer (a slow breath out);
* hold start: a single soft bell, fading;
* hold end: two short bell notes, high then low ("and release").

They are synthesized here (no sound files to ship), quiet (peaks around
-14 dBFS, below the voice), with raised-cosine edges so they never click.
"""

from __future__ import annotations

import numpy as np

from voicecoach.adapters.audio import Clip
from voicecoach.core.actions import Cue

#: Peak level of a cue relative to full scale.
LEVEL = 0.2
#: Silence between a cue and the words that follow it.
GAP = 0.08


def _edges(n: int, rate: int, attack: float, release: float) -> np.ndarray:
    env = np.ones(n, np.float64)
    a = min(n // 2, max(1, round(attack * rate)))
    r = min(n - a, max(1, round(release * rate)))
    env[:a] = 0.5 - 0.5 * np.cos(np.pi * np.arange(a) / a)
    env[n - r :] = 0.5 + 0.5 * np.cos(np.pi * np.arange(r) / r)
    return env


def _glide(f0: float, f1: float, seconds: float, rate: int) -> np.ndarray:
    n = round(seconds * rate)
    freq = np.geomspace(f0, f1, n)
    phase = 2 * np.pi * np.cumsum(freq) / rate
    tone = np.sin(phase) + 0.15 * np.sin(2 * phase)
    return tone * _edges(n, rate, 0.06, 0.09)


def _bell(freq: float, seconds: float, rate: int) -> np.ndarray:
    n = round(seconds * rate)
    t = np.arange(n) / rate
    tone = np.sin(2 * np.pi * freq * t) + 0.3 * np.sin(2 * np.pi * 2.0 * freq * t) * np.exp(-t * 18)
    return tone * np.exp(-t * 7.0) * _edges(n, rate, 0.008, 0.05)


def earcon(cue: Cue, rate: int) -> Clip:
    """The sound for ``cue`` at sample ``rate``, normalized to :data:`LEVEL`."""
    if cue is Cue.INHALE:
        wave = _glide(392.0, 587.3, 0.24, rate)
    elif cue is Cue.EXHALE:
        wave = _glide(587.3, 392.0, 0.30, rate)
    elif cue is Cue.HOLD_START:
        wave = _bell(523.3, 0.35, rate)
    elif cue is Cue.HOLD_END:
        gap = np.zeros(round(0.05 * rate))
        wave = np.concatenate([_bell(659.3, 0.13, rate), gap, _bell(523.3, 0.22, rate)])
    else:  # pragma: no cover - Cue is closed
        raise ValueError(f"unknown cue {cue!r}")
    peak = float(np.max(np.abs(wave))) or 1.0
    return Clip((wave * (LEVEL / peak)).astype(np.float32), rate)
