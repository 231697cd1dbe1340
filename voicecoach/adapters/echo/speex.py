"""A thin ctypes binding to libspeexdsp's echo canceller and preprocessor.

Why ctypes: the PyPI bindings for speexdsp (``speexdsp``, ``speexaec``,
``pyspeexaec``) ship source only or wheels for other platforms and need SWIG
and a compiler; none is kept up. libspeexdsp itself is a small, stable C
library packaged everywhere (Debian ``libspeexdsp1``, Raspberry Pi OS,
Homebrew ``speexdsp``), and the handful of calls we need have kept the same
ABI since 2007.

:class:`SpeexEcho` pairs an MDF echo canceller with a preprocessor in
residual-echo-suppression mode: the adaptive filter removes the linear echo,
the preprocessor attenuates what the filter could not model (the tail,
non-linear distortion, the time it takes to converge).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from voicecoach.errors import EngineError

__all__ = ["SpeexEcho", "load_speexdsp"]

# speex/speex_echo.h
_SPEEX_ECHO_GET_FRAME_SIZE = 3
_SPEEX_ECHO_SET_SAMPLING_RATE = 24
# speex/speex_preprocess.h
_SPEEX_PREPROCESS_SET_DENOISE = 0
_SPEEX_PREPROCESS_SET_AGC = 2
_SPEEX_PREPROCESS_SET_VAD = 4
_SPEEX_PREPROCESS_SET_DEREVERB = 8
_SPEEX_PREPROCESS_SET_NOISE_SUPPRESS = 18
_SPEEX_PREPROCESS_SET_ECHO_SUPPRESS = 20
_SPEEX_PREPROCESS_SET_ECHO_SUPPRESS_ACTIVE = 22
_SPEEX_PREPROCESS_SET_ECHO_STATE = 24

#: Names tried in order when no explicit library is given.
_DEFAULT_NAMES: tuple[str, ...] = (
    "libspeexdsp.so.1",
    "libspeexdsp.so",
    "libspeexdsp.1.dylib",
    "libspeexdsp.dylib",
    "libspeexdsp-1.dll",
    "speexdsp.dll",
)

_INSTALL_HINT = (
    "install libspeexdsp: `sudo apt install libspeexdsp1` (Debian, Ubuntu, Raspberry Pi OS), "
    "`brew install speexdsp` (macOS); or run without echo cancellation"
)

_loaded: dict[tuple[str, ...], ctypes.CDLL] = {}


def _declare(lib: ctypes.CDLL) -> None:
    vp, i16p, c_int = ctypes.c_void_p, ctypes.POINTER(ctypes.c_int16), ctypes.c_int
    signatures: dict[str, tuple[list[type], type | None]] = {
        "speex_echo_state_init": ([c_int, c_int], vp),
        "speex_echo_state_destroy": ([vp], None),
        "speex_echo_state_reset": ([vp], None),
        "speex_echo_cancellation": ([vp, i16p, i16p, i16p], None),
        "speex_echo_ctl": ([vp, c_int, vp], c_int),
        "speex_preprocess_state_init": ([c_int, c_int], vp),
        "speex_preprocess_state_destroy": ([vp], None),
        "speex_preprocess_run": ([vp, i16p], c_int),
        "speex_preprocess_ctl": ([vp, c_int, vp], c_int),
    }
    for name, (argtypes, restype) in signatures.items():
        fn = getattr(lib, name)
        fn.argtypes = argtypes
        fn.restype = restype


def load_speexdsp(names: Sequence[str] | None = None) -> ctypes.CDLL:
    """Load libspeexdsp (cached), or raise :class:`EngineError` saying how to install it.

    ``names`` overrides the file names or paths tried, for tests and for
    unusual installs.
    """
    candidates = tuple(names) if names is not None else _DEFAULT_NAMES
    if candidates in _loaded:
        return _loaded[candidates]
    tried: list[str] = list(candidates)
    if names is None:
        found = ctypes.util.find_library("speexdsp")
        if found:
            tried.insert(0, found)
    errors: list[str] = []
    for name in tried:
        try:
            lib = ctypes.CDLL(name)
        except OSError as exc:
            errors.append(str(exc))
            continue
        try:
            _declare(lib)
        except AttributeError as exc:
            raise EngineError(
                f"{name} is not a usable libspeexdsp (missing symbol: {exc})",
                _INSTALL_HINT,
            ) from exc
        _loaded[candidates] = lib
        return lib
    platform = "" if sys.platform.startswith("linux") else f" on {sys.platform}"
    raise EngineError(
        f"echo cancellation needs libspeexdsp, which was not found{platform} "
        f"(tried {', '.join(tried)})",
        _INSTALL_HINT,
    )


def _ctl_int(fn: Callable[..., Any], state: int, request: int, value: int) -> None:
    arg = ctypes.c_int(value)
    fn(state, request, ctypes.byref(arg))


def _ctl_get_int(fn: Callable[..., Any], state: int, request: int) -> int:
    arg = ctypes.c_int(0)
    fn(state, request, ctypes.byref(arg))
    return arg.value


class SpeexEcho:
    """One libspeexdsp echo canceller with residual echo suppression.

    Frame-synchronous: every call to :meth:`process` takes exactly one frame
    of microphone and one frame of reference (int16, mono, the same rate),
    the reference already aligned so that its echo reaches the microphone
    within ``filter_length`` samples *after* it. Not thread-safe; one owner.
    """

    def __init__(
        self,
        frame_size: int,
        filter_length: int,
        sample_rate: int,
        *,
        echo_suppress_db: int = -40,
        echo_suppress_active_db: int = -15,
        noise_suppress_db: int = -6,
        library: Sequence[str] | None = None,
    ) -> None:
        if frame_size <= 0 or filter_length < frame_size or sample_rate <= 0:
            raise ValueError(
                f"bad echo canceller shape: frame {frame_size}, filter {filter_length}, "
                f"rate {sample_rate}"
            )
        self._echo: int | None = None
        self._pre: int | None = None
        self._lib = load_speexdsp(library)
        self.frame_size = frame_size
        self.filter_length = filter_length
        self.sample_rate = sample_rate
        self._echo = self._lib.speex_echo_state_init(frame_size, filter_length)
        self._pre = self._lib.speex_preprocess_state_init(frame_size, sample_rate)
        if not self._echo or not self._pre:
            self.close()
            raise EngineError("libspeexdsp could not create an echo canceller", _INSTALL_HINT)
        echo_ctl, pre_ctl = self._lib.speex_echo_ctl, self._lib.speex_preprocess_ctl
        _ctl_int(echo_ctl, self._echo, _SPEEX_ECHO_SET_SAMPLING_RATE, sample_rate)
        # The preprocessor is here to suppress residual echo: no AGC, no
        # dereverb. Its echo suppression is applied through the denoiser's
        # gain, so the denoiser must be on (with it off, residual suppression
        # silently does nothing); its own noise suppression is kept mild,
        # because recognizers are trained on unprocessed audio.
        _ctl_int(pre_ctl, self._pre, _SPEEX_PREPROCESS_SET_DENOISE, 1)
        _ctl_int(pre_ctl, self._pre, _SPEEX_PREPROCESS_SET_NOISE_SUPPRESS, noise_suppress_db)
        _ctl_int(pre_ctl, self._pre, _SPEEX_PREPROCESS_SET_AGC, 0)
        _ctl_int(pre_ctl, self._pre, _SPEEX_PREPROCESS_SET_DEREVERB, 0)
        _ctl_int(pre_ctl, self._pre, _SPEEX_PREPROCESS_SET_ECHO_SUPPRESS, echo_suppress_db)
        _ctl_int(
            pre_ctl, self._pre, _SPEEX_PREPROCESS_SET_ECHO_SUPPRESS_ACTIVE, echo_suppress_active_db
        )
        pre_ctl(self._pre, _SPEEX_PREPROCESS_SET_ECHO_STATE, ctypes.c_void_p(self._echo))
        actual = _ctl_get_int(echo_ctl, self._echo, _SPEEX_ECHO_GET_FRAME_SIZE)
        if actual != frame_size:
            self.close()
            raise EngineError(f"libspeexdsp chose frame size {actual}, not {frame_size}")
        self._i16p = ctypes.POINTER(ctypes.c_int16)
        self.linear = np.zeros(frame_size, dtype=np.int16)
        """The adaptive filter's output for the last frame, before residual echo
        suppression (no lag): the person's voice at full level when they talk."""

    def process(self, mic: np.ndarray, reference: np.ndarray) -> np.ndarray:
        """Cancel one frame; returns a new int16 array of ``frame_size`` samples."""
        if self._echo is None or self._pre is None:
            raise EngineError("the echo canceller was closed")
        mic = np.ascontiguousarray(mic, dtype=np.int16)
        reference = np.ascontiguousarray(reference, dtype=np.int16)
        if mic.shape != (self.frame_size,) or reference.shape != (self.frame_size,):
            raise ValueError(
                f"echo canceller frames must be {self.frame_size} samples, got "
                f"{mic.shape} and {reference.shape}"
            )
        out = np.empty(self.frame_size, dtype=np.int16)
        self._lib.speex_echo_cancellation(
            self._echo,
            mic.ctypes.data_as(self._i16p),
            reference.ctypes.data_as(self._i16p),
            out.ctypes.data_as(self._i16p),
        )
        self.linear = out.copy()
        self._lib.speex_preprocess_run(self._pre, out.ctypes.data_as(self._i16p))
        return out

    def reset(self) -> None:
        """Forget the learned echo path (after the audio route changed)."""
        if self._echo is not None:
            self._lib.speex_echo_state_reset(self._echo)

    def close(self) -> None:
        """Free the C state; safe to call twice."""
        if getattr(self, "_pre", None):
            self._lib.speex_preprocess_state_destroy(self._pre)
        if getattr(self, "_echo", None):
            self._lib.speex_echo_state_destroy(self._echo)
        self._pre = None
        self._echo = None

    def __enter__(self) -> SpeexEcho:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()
