"""The coach's voice: the :class:`Speaker` interface and its pyttsx3 + PortAudio implementation.

The live loop calls :meth:`Speaker.speak` and never waits: rendering happens
on the speaker's own thread (usually a memory-cache hit), playback in the
audio callback. What really happened comes back as events, delivered from
one speaker thread, in order, and never before the moment they describe:
:class:`SpeechStarted` when the first sample reaches the DAC,
:class:`SpeechEnded` when the last one has (or the utterance was cut), and
:class:`SpeakerFault` when the device or engine fails. Every ``speak`` gets
exactly one ``SpeechEnded``; the live loop feeds it to the session's
``speech_done``.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from voicecoach.adapters import portaudio
from voicecoach.adapters.audio import Clip
from voicecoach.adapters.devices import NO_OUTPUT_HINT
from voicecoach.adapters.earcons import GAP, earcon
from voicecoach.adapters.phrase_cache import PhraseCache
from voicecoach.adapters.player import DEFAULT_LATENCY, Player, PlayEvent, PlayEventKind, Tap
from voicecoach.adapters.resample import resample
from voicecoach.adapters.synth import WARM_PHRASES, Synthesizer
from voicecoach.adapters.tts import DEFAULT_WPM, Pyttsx3Renderer, voice_for_language
from voicecoach.core.actions import Cue
from voicecoach.errors import EngineError, VoicecoachError

#: Bounds on the rate factor: slower than 0.5 or faster than 2 is unintelligible.
MIN_RATE, MAX_RATE = 0.5, 2.0


@dataclass(frozen=True, slots=True)
class SpeechStarted:
    """The first sample of utterance ``id`` reached the device."""

    id: int
    """The id passed to :meth:`Speaker.speak`."""
    t: float
    """When, in :func:`time.monotonic` seconds (DAC time)."""
    words_at: float | None = None
    """When the words begin (after the cue's sound), monotonic seconds, if known."""
    words_seconds: float | None = None
    """How long the words last as rendered, if known: the echo guard places each
    word in time from this rather than from a guessed speaking rate."""


@dataclass(frozen=True, slots=True)
class SpeechEnded:
    """Utterance ``id`` is over: played out, cut by ``stop()``, or failed."""

    id: int
    """The id passed to :meth:`Speaker.speak`."""
    t: float
    """When its last sample reached the device, :func:`time.monotonic` seconds."""
    interrupted: bool
    """True when it did not play to the end (stop, device or engine failure)."""


@dataclass(frozen=True, slots=True)
class SpeakerFault:
    """The output device or the speech engine failed; speech continues when it can."""

    message: str
    """What went wrong, in plain words."""
    hint: str | None
    """What the person can do about it."""
    t: float
    """When it was noticed, monotonic seconds."""


SpeakerEvent = SpeechStarted | SpeechEnded | SpeakerFault


class Speaker(Protocol):
    """What the live loop needs from the coach's voice. Every method returns at once."""

    def speak(self, id: int, text: str, cue: Cue | None = None) -> None:
        """Say ``text`` (after ``cue``'s sound) once everything before it has played."""
        ...

    def stop(self) -> None:
        """Fade out what plays within ~10 ms and drop everything queued."""
        ...

    def set_volume(self, level: float) -> None:
        """Linear gain in [0, 1], from the next audio block."""
        ...

    def set_rate(self, factor: float) -> None:
        """Speech rate as a multiple of the voice's normal rate, for later utterances."""
        ...

    def set_voice(self, voice: str | None = None, language: str | None = None) -> None:
        """Choose a voice by id, or the best voice for a language tag."""
        ...

    def prefetch(self, texts: Iterable[str]) -> None:
        """Render ``texts`` in the background so they start instantly later."""
        ...

    def close(self) -> None:
        """Stop, release the device and the engine."""
        ...


@dataclass(frozen=True, slots=True)
class VoiceSettings:
    """How the coach sounds."""

    voice: str | None = None
    """Engine voice id (``voicecoach say --voice``); None: from ``language`` or the default."""
    language: str | None = None
    """A routine's language tag; picks a matching voice when ``voice`` is None."""
    wpm: int = DEFAULT_WPM
    """Words per minute at rate 1.0."""
    rate: float = 1.0
    """Rate factor (SetRate)."""
    volume: float = 0.8
    """Linear output gain in [0, 1]."""
    earcons: bool = True
    """Play the inhale/exhale/hold sounds for cues."""


@dataclass(slots=True)
class _Job:
    id: int
    text: str
    cue: Cue | None
    epoch: int


class CoachSpeaker:
    """:class:`Speaker` over a :class:`Synthesizer` and a :class:`Player`.

    Takes ownership of both (``close`` closes them). Events go to
    ``on_event`` (called from the speaker's event thread) or, when it is
    None, into :attr:`events`. Opens the player if it is not open yet, so a
    missing device raises :class:`DeviceError` here, before any speech.
    """

    def __init__(self, synth: Synthesizer, player: Player, settings: VoiceSettings | None = None,
                 on_event: Callable[[SpeakerEvent], None] | None = None,
                 warm: Iterable[str] = WARM_PHRASES) -> None:
        self.synth = synth
        self.player = player
        self.settings = settings or VoiceSettings()
        self.events: queue.Queue[SpeakerEvent] = queue.Queue()
        self._on_event = on_event
        self._warm = tuple(warm)
        self._voice: str | None = None
        self._wpm = self.settings.wpm
        self._lock = threading.Lock()
        self._cv = threading.Condition(self._lock)
        self._jobs: deque[_Job] = deque()
        self._prefetch: deque[tuple[str, str | None, int, bool]] = deque()
        self._epoch = 0
        self._open: set[int] = set()
        self._closed = False
        self._earcons: dict[tuple[Cue, int], Clip] = {}
        # id -> (seconds of cue sound before the words, seconds of words), set by
        # the render thread before the clip is queued, read by the event thread.
        self._timing: dict[int, tuple[float, float]] = {}
        if not player.is_open:
            player.open()
        player.set_volume(self.settings.volume)
        self.set_voice(self.settings.voice, self.settings.language)
        self.set_rate(self.settings.rate)
        self._render_thread = threading.Thread(target=self._render_loop, daemon=True,
                                               name="voicecoach-speaker-render")
        self._event_thread = threading.Thread(target=self._event_loop, daemon=True,
                                              name="voicecoach-speaker-events")
        self._render_thread.start()
        self._event_thread.start()

    # -- Speaker -------------------------------------------------------------
    def speak(self, id: int, text: str, cue: Cue | None = None) -> None:
        with self._cv:
            if self._closed:
                raise VoicecoachError("The speaker is closed.")
            self._open.add(id)
            self._jobs.append(_Job(id, text or "", cue, self._epoch))
            self._cv.notify_all()

    def stop(self) -> None:
        with self._cv:
            self._epoch += 1
            dropped = list(self._jobs)
            self._jobs.clear()
            self.player.stop()
        now = time.monotonic()
        for job in dropped:
            self._end(job.id, now, interrupted=True)

    def set_volume(self, level: float) -> None:
        self.player.set_volume(level)

    def set_rate(self, factor: float) -> None:
        factor = min(MAX_RATE, max(MIN_RATE, float(factor)))
        self._wpm = max(60, round(self.settings.wpm * factor))
        self.prefetch(self._warm, pin=True)

    def set_voice(self, voice: str | None = None, language: str | None = None) -> None:
        """Validate ``voice`` against the engine; pick one for ``language`` if given."""
        if voice:
            ids = {v.id for v in self.synth.renderer.voices()}
            if voice not in ids:
                near = sorted(i for i in ids if voice.lower() in i)[:8]
                raise EngineError(f"No voice {voice!r} in the speech engine.",
                                  f"try one of: {', '.join(near) or 'see `espeak-ng --voices`'}")
            self._voice = voice
        elif language:
            self._voice = voice_for_language(language, self.synth.renderer.voices())
        else:
            self._voice = None
        self.prefetch(self._warm, pin=True)

    def prefetch(self, texts: Iterable[str], pin: bool = False) -> None:
        with self._cv:
            for text in texts:
                self._prefetch.append((text, self._voice, self._wpm, pin))
            self._cv.notify_all()

    def close(self) -> None:
        with self._cv:
            if self._closed:
                return
            self._closed = True
            self._cv.notify_all()
        self.stop()
        self._render_thread.join(timeout=10)
        deadline = time.monotonic() + 0.2
        while self.player.busy and self.player.health() is None and time.monotonic() < deadline:
            time.sleep(0.005)  # let the fade finish so closing does not click
        self.player.shutdown()
        with self._lock:
            leftover = list(self._open)
        for id in leftover:
            self._end(id, time.monotonic(), interrupted=True)
        self._event_thread.join(timeout=2)
        with contextlib.suppress(Exception):
            self.synth.renderer.close()

    def __enter__(self) -> CoachSpeaker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- introspection ---------------------------------------------------------
    @property
    def voice(self) -> str | None:
        """The engine voice in use (None: the engine default)."""
        return self._voice

    @property
    def wpm(self) -> int:
        """Words per minute in use."""
        return self._wpm

    @property
    def output_rate(self) -> int:
        """Sample rate of the device, and of the reference tap's blocks."""
        return self.player.rate

    def idle(self) -> bool:
        """Nothing queued, rendering or playing (prefetching may go on)."""
        with self._lock:
            return not self._open

    # -- render thread ---------------------------------------------------------
    def _render_loop(self) -> None:
        while True:
            with self._cv:
                while not self._jobs and not self._prefetch and not self._closed:
                    self._cv.wait()
                if self._closed:
                    return
                job = self._jobs.popleft() if self._jobs else None
                fetch = self._prefetch.popleft() if job is None else None
                voice, wpm = self._voice, self._wpm
            if job is not None:
                self._prepare(job, voice, wpm)
            elif fetch is not None:
                text, fvoice, fwpm, pin = fetch
                try:
                    self.synth.warm([text], fvoice, fwpm, pin=pin)
                except VoicecoachError:
                    continue  # speak() will report it if the text is ever said

    def _prepare(self, job: _Job, voice: str | None, wpm: int) -> None:
        try:
            speech = self.synth.clip(job.text, voice, wpm)
        except VoicecoachError as exc:
            self._fault(exc)
            self._end(job.id, time.monotonic(), interrupted=True)
            return
        # Open and queue under PortAudio's lock: a device refresh in between
        # would close the stream under a queued utterance that then never plays.
        with portaudio.lock:
            self._queue_on_device(job, speech)

    def _queue_on_device(self, job: _Job, speech: Clip | None) -> None:
        if not self.player.is_open:
            try:
                self.player.open()
            except VoicecoachError as exc:
                self._fault(exc)
                self._end(job.id, time.monotonic(), interrupted=True)
                return
        rate = self.player.rate
        parts: list[np.ndarray] = []
        if job.cue is not None and self.settings.earcons:
            parts.append(self._earcon(job.cue, rate).samples)
            if speech is not None:
                parts.append(np.zeros(round(GAP * rate), np.float32))
        if speech is not None:
            parts.append(resample(speech, rate).samples)
            lead = sum(len(p) for p in parts[:-1]) / rate
            self._timing[job.id] = (lead, len(parts[-1]) / rate)
        with self._cv:
            stale = job.epoch != self._epoch
            if not stale and parts:
                self.player.play(job.id, np.concatenate(parts) if len(parts) > 1 else parts[0])
        if stale:
            self._end(job.id, time.monotonic(), interrupted=True)
        elif not parts:  # nothing speakable and no cue: done at once
            now = time.monotonic()
            self._deliver(SpeechStarted(job.id, now))
            self._end(job.id, now, interrupted=False)

    def _earcon(self, cue: Cue, rate: int) -> Clip:
        key = (cue, rate)
        if key not in self._earcons:
            self._earcons[key] = earcon(cue, rate)
        return self._earcons[key]

    # -- event thread ----------------------------------------------------------
    def _event_loop(self) -> None:
        while True:
            try:
                event: PlayEvent | None = self.player.events.get(timeout=0.05)
            except queue.Empty:
                event = None
            if event is not None:
                wait = event.t - time.monotonic()
                if wait > 0:
                    time.sleep(min(wait, 0.5))  # deliver no earlier than it happens
                if event.kind is PlayEventKind.STARTED:
                    with self._lock:
                        known = event.id in self._open
                    if known:
                        lead, seconds = self._timing.pop(event.id, (None, None))
                        words_at = None if lead is None else event.t + lead
                        self._deliver(SpeechStarted(event.id, event.t, words_at, seconds))
                else:
                    self._end(event.id, event.t, event.interrupted)
                continue
            problem = self.player.health()
            if problem is not None and self.player.stream_open:
                now = time.monotonic()
                for id in self.player.abandon():
                    self._end(id, now, interrupted=True)
                self._deliver(SpeakerFault(f"Audio output failed: {problem}", NO_OUTPUT_HINT, now))
            with self._lock:
                if self._closed and not self._open and not self.player.stream_open:
                    return

    def _fault(self, exc: VoicecoachError) -> None:
        self._deliver(SpeakerFault(exc.message, exc.hint, time.monotonic()))

    def _end(self, id: int, t: float, interrupted: bool) -> None:
        self._timing.pop(id, None)  # cut before it started: no start event will take it
        with self._lock:
            if id not in self._open:
                return
            self._open.discard(id)
        self._deliver(SpeechEnded(id, t, interrupted))

    def _deliver(self, event: SpeakerEvent) -> None:
        if self._on_event is None:
            self.events.put(event)
            return
        with contextlib.suppress(Exception):
            self._on_event(event)


def open_speaker(device: str | int | None = None, settings: VoiceSettings | None = None,
                 on_event: Callable[[SpeakerEvent], None] | None = None,
                 tap: Tap | None = None, cache: PhraseCache | None = None,
                 warm: Iterable[str] = WARM_PHRASES,
                 latency: float | str = DEFAULT_LATENCY) -> CoachSpeaker:
    """The real speaker: pyttsx3 worker, phrase cache (memory + disk), PortAudio output.

    Raises :class:`DeviceError` (no output device) or :class:`EngineError`
    (no espeak-ng) before anything is spoken.
    """
    player = Player(device, tap=tap, latency=latency)
    player.open()
    renderer = Pyttsx3Renderer()
    try:
        renderer.start()
        synth = Synthesizer(renderer, cache if cache is not None else PhraseCache())
        return CoachSpeaker(synth, player, settings, on_event=on_event, warm=warm)
    except BaseException:
        renderer.close()
        player.shutdown()
        raise
