"""PocketSphinx keyword spotting: the first English engine, kept for comparison.

The default English engine is :class:`~voicecoach.adapters.sphinx_engine.SphinxRecognizer`
(a command language model with a garbage vocabulary); ``benchmarks.speech_input``
measures both (``sphinx-kws`` there).

Keyword spotting (``kws``) listens for every phrase continuously and reports
a phrase as soon as its last phone scores above the phrase's threshold, so
latency is low and cost is a fraction of real time. Keyword spotting is also
easily fooled by short words inside conversation, so every detection gets a
*second opinion* before it becomes a command:

* **duration plausibility**: a phrase spoken in less than
  ``min_seconds_per_phone`` per phone is a fragment of something else;
* **isolation** (non-safety phrases only): a voice-activity detector must have
  heard mostly non-speech just before the phrase and for ``tail_seconds``
  after it. A command is said on its own; "next" inside a sentence is not.

Safety phrases ("it hurts", "stop", symptoms) get lower thresholds and skip
the isolation rule, trading false alarms for recall, as the product asks.
"""

from __future__ import annotations

import os
import tempfile
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from voicecoach.adapters.recognizer import RecognizerInfo, ThreadOwner, check_chunk
from voicecoach.adapters.sphinx_engine import sphinx_model_dir
from voicecoach.core.intents import Command
from voicecoach.core.phrases import Phrase, PhraseTable
from voicecoach.errors import EngineError, ModelError

__all__ = ["KwsTuning", "SphinxKwsRecognizer"]

_FRAME_RATE = 100  # PocketSphinx frames per second


@dataclass(frozen=True, slots=True)
class KwsTuning:
    """Thresholds and second-opinion rules (defaults measured by ``benchmarks.speech_input``)."""

    exponent_per_phone: float = 2.5
    """Detection threshold is ``1e-(base + per_phone * phones)``: longer phrases need more."""
    exponent_base: float = 0.0
    """Constant part of the threshold exponent."""
    safety_bonus: float = 2.0
    """Extra exponent for safety phrases: a lower threshold, caught more easily."""
    min_seconds_per_phone: float = 0.045
    """Duration plausibility: shorter detections are fragments of other words."""
    isolate: bool = True
    """Apply the isolation rule to non-safety phrases."""
    lead_seconds: float = 0.35
    """Speech may start at most this long before a non-safety phrase (no wait needed)."""
    tail_seconds: float = 0.12
    """Non-speech awaited after a non-safety phrase before it fires."""
    max_speech_fraction: float = 0.5
    """Fraction of VAD frames in the lead/tail windows allowed to be speech."""
    vad_mode: int = 2
    """PocketSphinx VAD aggressiveness, 0 (loose) to 3 (strict)."""


@dataclass(slots=True)
class _Pending:
    phrase: Phrase
    start: float
    end: float
    confidence: float


@dataclass
class SphinxKwsRecognizer:
    """PocketSphinx keyword-spotting recognizer implementing the Recognizer protocol."""

    table: PhraseTable
    sample_rate: int = 16000
    tuning: KwsTuning = field(default_factory=KwsTuning)

    def __post_init__(self) -> None:
        if self.table.language != "en":
            raise ModelError(
                f"PocketSphinx here only has a US-English model, not {self.table.name}",
                "install a Vosk model for this language (see `voicecoach models`)",
            )
        if self.sample_rate != 16000:
            raise EngineError("the PocketSphinx en-us model needs 16000 Hz audio")
        import pocketsphinx

        model = sphinx_model_dir()
        try:
            self._decoder: Any = pocketsphinx.Decoder(
                hmm=os.path.join(model, "en-us"),
                dict=os.path.join(model, "cmudict-en-us.dict"),
                lm=None,
                loglevel="FATAL",
            )
        except (RuntimeError, ValueError) as exc:
            raise ModelError(f"PocketSphinx could not load its model at {model} ({exc})") from None
        self._phones = self._phone_counts()
        self._by_text = {p.text: p for p in self.table.phrases}
        self._install_keyphrases()
        self._vad = pocketsphinx.Vad(self.tuning.vad_mode, self.sample_rate, 0.03)
        self._vad_samples = int(self._vad.frame_bytes // 2)
        self._vad_step = self._vad_samples / self.sample_rate
        self._vad_buf = np.zeros(0, np.int16)
        self._vad_t = 0.0  # audio time of the first sample in _vad_buf
        self._speech: deque[tuple[float, bool]] = deque(maxlen=200)  # 6 s of VAD frames
        self._pending: list[_Pending] = []
        self._last_fired: dict[str, float] = {}
        self._utt_start: float | None = None
        self._owner = ThreadOwner("this PocketSphinx recognizer")
        self.info = RecognizerInfo("sphinx", "en-us (pocketsphinx wheel)", model, "en")

    # -- setup ---------------------------------------------------------------

    def _phone_counts(self) -> dict[str, int]:
        missing, counts = [], {}
        for word in self.table.words():
            pron = self._decoder.lookup_word(word)
            if pron is None:
                missing.append(word)
            else:
                counts[word] = len(pron.split())
        if missing:
            raise ModelError(
                "the PocketSphinx dictionary lacks: " + ", ".join(sorted(missing)),
                "change the English phrase table or add the words to the dictionary",
            )
        return counts

    def phones(self, phrase: Phrase) -> int:
        """Number of phones in ``phrase`` (first pronunciation of each word)."""
        return sum(self._phones[w] for w in phrase.words)

    def threshold_exponent(self, phrase: Phrase) -> float:
        """The ``x`` in the phrase's kws threshold ``1e-x``."""
        t = self.tuning
        x = t.exponent_base + t.exponent_per_phone * self.phones(phrase)
        return x + (t.safety_bonus if phrase.is_safety else 0.0)

    def _install_keyphrases(self) -> None:
        lines = [f"{p.text} /1e-{self.threshold_exponent(p):.1f}/" for p in self.table.phrases]
        fd, path = tempfile.mkstemp(prefix="voicecoach-kws-", suffix=".txt")
        try:
            with os.fdopen(fd, "w") as f:
                f.write("\n".join(lines) + "\n")
            self._decoder.add_kws("commands", path)
        finally:
            os.unlink(path)
        self._decoder.activate_search("commands")

    # -- streaming -----------------------------------------------------------

    def accept(self, chunk: np.ndarray, t: float) -> list[Command]:
        self._owner.check()
        samples = check_chunk(chunk)
        now = t + len(samples) / self.sample_rate
        if self._utt_start is None:
            self._decoder.start_utt()
            self._utt_start = t
            self._vad_t = t
        self._track_speech(samples)
        self._decoder.process_raw(samples.tobytes(), False, False)
        if self._decoder.hyp() is not None:
            self._take_detections()
        out = self._decide(now)
        if now - self._utt_start > 30.0 and not self._pending and not self._recent_speech(now):
            self._restart(now)  # keep per-utterance state bounded on long sessions
        return out

    def reset(self) -> None:
        self._owner.check()
        if self._utt_start is not None:
            self._decoder.end_utt()
        self._utt_start = None
        self._pending.clear()
        self._last_fired.clear()
        self._speech.clear()
        self._vad_buf = np.zeros(0, np.int16)

    def _restart(self, now: float) -> None:
        self._decoder.end_utt()
        self._decoder.start_utt()
        self._utt_start = now

    def _track_speech(self, samples: np.ndarray) -> None:
        buf = np.concatenate([self._vad_buf, samples])
        n = self._vad_samples
        usable = len(buf) - len(buf) % n
        for i in range(0, usable, n):
            self._speech.append((self._vad_t, bool(self._vad.is_speech(buf[i : i + n].tobytes()))))
            self._vad_t += self._vad_step
        self._vad_buf = buf[usable:]

    def _speech_fraction(self, start: float, end: float) -> float | None:
        frames = [s for t, s in self._speech if start <= t and t + self._vad_step <= end]
        return sum(frames) / len(frames) if frames else None

    def _speech_onset(self, end: float, gap: float = 0.2) -> float | None:
        """Start of the stretch of speech that runs up to ``end`` (pauses < ``gap`` bridged)."""
        onset, quiet = None, 0.0
        for t, is_speech in reversed(self._speech):
            if t >= end:
                continue
            if is_speech:
                onset, quiet = t, 0.0
            else:
                quiet += self._vad_step
                if quiet >= gap:
                    break
        return onset

    def _recent_speech(self, now: float) -> bool:
        return bool(self._speech_fraction(now - 0.5, now))

    def _take_detections(self) -> None:
        assert self._utt_start is not None
        found: list[_Pending] = []
        for seg in self._decoder.seg():
            phrase = self._by_text.get(seg.word.strip())
            if phrase is None or seg.end_frame <= seg.start_frame:
                continue
            start = self._utt_start + seg.start_frame / _FRAME_RATE
            end = self._utt_start + (seg.end_frame + 1) / _FRAME_RATE
            found.append(_Pending(phrase, start, end, float(seg.prob)))
        self._restart(self._utt_start + self._decoder.n_frames() / _FRAME_RATE)
        # Overlapping detections are one event: keep the best-scoring reading.
        found.sort(key=lambda p: (p.confidence, self.phones(p.phrase)), reverse=True)
        for cand in found:
            if any(_overlap(cand, kept) > 0.5 for kept in self._pending):
                continue
            if self._plausible(cand):
                self._pending.append(cand)

    def _plausible(self, cand: _Pending) -> bool:
        t = self.tuning
        minimum = t.min_seconds_per_phone * self.phones(cand.phrase)
        if cand.phrase.is_safety:
            minimum *= 0.7
        if cand.end - cand.start < minimum:
            return False
        last = self._last_fired.get(cand.phrase.text)
        return last is None or cand.start > last  # the same utterance never fires twice

    def _decide(self, now: float) -> list[Command]:
        out: list[Command] = []
        t = self.tuning
        for cand in list(self._pending):
            isolate = t.isolate and not cand.phrase.is_safety
            if isolate:
                onset = self._speech_onset(cand.end)
                if onset is not None and onset < cand.start - t.lead_seconds:
                    self._pending.remove(cand)  # the end of a longer stretch of speech
                    continue
                if now < cand.end + t.tail_seconds + 0.08:
                    continue
                tail = self._speech_fraction(cand.end + 0.08, cand.end + t.tail_seconds + 0.08)
                self._pending.remove(cand)
                if tail is not None and tail > t.max_speech_fraction:
                    continue
            else:
                self._pending.remove(cand)
            self._last_fired[cand.phrase.text] = cand.end
            out.append(Command(cand.phrase.intent, now, cand.phrase.text,
                               round(min(1.0, max(0.0, cand.confidence)), 3),
                               detail=cand.phrase.detail))
        return out


def _overlap(a: _Pending, b: _Pending) -> float:
    inter = min(a.end, b.end) - max(a.start, b.start)
    return max(0.0, inter) / max(1e-6, min(a.end - a.start, b.end - b.start))
