"""The speaker on real PortAudio into a PulseAudio null sink, captured back from its monitor."""

from __future__ import annotations

import os
import signal
import time
import wave
from pathlib import Path

import numpy as np
import pytest

from voicecoach.adapters.phrase_cache import PhraseCache
from voicecoach.adapters.reference import ReferenceRing
from voicecoach.adapters.speaker import (
    CoachSpeaker,
    SpeakerEvent,
    SpeakerFault,
    SpeechEnded,
    SpeechStarted,
    open_speaker,
)
from voicecoach.core.actions import Cue

pytestmark = pytest.mark.audio

LONG = ("This is a long instruction that goes on for quite a while, so that there is "
        "plenty of time to cut it off in the middle of a word.")


@pytest.fixture
def speaker(pulse_room, tmp_path):
    import sounddevice as sd

    sd._terminate()
    sd._initialize()
    ring = ReferenceRing(max_blocks=200_000)
    with open_speaker("pulse", cache=PhraseCache(tmp_path / "cache"), tap=ring,
                      warm=("one", "two", "three")) as sp:
        sp.ring = ring  # type: ignore[attr-defined]
        yield sp


def _next(sp: CoachSpeaker, kind: type, timeout: float = 20.0) -> SpeakerEvent:
    while True:
        event = sp.events.get(timeout=timeout)
        if isinstance(event, kind):
            return event


def _read(path: Path) -> np.ndarray:
    with wave.open(str(path)) as w:
        return np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32) / 32768


def _active_seconds(samples: np.ndarray, rate: int = 16000, threshold: float = 0.005) -> float:
    frames = samples[: len(samples) // 160 * 160].reshape(-1, 160)
    return float(np.sum(np.sqrt(np.mean(frames**2, axis=1)) > threshold)) * 0.01


def _record(room, path: Path):
    rec = room.record(path)
    time.sleep(0.5)  # let parecord connect before anything plays
    return rec


def _finish(rec) -> None:
    time.sleep(0.4)
    rec.terminate()
    rec.wait(timeout=10)


def test_speech_plays_into_the_sink_with_real_start_and_end_times(speaker, pulse_room, tmp_path):
    wav = tmp_path / "capture.wav"
    rec = _record(pulse_room, wav)
    speaker.speak(1, "Inhale, and lift the bent knee.", Cue.INHALE)
    started = _next(speaker, SpeechStarted)
    ended = _next(speaker, SpeechEnded)
    _finish(rec)
    assert started.id == ended.id == 1 and not ended.interrupted
    assert 1.5 < ended.t - started.t < 5.0  # cue + speech duration, by DAC times
    captured = _read(wav)
    assert 1.2 < _active_seconds(captured) < 5.0
    assert np.sqrt(np.mean(captured**2)) > 0.005
    # the reference tap saw exactly what was played, stamped with DAC times
    blocks = speaker.ring.drain()
    played = np.concatenate([b.samples for b in blocks])
    assert np.max(np.abs(played)) > 0.1
    assert all(b2.t > b1.t for b1, b2 in zip(blocks, blocks[1:], strict=False))


def test_stop_mid_utterance_silences_the_sink(speaker, pulse_room, tmp_path):
    wav = tmp_path / "capture.wav"
    rec = _record(pulse_room, wav)
    speaker.speak(7, LONG)
    speaker.speak(8, "This one is dropped before it starts.")
    started = _next(speaker, SpeechStarted)
    time.sleep(0.6)
    speaker.stop()
    ends = [_next(speaker, SpeechEnded), _next(speaker, SpeechEnded)]
    _finish(rec)
    assert started.id == 7
    assert {e.id for e in ends} == {7, 8} and all(e.interrupted for e in ends)
    captured = _read(wav)
    full = speaker.synth.clip(LONG, speaker.voice, speaker.wpm)
    assert full is not None and full.duration > 5
    active = _active_seconds(captured)
    assert 0.3 < active < 2.0  # cut, not played out
    tail = captured[-int(0.3 * 16000):]
    assert np.sqrt(np.mean(tail**2)) < 0.002  # silent afterwards
    # what went to the device after the fade ended is exact digital silence
    end7 = next(e for e in ends if e.id == 7)
    after = [b.samples for b in speaker.ring.drain() if b.t > end7.t + 0.001]
    assert after and max(float(np.max(np.abs(s))) for s in after) == 0.0


def test_volume_applies_to_the_next_blocks(speaker):
    speaker.set_volume(0.2)
    speaker.speak(1, "one")
    _next(speaker, SpeechEnded)
    quiet = max(float(np.max(np.abs(b.samples))) for b in speaker.ring.drain())
    speaker.set_volume(1.0)
    speaker.speak(2, "one")
    _next(speaker, SpeechEnded)
    loud = max(float(np.max(np.abs(b.samples))) for b in speaker.ring.drain())
    assert 3.0 < loud / quiet < 7.0


def test_killed_and_hung_synthesis_worker_then_the_next_prompt_is_spoken(speaker):
    renderer = speaker.synth.renderer
    os.kill(renderer.pid, signal.SIGKILL)
    speaker.speak(1, "Spoken after the worker was killed.")
    assert _next(speaker, SpeechStarted).id == 1
    assert not _next(speaker, SpeechEnded).interrupted
    renderer.timeout = 1.0
    os.kill(renderer.pid, signal.SIGSTOP)
    speaker.speak(2, "Spoken after the worker hung.")
    assert _next(speaker, SpeechStarted).id == 2
    assert not _next(speaker, SpeechEnded).interrupted


def test_unspeakable_text_still_ends_and_a_cue_alone_plays(speaker):
    speaker.speak(1, "🙂 <br/>")
    ended = _next(speaker, SpeechEnded)
    assert ended.id == 1 and not ended.interrupted
    speaker.speak(2, "", Cue.HOLD_START)
    started = _next(speaker, SpeechStarted)
    ended = _next(speaker, SpeechEnded)
    assert started.id == ended.id == 2 and 0.2 < ended.t - started.t < 0.6


def test_device_vanishing_mid_utterance_is_reported_not_hung(speaker, pulse_room):
    speaker.speak(1, LONG)
    _next(speaker, SpeechStarted)
    pulse_room.proc.kill()  # the sound server (the "device") disappears
    events: list[SpeakerEvent] = []
    while not (any(isinstance(e, SpeechEnded) for e in events)
               and any(isinstance(e, SpeakerFault) for e in events)):
        events.append(speaker.events.get(timeout=10))
    ended = next(e for e in events if isinstance(e, SpeechEnded))
    fault = next(e for e in events if isinstance(e, SpeakerFault))
    assert ended.id == 1 and ended.interrupted
    assert "Audio output failed" in fault.message and fault.hint


@pytest.mark.slow
def test_soak_hundreds_of_prompts_back_to_back_each_finishing(speaker):
    """300 prompts in batches: the first few of each batch play out, then stop() drops the rest."""
    words = ["one", "two", "three", "Hold.", "Relax."]
    speaker.set_rate(2.0)
    speaker.prefetch(words)
    batches, size, played = 30, 10, 2
    next_id = 0
    ended: dict[int, SpeechEnded] = {}
    started: set[int] = set()

    def take(until: int) -> None:
        while len(ended) < until:
            event = speaker.events.get(timeout=30)
            assert not isinstance(event, SpeakerFault), event
            if isinstance(event, SpeechStarted):
                started.add(event.id)
            elif isinstance(event, SpeechEnded):
                assert event.id not in ended  # exactly one end per prompt
                ended[event.id] = event

    for _ in range(batches):
        first = next_id
        for i in range(size):
            speaker.speak(next_id, words[next_id % len(words)],
                          Cue.INHALE if i == 0 else None)
            next_id += 1
        take(first + played)  # the first prompts of the batch play to the end
        speaker.stop()
        take(first + size)
    n = batches * size
    assert sorted(ended) == list(range(n))
    full = [i for i in range(n) if not ended[i].interrupted]
    assert len(full) >= batches * played
    assert set(full) <= started
    times = [ended[i].t for i in full]
    assert times == sorted(times)
    assert speaker.idle()
