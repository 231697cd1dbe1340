"""Recognize one gated utterance twice: against the command grammar, and freely.

The grammar-constrained pass is accurate on commands but forces *every*
sound into some command; the free pass (the engine's language model) says
what was really said. The waiter acts only when both agree (see
:func:`~voicecoach.serve.waiting.confirmed`), so conversation that the
grammar bends into "start" is dropped by the second opinion.

:class:`SphinxUtteranceRecognizer` uses PocketSphinx's US-English model (in
its wheel). When the speech-input adapters land, a Vosk implementation of
:class:`UtteranceRecognizer` plugs in the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from voicecoach.errors import EngineError
from voicecoach.serve.phrases import ServeGrammar

__all__ = ["Heard", "SphinxUtteranceRecognizer", "UtteranceRecognizer"]


@dataclass(frozen=True, slots=True)
class Heard:
    """Both readings of one utterance."""

    grammar: str
    """Best command-grammar hypothesis ("" when none)."""
    free: str
    """Free (language-model) hypothesis."""


class UtteranceRecognizer(Protocol):
    """Turns a finished utterance (16 kHz float32 mono) into :class:`Heard`."""

    def recognize(self, samples: np.ndarray) -> Heard:
        """Both readings of ``samples``."""
        ...


def _pcm(samples: np.ndarray) -> bytes:
    return (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes()


class SphinxUtteranceRecognizer:
    """PocketSphinx: a JSGF grammar of the commands, and the bundled English language model."""

    GRAMMAR = "serve"

    def __init__(self, grammar: ServeGrammar) -> None:
        try:
            import pocketsphinx
        except ImportError as exc:  # pragma: no cover - a broken install
            raise EngineError("PocketSphinx is not installed", "pip install pocketsphinx") \
                from exc
        self._decoder: Any = pocketsphinx.Decoder(loglevel="FATAL", samprate=16000)
        self._lm = self._decoder.current_search()
        phrases = [p for p in grammar.phrases()
                   if all(self._decoder.lookup_word(w) is not None for w in p.split())]
        if not phrases:
            raise EngineError("none of the start phrases is in PocketSphinx's dictionary",
                              "check serve.wake_word and serve.start_words in the config")
        self.phrases = phrases
        body = " | ".join(f"( {p} )" for p in phrases)
        self._decoder.add_jsgf_string(self.GRAMMAR,
                                      f"#JSGF V1.0;\ngrammar serve;\npublic <command> = {body};\n")

    def _decode(self, search: str, pcm: bytes) -> str:
        self._decoder.activate_search(search)
        self._decoder.start_utt()
        self._decoder.process_raw(pcm, full_utt=True)
        self._decoder.end_utt()
        hyp = self._decoder.hyp()
        return hyp.hypstr if hyp is not None else ""

    def recognize(self, samples: np.ndarray) -> Heard:
        pcm = _pcm(samples)
        return Heard(self._decode(self.GRAMMAR, pcm), self._decode(self._lm, pcm))
