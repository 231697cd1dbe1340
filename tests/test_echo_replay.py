"""A live session's echo path, recorded and replayed offline bit for bit.

``VOICECOACH_ECHO_RECORD`` makes :class:`EchoPath` keep every block it saw;
``benchmarks.echo_replay`` feeds them to a fresh canceller in the same order.
Iterating on the canceller against a recording of a real PulseAudio session
is how the clock drift and stamp jumps were found (see the README).
"""

from __future__ import annotations

import numpy as np
import soxr

from benchmarks.echo_replay import replay
from voicecoach.adapters.reference import ReferenceRing
from voicecoach.runtime.echo import RECORD_ENV, EchoPath
from voicecoach.testing.room import COACH_COMMAND_WORD_LINES, Room, coach_voice, make_scene

RATE = 16000


def test_a_recorded_session_replays_to_the_same_cleaned_audio(tmp_path, monkeypatch) -> None:
    path = tmp_path / "echo.npz"
    monkeypatch.setenv(RECORD_ENV, str(path))
    coach = np.concatenate([coach_voice(t) for t in COACH_COMMAND_WORD_LINES[:2]])
    scene = make_scene(coach, room=Room(delay_ms=30, rt60_s=0.3, seed=3))
    ref = soxr.resample(scene.reference, RATE, 22050).astype(np.float32)
    ring = ReferenceRing()
    echo = EchoPath(ring, 22050, RATE)
    cleaned, played = [], 0
    for i in range(0, len(scene.mic) - 800, 800):
        while played < (i + 1600) * 22050 // RATE:  # the speaker runs ahead, in its own blocks
            ring(ref[played : played + 441], 50.0 + played / 22050)
            played += 441
        mic = (scene.mic[i : i + 800] * 32767).astype(np.int16)
        cleaned.append(echo.clean(mic, 50.0 + i / RATE + (0.03 if i % 8000 == 0 else 0.0)))
    echo.close()

    again = replay(path)
    assert again.identical is True
    assert np.array_equal(again.out, np.concatenate(cleaned))
    assert len(again.erle_db) >= 3
