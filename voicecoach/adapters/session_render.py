"""A whole routine, paced as a real session with no interruptions, rendered into one WAV.

The session engine is driven exactly as the live loop drives it, except that
time is virtual: :class:`RenderDriver` reuses the simulator's driver but
measures each utterance by its *real* rendered audio (cue, gap and speech),
so holds, rests and counts land where they would in a live session. The
audio is then laid out on one timeline at those times.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from voicecoach.adapters.audio import Clip
from voicecoach.adapters.earcons import GAP, earcon
from voicecoach.adapters.resample import resample
from voicecoach.adapters.synth import Synthesizer
from voicecoach.core.actions import Speak
from voicecoach.core.routine import Routine
from voicecoach.core.session import Session, SessionOptions
from voicecoach.core.session.simulate import VirtualDriver

#: Silence after the last utterance, so players do not cut the ending.
TAIL_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class RenderResult:
    """The rendered session."""

    audio: Clip
    """The whole session as one mono clip."""
    utterances: int
    """How many utterances it contains."""
    finished: bool
    """Whether the session reached its end (rather than waiting for the person)."""


class RenderDriver(VirtualDriver):
    """The simulator's driver, with utterance lengths taken from real audio."""

    def __init__(self, session: Session, synth: Synthesizer, voice: str | None, wpm: int,
                 rate: int, earcons: bool = True) -> None:
        super().__init__(session, auto=True)
        self.synth = synth
        self.voice = voice
        self.base_wpm = wpm
        self.out_rate = rate
        self.earcons = earcons
        self.clips: dict[int, tuple[Clip, float]] = {}

    def duration(self, speak: Speak) -> float:
        clip = self.clips.get(speak.id, (None, 0.0))[0]
        if clip is None:
            clip = self._render(speak)
            self.clips[speak.id] = (clip, self.volume)
        return clip.duration

    def _render(self, speak: Speak) -> Clip:
        parts: list[np.ndarray] = []
        if speak.cue is not None and self.earcons:
            parts.append(earcon(speak.cue, self.out_rate).samples)
            parts.append(np.zeros(round(GAP * self.out_rate), np.float32))
        wpm = max(60, round(self.base_wpm * self.rate))
        speech = self.synth.clip(speak.text, self.voice, wpm)
        if speech is not None:
            parts.append(resample(speech, self.out_rate).samples)
        samples = np.concatenate(parts) if parts else np.zeros(0, np.float32)
        return Clip(samples.astype(np.float32, copy=False), self.out_rate)


def render_session(routine: Routine, synth: Synthesizer, voice: str | None, wpm: int,
                   rate: int = 22050, earcons: bool = True,
                   options: SessionOptions | None = None) -> RenderResult:
    """Run ``routine`` as an uninterrupted session and lay its speech out in time."""
    driver = RenderDriver(Session(routine, options), synth, voice, wpm, rate, earcons)
    result = driver.run()
    starts = [(e.t, e.action.id) for e in result.timeline if isinstance(e.action, Speak)]
    total = max([result.end] + [t + driver.clips[i][0].duration for t, i in starts]) + TAIL_SECONDS
    out = np.zeros(round(total * rate), np.float32)
    for t, id in starts:
        clip, volume = driver.clips[id]
        at = round(t * rate)
        out[at : at + len(clip.samples)] += clip.samples * volume
    np.clip(out, -1.0, 1.0, out=out)
    return RenderResult(Clip(out, rate), len(starts), result.finished)
