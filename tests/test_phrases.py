"""Phrase tables: PRODUCT.md's phrases, symptoms, matching, and the ``phrases`` command."""

from __future__ import annotations

import json

import pytest

from voicecoach.core.intents import Intent, Symptom
from voicecoach.core.phrases import find_phrases, phrase_table
from voicecoach.errors import VoicecoachError

# PRODUCT.md's "Spoken commands (English)" table, verbatim.
PRODUCT = {
    "pause": ["pause", "wait", "hold on"], "resume": ["resume", "continue", "go on"],
    "next": ["next", "skip", "next exercise"], "previous": ["go back", "previous"],
    "repeat": ["repeat", "say again", "repeat that"], "stop": ["stop"],
    "finish": ["finish", "end session", "quit"],
    "pain": ["it hurts", "that hurts", "ouch", "pain"],
    "slower": ["slower", "slow down"], "faster": ["faster", "speed up"],
    "louder": ["louder", "speak up"], "quieter": ["quieter", "softer"],
    "status": ["how many left", "status"], "help": ["help", "what can i say"],
    "yes": ["yes"], "no": ["no"], "ready": ["ready", "i'm ready"],
}


def test_english_has_every_product_phrase():
    table = phrase_table("en")
    have = {(p.intent.value, p.text) for p in table.phrases}
    for intent, texts in PRODUCT.items():
        for text in texts:
            assert (intent, text) in have


@pytest.mark.parametrize("language", ["en", "ko"])
def test_every_intent_and_symptom_is_covered(language):
    table = phrase_table(language)
    assert {p.intent for p in table.phrases} == set(Intent)
    assert {p.detail for p in table.phrases if p.intent is Intent.SYMPTOM} == {
        s.value for s in Symptom
    }
    assert not table.words() & set(table.fillers)


def test_longest_match_wins_and_garbage_is_skipped():
    table = phrase_table("en")
    found = find_phrases(["oh", "pain", "in", "my", "leg", "stop", "it", "hurts"], table)
    assert [(m.phrase.intent, m.phrase.detail, m.start) for m in found] == [
        (Intent.SYMPTOM, "leg pain", 1), (Intent.STOP, None, 5), (Intent.PAIN, None, 6)]


def test_unknown_language_names_the_known_ones():
    with pytest.raises(VoicecoachError, match="en, ko"):
        phrase_table("xx")


def test_korean_words_are_all_in_the_korean_model(ko_model):
    table = phrase_table("ko")
    assert ko_model.missing(table.words()) == []
    assert not ko_model.has_unk


def test_phrases_cli(cli):
    out = cli("phrases", "--language", "ko", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["language"] == "ko"
    assert {"text": "아파", "intent": "pain", "detail": None, "safety": True} in data["phrases"]
    text = cli("phrases").stdout
    assert "what can i say" in text and "[leg pain]" in text
