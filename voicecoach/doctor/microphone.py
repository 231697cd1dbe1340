"""Doctor check for the microphone: open it, show a level meter while the person speaks.

The meter reads 100 ms blocks for ``seconds`` and reports the loudest block:
speech close to a USB microphone peaks around -20 dBFS, a quiet room sits
below -55. "Nothing heard" is a warning, not a failure — the person may not
have spoken — but a stream of exact zeros names a muted input.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from voicecoach.doctor.audio_out import _NO_DEVICE_HINT, device_arg, no_device_detail
from voicecoach.doctor.checks import CheckResult, Status

__all__ = ["HEARD_DBFS", "SILENCE_DBFS", "block_levels", "check_microphone", "meter_line"]

#: A block this loud (RMS, dBFS) means something was heard.
HEARD_DBFS = -50.0
#: Floor for levels (exact digital silence).
SILENCE_DBFS = -120.0
BLOCK_SECONDS = 0.1


def block_levels(samples: np.ndarray) -> tuple[float, float]:
    """(RMS, peak) of a block of float samples in [-1, 1], in dBFS."""
    if samples.size == 0:
        return SILENCE_DBFS, SILENCE_DBFS
    x = samples.astype(np.float64, copy=False)
    rms = math.sqrt(float(np.mean(x * x)))
    peak = float(np.max(np.abs(x)))

    def db(v: float) -> float:
        return max(SILENCE_DBFS, 20 * math.log10(v)) if v > 0 else SILENCE_DBFS

    return db(rms), db(peak)


def meter_line(rms_db: float, width: int = 40) -> str:
    """``[#########.........]  -32 dBFS`` for a level from -60 to 0 dBFS."""
    filled = int(round(width * min(1.0, max(0.0, (rms_db + 60.0) / 60.0))))
    return f"[{'#' * filled}{'.' * (width - filled)}] {rms_db:6.1f} dBFS"


def check_microphone(device: str | None, seconds: float,
                     on_level: Callable[[float, float], None] | None = None) -> CheckResult:
    """Record ``seconds`` from the input device; ``on_level(rms_db, peak_db)`` per block."""
    import sounddevice as sd

    name = "microphone"
    try:
        info = sd.query_devices(device_arg(device), kind="input")
        rate = int(info["default_samplerate"]) or 16000
        block = max(1, int(rate * BLOCK_SECONDS))
        loudest, peak, blocks, zeros = SILENCE_DBFS, SILENCE_DBFS, 0, True
        with sd.InputStream(device=device_arg(device), channels=1, samplerate=rate,
                            dtype="float32", blocksize=block) as stream:
            for _ in range(max(1, int(round(seconds / BLOCK_SECONDS)))):
                data, _overflow = stream.read(block)
                rms_db, peak_db = block_levels(data[:, 0])
                zeros = zeros and not np.any(data)
                loudest, peak, blocks = max(loudest, rms_db), max(peak, peak_db), blocks + 1
                if on_level is not None:
                    on_level(rms_db, peak_db)
    except (sd.PortAudioError, ValueError) as exc:
        return CheckResult(name, Status.FAIL, no_device_detail("input", device, exc),
                           _NO_DEVICE_HINT.format(key="audio.input"))
    where = f"{info['name']!r} at {rate} Hz"
    if zeros:
        return CheckResult(name, Status.WARN, f"{where}: only digital silence for {seconds:g} s",
                           "the input is muted or the wrong device: alsamixer (F4, capture), "
                           "or set audio.input", essential=False)
    detail = f"{where}: loudest {loudest:.0f} dBFS (peak {peak:.0f}) over {seconds:g} s"
    if loudest < HEARD_DBFS:
        return CheckResult(name, Status.WARN, f"{detail}: nothing heard",
                           "speak while the meter runs; if the bar stays low, raise the capture "
                           "level (alsamixer) or move closer", essential=False)
    return CheckResult(name, Status.OK, detail)
