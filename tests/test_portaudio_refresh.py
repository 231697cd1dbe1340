"""Re-reading PortAudio's device list mid-session, with the real speaker on PulseAudio.

A device that appears after start-up is simulated the way ALSA sees one: a
new PCM in ``~/.asoundrc`` (routed to the room's monitor) is invisible to
PortAudio until it is re-initialized, exactly like a USB microphone plugged
back in.
"""

from __future__ import annotations

import threading

import pytest

from voicecoach.adapters import portaudio
from voicecoach.adapters.audio_source import MicrophoneSource
from voicecoach.adapters.phrase_cache import PhraseCache
from voicecoach.adapters.speaker import CoachSpeaker, SpeechEnded, SpeechStarted, open_speaker

pytestmark = pytest.mark.audio

USB_MIC = 'pcm.usbmic {\n  type pulse\n  device "room.monitor"\n}\nctl.usbmic { type pulse }\n'


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A HOME of our own, so ALSA reads the test's ~/.asoundrc."""
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    return folder


@pytest.fixture
def speaker(pulse_room, home, tmp_path):
    import sounddevice as sd

    sd._terminate()
    sd._initialize()
    with open_speaker("pulse", cache=PhraseCache(tmp_path / "cache"), warm=()) as sp:
        yield sp


def _ended(sp: CoachSpeaker, id: int, timeout: float = 30.0) -> SpeechEnded:
    while True:
        event = sp.events.get(timeout=timeout)
        if isinstance(event, SpeechEnded) and event.id == id:
            return event


def _names() -> list[str]:
    import sounddevice as sd

    return [d["name"] for d in sd.query_devices()]


def test_a_device_plugged_in_after_start_is_seen_after_a_refresh(speaker, home) -> None:
    speaker.speak(1, "One.")
    assert not _ended(speaker, 1).interrupted
    (home / ".asoundrc").write_text(USB_MIC, encoding="utf-8")
    assert "usbmic" not in _names()  # PortAudio still has the list it read at start

    assert portaudio.refresh()
    assert "usbmic" in _names()
    # The new device works as a microphone...
    mic = MicrophoneSource(device="usbmic")
    try:
        chunk = next(iter(mic.chunks()))
        assert len(chunk.samples) > 0
    finally:
        mic.close()
    # ...and the speaker, whose stream the refresh closed, opens again by itself.
    speaker.speak(2, "Two.")
    started = speaker.events.get(timeout=30)
    assert isinstance(started, SpeechStarted) and started.id == 2
    assert not _ended(speaker, 2).interrupted


def test_no_refresh_while_the_coach_is_talking(speaker) -> None:
    speaker.speak(1, "This sentence is long enough to be still playing when the refresh is asked.")
    assert isinstance(speaker.events.get(timeout=30), SpeechStarted)
    assert not portaudio.refresh()
    assert not _ended(speaker, 1).interrupted  # played to its end, untouched


def test_no_refresh_while_a_hung_close_is_inside_portaudio(speaker) -> None:
    release = threading.Event()
    stuck = threading.Thread(target=release.wait, daemon=True)
    stuck.start()
    portaudio.track(stuck)
    try:
        assert not portaudio.refresh()
    finally:
        release.set()
        stuck.join()
    assert portaudio.refresh()
