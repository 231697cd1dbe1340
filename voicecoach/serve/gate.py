"""A voice-activity gate: the recognizer runs only on stretches of speech.

Waiting costs little because most of the time nothing is said: each 30 ms
frame costs one RMS, and only a stretch louder than the gate's threshold for
a few frames becomes an :class:`Utterance` handed to the recognizer. The
threshold is the configured speaking level or 10 dB above the room's own
noise floor (learned while quiet), whichever is higher, so a fan or a radio
in the next room does not keep the recognizer busy.

Like the session engine, the gate has no clock: time is the count of samples
fed, so its tests are plain asserts on synthetic audio.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

__all__ = ["GateSettings", "Utterance", "VoiceGate", "frame_db"]

RATE = 16000


@dataclass(frozen=True, slots=True)
class GateSettings:
    """The gate's numbers (defaults suit a USB microphone a few metres away)."""

    level_db: float = -45.0
    """RMS level (dBFS) that always counts as voice (``serve.voice_level``)."""
    above_noise_db: float = 10.0
    """Voice must be this much louder than the learned noise floor."""
    frame_ms: int = 30
    """Frame length."""
    start_frames: int = 3
    """Loud frames in a row that open an utterance (90 ms)."""
    hangover_ms: int = 600
    """Quiet time that closes it (pauses between words are shorter)."""
    preroll_ms: int = 300
    """Audio kept from before the opening, so the first consonant is not cut."""
    max_seconds: float = 8.0
    """Longer stretches are talk, not a command: kept only up to here and marked ``cut``.

    The utterance still ends only at a pause, so the tail of a long sentence
    ("... and then we start") never stands alone as a command."""


@dataclass(frozen=True, slots=True)
class Utterance:
    """A stretch of speech, with the pre-roll."""

    samples: np.ndarray
    """float32 mono at 16 kHz."""
    start: float
    """Seconds since the gate started, at the first voiced frame."""
    seconds: float
    """Length of the voiced part (pre-roll excluded)."""
    cut: bool
    """True when it ran past ``max_seconds`` (long talk, never a command)."""


def frame_db(frame: np.ndarray) -> float:
    """RMS in dBFS (floor -120)."""
    if frame.size == 0:
        return -120.0
    rms = math.sqrt(float(np.mean(np.square(frame, dtype=np.float64))))
    return 20 * math.log10(rms) if rms > 1e-6 else -120.0


class VoiceGate:
    """Feed 16 kHz float32 audio; get :class:`Utterance` objects back."""

    def __init__(self, settings: GateSettings | None = None) -> None:
        self.s = settings or GateSettings()
        self.frame = RATE * self.s.frame_ms // 1000
        self.noise_db = -70.0
        self._pending = np.zeros(0, dtype=np.float32)
        self._preroll: deque[np.ndarray] = deque(maxlen=max(1, self.s.preroll_ms //
                                                            self.s.frame_ms))
        self._loud_run: list[np.ndarray] = []
        self._voiced: list[np.ndarray] | None = None
        self._quiet_frames = 0
        self._frames = 0
        self._start_frame = 0
        self.frames_voiced = 0
        """Frames that were part of an utterance (how often the recognizer would run)."""

    @property
    def threshold_db(self) -> float:
        """The level a frame must reach to count as voice now."""
        return max(self.s.level_db, self.noise_db + self.s.above_noise_db)

    @property
    def in_speech(self) -> bool:
        """Whether an utterance is open."""
        return self._voiced is not None

    def feed(self, samples: np.ndarray) -> list[Utterance]:
        """Add audio; return the utterances it completed."""
        data = np.concatenate([self._pending, samples.astype(np.float32, copy=False).ravel()])
        whole = len(data) // self.frame * self.frame
        self._pending = data[whole:]
        out: list[Utterance] = []
        for i in range(0, whole, self.frame):
            done = self._step(data[i:i + self.frame])
            if done is not None:
                out.append(done)
        return out

    def _step(self, frame: np.ndarray) -> Utterance | None:
        self._frames += 1
        level = frame_db(frame)
        loud = level >= self.threshold_db
        if self._voiced is None:
            if loud:
                self._loud_run.append(frame)
                if len(self._loud_run) >= self.s.start_frames:
                    self._voiced = [*self._preroll, *self._loud_run]
                    self._start_frame = self._frames - len(self._loud_run)
                    self._preroll.clear()
                    self._loud_run = []
                    self._quiet_frames = 0
                return None
            for held in self._loud_run:
                self._preroll.append(held)
            self._loud_run = []
            self._preroll.append(frame)
            # learn the room: fast down, slow up, only while quiet
            rate = 0.2 if level < self.noise_db else 0.01
            self.noise_db += rate * (max(level, -90.0) - self.noise_db)
            return None
        voiced_frames = self._frames - self._start_frame
        cut = voiced_frames * self.s.frame_ms / 1000 > self.s.max_seconds
        if not cut:  # past the limit it is talk, not a command: keep only the start
            self._voiced.append(frame)
            self.frames_voiced += 1
        else:  # or a steady noise (a fan switched on): let the floor rise to meet it
            self.noise_db += 0.02 * (max(level, -90.0) - self.noise_db)
        self._quiet_frames = 0 if loud else self._quiet_frames + 1
        if self._quiet_frames * self.s.frame_ms >= self.s.hangover_ms:
            frames = self._voiced
            self._voiced = None
            spoken = (voiced_frames - self._quiet_frames) * self.s.frame_ms / 1000
            return Utterance(np.concatenate(frames), self._start_frame * self.s.frame_ms / 1000,
                             spoken, cut)
        return None
