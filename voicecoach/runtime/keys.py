"""Keyboard commands for setting up at a desk (and over SSH).

Every spoken intent has a key, so the coach can be driven without a
microphone. Keys are read from the terminal in cbreak mode by a small thread
that only hands them to the event loop; with no terminal (a service) there
are no keys and nothing is read.
"""

from __future__ import annotations

import os
import select
import sys
import termios
import threading
import tty
from collections.abc import Callable

from voicecoach.core.intents import Intent

#: Key -> intent. Space toggles pause/resume (resolved by the loop, which
#: knows whether the session is paused).
KEYMAP: dict[str, Intent | None] = {
    " ": None,
    "p": Intent.PAUSE,
    "c": Intent.RESUME,
    "n": Intent.NEXT,
    "b": Intent.PREVIOUS,
    "r": Intent.REPEAT,
    "s": Intent.STOP,
    "q": Intent.FINISH,
    "h": Intent.PAIN,
    "-": Intent.SLOWER,
    "+": Intent.FASTER,
    "=": Intent.FASTER,
    "u": Intent.LOUDER,
    "d": Intent.QUIETER,
    "i": Intent.STATUS,
    "?": Intent.HELP,
    "y": Intent.YES,
    "x": Intent.NO,
    "\r": Intent.READY,
    "\n": Intent.READY,
}

KEY_HELP = (
    "space pause/resume · n next · b back · r repeat · s stop · q finish · h it hurts · "
    "-/+ slower/faster · u/d louder/quieter · i status · ? help · y/x yes/no · enter ready"
)

TOGGLE = " "


class KeyReader:
    """Reads single key presses from a terminal on a daemon thread."""

    def __init__(self, on_key: Callable[[str], None], stream=None) -> None:
        self._on_key = on_key
        self._stream = stream if stream is not None else sys.stdin
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._saved: list | None = None

    @property
    def available(self) -> bool:
        """Whether there is a terminal to read keys from."""
        try:
            return self._stream.isatty()
        except (AttributeError, ValueError):
            return False

    def start(self) -> bool:
        """Start reading; returns False (and reads nothing) without a terminal."""
        if not self.available:
            return False
        fd = self._stream.fileno()
        self._saved = termios.tcgetattr(fd)
        tty.setcbreak(fd)
        self._thread = threading.Thread(target=self._run, name="voicecoach-keys", daemon=True)
        self._thread.start()
        return True

    def _run(self) -> None:
        fd = self._stream.fileno()
        while not self._stop.is_set():
            ready, _, _ = select.select([fd], [], [], 0.2)
            if not ready:
                continue
            data = os.read(fd, 16)
            if not data:
                return
            for ch in data.decode("utf-8", "ignore"):
                self._on_key(ch.lower())

    def close(self) -> None:
        """Stop reading and give the terminal back as it was."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=1)
        if self._saved is not None:
            termios.tcsetattr(self._stream.fileno(), termios.TCSADRAIN, self._saved)
            self._saved = None
