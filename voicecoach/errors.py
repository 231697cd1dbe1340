"""The one exception type users are allowed to see.

Every failure a person can cause or fix (a bad routine file, a missing model,
no audio device, no speech engine) is raised as a :class:`VoicecoachError`
carrying what went wrong and what to do about it. The CLI prints these as
plain sentences and exits with status 2; anything else is a bug and is
reported as one, still without a raw traceback on the user's terminal.
"""

from __future__ import annotations


class VoicecoachError(Exception):
    """A problem the user can act on.

    ``message`` says what is wrong; ``hint`` says how to fix it.
    """

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\n  fix: {self.hint}"
        return self.message


class DeviceError(VoicecoachError):
    """An audio device is missing, busy or vanished."""


class ModelError(VoicecoachError):
    """A speech model is missing, partial, corrupt or too large."""


class EngineError(VoicecoachError):
    """A speech engine (synthesis or recognition) is missing or failed."""
