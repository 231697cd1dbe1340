"""Vosk: grammar-mode command recognition that acts on stable partial results.

Vosk 0.3.45 (the PyPI release) has sharp edges this module exists to blunt:

* an empty or malformed grammar (``[]``, ``""``, ``{}``, bad JSON) segfaults
  the process: :func:`grammar_json` builds the grammar from the phrase table
  and :func:`validate_grammar` checks it before it ever reaches Vosk;
* grammar words missing from the model are dropped silently: every word is
  checked with ``vosk_model_find_word`` and missing ones are named in a
  :class:`ModelError`;
* float32, stereo or wrongly declared audio gives nonsense without an error:
  chunks are checked at :meth:`VoskRecognizer.accept` and the rate is fixed
  at construction;
* one recognizer used from two threads crashes: each recognizer is owned by
  the first thread that feeds it;
* the end of utterance comes 0.5-1 s after the phrase, and partial results
  update only every ~0.25 s with stock settings (and never with
  ``SetPartialWords`` on): the model is loaded through a private overlay of
  its ``conf/model.conf`` with a smaller ``--frames-per-chunk`` and shorter
  endpoint rules, and commands fire on stable partials (see
  :mod:`voicecoach.core.spotting`).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from voicecoach.adapters.denoise import Denoiser, open_denoiser
from voicecoach.adapters.levels import SPEECH_BAND_HZ, FrameLevels
from voicecoach.adapters.recognizer import RecognizerInfo, ThreadOwner, check_chunk
from voicecoach.core.intents import Command
from voicecoach.core.phrases import PhraseTable
from voicecoach.core.spotting import GARBAGE_WORD, PartialSpotter, SpotterConfig
from voicecoach.errors import ModelError

#: The talker is silent while the audio stays this far below the loudest
#: 10 ms frame of the last second (in 150-6000 Hz). Relative, so a soft voice
#: and a loud one are treated alike; 20 dB, so that babble or a television
#: 5-10 dB below the voice never reads as silence, while a living room's
#: reverberation (RT60 about 0.5 s) has decayed that far within 0.2 s.
QUIET_DROP_DB = 20.0
QUIET_WINDOW_SECONDS = 1.0

__all__ = [
    "DecoderTuning",
    "VoskModel",
    "VoskRecognizer",
    "grammar_json",
    "grammar_phrases",
    "validate_grammar",
]


@dataclass(frozen=True, slots=True)
class DecoderTuning:
    """Decoder settings written into the model's ``conf/model.conf`` overlay."""

    frames_per_chunk: int = 10
    """Feature frames decoded per step: smaller = fresher partials, more CPU (stock: 50)."""
    endpoint_silence: float = 0.3
    """Trailing silence (s) that ends an utterance in the usual case (stock: 0.5)."""
    endpoint_silence_long: float = 0.6
    """Trailing silence (s) that ends a doubtful utterance (stock: 1.0)."""

    def lines(self) -> list[str]:
        return [
            f"--frames-per-chunk={self.frames_per_chunk}",
            f"--endpoint.rule2.min-trailing-silence={self.endpoint_silence}",
            f"--endpoint.rule3.min-trailing-silence={self.endpoint_silence_long}",
        ]


class VoskModel:
    """A loaded Vosk model and what we know about its vocabulary.

    Load once, share between recognizers (the model is read-only in Vosk and
    safe to share; recognizers are not).
    """

    def __init__(self, path: Path | str, tuning: DecoderTuning | None = None) -> None:
        self.path = Path(path)
        self.tuning = tuning or DecoderTuning()
        if not (self.path / "am").is_dir() and not (self.path / "final.mdl").exists():
            raise ModelError(
                f"{self.path} does not look like a Vosk model (no am/ folder)",
                "point --model at the unpacked model folder (it holds am/, conf/, graph/)",
            )
        import vosk

        vosk.SetLogLevel(-1)
        overlay = _overlay(self.path, self.tuning)
        try:
            self._model: Any = vosk.Model(str(overlay or self.path))
        except Exception as exc:  # vosk raises a bare Exception
            raise ModelError(
                f"Vosk could not load the model at {self.path} ({exc})",
                "the model may be partial or corrupt: unpack it again",
            ) from None
        finally:
            if overlay is not None:
                shutil.rmtree(overlay, ignore_errors=True)
        self.has_unk = self.knows(GARBAGE_WORD)
        """Whether the model has the ``[unk]`` garbage word (some small models do not)."""

    @property
    def name(self) -> str:
        """The model's folder name, or its package name for ``vosk_model_*`` packages."""
        if self.path.name == "model" and self.path.parent.name.startswith("vosk_model_"):
            return self.path.parent.name
        return self.path.name

    def knows(self, word: str) -> bool:
        """Whether ``word`` is in the model's vocabulary (``vosk_model_find_word``)."""
        return int(self._model.vosk_model_find_word(word)) >= 0

    def missing(self, words: set[str] | frozenset[str]) -> list[str]:
        """The words of ``words`` the model does not know, sorted."""
        return sorted(w for w in words if not self.knows(w))

    def recognizer(self, rate: int, grammar: str | None) -> Any:
        """A raw ``vosk.KaldiRecognizer``; ``grammar`` is validated first (bad ones crash Vosk)."""
        import vosk

        if grammar is not None:
            validate_grammar(grammar, self)
        if grammar is None:
            return vosk.KaldiRecognizer(self._model, float(rate))
        return vosk.KaldiRecognizer(self._model, float(rate), grammar)


def _overlay(path: Path, tuning: DecoderTuning) -> Path | None:
    """A temporary model folder whose ``conf/model.conf`` carries ``tuning``.

    Every other entry is a symlink to the real model; Vosk reads everything at
    load time, so the folder is deleted right after. Returns ``None`` (load the
    model as it is) where symlinks are not possible.
    """
    conf = path / "conf" / "model.conf"
    if not conf.is_file():
        return None
    tmp = Path(tempfile.mkdtemp(prefix="voicecoach-vosk-"))
    try:
        for entry in path.iterdir():
            if entry.name != "conf":
                (tmp / entry.name).symlink_to(entry.resolve())
        (tmp / "conf").mkdir()
        for entry in (path / "conf").iterdir():
            if entry.name != "model.conf":
                (tmp / "conf" / entry.name).symlink_to(entry.resolve())
        keep = [
            line for line in conf.read_text().splitlines()
            if not line.startswith(("--frames-per-chunk", "--endpoint.rule2.min-trailing",
                                    "--endpoint.rule3.min-trailing"))
        ]
        (tmp / "conf" / "model.conf").write_text("\n".join(keep + tuning.lines()) + "\n")
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        return None
    return tmp


def grammar_phrases(table: PhraseTable, model: VoskModel, garbage: bool = True) -> list[str]:
    """The grammar for ``table``: its phrases, plus a garbage path when ``garbage``.

    The garbage path is ``[unk]`` when the model has it, else the table's
    filler words that the model knows. Raises :class:`ModelError` naming every
    phrase word the model lacks (Vosk would drop them silently).
    """
    missing = model.missing(table.words())
    if missing:
        raise ModelError(
            f"the {table.name} phrase table uses words the model {model.name} does not know: "
            + ", ".join(missing),
            "use a model for this language (see `voicecoach models`), or change the phrases",
        )
    phrases = list(dict.fromkeys(p.text for p in table.phrases))
    if garbage:
        if model.has_unk:
            phrases.append(GARBAGE_WORD)
        else:
            words = table.words()
            extra = [*table.fillers, *table.interjections]
            phrases += [f for f in dict.fromkeys(extra) if f not in words and model.knows(f)]
    return phrases


def grammar_json(phrases: list[str]) -> str:
    """Encode ``phrases`` as the JSON list Vosk expects, validated."""
    text = json.dumps(phrases, ensure_ascii=False)
    validate_grammar(text)
    return text


def validate_grammar(text: Any, model: VoskModel | None = None) -> list[str]:
    """Check a grammar string before Vosk sees it; return its phrases.

    Vosk 0.3.45 segfaults on ``[]``, ``""``, ``{}`` and invalid JSON, so
    anything but a non-empty JSON list of non-empty strings is refused with
    :class:`ModelError`; with ``model``, so is any word it does not know.
    """
    if not isinstance(text, str) or not text.strip():
        raise ModelError("the recognizer grammar is empty", "every language needs phrases")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ModelError(f"the recognizer grammar is not valid JSON ({exc})") from None
    if not isinstance(value, list) or not value:
        raise ModelError("the recognizer grammar must be a non-empty JSON list of phrases")
    bad = [v for v in value if not isinstance(v, str) or not v.strip()]
    if bad:
        raise ModelError(f"the recognizer grammar has empty or non-text entries: {bad!r}")
    if model is not None:
        missing = model.missing({w for v in value for w in v.split()})
        if missing:
            raise ModelError(
                f"the model {model.name} does not know: {', '.join(missing)}",
                "Vosk would silently drop these words; remove them or use another model",
            )
    return list(value)


@dataclass
class VoskRecognizer:
    """Vosk grammar-mode recognizer (implements the ``Recognizer`` protocol)."""

    model: VoskModel
    table: PhraseTable
    sample_rate: int = 16000
    spotter_config: SpotterConfig | None = None
    """When a phrase fires; ``None``: what was measured for the table's language."""
    garbage: bool = True
    """Include the garbage path in the grammar (switch off only to measure what it buys)."""
    denoise_db: int = -15
    """Speex noise suppression in front of the recognizer (0: off); measured: recall in
    pink noise at 10 dB 0.09 -> 0.38 on espeak-ng Korean, clean unchanged."""
    denoise_gate_db: float | None = -50.0
    """Use the suppressor only while the noise floor is above this (dBFS): in a quiet
    room it only distorts speech. Measured on English (npm Zamia model, quick corpus):
    clean recall 0.833 -> 0.912 (Piper's bare "pause" heard again), pink noise at
    10 dB unchanged (0.904), false commands 257/h -> 194/h; Korean about unchanged
    (pink 10 dB 0.383 -> 0.362). ``None``: always suppress."""

    def __post_init__(self) -> None:
        self.grammar = grammar_phrases(self.table, self.model, self.garbage)
        text = grammar_json(self.grammar)
        self._rec = self.model.recognizer(self.sample_rate, text)
        self._rec.SetWords(True)  # word confidences in final results
        if self.spotter_config is None:
            self.spotter_config = SpotterConfig.for_language(self.table.language)
        self._spotter = PartialSpotter(self.table, self.spotter_config)
        self._owner = ThreadOwner("this Vosk recognizer")
        self._denoiser = self._open_denoiser()
        # How long the talker has been silent, for the spotter's quiet rule;
        # measured in the band speech lives in, on what Vosk itself hears.
        self._levels = FrameLevels(self.sample_rate, keep_seconds=QUIET_WINDOW_SECONDS,
                                   band_hz=SPEECH_BAND_HZ)
        self.info = RecognizerInfo("vosk", self.model.name, str(self.model.path),
                                   self.table.language)
        # Vosk's word times count seconds of audio since the recognizer was
        # made (Reset() does not restart them): kept to map them to audio time.
        self._fed = 0

    def _open_denoiser(self) -> Denoiser | None:
        if not self.denoise_db:
            return None
        return open_denoiser(self.sample_rate, self.denoise_db, self.denoise_gate_db)

    def accept(self, chunk: np.ndarray, t: float) -> list[Command]:
        self._owner.check()
        samples = check_chunk(chunk)
        now = t + len(samples) / self.sample_rate
        if self._denoiser is not None:
            samples = self._denoiser.process(samples)
        self._fed += len(samples)
        self._levels.add(samples, t)
        if self._rec.AcceptWaveform(samples.tobytes()):
            result = json.loads(self._rec.Result())
            found = result.get("result", [])
            words = [w["word"] for w in found]
            confs = [float(w.get("conf", 1.0)) for w in found]
            # The result arrives after Vosk's end-of-utterance silence, up to
            # seconds after the words: say when each word ended.
            behind = self._fed / self.sample_rate - now
            ends = [float(w["end"]) - behind for w in found] if all("end" in w for w in found) \
                else None
            return self._spotter.feed(words, now, final=True,
                                      confidence=min(confs) if confs else None, ends=ends)
        words = json.loads(self._rec.PartialResult()).get("partial", "").split()
        # Only a hypothesis with words can hold a phrase for the quiet rule to fire.
        quiet = self._levels.quiet_tail(QUIET_DROP_DB, QUIET_WINDOW_SECONDS) if words else None
        return self._spotter.feed(words, now, quiet_for=quiet)

    def reset(self) -> None:
        self._owner.check()
        self._rec.Reset()
        self._spotter.reset()
        self._levels.clear()
        if self._denoiser is not None:
            self._denoiser = self._open_denoiser()
