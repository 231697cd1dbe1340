"""The session engine: a deterministic coach that reacts to every command.

``Session(routine, options)`` turns a routine and a stream of commands into
timed actions (speech, volume, rate, records) in virtual time. See
:mod:`voicecoach.core.session.engine` and the README's "Session engine".
"""

from voicecoach.core.session.engine import Session
from voicecoach.core.session.state import SessionOptions, SessionState, SessionStatus

__all__ = ["Session", "SessionOptions", "SessionState", "SessionStatus"]
