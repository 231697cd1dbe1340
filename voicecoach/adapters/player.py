"""Audio playback through one PortAudio output stream whose callback we own.

Why a callback and not ``sd.play``: the coach must fall silent mid-word. The
stream runs continuously (silence when idle, so a cue needs no device start),
and every block the callback decides what to play. ``stop()`` only bumps an
epoch counter; the next block fades the current utterance out over ~10 ms
(no click) and drops everything queued. Volume is applied per block with a
ramp from the previous gain. Start and end times are the DAC times PortAudio
reports for the exact samples, converted to :func:`time.monotonic` seconds.

The callback never allocates locks or blocks: handing items in is a
``deque.append`` (atomic in CPython) and events go out through a
``SimpleQueue``. Every output block, after volume, is also handed to an
optional *reference tap* with its DAC time, for echo cancellation.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np

from voicecoach.adapters import portaudio
from voicecoach.adapters.devices import NO_OUTPUT_HINT, resolve, sounddevice
from voicecoach.errors import DeviceError

#: Fade applied by stop(): long enough to avoid a click, short enough to feel instant.
FADE_SECONDS = 0.010
#: Output latency asked of PortAudio. 40 ms: with 20 ms the stream underran
#: 114-233 times a minute on a 2-core machine kept busy (three CPU-bound
#: processes and a recognizer thread), 3-4 with 40 ms, 1-2 with 60 ms; and on
#: PulseAudio each underrun can silence the stream for up to two seconds while
#: it restarts, so a line queued then sounded up to 1.9 s late. The live
#: session takes it from the config (``audio.output_latency``).
DEFAULT_LATENCY = 0.04
#: open() waits until the stream has asked for this much audio: some outputs
#: (PulseAudio null sinks, Bluetooth) stall for a second or two right after
#: start, and a cue spoken into that stall would start late.
PRIME_SECONDS = 0.06
#: ...and gives up after this long.
START_TIMEOUT = 4.0
#: No callback for this long while running means the device is gone. One second
#: was seen to pass without a callback on a loaded 2-core machine with a healthy
#: device, so the threshold leaves room for scheduling hiccups.
STALL_SECONDS = 2.5
#: A DAC time this long later than the sample count, block after block, is a gap
#: in the sound (an underrun), not a late callback.
GAP_CONFIRM_SECONDS = 0.04
#: A block this much later than the sample count is a gap at once: no burst of
#: late callbacks comes near it (65-70 ms were seen), and waiting to confirm a
#: stall this long stamps the first utterance after it seconds too early.
GAP_AT_ONCE_SECONDS = 0.25
#: A DAC time this much earlier or later than the sample count...
STEP_SECONDS = 0.02
#: ...block after block for this long is a step in the sound (samples the sound
#: server dropped, or a short underrun), not jitter: no burst of late callbacks
#: outlasts the output buffer.
STEP_CONFIRM_SECONDS = 0.25

Tap = Callable[[np.ndarray, float], None]
"""Reference tap: ``tap(block, dac_time)``; mono float32 at :attr:`Player.rate`. Must not block."""


class PlayEventKind(StrEnum):
    """What happened to a queued item."""

    STARTED = "started"
    ENDED = "ended"


@dataclass(frozen=True, slots=True)
class PlayEvent:
    """A playback fact from the audio callback."""

    kind: PlayEventKind
    """Started or ended."""
    id: int
    """The item's id, as given to :meth:`Player.play`."""
    t: float
    """When its first (started) or last (ended) sample reaches the DAC, monotonic seconds."""
    interrupted: bool = False
    """Ended by stop() or a device failure rather than by running out."""


class _Item:
    __slots__ = ("id", "samples", "epoch", "pos")

    def __init__(self, id: int, samples: np.ndarray, epoch: int) -> None:
        self.id = id
        self.samples = samples
        self.epoch = epoch
        self.pos = 0


class Player:
    """One output device, playing mono float32 items back to back.

    ``device`` is an index, part of a name, or None for the default;
    ``rate`` None uses the device's preferred rate (callers resample to
    :attr:`rate`). Events go to :attr:`events`.
    """

    def __init__(self, device: str | int | None = None, rate: int | None = None,
                 latency: float | str = DEFAULT_LATENCY, tap: Tap | None = None) -> None:
        self.device_spec = device
        self.requested_rate = rate
        self.latency = latency
        self.tap = tap
        self.events: queue.SimpleQueue[PlayEvent] = queue.SimpleQueue()
        self.rate = 0
        self.device_name = ""
        self._stream: Any = None
        self._pending: deque[_Item] = deque()
        self._cur: _Item | None = None
        self._epoch = 0
        self._seen_epoch = 0
        self._fade_left = 0
        self._fade_len = 1
        self._gain = 0.8
        self._target_gain = 0.8
        self._buf = np.zeros(0, np.float32)
        self._last_callback = 0.0
        self._failed: str | None = None
        self._closing = False
        self._frames = 0
        self._reset_clock()
        self.underflows = 0
        """Blocks PortAudio reported as late (glitches), for diagnostics."""
        self._unregister: Callable[[], None] | None = None

    # -- control (any thread) ------------------------------------------------
    def open(self) -> None:
        """Open and start the stream; raises :class:`DeviceError`."""
        with portaudio.lock:  # never while PortAudio restarts to re-read devices
            self._open()
        if self._unregister is None:
            self._unregister = portaudio.register(self.release)

    def _open(self) -> None:
        sd = sounddevice()
        info = resolve(self.device_spec, "output")
        rate = int(self.requested_rate or info.default_rate or 48000)
        channels = 1 if info.outputs >= 1 else 2
        last: Exception | None = None
        for ch in dict.fromkeys((channels, min(2, info.outputs))):
            try:
                stream = sd.OutputStream(
                    device=info.index, samplerate=rate, channels=ch, dtype="float32",
                    # blocksize 0 lets the host pick periods that fit the latency;
                    # fixed small blocks with ALSA's pulse plugin stall for seconds.
                    blocksize=0, latency=self.latency,
                    callback=self._callback, finished_callback=self._finished,
                )
                break
            except (sd.PortAudioError, ValueError) as exc:
                last = exc
        else:
            raise DeviceError(f"Could not open audio output {info.name!r}: {last}",
                              NO_OUTPUT_HINT)
        self.rate = rate
        self.device_name = info.name
        self._fade_len = max(1, round(FADE_SECONDS * rate))
        self._buf = np.zeros(rate, np.float32)
        self._failed = None
        self._closing = False
        self._last_callback = time.monotonic()
        self._frames = 0
        self._reset_clock()
        self._stream = stream
        try:
            stream.start()
        except sd.PortAudioError as exc:
            self._stream = None
            with contextlib.suppress(Exception):
                stream.close()
            raise DeviceError(f"Could not start audio output {info.name!r}: {exc}",
                              NO_OUTPUT_HINT) from None
        deadline = time.monotonic() + START_TIMEOUT
        while self._frames < PRIME_SECONDS * rate:
            if time.monotonic() > deadline or self._failed is not None:
                self.close()
                raise DeviceError(f"The audio output {info.name!r} does not play (no audio "
                                  "requested after start).", NO_OUTPUT_HINT)
            time.sleep(0.005)
        self._last_callback = time.monotonic()

    @property
    def is_open(self) -> bool:
        """Whether the stream is open and has not failed."""
        return self._stream is not None and self._failed is None

    @property
    def stream_open(self) -> bool:
        """Whether a stream exists (open, possibly failed, not yet closed)."""
        return self._stream is not None

    def play(self, id: int, samples: np.ndarray) -> None:
        """Queue mono float32 ``samples`` (at :attr:`rate`) after anything queued."""
        self._pending.append(_Item(id, np.ascontiguousarray(samples, np.float32), self._epoch))

    def stop(self) -> None:
        """Fade out what plays and drop what is queued, from the next block on."""
        self._epoch += 1

    def set_volume(self, level: float) -> None:
        """Linear gain in [0, 1], ramped in over the next block."""
        self._target_gain = float(min(1.0, max(0.0, level)))

    @property
    def busy(self) -> bool:
        """Whether anything is playing or queued."""
        return self._cur is not None or bool(self._pending)

    def health(self) -> str | None:
        """None while the device works; otherwise why it does not."""
        if self._failed is not None:
            return self._failed
        if self._stream is None:
            return None
        if time.monotonic() - self._last_callback > STALL_SECONDS:
            self._failed = "the audio output stopped responding (device unplugged?)"
            return self._failed
        with portaudio.lock:  # asks PortAudio: the stream must still exist
            stream = self._stream
            if stream is not None and not stream.active and not self._closing:
                self._failed = "the audio output stream stopped (device unplugged?)"
        return self._failed

    def release(self) -> bool:
        """Close the stream for a PortAudio refresh, unless something is playing.

        The next :meth:`open` (the speaker's next utterance) opens it again.
        """
        with portaudio.lock:
            if self.busy:
                return False
            return self.close()

    def abandon(self) -> list[int]:
        """After a failure: forget every item (returns their ids) and close the stream."""
        ids = [self._cur.id] if self._cur is not None else []
        self._cur = None
        while self._pending:
            ids.append(self._pending.popleft().id)
        self.close()
        return ids

    def close(self, timeout: float = 2.0) -> bool:
        """Stop the stream; a device that hangs on close is left behind after ``timeout``.

        Returns False when it was left behind.
        """
        with portaudio.lock:
            return self._close(timeout)

    def shutdown(self) -> None:
        """Close for good: also stop taking part in PortAudio refreshes."""
        if self._unregister is not None:
            self._unregister()
            self._unregister = None
        self.close()

    def _close(self, timeout: float) -> bool:
        stream, self._stream = self._stream, None
        if stream is None:
            return True
        self._closing = True

        def _close() -> None:
            with contextlib.suppress(Exception):
                stream.abort()
            with contextlib.suppress(Exception):
                stream.close()

        closer = threading.Thread(target=_close, daemon=True, name="voicecoach-close-output")
        closer.start()
        closer.join(timeout)
        if closer.is_alive():
            portaudio.track(closer)
            return False
        return True

    # -- the audio thread ----------------------------------------------------
    def _finished(self) -> None:
        if not self._closing and self._failed is None:
            self._failed = "the audio output stream ended (device unplugged?)"

    def _reset_clock(self) -> None:
        """A new stream: the DAC clock starts again from its first block."""
        self._anchor = 0.0
        self._played = 0
        self._step_frames = 0
        self._step_least = float("inf")
        self._step_sign = 0.0

    def _dac_clock(self, measured: float, frames: int) -> float:
        """A smooth DAC time for this block that steps where the sound did.

        PortAudio's per-block DAC times jitter by a millisecond or so (and on
        ALSA are not on the monotonic clock), which would make the echo
        reference's timeline ragged. So time is counted in samples from an
        anchor that follows the measurements slowly (0.5 % of the error per
        block) and steps only at a real discontinuity:

        * a gap (an underrun, a stall): every block for
          :data:`GAP_CONFIRM_SECONDS` measures more than 50 ms late; a block
          later than :data:`GAP_AT_ONCE_SECONDS` is a gap at once (the stream
          stalls that long when it starts, or when the interpreter is busy
          loading a model, and an utterance starting in the confirming blocks
          was stamped two seconds before it sounded);
        * a smaller step either way: every block for
          :data:`STEP_CONFIRM_SECONDS` measures more than :data:`STEP_SECONDS`
          late, or early. Early happens on PulseAudio: now and then the sound
          server plays 30-40 ms less of the stream than it was given, and the
          echo reached the microphone that much earlier from then on. Slewing
          towards it instead (as this did) took two seconds, during which the
          echo canceller's reference was misplaced; and a canceller that
          trusted the sample count missed it altogether, lost the echo a step
          at a time, and heard the coach's own words as commands.

        The step is the least error of the confirming blocks. One late
        callback, or a burst of them, is not a step: the sound went on without
        a break, and jumping on it moved the echo canceller's reference 65-70 ms
        away from the echo every few seconds of a live session.
        """
        predicted = self._anchor + self._played / self.rate
        error = measured - predicted
        if self._played == 0:
            self._anchor += error
        elif error > GAP_AT_ONCE_SECONDS:
            self._anchor += error
            self._step_frames, self._step_least = 0, float("inf")
        elif abs(error) > STEP_SECONDS:
            sign = 1.0 if error > 0 else -1.0
            if sign != self._step_sign:
                self._step_sign, self._step_frames, self._step_least = sign, 0, float("inf")
            self._step_frames += frames
            self._step_least = min(self._step_least, abs(error))
            gap = sign > 0 and self._step_least > 0.05
            confirm = GAP_CONFIRM_SECONDS if gap else STEP_CONFIRM_SECONDS
            if self._step_frames >= confirm * self.rate:
                self._anchor += sign * self._step_least
                self._step_frames, self._step_least = 0, float("inf")
        else:
            self._step_frames, self._step_least = 0, float("inf")
            self._anchor += 0.005 * error
        t = self._anchor + self._played / self.rate
        self._played += frames
        return t

    def _emit(self, kind: PlayEventKind, item: _Item, t: float, interrupted: bool = False) -> None:
        self.events.put(PlayEvent(kind, item.id, t, interrupted))

    def _callback(self, outdata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        now = time.monotonic()
        self._last_callback = now
        self._frames += frames
        if status and status.output_underflow:
            self.underflows += 1
        try:
            ahead = float(time_info.outputBufferDacTime) - float(time_info.currentTime)
        except (AttributeError, TypeError, ValueError):
            ahead = 0.0
        rate = self.rate
        dac = self._dac_clock(now + (ahead if 0.0 <= ahead < 2.0 else 0.0), frames)
        if len(self._buf) < frames:
            self._buf = np.zeros(frames, np.float32)
        buf = self._buf[:frames]
        buf.fill(0.0)

        epoch = self._epoch
        if epoch != self._seen_epoch:
            self._seen_epoch = epoch
            if self._cur is not None and self._cur.epoch < epoch and self._fade_left == 0:
                self._fade_left = self._fade_len
            while self._pending and self._pending[0].epoch < epoch:
                self._emit(PlayEventKind.ENDED, self._pending.popleft(), dac, interrupted=True)

        pos = 0
        while pos < frames:
            cur = self._cur
            if cur is None:
                if not self._pending:
                    break
                cur = self._pending.popleft()
                if cur.epoch < self._seen_epoch:
                    self._emit(PlayEventKind.ENDED, cur, dac + pos / rate, interrupted=True)
                    continue
                self._cur = cur
                self._emit(PlayEventKind.STARTED, cur, dac + pos / rate)
            n = min(frames - pos, len(cur.samples) - cur.pos)
            if self._fade_left:
                n = min(n, self._fade_left)
                done = self._fade_len - self._fade_left
                ramp = 0.5 + 0.5 * np.cos(np.pi * (np.arange(done, done + n) / self._fade_len))
                buf[pos : pos + n] = cur.samples[cur.pos : cur.pos + n] * ramp
                self._fade_left -= n
                cur.pos += n
                pos += n
                if self._fade_left == 0 or cur.pos >= len(cur.samples):
                    self._fade_left = 0
                    self._cur = None
                    self._emit(PlayEventKind.ENDED, cur, dac + pos / rate, interrupted=True)
                continue
            buf[pos : pos + n] = cur.samples[cur.pos : cur.pos + n]
            cur.pos += n
            pos += n
            if cur.pos >= len(cur.samples):
                self._cur = None
                self._emit(PlayEventKind.ENDED, cur, dac + pos / rate)

        target = self._target_gain
        if target != self._gain:
            buf *= np.linspace(self._gain, target, frames, dtype=np.float32)
            self._gain = target
        else:
            buf *= target
        outdata[:] = buf[:, None]
        tap = self.tap
        if tap is not None:
            with contextlib.suppress(Exception):
                tap(buf.copy(), dac)
