"""A small PocketSphinx keyword spotter for echo measurements.

Used by the echo tests and benchmark to ask "which commands would a
recognizer hear in this track?" on English audio, offline, with the model
inside the pocketsphinx wheel. Not the product's recognizer.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from voicecoach.core.intents import Intent
from voicecoach.testing.echo_eval import Heard

__all__ = ["PHRASES", "Heard", "spot"]

#: English phrases from PRODUCT.md, with keyword-spotting thresholds
#: (longer phrases need a lower threshold).
PHRASES: dict[str, Intent] = {
    "pause": Intent.PAUSE,
    "wait": Intent.PAUSE,
    "hold on": Intent.PAUSE,
    "resume": Intent.RESUME,
    "continue": Intent.RESUME,
    "go on": Intent.RESUME,
    "next": Intent.NEXT,
    "skip": Intent.NEXT,
    "next exercise": Intent.NEXT,
    "go back": Intent.PREVIOUS,
    "previous": Intent.PREVIOUS,
    "repeat": Intent.REPEAT,
    "say again": Intent.REPEAT,
    "repeat that": Intent.REPEAT,
    "stop": Intent.STOP,
    "finish": Intent.FINISH,
    "end session": Intent.FINISH,
    "quit": Intent.FINISH,
    "it hurts": Intent.PAIN,
    "that hurts": Intent.PAIN,
    "ouch": Intent.PAIN,
    "pain": Intent.PAIN,
    "slower": Intent.SLOWER,
    "slow down": Intent.SLOWER,
    "faster": Intent.FASTER,
    "speed up": Intent.FASTER,
    "louder": Intent.LOUDER,
    "speak up": Intent.LOUDER,
    "quieter": Intent.QUIETER,
    "softer": Intent.QUIETER,
    "how many left": Intent.STATUS,
    "status": Intent.STATUS,
    "help": Intent.HELP,
    "what can i say": Intent.HELP,
}


def _threshold(phrase: str) -> float:
    """Keyword-spotting threshold; tuned on Piper commands against espeak-ng coach lines."""
    one_syllable = {"ouch", "pause", "wait", "next", "skip", "stop", "quit", "help", "pain"}
    if phrase in one_syllable:
        return 1e-5
    return 1e-10 if len(phrase.split()) == 1 else 1e-15


@functools.cache
def _decoder() -> Any:
    import tempfile

    from pocketsphinx import Decoder

    with tempfile.NamedTemporaryFile("w", suffix=".kws", delete=False) as f:
        f.write("".join(f"{p} /{_threshold(p):.0e}/\n" for p in PHRASES))
    return Decoder(kws=f.name, loglevel="FATAL")


def spot(audio: np.ndarray, rate: int = 16000) -> list[Heard]:
    """Commands heard in ``audio`` (float in [-1, 1] or int16, mono, 16 kHz).

    PocketSphinx's endpointer cuts the track into stretches of speech and
    each is decoded as one utterance, as a live recognizer does; keyword
    spotting over one long utterance drifts.
    """
    from pocketsphinx import Endpointer

    if rate != 16000:
        raise ValueError("the spotter works at 16 kHz")
    if audio.dtype == np.int16:
        pcm = audio
    else:
        pcm = np.clip(audio * 32768, -32768, 32767).astype(np.int16)
    decoder = _decoder()
    endpointer = Endpointer(window=0.3, ratio=0.9, sample_rate=rate)
    step = endpointer.frame_bytes // 2
    heard: list[Heard] = []
    in_utt = False
    offset = 0.0  # audio time of the first sample of the current utterance
    fed = 0  # samples given to the decoder in the current utterance

    def collect() -> None:
        for s in decoder.seg() or ():
            word = s.word.strip()
            start, end = offset + s.start_frame / 100, offset + s.end_frame / 100
            if word in PHRASES and not any(
                h.intent is PHRASES[word] and h.end > start for h in heard
            ):
                heard.append(Heard(PHRASES[word], word, start, end))

    for i in range(0, len(pcm) - step + 1, step):
        speech = endpointer.process(pcm[i : i + step].tobytes())
        if speech is None:
            continue
        if not in_utt:
            decoder.start_utt()
            in_utt = True
            offset, fed = endpointer.speech_start, 0
        decoder.process_raw(speech, False, False)
        fed += len(speech) // 2
        if decoder.hyp() is not None:
            collect()
            decoder.end_utt()
            decoder.start_utt()
            offset, fed = offset + fed / rate, 0
        if not endpointer.in_speech:
            decoder.end_utt()
            collect()
            in_utt = False
    if in_utt:
        decoder.end_utt()
        collect()
    return heard
