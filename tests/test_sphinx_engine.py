"""PocketSphinx on Piper and espeak-ng English; human read speech gives no command."""

from __future__ import annotations

import pytest

from benchmarks.speech_corpus import feed, place, say
from tests.speech_fixtures import PIPER, heard_in_human_speech, said_alone
from voicecoach.adapters.sphinx_engine import SphinxRecognizer
from voicecoach.core.intents import SAFETY_INTENTS, Intent
from voicecoach.core.phrases import phrase_table
from voicecoach.errors import ModelError

EN = phrase_table("en")


@pytest.fixture(scope="module")
def rec():
    return SphinxRecognizer(EN)


@pytest.mark.parametrize(("text", "intent"), [
    ("continue", Intent.RESUME), ("help", Intent.HELP), ("go back", Intent.PREVIOUS),
    ("faster", Intent.FASTER), ("next", Intent.NEXT), ("it hurts", Intent.PAIN),
])
def test_piper_commands(rec, text, intent):
    heard, placed = said_alone(rec, text)
    hits = [c for c in heard if c.intent is intent]
    assert hits
    assert placed.start < hits[0].time < placed.end + 0.6
    # It fires after a stretch of non-speech, but says where the phrase ended
    # (the decoder's word end), which the echo guard and canceller judge by.
    said = hits[0].said_until
    assert said is not None and said < hits[0].time
    assert abs(said - placed.end) < 0.2


def test_human_read_speech_gives_no_non_safety_command(rec):
    fired = [c.text for c in heard_in_human_speech(rec) if c.intent not in SAFETY_INTENTS]
    assert fired == []


def test_sphinx_is_english_only():
    with pytest.raises(ModelError, match="Vosk model"):
        SphinxRecognizer(phrase_table("ko"))


def test_info_names_the_bundled_model(rec):
    assert rec.info.engine == "sphinx" and "pocketsphinx" in rec.info.model


def test_a_safety_phrase_may_follow_an_interjection(rec):
    audio, [_, placed] = place([(t, say(t, PIPER)) for t in ("next", "oh it hurts")])
    rec.reset()
    hits = [c for c in feed(rec, audio) if c.intent is Intent.PAIN]
    assert hits and placed.start < hits[0].time < placed.end + 0.5


def test_a_command_inside_a_sentence_does_not_fire(rec):
    heard, _ = said_alone(rec, "I think we should wait for the next bus")
    assert heard == []
