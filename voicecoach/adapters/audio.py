"""Audio values shared by the speech output adapters: a clip and WAV I/O."""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True, slots=True, eq=False)
class Clip:
    """A mono piece of audio held in memory."""

    samples: np.ndarray
    """float32 samples in [-1, 1], one channel."""
    rate: int
    """Samples per second."""

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return len(self.samples) / self.rate if self.rate else 0.0

    @property
    def nbytes(self) -> int:
        """Memory held by the samples, for cache budgets."""
        return int(self.samples.nbytes)

    def rms(self) -> float:
        """Root-mean-square level (0 for an empty clip)."""
        if not len(self.samples):
            return 0.0
        return float(np.sqrt(np.mean(np.square(self.samples, dtype=np.float64))))

    def peak(self) -> float:
        """Largest absolute sample (0 for an empty clip)."""
        return float(np.max(np.abs(self.samples))) if len(self.samples) else 0.0


def silence(seconds: float, rate: int) -> Clip:
    """A clip of digital silence."""
    return Clip(np.zeros(max(0, round(seconds * rate)), np.float32), rate)


def concat(clips: list[Clip], rate: int) -> Clip:
    """Join clips that all have ``rate``."""
    if not clips:
        return Clip(np.zeros(0, np.float32), rate)
    if any(c.rate != rate for c in clips):
        raise ValueError("concat needs clips of one rate; resample first")
    return Clip(np.concatenate([c.samples for c in clips]).astype(np.float32, copy=False), rate)


def read_wav(path: Path) -> Clip:
    """Read a 16-bit PCM WAV (any channel count; mixed down to mono).

    Raises ``wave.Error`` / ``EOFError`` / ``OSError`` for unreadable files,
    which callers treat as a failed render.
    """
    with wave.open(str(path), "rb") as w:
        if w.getsampwidth() != 2:
            raise wave.Error(f"expected 16-bit samples, got {8 * w.getsampwidth()}-bit")
        channels = w.getnchannels()
        rate = w.getframerate()
        data = w.readframes(w.getnframes())
    samples = np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0
    if channels > 1:
        samples = samples[: len(samples) // channels * channels].reshape(-1, channels).mean(axis=1)
    return Clip(np.ascontiguousarray(samples, dtype=np.float32), rate)


def write_wav(path: Path, clip: Clip) -> None:
    """Write ``clip`` as 16-bit mono PCM, clipping anything outside [-1, 1]."""
    pcm = np.clip(np.round(clip.samples * 32767.0), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(int(clip.rate))
        w.writeframes(pcm.tobytes())
