"""Stationary-noise suppression in front of a recognizer (libspeexdsp's preprocessor).

The PocketSphinx acoustic model was trained on fairly clean speech; a fan, a
heater or traffic (pink-ish noise) at 10 dB SNR costs it a fifth of the
commands. Speex's preprocessor estimates the noise spectrum continuously and
subtracts it, frame by frame, with no look-ahead (no added latency beyond
one 10 ms frame). It does little against babble, which is not stationary;
the recognizer's level-based isolation check handles that.

libspeexdsp is a small C library packaged everywhere (Debian ``libspeexdsp1``);
it is reached through ctypes with the handful of calls whose ABI has not
changed since 2007. Without it, :func:`open_denoiser` returns ``None`` and
recognition runs on the raw signal.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections import deque
from typing import Any

import numpy as np

__all__ = ["Denoiser", "open_denoiser"]

_SET_DENOISE = 0
_SET_NOISE_SUPPRESS = 18
_FRAME_SECONDS = 0.01
_NAMES = ("libspeexdsp.so.1", "libspeexdsp.so", "libspeexdsp.1.dylib", "libspeexdsp.dylib")
_lib: list[Any] = []


def _load() -> Any | None:
    if _lib:
        return _lib[0]
    found = None
    for name in (*_NAMES, ctypes.util.find_library("speexdsp")):
        if not name:
            continue
        try:
            found = ctypes.CDLL(name)
            break
        except OSError:
            continue
    if found is not None:
        vp, i16p, c_int = ctypes.c_void_p, ctypes.POINTER(ctypes.c_int16), ctypes.c_int
        found.speex_preprocess_state_init.argtypes = [c_int, c_int]
        found.speex_preprocess_state_init.restype = vp
        found.speex_preprocess_state_destroy.argtypes = [vp]
        found.speex_preprocess_state_destroy.restype = None
        found.speex_preprocess_run.argtypes = [vp, i16p]
        found.speex_preprocess_run.restype = c_int
        found.speex_preprocess_ctl.argtypes = [vp, c_int, vp]
        found.speex_preprocess_ctl.restype = c_int
    _lib.append(found)
    return found


class Denoiser:
    """Speex noise suppression on a stream of int16 chunks of any length.

    Speex works on fixed 10 ms frames; samples that do not fill a frame wait
    for the next chunk, so the output lags the input by under 10 ms and has
    the same total length once the stream ends on a frame boundary.
    """

    #: Frames (10 ms) the noise floor is estimated over, and its percentile.
    FLOOR_FRAMES = 300
    FLOOR_PERCENTILE = 20
    #: Hysteresis around ``gate_db``: on above it, off below it minus this.
    GATE_HYSTERESIS_DB = 6.0

    def __init__(self, lib: Any, sample_rate: int, suppress_db: int,
                 gate_db: float | None = None) -> None:
        self._lib = lib
        self.gate_db = gate_db
        """Suppress only while the noise floor is above this (dBFS); ``None``: always.
        The suppressor always runs (its noise estimate stays current); below the
        gate its output is not used: in a quiet room it only distorts speech."""
        self._levels: deque[float] = deque(maxlen=self.FLOOR_FRAMES)
        self.suppressing = gate_db is None
        self._frame = round(sample_rate * _FRAME_SECONDS)
        self._state = lib.speex_preprocess_state_init(self._frame, sample_rate)
        on = ctypes.c_int(1)
        lib.speex_preprocess_ctl(self._state, _SET_DENOISE, ctypes.byref(on))
        level = ctypes.c_int(suppress_db)
        lib.speex_preprocess_ctl(self._state, _SET_NOISE_SUPPRESS, ctypes.byref(level))
        self._rest = np.zeros(0, np.int16)

    def process(self, chunk: np.ndarray) -> np.ndarray:
        """Denoise ``chunk`` (1-D int16); returns the whole frames ready so far."""
        buf = np.concatenate([self._rest, chunk]) if len(self._rest) else chunk.copy()
        usable = len(buf) - len(buf) % self._frame
        out = np.ascontiguousarray(buf[:usable], dtype=np.int16)
        raw = out.copy() if self.gate_db is not None else out
        ptr = ctypes.POINTER(ctypes.c_int16)
        for i in range(0, usable, self._frame):
            self._lib.speex_preprocess_run(self._state, out[i:].ctypes.data_as(ptr))
        self._rest = buf[usable:].copy()
        if self.gate_db is None:
            return out
        if usable:
            frames = raw.reshape(-1, self._frame).astype(np.float64) / 32768.0
            self._levels.extend(10 * np.log10(np.mean(frames**2, axis=1) + 1e-12))
            floor = float(np.percentile(self._levels, self.FLOOR_PERCENTILE))
            if floor > self.gate_db:
                self.suppressing = True
            elif floor < self.gate_db - self.GATE_HYSTERESIS_DB:
                self.suppressing = False
        return out if self.suppressing else raw

    def close(self) -> None:
        if self._state is not None:
            self._lib.speex_preprocess_state_destroy(self._state)
            self._state = None

    def __del__(self) -> None:
        self.close()


def open_denoiser(sample_rate: int, suppress_db: int = -15,
                  gate_db: float | None = None) -> Denoiser | None:
    """A :class:`Denoiser`, or ``None`` when libspeexdsp is not installed."""
    lib = _load()
    return None if lib is None else Denoiser(lib, sample_rate, suppress_db, gate_db)
