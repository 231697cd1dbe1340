"""Waiting mode (``voicecoach serve``): low-CPU listening for "coach, start ...", then a session.

Pieces: :mod:`~voicecoach.serve.phrases` (the start-phrase grammar from the
routine library), :mod:`~voicecoach.serve.gate` (voice-activity gate),
:mod:`~voicecoach.serve.recognize` (grammar + free recognition of one
utterance), :mod:`~voicecoach.serve.waiting` (the loop, with the seams
``say(text)`` and ``start_session(routine_name)``), and
:mod:`~voicecoach.serve.source` (the microphone).
"""

from voicecoach.serve.gate import GateSettings, Utterance, VoiceGate
from voicecoach.serve.phrases import CommandKind, RoutineName, ServeCommand, ServeGrammar
from voicecoach.serve.recognize import Heard, SphinxUtteranceRecognizer, UtteranceRecognizer
from voicecoach.serve.waiting import Decision, DecisionKind, Waiter, confirmed, serve

__all__ = [
    "CommandKind",
    "Decision",
    "DecisionKind",
    "GateSettings",
    "Heard",
    "RoutineName",
    "ServeCommand",
    "ServeGrammar",
    "SphinxUtteranceRecognizer",
    "Utterance",
    "UtteranceRecognizer",
    "VoiceGate",
    "Waiter",
    "confirmed",
    "serve",
]
