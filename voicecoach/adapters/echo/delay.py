"""How late the coach's voice reaches the microphone: GCC-PHAT delay estimation.

An adaptive echo filter can only cancel echo that arrives within its length
*after* the reference sample that caused it. Output and input latencies
differ between devices (a USB microphone, Bluetooth speakers, PulseAudio
buffering) by tens to hundreds of milliseconds, so the delay is measured
from the signals themselves rather than assumed.

GCC-PHAT whitens the cross-spectrum so that the correlation peak is sharp
for speech (whose spectrum is anything but white) and robust to the
reverberation tail and to the person talking at the same time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["DelayEstimate", "gcc_phat"]


@dataclass(frozen=True, slots=True)
class DelayEstimate:
    """One measurement of the playback-to-capture delay."""

    delay: int
    """Samples by which the echo in the microphone lags the reference."""
    confidence: float
    """Peak of the whitened correlation over its typical level (higher is surer)."""
    fine: float | None = None
    """The delay to a fraction of a sample (parabolic fit around the peak), when known."""

    def seconds(self, rate: int) -> float:
        """The delay in seconds at ``rate``."""
        return self.delay / rate


def gcc_phat(
    mic: np.ndarray,
    reference: np.ndarray,
    *,
    min_delay: int = 0,
    max_delay: int,
    rate: int = 16000,
    band: tuple[float, float] = (200.0, 4000.0),
) -> DelayEstimate:
    """Estimate by how many samples ``mic`` lags ``reference``.

    Both windows start at the same instant; ``reference`` should be at least
    ``len(mic)`` long. Lags are searched in ``[min_delay, max_delay]``.
    Only the speech band is used: below it sits room rumble and hum, above
    it little echo energy and much noise.
    """
    if max_delay < min_delay:
        raise ValueError(f"max_delay {max_delay} < min_delay {min_delay}")
    n = max(len(mic), len(reference)) + max(abs(min_delay), abs(max_delay))
    size = 1 << int(np.ceil(np.log2(2 * n)))
    m = np.fft.rfft(np.asarray(mic, dtype=np.float64), size)
    r = np.fft.rfft(np.asarray(reference, dtype=np.float64), size)
    cross = m * np.conj(r)
    freqs = np.fft.rfftfreq(size, 1.0 / rate)
    keep = (freqs >= band[0]) & (freqs <= band[1])
    mag = np.abs(cross)
    # Regularized PHAT: bins with no energy must not be amplified into noise.
    floor = 1e-3 * float(np.max(mag[keep])) if np.any(keep) and np.max(mag[keep]) > 0 else 1e-12
    weighted = np.where(keep, cross / np.maximum(mag, floor), 0.0)
    corr = np.fft.irfft(weighted, size)
    lags = np.arange(min_delay, max_delay + 1)
    values = corr[lags % size]
    best = int(np.argmax(values))
    peak = float(values[best])
    typical = float(np.median(np.abs(values))) + 1e-12
    # The integer lag is what a delay line needs; the fraction (a parabola
    # through the peak and its neighbours) is what tracking a clock drift of
    # a few samples a minute needs.
    fine = float(lags[best])
    if 0 < best < len(values) - 1:
        left, right = float(values[best - 1]), float(values[best + 1])
        curve = left - 2 * peak + right
        if curve < 0:
            fine += 0.5 * (left - right) / curve
    return DelayEstimate(delay=int(lags[best]), confidence=peak / typical, fine=fine)
