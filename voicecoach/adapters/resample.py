"""Sample-rate conversion with a proper band-limited resampler (libsoxr).

espeak-ng renders at 22,050 Hz; output devices want 44.1 or 48 kHz (some USB
speakers on a Raspberry Pi accept only 48 kHz). Naive repetition or linear
interpolation would alias sibilants into audible hiss, so conversion uses soxr
at its "HQ" setting, which converts a few seconds of speech in about a
millisecond.
"""

from __future__ import annotations

import numpy as np

from voicecoach.adapters.audio import Clip


def resample(clip: Clip, rate: int) -> Clip:
    """Return ``clip`` at ``rate`` (the same object when no conversion is needed)."""
    if rate <= 0:
        raise ValueError(f"bad target rate {rate}")
    if clip.rate == rate:
        return clip
    if not len(clip.samples):
        return Clip(np.zeros(0, np.float32), rate)
    import soxr

    out = soxr.resample(clip.samples, clip.rate, rate, quality="HQ")
    return Clip(np.ascontiguousarray(out, dtype=np.float32), rate)
