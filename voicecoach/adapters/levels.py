"""Loudness of recent audio, 10 ms frame by frame, to tell a speaker from the background.

A recognizer decodes babble, a television or a far-off conversation into
words too. What sets the person talking to the coach apart is that they are
louder at the microphone than the background: a word decoded 6 dB below the
command it stands next to is background, not the person's own sentence.
"""

from __future__ import annotations

from collections import deque

import numpy as np

__all__ = ["SPEECH_BAND_HZ", "FrameLevels"]

#: Where the recognizers' acoustic models listen: loudness measured here is not
#: dominated by rumble below 150 Hz (fans, traffic, pink noise).
SPEECH_BAND_HZ = (150.0, 6000.0)

_FRAME_SECONDS = 0.01
_FLOOR_DB = -10.0  # digital silence; int16 full scale is about 90 dB


class FrameLevels:
    """Frame energies (dB) of the last ``keep_seconds`` of a stream."""

    def __init__(self, sample_rate: int, keep_seconds: float = 10.0,
                 band_hz: tuple[float, float] | None = None) -> None:
        self._frame = round(sample_rate * _FRAME_SECONDS)
        self._band: tuple[int, int] | None = None
        if band_hz is not None:
            hz_per_bin = sample_rate / self._frame
            self._band = (max(1, round(band_hz[0] / hz_per_bin)),
                          min(self._frame // 2, round(band_hz[1] / hz_per_bin)) + 1)
            self._window = np.hanning(self._frame).astype(np.float32)
            self._scale = 2.0 / (self._frame * float(np.sum(self._window**2)))
        self._db: deque[float] = deque(maxlen=round(keep_seconds / _FRAME_SECONDS))
        self._t0 = 0.0  # audio time of self._db[0]
        self._pending = np.zeros(0, np.float32)
        self._next_t: float | None = None

    def clear(self) -> None:
        self._db.clear()
        self._pending = np.zeros(0, np.float32)
        self._next_t = None

    def add(self, samples: np.ndarray, t: float) -> None:
        """Append ``samples`` that start at audio time ``t``."""
        if self._next_t is None:
            self._next_t, self._t0 = t, t
        x = samples.astype(np.float32)
        buf = np.concatenate([self._pending, x]) if len(self._pending) else x
        usable = len(buf) - len(buf) % self._frame
        if usable:
            frames = buf[:usable].reshape(-1, self._frame)
            if self._band is None:
                power = np.mean(frames * frames, axis=1)
            else:
                spec = np.fft.rfft(frames * self._window, axis=1)[:, self._band[0]:self._band[1]]
                power = np.sum(spec.real**2 + spec.imag**2, axis=1) * self._scale
            db = 10 * np.log10(power + 1.0)
            for v in db:
                if len(self._db) == self._db.maxlen:
                    self._t0 += _FRAME_SECONDS
                self._db.append(max(_FLOOR_DB, float(v)))
        self._pending = buf[usable:]

    def quiet_tail(self, drop_db: float, window_seconds: float) -> float:
        """Seconds at the end of the stream that stay ``drop_db`` below its loudest
        frame of the last ``window_seconds``: how long the talker has been silent.

        Relative, not absolute, so that it means the same for a quiet voice
        and a loud one; noise within ``drop_db`` of the speech (babble, a
        television) never reads as quiet.
        """
        n = min(len(self._db), round(window_seconds / _FRAME_SECONDS))
        if n == 0:
            return 0.0
        recent = [self._db[k] for k in range(len(self._db) - n, len(self._db))]
        bar = max(recent) - drop_db
        quiet = 0
        for value in reversed(recent):
            if value >= bar:
                break
            quiet += 1
        return quiet * _FRAME_SECONDS

    def level(self, start: float, end: float) -> float:
        """Loudness of ``[start, end)``: the 80th percentile of its frames, in dB."""
        i = max(0, int((start - self._t0) / _FRAME_SECONDS))
        j = min(len(self._db), max(i + 1, int(np.ceil((end - self._t0) / _FRAME_SECONDS))))
        if i >= len(self._db):
            return _FLOOR_DB
        values = [self._db[k] for k in range(i, j)]
        return float(np.percentile(values, 80))
