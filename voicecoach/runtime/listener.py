"""The hearing thread: microphone -> recognizer -> commands into the loop's inbox.

The recognizer belongs to this one thread (Vosk crashes when a recognizer is
used from two). The microphone's PortAudio callback only copies blocks into a
queue (see :class:`~voicecoach.adapters.audio_source.MicrophoneSource`); this
thread does the work and hands finished :class:`Command` values to the loop.

It also watches the microphone. When no audio arrives for
:data:`STALL_SECONDS` (unplugged USB microphones may raise, spew errors or
simply stop calling back), it tells the loop, closes the stream and keeps
trying to open it again; when audio flows again it says so. A recognizer error
is reported the same way and the recognizer is reset, so hearing carries on.
While the microphone is lost it also has PortAudio re-read its device list
every few seconds (:mod:`voicecoach.adapters.portaudio`): a USB microphone
plugged back in is invisible to PortAudio until then.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import replace

from voicecoach.adapters import portaudio
from voicecoach.adapters.audio_source import AudioChunk, MicrophoneSource
from voicecoach.adapters.recognizer import Recognizer
from voicecoach.errors import VoicecoachError
from voicecoach.runtime.echo import EchoPath
from voicecoach.runtime.inbox import Heard, InboxItem, MicStatus

log = logging.getLogger(__name__)

#: No audio for this long means the microphone is gone (blocks come every 20 ms).
STALL_SECONDS = 1.5
#: A freshly opened stream may take a while to deliver its first block (PulseAudio
#: null sinks and Bluetooth stall about 1.5 s at start), so the first block gets longer.
START_GRACE_SECONDS = 5.0
#: How often to try opening a lost microphone again.
RETRY_SECONDS = 1.0
#: While the microphone is lost, PortAudio re-reads the device list at most this
#: often (a replugged USB microphone is invisible to it until then).
REFRESH_SECONDS = 5.0

MIC_LOST = "I can't hear the microphone. You can carry on with the keyboard."
MIC_BACK = "I can hear you again."


class Listener:
    """Runs a microphone and a recognizer on a thread of their own."""

    def __init__(
        self,
        open_source: Callable[[], MicrophoneSource],
        open_recognizer: Callable[[], Recognizer],
        inbox: queue.Queue[InboxItem],
        engine_name: str = "",
        open_echo: Callable[[], EchoPath] | None = None,
        refresh_devices: Callable[[], bool] | None = None,
    ) -> None:
        self._open_source = open_source
        self._open_recognizer = open_recognizer
        self._inbox = inbox
        self.engine_name = engine_name
        self.description = ""
        self._open_echo = open_echo
        self._echo: EchoPath | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="voicecoach-listener", daemon=True)
        self._source: MicrophoneSource | None = None
        self.chunks = 0
        self.last_error = ""
        self.echo_problem = ""
        self.errors = 0
        self.refreshes = 0
        """Times PortAudio re-read the device list while the microphone was lost."""
        self._refresh_devices = refresh_devices or portaudio.refresh
        self.ready = threading.Event()
        self.failure: BaseException | None = None

    def start(self) -> None:
        """Start hearing; returns once the recognizer is loaded (or failed)."""
        self._thread.start()
        self.ready.wait()
        if self.failure is not None:
            raise self.failure

    @property
    def overflows(self) -> int:
        """Input blocks lost so far on the current microphone stream."""
        return self._source.overflows if self._source is not None else 0

    def _run(self) -> None:
        try:
            recognizer = self._open_recognizer()
        except BaseException as exc:  # noqa: BLE001 - handed to start() on the main thread
            self.failure = exc
            self.ready.set()
            return
        if self._open_echo is not None:
            try:
                self._echo = self._open_echo()
            except VoicecoachError as exc:  # no libspeexdsp: the echo guard still works
                log.warning("echo cancellation unavailable: %s", exc)
                self.echo_problem = exc.message
        info = getattr(recognizer, "info", None)
        if info is not None:
            self.engine_name = self.engine_name or info.engine
            self.description = info.describe()
        self.ready.set()
        lost = False
        refreshed = time.monotonic()
        while not self._stop.is_set():
            if lost and time.monotonic() - refreshed >= REFRESH_SECONDS:
                # Only this thread opens microphone streams, so none is half-open now.
                refreshed = time.monotonic()
                if self._refresh_devices():
                    self.refreshes += 1
                    self._inbox.put(MicStatus(False, "", "audio devices re-read"))
            try:
                source = self._open_source()
                source.open()
            except VoicecoachError as exc:
                if not lost:
                    lost = True
                    refreshed = time.monotonic()
                    log.warning("microphone unavailable: %s", exc)
                    self._inbox.put(MicStatus(False, MIC_LOST, exc.message))
                self._stop.wait(RETRY_SECONDS)
                continue
            self._source = source
            got_audio = self._pump(source, recognizer, announce_back=lost)
            if got_audio:
                lost = False
            if not lost and not self._stop.is_set():
                lost = True
                refreshed = time.monotonic()
                self._inbox.put(MicStatus(False, MIC_LOST, self.last_error or "no audio"))
            _close_in_background(source)
            self._source = None
            if self._stop.is_set():
                break
            recognizer.reset()
            self._stop.wait(RETRY_SECONDS)

    def _pump(self, source: MicrophoneSource, recognizer: Recognizer, announce_back: bool) -> bool:
        """Feed chunks until the stream stalls or we are stopped; True if any audio came."""
        # A small hand-over queue: the source's own bounded queue decides how
        # much audio may wait (and counts what it drops), so latency stays bounded
        # when recognition falls behind. The reader thread exists only so a
        # stream that stops calling back can be noticed (chunks() would block).
        chunks: queue.Queue[AudioChunk | Exception | None] = queue.Queue(maxsize=2)

        def reader() -> None:
            try:
                for chunk in source.chunks():
                    chunks.put(chunk)
            except Exception as exc:  # noqa: BLE001 - a device error ends this stream only
                chunks.put(exc)
            chunks.put(None)

        threading.Thread(target=reader, name="voicecoach-mic-reader", daemon=True).start()
        got = False
        while not self._stop.is_set():
            try:
                chunk = chunks.get(timeout=STALL_SECONDS if got else START_GRACE_SECONDS)
            except queue.Empty:
                return got
            if chunk is None:
                return got
            if isinstance(chunk, Exception):
                log.warning("microphone stream failed: %s", chunk)
                self.last_error = getattr(chunk, "message", str(chunk))
                continue
            if not got:
                got = True
                self.last_error = ""
                if announce_back:
                    self._inbox.put(MicStatus(True, MIC_BACK))
            self.chunks += 1
            adc = chunk.adc if chunk.adc is not None else time.monotonic()
            samples = chunk.samples
            if self._echo is not None:
                samples = self._echo.clean(samples, adc)
            try:
                commands = recognizer.accept(samples, chunk.time)
            except Exception as exc:  # noqa: BLE001 - a recognizer hiccup must not end hearing
                self.errors += 1
                log.error("recognizer error: %s", exc)
                recognizer.reset()
                continue
            for cmd in commands:
                at = adc + (cmd.time - chunk.time)
                if cmd.said_until is not None:  # to the monotonic clock, like ``at``
                    cmd = replace(cmd, said_until=adc + (cmd.said_until - chunk.time))
                said = cmd.said_until if cmd.said_until is not None else at
                evidence = self._echo.evidence(said) if self._echo is not None else None
                self._inbox.put(Heard(cmd, self.engine_name, at, evidence))
        return got

    def close(self) -> None:
        """Stop hearing and release the microphone."""
        self._stop.set()
        source = self._source
        if source is not None:
            source.close()
        self._thread.join(timeout=3)
        if self._echo is not None and not self._thread.is_alive():
            self._echo.close()


def _close_in_background(source: MicrophoneSource, timeout: float = 2.0) -> None:
    """Close a stream that may hang (a frozen sound server, a vanished USB device).

    Stopping a PortAudio stream waits on the device; when the device is the
    thing that failed, that wait can last forever. Give it ``timeout`` and move
    on: a stream left behind is better than a coach that stops listening.
    """
    closer = threading.Thread(target=source.close, name="voicecoach-mic-close", daemon=True)
    closer.start()
    closer.join(timeout)
    if closer.is_alive():
        log.warning("the microphone stream did not close within %.0f s; left behind", timeout)
        portaudio.track(closer)  # no device refresh while it is inside PortAudio
