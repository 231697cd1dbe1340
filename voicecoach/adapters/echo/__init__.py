"""Acoustic echo cancellation: hearing the person over the coach's own voice.

:class:`EchoCanceller` is the streaming canceller the live loop and
``voicecoach listen --reference`` use; :class:`SpeexEcho` the thin binding
to libspeexdsp under it; :func:`gcc_phat` the delay measurement;
:func:`cancel_chunks` the file path. The decision about recognized words the
coach was saying lives in the core: :mod:`voicecoach.core.echo_guard`.
"""

from voicecoach.adapters.echo.canceller import EchoCanceller, EchoOptions
from voicecoach.adapters.echo.delay import DelayEstimate, gcc_phat
from voicecoach.adapters.echo.files import EchoCancelledSource, cancel_chunks
from voicecoach.adapters.echo.speex import SpeexEcho, load_speexdsp

__all__ = [
    "DelayEstimate",
    "EchoCancelledSource",
    "EchoCanceller",
    "EchoOptions",
    "SpeexEcho",
    "cancel_chunks",
    "gcc_phat",
    "load_speexdsp",
]
