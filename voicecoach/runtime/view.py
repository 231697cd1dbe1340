"""What the person at the desk sees: a status line, or plain lines without a terminal.

On a terminal (also over SSH) one line is redrawn in place: exercise, step,
countdown, what was last heard and by which engine. Without a terminal (a
Raspberry Pi service writing to the journal) the same facts are printed as
plain lines, only when they change, so logs stay readable.
"""

from __future__ import annotations

import shutil
import sys
from typing import IO


class StatusView:
    """Renders the live session's state to a stream."""

    def __init__(self, stream: IO[str] | None = None, interactive: bool | None = None) -> None:
        self._out = stream if stream is not None else sys.stdout
        if interactive is None:
            try:
                interactive = self._out.isatty()
            except (AttributeError, ValueError):
                interactive = False
        self.interactive = interactive
        self._last_line = ""
        self._heard = ""

    def heard(self, text: str, intent: str, engine: str) -> None:
        """Remember (and in plain mode print) the last command heard."""
        self._heard = f'heard "{text}" -> {intent} ({engine})'
        if not self.interactive:
            self._print(self._heard)

    def say(self, text: str) -> None:
        """Show a line the coach says."""
        self._print(f"coach: {text}")

    def note(self, text: str) -> None:
        """Show a message from the program itself (device lost, engine in use)."""
        self._print(text)

    def status(self, line: str) -> None:
        """Redraw the status line (interactive) or print it when it changed."""
        if self.interactive:
            width = shutil.get_terminal_size((100, 20)).columns
            full = f"{line}  |  {self._heard}" if self._heard else line
            self._out.write("\r\x1b[2K" + full[: width - 1])
            self._out.flush()
        elif line != self._last_line:
            self._out.write(line + "\n")
            self._out.flush()
        self._last_line = line

    def _print(self, text: str) -> None:
        if self.interactive:
            self._out.write("\r\x1b[2K" + text + "\n")
            if self._last_line:
                self._out.write(self._last_line)
        else:
            self._out.write(text + "\n")
        self._out.flush()

    def close(self) -> None:
        if self.interactive:
            self._out.write("\n")
            self._out.flush()
