"""Speech input on real devices and over long runs: the microphone, and memory over time."""

from __future__ import annotations

import time

import numpy as np
import pytest

from benchmarks.speech_corpus import CONVERSATION_EN, Voice, place, say, write_wav
from benchmarks.speech_input import rss_mb
from tests.pulse import pulse_room  # noqa: F401 - fixture
from voicecoach.adapters.audio_source import MicrophoneSource
from voicecoach.adapters.sphinx_engine import SphinxRecognizer
from voicecoach.core.intents import Intent
from voicecoach.core.phrases import phrase_table

EN = phrase_table("en")
PIPER = Voice("piper", "joe", 1.0)


@pytest.mark.audio
def test_microphone_hears_a_command_played_into_the_room(pulse_room, tmp_path):  # noqa: F811
    """paplay says "stop" into the room sink; the microphone (room.monitor) hears it."""
    import sounddevice as sd

    sd._terminate()
    sd._initialize()
    audio, _ = place([("stop", say("stop", PIPER))], gap=1.0, lead=0.5)
    wav = write_wav(tmp_path / "stop.wav", audio)
    rec = SphinxRecognizer(EN)
    mic = MicrophoneSource(rec.sample_rate, device="pulse")
    mic.open()
    player = pulse_room.play_into_room(wav)
    heard = []
    audio_seconds = 0.0
    try:
        for chunk in mic.chunks():
            heard += rec.accept(chunk.samples, chunk.time)
            audio_seconds = chunk.time
            # Audio time, not the wall clock, bounds the test: 8 s of microphone audio.
            if heard or audio_seconds > 8.0:
                break
    finally:
        mic.close()
        player.wait(timeout=20)
    assert [c.intent for c in heard] == [Intent.STOP]
    assert mic.overflows == 0


@pytest.mark.slow
def test_memory_stays_flat_over_minutes_of_audio():
    """Four minutes of commands and conversation; RSS after the first must not grow.

    The hour-long run is ``python -m benchmarks.speech_input --soak 60 --engines sphinx``.
    """
    texts = ["stop", "next", "it hurts", "pause", *CONVERSATION_EN[:6]]
    loop, _ = place([(t, say(t, PIPER)) for t in texts], gap=0.8)
    rec = SphinxRecognizer(EN)
    step = 800
    total = 4 * 60 * 16000
    fired = 0
    warm = None
    t0 = time.process_time()
    for i in range(0, total, step):
        j = i % (len(loop) - step)
        fired += len(rec.accept(loop[j : j + step], i / 16000))
        if warm is None and i >= 60 * 16000:
            warm = rss_mb()
    grown = rss_mb() - warm
    assert fired > 0
    cpu = time.process_time() - t0
    assert grown < 4.0, f"RSS grew {grown:.1f} MB after warm-up (CPU {cpu:.0f} s)"


def test_silence_and_noise_alone_give_no_command():
    rec = SphinxRecognizer(EN)
    rng = np.random.default_rng(1)
    quiet = (rng.standard_normal(16000 * 20) * 30).astype(np.int16)
    fired = [c for i in range(0, len(quiet), 800)
             for c in rec.accept(quiet[i : i + 800], i / 16000)]
    assert fired == []
