"""Where recognizer audio comes from: a microphone or a WAV file, behind one interface.

Everything above a source (recognizers, ``voicecoach listen``, the live loop)
sees the same thing: int16 mono chunks at the source's stated rate, each
stamped with its audio time (seconds since the source started, counted in
samples, never read from a wall clock). So a file runs exactly like a
microphone, only as fast as the CPU allows.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from voicecoach.errors import DeviceError, VoicecoachError

__all__ = [
    "DEFAULT_CHUNK_SECONDS",
    "DEFAULT_SAMPLE_RATE",
    "AudioChunk",
    "AudioSource",
    "MicrophoneSource",
    "WavFileSource",
    "read_wav",
    "to_mono_int16",
]

#: Recognizers in this project run at 16 kHz (both Vosk's and PocketSphinx's models).
log = logging.getLogger(__name__)

DEFAULT_SAMPLE_RATE = 16000
#: 50 ms: small enough to act quickly, large enough to keep per-call overhead low.
DEFAULT_CHUNK_SECONDS = 0.05


@dataclass(frozen=True, slots=True)
class AudioChunk:
    """A piece of mono int16 audio and when it started."""

    samples: np.ndarray
    """1-D int16 samples at the source's ``sample_rate``."""
    time: float
    """Audio time, in seconds since the source started, of the first sample."""
    adc: float | None = None
    """When the first sample was captured, :func:`time.monotonic` seconds (microphones
    only): the clock the speaker's DAC times use, so echo can be lined up."""


@runtime_checkable
class AudioSource(Protocol):
    """Yields :class:`AudioChunk` values at a fixed, stated rate."""

    sample_rate: int
    """Samples per second of every chunk."""

    def chunks(self) -> Iterator[AudioChunk]:
        """Chunks in order until the source ends (a file) or is closed (a microphone)."""
        ...

    def close(self) -> None:
        """Release the file or device; ``chunks()`` then ends."""
        ...


def to_mono_int16(data: np.ndarray, rate: int, target_rate: int) -> np.ndarray:
    """Mix ``data`` (frames x channels, or 1-D; int or float) to mono int16 at ``target_rate``.

    Float input is taken as [-1, 1]; integer input is scaled by its type's range.
    """
    import soxr

    x = np.asarray(data)
    if np.issubdtype(x.dtype, np.integer):
        info = np.iinfo(x.dtype)
        half = (int(info.max) - int(info.min) + 1) / 2
        f = (x.astype(np.float64) - (int(info.min) + half)) / half
    else:
        f = x.astype(np.float64)
    if f.ndim == 2:
        f = f.mean(axis=1)
    if rate != target_rate:
        f = soxr.resample(f.astype(np.float32), rate, target_rate, quality="HQ")
    return np.clip(np.rint(f * 32768.0), -32768, 32767).astype(np.int16)


def read_wav(path: Path | str, target_rate: int = DEFAULT_SAMPLE_RATE) -> np.ndarray:
    """Read a PCM WAV file as mono int16 at ``target_rate``, or refuse it clearly.

    Accepts 8/16/24/32-bit integer PCM at any rate and channel count. Anything
    else (compressed or float WAVs, not a WAV at all) raises
    :class:`VoicecoachError` saying what was found and how to convert it.
    """
    path = Path(path)
    fix = f"convert it first, e.g. `sox {path.name} -r 16000 -c 1 -b 16 out.wav`"
    try:
        with wave.open(str(path), "rb") as w:
            channels, width, rate = w.getnchannels(), w.getsampwidth(), w.getframerate()
            raw = w.readframes(w.getnframes())
    except FileNotFoundError:
        raise VoicecoachError(f"{path}: no such file") from None
    except (wave.Error, EOFError) as exc:
        raise VoicecoachError(
            f"{path}: not a PCM WAV file this tool can read ({exc})", fix
        ) from None
    if channels < 1 or rate < 4000 or rate > 384000:
        raise VoicecoachError(f"{path}: implausible WAV header ({channels} ch, {rate} Hz)", fix)
    data: np.ndarray
    if width == 1:
        data = np.frombuffer(raw, np.uint8)
    elif width == 2:
        data = np.frombuffer(raw, "<i2")
    elif width == 3:
        b = np.frombuffer(raw, np.uint8).reshape(-1, 3)
        data = (b[:, 0].astype(np.int32) << 8 | b[:, 1].astype(np.int32) << 16
                | b[:, 2].astype(np.int8).astype(np.int32) << 24)
    elif width == 4:
        data = np.frombuffer(raw, "<i4")
    else:
        raise VoicecoachError(f"{path}: {8 * width}-bit samples are not supported", fix)
    usable = len(data) - len(data) % channels
    frames = data[:usable].reshape(-1, channels)
    return to_mono_int16(frames, rate, target_rate)


class WavFileSource:
    """A WAV file as an :class:`AudioSource`, converted to mono int16 at ``sample_rate``."""

    def __init__(
        self,
        path: Path | str,
        sample_rate: int = DEFAULT_SAMPLE_RATE,
        chunk_seconds: float = DEFAULT_CHUNK_SECONDS,
    ) -> None:
        self.path = Path(path)
        self.sample_rate = sample_rate
        self._chunk = max(1, round(chunk_seconds * sample_rate))
        self._samples = read_wav(self.path, sample_rate)
        self._closed = False

    @property
    def duration(self) -> float:
        """Length of the converted audio, in seconds."""
        return len(self._samples) / self.sample_rate

    def chunks(self) -> Iterator[AudioChunk]:
        for start in range(0, len(self._samples), self._chunk):
            if self._closed:
                return
            yield AudioChunk(self._samples[start : start + self._chunk], start / self.sample_rate)

    def close(self) -> None:
        self._closed = True


class MicrophoneSource:
    """The default (or a chosen) input device as an :class:`AudioSource`.

    The PortAudio callback only copies the block into a bounded queue: no
    decoding, no allocation beyond the copy, no locks held. When the consumer
    falls behind, blocks are dropped and counted in :attr:`overflows` rather
    than letting latency grow without bound; PortAudio's own input overflows
    are counted there too. Audio time advances by the samples delivered, and
    dropped blocks still advance it, so command times stay on the real timeline.

    Many USB microphones only do 44.1 or 48 kHz. When the device refuses
    :attr:`sample_rate`, the stream opens at the device's own rate and the
    consumer side (never the callback) converts with a streaming soxr
    resampler, so callers always get :attr:`sample_rate`.

    PortAudio only prints an exception raised inside a callback and carries
    on without input. Here the callback catches anything it raises, aborts
    the stream and hands the error to :meth:`chunks`, which raises it as a
    :class:`DeviceError` so the consumer can report it and reopen.
    """

    def __init__(
        self,
        sample_rate: int = DEFAULT_SAMPLE_RATE,
        chunk_seconds: float = DEFAULT_CHUNK_SECONDS,
        device: int | str | None = None,
        max_queued_seconds: float = 2.0,
    ) -> None:
        self.sample_rate = sample_rate
        self.device = device
        self.device_rate = sample_rate
        """The rate the device actually runs at (differs when it refused ours)."""
        self._chunk_seconds = chunk_seconds
        self._queue: queue.Queue[tuple[np.ndarray, int, float] | None] = queue.Queue(
            maxsize=max(2, round(max_queued_seconds / chunk_seconds))
        )
        self._stream: Any = None
        self._position = 0  # samples delivered by PortAudio, touched only by the callback
        self._lock = threading.Lock()
        self._fault: BaseException | None = None
        self.overflows = 0
        """Blocks lost: PortAudio input overflows plus blocks dropped on a full queue."""

    def _callback(self, indata: np.ndarray, frames: int, stream_time: Any, status: Any) -> None:
        try:
            position = self._position
            self._position += frames
            if status and status.input_overflow:
                self.overflows += 1
            # PortAudio's stream clock is not time.monotonic(); carry over only the
            # capture lag it reports (when it reports a sane one).
            lag = stream_time.currentTime - stream_time.inputBufferAdcTime
            if not 0.0 <= lag < 1.0:
                lag = frames / self.device_rate
            self._deliver(indata[:, 0].copy(), position, time.monotonic() - lag)
        except Exception as exc:  # noqa: BLE001 - PortAudio would only print it
            import sounddevice as sd

            self._fault = exc
            self._wake()
            raise sd.CallbackAbort from exc

    def _deliver(self, samples: np.ndarray, position: int, adc: float) -> None:
        try:
            self._queue.put_nowait((samples, position, adc))
        except queue.Full:
            self.overflows += 1

    def _wake(self) -> None:
        try:
            self._queue.put_nowait(None)
        except queue.Full:
            self._queue.get_nowait()
            self._queue.put_nowait(None)

    def open(self) -> None:
        """Open the device (done by :meth:`chunks` if needed); raises :class:`DeviceError`."""
        import sounddevice as sd

        with self._lock:
            if self._stream is not None:
                return
            try:
                try:
                    self._stream = self._start(sd, self.sample_rate)
                except sd.PortAudioError as exc:
                    native = _native_rate(sd, self.device)
                    if native is None or native == self.sample_rate:
                        raise
                    log.info("microphone refused %d Hz (%s); using %d Hz", self.sample_rate,
                             exc, native)
                    self._stream = self._start(sd, native)
            except (sd.PortAudioError, ValueError) as exc:
                self._stream = None
                raise DeviceError(
                    f"cannot open the microphone ({exc})",
                    "check `voicecoach devices`, plug a microphone in, or pass a WAV file",
                ) from None

    def _start(self, sd: Any, rate: int) -> Any:
        stream = sd.InputStream(
            samplerate=rate,
            blocksize=max(1, round(self._chunk_seconds * rate)),
            device=self.device,
            channels=1,
            dtype="int16",
            callback=self._callback,
        )
        stream.start()
        self.device_rate = rate
        return stream

    def chunks(self) -> Iterator[AudioChunk]:
        self.open()
        resampler = None
        if self.device_rate != self.sample_rate:
            import soxr

            resampler = soxr.ResampleStream(self.device_rate, self.sample_rate, 1, dtype="int16")
        while True:
            item = self._queue.get()
            if item is None:
                if self._fault is not None:
                    fault, self._fault = self._fault, None
                    raise DeviceError(
                        f"the microphone stream failed ({type(fault).__name__}: {fault})",
                        "it is reopened automatically; check the microphone if this repeats",
                    )
                return
            samples, position, adc = item
            if resampler is not None:
                samples = resampler.resample_chunk(samples)
            yield AudioChunk(samples, position / self.device_rate, adc)

    def close(self) -> None:
        with self._lock:
            stream, self._stream = self._stream, None
        if stream is not None:
            stream.stop()
            stream.close()
        self._wake()


def _native_rate(sd: Any, device: int | str | None) -> int | None:
    """The device's default sample rate, or None if it cannot be queried."""
    try:
        info = sd.query_devices(device, "input")
    except (sd.PortAudioError, ValueError):
        return None
    rate = info.get("default_samplerate") if isinstance(info, dict) else None
    return int(rate) if rate else None
