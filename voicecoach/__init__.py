"""voicecoach: an offline, hands-free, voice-guided exercise coach.

The package is split into a device-free ``core`` (routines, the session
engine, intents, safety rules), ``adapters`` for the outside world (speech
synthesis, audio devices, recognizers, storage), a ``runtime`` that wires
them together in one event loop, and a thin ``cli``.

Nothing is imported eagerly here: importing :mod:`voicecoach` must stay cheap
and must never load a speech model or touch an audio device.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
