"""PortAudio is one library state per process; re-reading its device list resets it all.

PortAudio lists the devices once, when it is initialized. A USB microphone
unplugged and plugged back in, or plugged in after the coach started, stays
invisible (or listed under an index that now means nothing) until
``Pa_Terminate`` + ``Pa_Initialize``. Terminating closes every stream in the
process, and a stream object used after that touches freed memory. So a
refresh is a process-wide act that every stream user takes part in:

* each user registers a *release* function that closes its stream and
  answers False when it cannot do so now (the coach is mid-sentence);
* opening, closing and querying a stream happen under :data:`lock`, the same
  lock a refresh holds, so no stream is touched while the library restarts;
* a stream close that hung (a vanished device) leaves a thread inside
  PortAudio; while it is alive no refresh happens (see :func:`track`).

The hearing thread asks for a refresh while the microphone is lost; the
speaker's stream is reopened by its next utterance.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from voicecoach.adapters.devices import sounddevice

__all__ = ["lock", "register", "refresh", "track"]

log = logging.getLogger(__name__)

lock = threading.RLock()
"""Held while a stream is opened, closed or queried, and during a refresh."""

_releasers: list[Callable[[], bool]] = []
_stuck: list[threading.Thread] = []


def register(release: Callable[[], bool]) -> Callable[[], None]:
    """Take part in refreshes: ``release()`` closes the stream or returns False.

    Returns a function that stops taking part (call it when closing for good).
    """
    with lock:
        _releasers.append(release)

    def unregister() -> None:
        with lock:
            if release in _releasers:
                _releasers.remove(release)

    return unregister


def track(closer: threading.Thread) -> None:
    """Note a thread left inside PortAudio (a close that did not return)."""
    with lock:
        _stuck.append(closer)


def refresh(timeout: float = 1.0) -> bool:
    """Re-initialize PortAudio so it re-reads the devices; False if not possible now.

    Not possible while a stream user cannot release its stream, while a hung
    close is still inside PortAudio, or when the lock stays busy ``timeout``.
    """
    if not lock.acquire(timeout=timeout):
        return False
    try:
        _stuck[:] = [t for t in _stuck if t.is_alive()]
        if _stuck:
            log.info("not re-reading audio devices: a stream close is still hanging")
            return False
        for release in list(_releasers):
            if not release():
                return False
        sd = sounddevice()
        sd._terminate()
        sd._initialize()
        log.info("audio devices re-read (PortAudio re-initialized)")
        return True
    finally:
        lock.release()
