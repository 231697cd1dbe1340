"""The microphone as 16 kHz float32 blocks, opened per wait (PortAudio via sounddevice).

The audio callback only copies blocks into a queue; the waiting loop reads
them. A device that cannot run at 16 kHz is opened at its own rate and
resampled (soxr). A device that vanishes ends the blocks with a
:class:`~voicecoach.errors.DeviceError`.
"""

from __future__ import annotations

import contextlib
import queue
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from voicecoach.errors import DeviceError

__all__ = ["microphone_blocks"]

RATE = 16000
BLOCK_SECONDS = 0.03


@contextmanager
def microphone_blocks(device: str | None = None) -> Iterator[Iterator[np.ndarray]]:
    """Open the input device; yield an iterator of blocks; close on exit."""
    import sounddevice as sd

    dev: int | str | None = int(device) if device and device.strip().isdigit() else device
    blocks: queue.Queue[np.ndarray] = queue.Queue(maxsize=400)

    def callback(data: np.ndarray, _frames: int, _time: object, _status: object) -> None:
        # the reader stalled (a slow decode): drop the block, never block the callback
        with contextlib.suppress(queue.Full):
            blocks.put_nowait(data[:, 0].copy())

    try:
        rate = RATE
        try:
            sd.check_input_settings(device=dev, samplerate=RATE, channels=1, dtype="float32")
        except sd.PortAudioError:
            rate = int(sd.query_devices(dev, kind="input")["default_samplerate"])
        stream = sd.InputStream(device=dev, samplerate=rate, channels=1, dtype="float32",
                                blocksize=int(rate * BLOCK_SECONDS), callback=callback)
        stream.start()
    except (sd.PortAudioError, ValueError) as exc:
        raise DeviceError(f"cannot open the microphone ({exc})",
                          "voicecoach doctor shows what is wrong; set audio.input") from None
    resampler = None
    if rate != RATE:
        import soxr

        resampler = soxr.ResampleStream(rate, RATE, 1, dtype="float32")

    def read() -> Iterator[np.ndarray]:
        while True:
            try:
                block = blocks.get(timeout=2.0)
            except queue.Empty:
                if not stream.active:
                    raise DeviceError("the microphone stopped (unplugged?)",
                                      "plug it back in; the service restarts by itself") \
                        from None
                continue
            yield resampler.resample_chunk(block) if resampler is not None else block

    try:
        yield read()
    finally:
        stream.abort()
        stream.close()
