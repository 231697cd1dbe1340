"""The one boundary between threads: everything the live loop reacts to.

Audio callbacks, the recognition thread, the speaker's event thread, the
key reader and signal handlers never touch the session. They only put one of
these small values into the loop's :class:`queue.Queue`; the loop thread alone
drives the engine, so the engine needs no locks and stays deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass

from voicecoach.adapters.speaker import SpeakerFault, SpeechEnded, SpeechStarted
from voicecoach.core.echo_guard import EchoEvidence
from voicecoach.core.intents import Command


@dataclass(frozen=True, slots=True)
class Heard:
    """A command from the recognizer or the keyboard."""

    command: Command
    """The command; its ``time`` is audio time for voice, loop time for keys."""
    engine: str = ""
    """Which engine (or "keys") produced it, for the terminal view and the log."""
    at: float | None = None
    """When it fired, :func:`time.monotonic` seconds (voice only): the clock of
    the speaker's events, so the echo guard can line it up with the coach's words."""
    evidence: EchoEvidence | None = None
    """What the echo canceller saw over the phrase, when one runs."""


@dataclass(frozen=True, slots=True)
class Key:
    """A raw key press; the loop maps it to an intent (space depends on state)."""

    char: str
    """The character read from the terminal."""


@dataclass(frozen=True, slots=True)
class MicStatus:
    """The microphone was lost or came back."""

    ok: bool
    """True when audio flows again."""
    message: str = ""
    """What happened, in words a person lying on the floor understands (spoken)."""
    detail: str = ""
    """The technical cause, for the log and the terminal (not spoken)."""


@dataclass(frozen=True, slots=True)
class Shutdown:
    """Ctrl-C, SIGTERM or a fatal device error: end cleanly, recording the session."""

    reason: str
    """Why, for the log."""


#: The speaker's own events (started, ended, fault) arrive here unchanged.
InboxItem = Heard | Key | SpeechStarted | SpeechEnded | SpeakerFault | MicStatus | Shutdown
