"""The PulseAudio fixture gives PortAudio real, routable devices."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.audio


def test_portaudio_plays_into_the_speaker_sink_and_hears_it_in_the_room(pulse_room):
    import sounddevice as sd

    sd._terminate()
    sd._initialize()
    names = [d["name"] for d in sd.query_devices()]
    assert "pulse" in names
    rate = 16000
    t = np.arange(int(rate * 1.0)) / rate
    tone = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    recorded = sd.playrec(
        np.concatenate([tone, np.zeros(rate // 2, np.float32)]),
        samplerate=rate, channels=1, device="pulse", blocking=True,
    )
    level = float(np.sqrt(np.mean(recorded[: len(tone) + rate // 2, 0] ** 2)))
    # The loopback carries the speaker into the room, so the microphone hears the tone.
    assert level > 0.02
