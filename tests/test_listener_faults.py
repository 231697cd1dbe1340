"""The hearing thread survives what microphones really do, on real PortAudio streams.

Each test runs a :class:`Listener` with the real PocketSphinx recognizer on a
real input stream from a private PulseAudio server, breaks the microphone in
one of PortAudio's known ways, and checks that the loop's inbox hears about it
and that a command spoken afterwards is still recognized.
"""

from __future__ import annotations

import os
import queue
import signal
import time

import pytest

from tests.live_harness import person_wav
from tests.pulse import HAVE_PULSE, PulseRoom
from voicecoach.adapters.audio_source import MicrophoneSource
from voicecoach.adapters.recognizers import open_recognizer
from voicecoach.core.intents import Intent
from voicecoach.runtime.inbox import Heard, MicStatus
from voicecoach.runtime.listener import Listener

pytestmark = [
    pytest.mark.audio,
    pytest.mark.slow,
    pytest.mark.skipif(not HAVE_PULSE, reason="PulseAudio is not installed"),
]


@pytest.fixture
def room():
    import sounddevice as sd

    with PulseRoom(loopback=False) as r:
        sd._terminate()
        sd._initialize()
        yield r
    sd._terminate()
    sd._initialize()


def next_item(inbox, kind, timeout=20.0, **fields):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            item = inbox.get(timeout=0.2)
        except queue.Empty:
            continue
        if isinstance(item, kind) and all(getattr(item, k) == v for k, v in fields.items()):
            return item
    raise AssertionError(f"no {kind.__name__} {fields} within {timeout}s")


def hears_ready(room, inbox, tmp_path):
    room.play_into_room(person_wav(tmp_path, "I'm ready")).wait(timeout=20)
    heard = next_item(inbox, Heard, timeout=10)
    assert heard.command.intent is Intent.READY


def make_listener(inbox, open_source):
    return Listener(open_source, lambda: open_recognizer("sphinx", "en"), inbox)


def wait_chunks(listener, n, timeout=10.0):
    end = time.monotonic() + timeout
    while listener.chunks < n and time.monotonic() < end:
        time.sleep(0.05)
    assert listener.chunks >= n, "no audio from the microphone"


class FailingOnceMic(MicrophoneSource):
    """A microphone whose callback raises once, as a buggy driver or handler would."""

    failed = False

    def _deliver(self, samples, position, adc):
        if not FailingOnceMic.failed and position > self.device_rate:
            FailingOnceMic.failed = True
            raise RuntimeError("injected fault in the audio callback")
        super()._deliver(samples, position, adc)


def test_an_exception_in_the_audio_callback_reaches_the_loop_and_the_stream_restarts(
    room, tmp_path
):
    inbox: queue.Queue = queue.Queue()
    listener = make_listener(inbox, FailingOnceMic)
    listener.start()
    try:
        lost = next_item(inbox, MicStatus, ok=False)
        assert "injected fault" in lost.detail
        next_item(inbox, MicStatus, ok=True)
        hears_ready(room, inbox, tmp_path)
    finally:
        listener.close()


def test_a_stalled_stream_is_noticed_and_hearing_resumes(room, tmp_path):
    inbox: queue.Queue = queue.Queue()
    listener = make_listener(inbox, MicrophoneSource)
    listener.start()
    try:
        wait_chunks(listener, 10)
        # Freeze the sound server: callbacks stop coming, as with a hung USB device.
        os.kill(room.proc.pid, signal.SIGSTOP)
        try:
            next_item(inbox, MicStatus, ok=False, timeout=10)
        finally:
            os.kill(room.proc.pid, signal.SIGCONT)
        next_item(inbox, MicStatus, ok=True, timeout=20)
        hears_ready(room, inbox, tmp_path)
    finally:
        listener.close()


def test_overflows_are_counted_and_recognition_carries_on(room, tmp_path):
    inbox: queue.Queue = queue.Queue()

    class SlowOnce:
        """The real recognizer, stalled once for a second (a busy CPU)."""

        def __init__(self):
            self.inner = open_recognizer("sphinx", "en")
            self.info = self.inner.info
            self.sample_rate = self.inner.sample_rate
            self.calls = 0

        def accept(self, chunk, t):
            self.calls += 1
            if self.calls == 20:
                time.sleep(1.0)
            return self.inner.accept(chunk, t)

        def reset(self):
            self.inner.reset()

    sources = []

    def source():
        sources.append(MicrophoneSource(max_queued_seconds=0.2))
        return sources[-1]

    listener = Listener(source, SlowOnce, inbox)
    listener.start()
    try:
        wait_chunks(listener, 40)
        assert sources[-1].overflows > 0
        hears_ready(room, inbox, tmp_path)
    finally:
        listener.close()


class OnlyNativeRate(MicrophoneSource):
    """A microphone that refuses every rate but its own (44.1 kHz here), like many USB ones."""

    def _start(self, sd, rate):
        native = int(sd.query_devices(self.device, "input")["default_samplerate"])
        if rate != native:
            raise sd.PortAudioError(f"Invalid sample rate {rate}")
        return super()._start(sd, rate)


def test_a_microphone_that_only_does_44k_or_48k_is_resampled_and_understood(room, tmp_path):
    import sounddevice as sd

    native = int(sd.query_devices(None, "input")["default_samplerate"])
    assert native in (44100, 48000)
    inbox: queue.Queue = queue.Queue()
    made = []

    def source():
        made.append(OnlyNativeRate())
        return made[-1]

    listener = make_listener(inbox, source)
    listener.start()
    try:
        wait_chunks(listener, 10)
        assert made[-1].device_rate == native and made[-1].sample_rate == 16000
        hears_ready(room, inbox, tmp_path)
    finally:
        listener.close()
