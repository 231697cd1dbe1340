"""PocketSphinx: English commands with no download (the wheel ships a US-English model).

The decoder runs a tiny language model (:mod:`.sphinx_lm`): every command
phrase is one token competing with a few hundred frequent English words, so
conversation decodes as garbage words instead of being forced onto commands.
The recognizer reads the decoder's *partial* best path after every chunk and
fires a command token once the path shows it followed by a short stretch of
non-speech (``tail_seconds``): that is the endpointer, and it comes from the
decoder itself, so it keeps working in babble where a voice-activity detector
hears speech all the time.

Second opinion (``second_opinion``), before a command fires:

* **isolation** (non-safety phrases): no other word within ``lead_seconds``
  before the phrase. A command is said on its own; "wait" inside "we should
  wait for the bus" is not. Safety phrases ("it hurts", "stop", symptoms) may
  follow other words ("oh, it hurts"): recall first, as the product asks;
* **duration plausibility**: a phrase decoded in less than
  ``min_seconds_per_phone`` per phone is a fragment of something else.

In every case the phrase must be followed by ``tail_seconds`` without a word
(safety: ``safety_tail_seconds``), which also keeps "stop" in "stopwatch" quiet.
"""

from __future__ import annotations

import os
import tempfile
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from voicecoach.adapters.denoise import open_denoiser
from voicecoach.adapters.levels import SPEECH_BAND_HZ, FrameLevels
from voicecoach.adapters.recognizer import RecognizerInfo, ThreadOwner, check_chunk
from voicecoach.adapters.sphinx_lm import (
    TOKEN_PREFIX,
    CommandLM,
    command_token,
    pronunciations,
    token_pronunciations,
    write_arpa,
)
from voicecoach.core.intents import Command
from voicecoach.core.phrases import Phrase, PhraseTable
from voicecoach.core.phrases.en_common import COMMON_WORDS
from voicecoach.errors import EngineError, ModelError

__all__ = ["SphinxRecognizer", "SphinxTuning", "sphinx_model_dir"]

_FRAME_RATE = 100  # PocketSphinx frames per second
#: Starting cepstral mean: the en-us model's default (40,3,-1) is far from a
#: 16-bit microphone's speech, so the first command after start-up was often
#: misheard until live CMN adapted. This is the mean PocketSphinx adapts to on
#: human read speech (LibriVox, pocketsphinx-testdata); it keeps adapting live.
CMN_INIT = "45.0,-2.4,-3.7,8.3,0.25,0.3,-4.3,-1.4,-5.4,2.6,-4.9,0.1,0.8"
_GUARD = 0.04  # word boundaries from the decoder are this uncertain
_FILLERS = frozenset({"<s>", "</s>", "<sil>", "[NOISE]", "[SPEECH]", "(NULL)"})


def sphinx_model_dir() -> str:
    """Where the pocketsphinx wheel keeps its US-English model."""
    from pocketsphinx import get_model_path

    return str(get_model_path("en-us"))


@dataclass(frozen=True, slots=True)
class SphinxTuning:
    """Language-model weights and decision rules (measured by ``benchmarks.speech_input``)."""

    command_weight: float = 0.6
    """Share of the LM probability for command tokens (more: recall; less: precision)."""
    safety_boost: float = 3.0
    """Each safety phrase is this many times likelier than each other command."""
    filler_prob: float = 1e-8
    """Probability of the noise/speech filler words: more absorbs babble, and hides words."""
    garbage_words: int = 400
    """How many frequent English words form the garbage vocabulary."""
    tail_seconds: float = 0.12
    """Non-speech after a phrase before it fires: the endpointer (latency floor)."""
    safety_tail_seconds: float = 0.08
    """The same for safety phrases."""
    second_opinion: bool = True
    """Apply the isolation and duration checks (off only to measure what they buy)."""
    lead_seconds: float = 0.45
    """Isolation: no other word may end less than this before a non-safety phrase."""
    safety_lead_seconds: float = 0.3
    """The same for safety phrases, except after an interjection or another command
    ("oh, it hurts", "no, stop"): recall first without firing inside every sentence."""
    min_seconds_per_phone: float = 0.04
    """Duration plausibility: shorter phrases are fragments of other words."""
    background_db: float = 6.0
    """A neighbouring word this much quieter than the phrase is background (babble, a
    television), not the speaker's own sentence: it breaks neither isolation nor the tail."""
    level_band_hz: tuple[float, float] | None = SPEECH_BAND_HZ
    """Loudness for the isolation checks is measured in this band, where the acoustic model
    listens (None: broadband). Broadband levels are dominated by rumble below 150 Hz (fans,
    traffic, pink noise), which hid commands in steady noise: "the surroundings are 6 dB
    quieter than the phrase" failed on pure noise that the decoder never hears."""
    denoise_db: int = -15
    """Speex noise suppression in front of the decoder (0: off)."""
    topn: int = 8
    """Gaussians scored per mixture (PocketSphinx's default is 4). 8 measured +0.035
    clean and pink 5 dB recall (RTF 0.063 -> 0.076); 16 heard a little more but also
    took more conversation for commands."""
    max_utterance_seconds: float = 6.0
    """Restart decoding after this long (bounds memory and search on endless speech)."""
    overlap_seconds: float = 1.5
    """Audio re-fed after a forced restart, so a phrase cut by it is still heard."""


@dataclass
class SphinxRecognizer:
    """PocketSphinx command-LM recognizer implementing the Recognizer protocol."""

    table: PhraseTable
    sample_rate: int = 16000
    tuning: SphinxTuning = field(default_factory=SphinxTuning)

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
        dictionary = os.path.join(model, "cmudict-en-us.dict")
        # cmn="live" is overridden by the model's feat.params ("batch"), but PocketSphinx
        # runs batch CMN live when an utterance arrives in pieces: forcing "live"
        # (config + reinit_feat) decoded the benchmark identically.
        try:
            self._decoder: Any = pocketsphinx.Decoder(
                hmm=os.path.join(model, "en-us"), dict=dictionary, lm=None,
                loglevel="FATAL", fwdflat=False, bestpath=False, cmn="live",
                fillprob=self.tuning.filler_prob, cmninit=CMN_INIT, topn=self.tuning.topn,
            )
        except (RuntimeError, ValueError) as exc:
            raise ModelError(f"PocketSphinx could not load its model at {model} ({exc})") from None
        self._tokens: dict[str, Phrase] = {command_token(p): p for p in self.table.phrases}
        self._phones: dict[str, int] = {}
        self._install_lm(dictionary)
        self._cmn0 = self._decoder.get_cmn()
        self._history: deque[np.ndarray] = deque()
        self._history_samples = 0
        self._fired: list[tuple[str, float]] = []  # (token, audio start) of recent commands
        self._utt_start: float | None = None
        self._fed_to = 0.0  # audio time of the next sample the decoder will see
        self._denoiser = (open_denoiser(self.sample_rate, self.tuning.denoise_db)
                          if self.tuning.denoise_db else None)
        self._levels = FrameLevels(self.sample_rate, band_hz=self.tuning.level_band_hz)
        self._broad = FrameLevels(self.sample_rate) if self.tuning.level_band_hz else None
        self._owner = ThreadOwner("this PocketSphinx recognizer")
        self.info = RecognizerInfo("sphinx", "en-us (pocketsphinx wheel), command LM",
                                   model, "en")

    # -- setup ---------------------------------------------------------------

    def _install_lm(self, dictionary: str) -> None:
        t = self.tuning
        prons = pronunciations(self.table.words(), dictionary)
        missing = sorted(self.table.words() - prons.keys())
        if missing:
            raise ModelError(
                "the PocketSphinx dictionary lacks: " + ", ".join(missing),
                "change the English phrase table or add the words to the dictionary",
            )
        for token, phrase in self._tokens.items():
            for k, pron in enumerate(token_pronunciations(phrase, prons)):
                self._decoder.add_word(token if k == 0 else f"{token}({k + 1})", pron, False)
            self._phones[token] = len(token_pronunciations(phrase, prons)[0].split())
        singles = {p.text for p in self.table.phrases if len(p.words) == 1}
        common = tuple(w for w in COMMON_WORDS if w not in singles)[: t.garbage_words]
        self._interjections = frozenset(self.table.interjections)
        extra = tuple(sorted(w for w in self._interjections - set(common) - singles
                             if self._decoder.lookup_word(w) is not None))
        garbage = common + extra
        lm = CommandLM(self._tokens, garbage, t.command_weight, t.safety_boost)
        fd, path = tempfile.mkstemp(prefix="voicecoach-lm-", suffix=".arpa")
        try:
            with os.fdopen(fd, "w") as f:
                f.write(write_arpa(lm))
            self._decoder.add_lm_file("commands", path)
        finally:
            os.unlink(path)
        self._decoder.activate_search("commands")

    # -- streaming -----------------------------------------------------------

    def accept(self, chunk: np.ndarray, t: float) -> list[Command]:
        self._owner.check()
        samples = check_chunk(chunk)
        now = t + len(samples) / self.sample_rate
        if self._utt_start is None:
            self._fed_to = t
            self._start(t)
        if self._denoiser is not None:
            samples = self._denoiser.process(samples)
        self._remember(samples)
        self._levels.add(samples, self._fed_to)
        if self._broad is not None:
            self._broad.add(samples, self._fed_to)
        self._fed_to += len(samples) / self.sample_rate
        if len(samples):
            self._decoder.process_raw(samples.tobytes(), False, False)
        out = self._decide(now)
        self._housekeeping(now)
        return out

    def reset(self) -> None:
        self._owner.check()
        if self._utt_start is not None:
            self._decoder.end_utt()
        self._utt_start = None
        # A new stream may be another microphone or file: forget the channel
        # estimate too (it re-adapts within a second or two of speech).
        self._decoder.set_cmn(self._cmn0)
        self._fired.clear()
        self._history.clear()
        self._history_samples = 0
        self._levels.clear()
        if self._broad is not None:
            self._broad.clear()
        if self._denoiser is not None:
            self._denoiser = open_denoiser(self.sample_rate, self.tuning.denoise_db)

    def _start(self, t: float) -> None:
        self._decoder.start_utt()
        self._utt_start = t

    def _restart(self, refeed: np.ndarray | None = None) -> None:
        self._decoder.end_utt()
        if refeed is None or not len(refeed):
            self._start(self._fed_to)
            return
        self._start(self._fed_to - len(refeed) / self.sample_rate)
        self._decoder.process_raw(refeed.tobytes(), False, False)

    def _remember(self, samples: np.ndarray) -> None:
        self._history.append(samples)
        self._history_samples += len(samples)
        limit = round(self.tuning.overlap_seconds * self.sample_rate)
        while self._history and self._history_samples - len(self._history[0]) >= limit:
            self._history_samples -= len(self._history.popleft())

    def _segments(self) -> list[tuple[str, float, float]]:
        """Words of the current partial best path: (word, audio start, audio end)."""
        assert self._utt_start is not None
        base = self._utt_start
        return [(s.word, base + s.start_frame / _FRAME_RATE, base + (s.end_frame + 1) / _FRAME_RATE)
                for s in self._decoder.seg() if s.word not in _FILLERS]

    def _decide(self, now: float) -> list[Command]:
        if self._decoder.hyp() is None:
            return []
        t = self.tuning
        words = self._segments()
        decoded_to = self._utt_start + self._decoder.n_frames() / _FRAME_RATE
        out: list[Command] = []
        for i, (word, start, end) in enumerate(words):
            phrase = self._tokens.get(word.split("(")[0]) if word.startswith(TOKEN_PREFIX) else None
            if phrase is None:
                continue
            token = command_token(phrase)
            tail = t.safety_tail_seconds if phrase.is_safety else t.tail_seconds
            loud = self._loudness(start, end)
            after = [w for w in words[i + 1 :] if self._foreground(w, loud)]
            following = after[0][1] if after else decoded_to
            if following - end < tail:
                continue  # still talking (or not yet sure it has stopped)
            if any(tok == token and abs(s - start) < 0.5 for tok, s in self._fired):
                continue
            if t.second_opinion and not self._plausible(phrase, token, words, i, loud):
                continue
            self._fired.append((token, start))
            out.append(Command(phrase.intent, now, phrase.text,
                               0.9 if i == 0 else 0.7, detail=phrase.detail, said_until=end))
        if out:
            self._restart()  # the path so far is spent; start clean after a command
        return out

    def _plausible(self, phrase: Phrase, token: str, words: list[tuple[str, float, float]],
                   i: int, loud: tuple[float, float | None]) -> bool:
        """The second opinion: plausible duration, and said on its own."""
        t = self.tuning
        start, end = words[i][1], words[i][2]
        if end - start < t.min_seconds_per_phone * self._phones[token]:
            return False
        lead = t.safety_lead_seconds if phrase.is_safety else t.lead_seconds
        tail = t.safety_tail_seconds if phrase.is_safety else t.tail_seconds
        level = loud[0]
        for word, prev_start, prev_end in reversed(words[:i]):
            if not self._foreground((word, prev_start, prev_end), loud):
                continue
            if start - prev_end >= lead:
                break
            lead_in = word in self._interjections or word.startswith(TOKEN_PREFIX)
            if not (phrase.is_safety and lead_in):
                return False
            start = prev_start  # "oh, it hurts": isolation is measured before the "oh"
        # The decoder's words can miss speech (a restart, a word decoded as
        # noise): the signal itself must be quieter around the phrase.
        return (self._quiet(start - lead, start - _GUARD, level)
                and self._quiet(end + _GUARD, end + tail, level))

    def _quiet(self, a: float, b: float, level: float) -> bool:
        if b - a < 0.02:
            return True
        return self._levels.level(a, b) < level - self.tuning.background_db

    def _loudness(self, start: float, end: float) -> tuple[float, float | None]:
        """A phrase's level in the model's band, and broadband (None without a band)."""
        broad = self._broad.level(start, end) if self._broad is not None else None
        return self._levels.level(start, end), broad

    def _foreground(self, word: tuple[str, float, float],
                    loud: tuple[float, float | None]) -> bool:
        """Whether ``word`` was said about as loud as a phrase of loudness ``loud``.

        Judged in the model's band, and also broadband when there is a band: a
        neighbouring word's nasals and voicing live low, so in the band alone
        "the next *bus*" looked 6 dB quieter than "bus" and let it stand alone.
        """
        drop = self.tuning.background_db
        band, broad = loud
        if self._levels.level(word[1], word[2]) >= band - drop:
            return True
        return (self._broad is not None and broad is not None
                and self._broad.level(word[1], word[2]) >= broad - drop)

    def _housekeeping(self, now: float) -> None:
        """Keep the utterance short: restart on long silence or after too long."""
        assert self._utt_start is not None
        self._fired = [(tok, s) for tok, s in self._fired if now - s < 5.0]
        length = now - self._utt_start
        if length < 2.0:
            return
        words = self._segments() if self._decoder.hyp() is not None else []
        if not words or now - words[-1][2] > 1.0:
            # Silence (or only fillers) so far; keep its last moments in case
            # a phrase is starting right now.
            self._restart(self._recent(0.3))
        elif length > self.tuning.max_utterance_seconds:
            self._restart(self._recent(self.tuning.overlap_seconds))

    def _recent(self, seconds: float) -> np.ndarray:
        audio = np.concatenate(list(self._history)) if self._history else np.zeros(0, np.int16)
        return audio[-round(seconds * self.sample_rate):]
