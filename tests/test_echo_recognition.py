"""Commands heard over the coach's voice, and the coach's own words never obeyed.

Synthesized sessions: the coach (espeak-ng) talks through a simulated room
while the person (Piper) says commands over it; the track goes through the
echo canceller with the played signal as reference, a real recognizer
(PocketSphinx), and the echo guard.
"""

from __future__ import annotations

import pytest

from voicecoach.core.intents import SAFETY_INTENTS
from voicecoach.testing.echo_eval import engine, run_session, score
from voicecoach.testing.room import (
    COACH_COMMAND_WORD_LINES,
    COACH_LINES,
    Room,
    make_session,
    parted_reference,
)
from voicecoach.testing.spotter import PHRASES, spot

COMMANDS = ["it hurts", "stop", "pause", "next", "go back", "wait"]


@pytest.fixture(scope="module")
def over_the_coach():
    lines = list(COACH_LINES[:4] + COACH_COMMAND_WORD_LINES[:4])
    return make_session(lines, COMMANDS, room=Room(delay_ms=120, seed=5), ratio_db=0.0, seed=5)


@pytest.fixture(scope="module")
def coach_alone():
    """The coach saying command words, with nobody else in the room."""
    return make_session(list(COACH_COMMAND_WORD_LINES), [], room=Room(delay_ms=70, seed=9), seed=9)


def test_commands_over_the_coach_are_heard_with_the_reference(over_the_coach) -> None:
    raw = score(over_the_coach, run_session(over_the_coach, spot, aec=False).kept, PHRASES)
    cleaned = score(over_the_coach, run_session(over_the_coach, spot).kept, PHRASES)
    assert cleaned.hits >= 4, cleaned  # of 6, at 0 dB coach-to-person
    assert cleaned.hits > raw.hits
    assert cleaned.false <= 1


def test_the_coach_saying_command_words_triggers_nothing(coach_alone) -> None:
    outcome = run_session(coach_alone, spot)
    assert outcome.kept == [], [(c.text, c.time) for c, _ in outcome.judged]


def test_without_cancellation_the_coach_would_trigger_commands(coach_alone) -> None:
    """The check above is not empty: the raw microphone is full of the coach's commands."""
    outcome = run_session(coach_alone, spot, aec=False, guard=False)
    assert len(outcome.kept) >= 5


def test_the_guard_alone_drops_the_coach_words_it_can_place(coach_alone) -> None:
    outcome = run_session(coach_alone, spot, aec=False, guard=True)
    matched = [v for _, v in outcome.judged if v is not None and v.match.value == "strong"]
    assert matched
    assert all(v.drop for v in matched)


# -- through the product's recognizer ------------------------------------------


@pytest.fixture(scope="module")
def sphinx():
    from voicecoach.adapters.recognizers import open_recognizer

    return open_recognizer("sphinx", "en", None)


def test_the_product_recognizer_hears_commands_over_the_coach_only_with_the_reference(
    sphinx,
) -> None:
    lines = list(COACH_LINES + COACH_COMMAND_WORD_LINES)
    commands = ["pause", "it hurts", "stop", "next", "go back", "wait"]
    commands += ["help", "repeat", "louder", "slow down", "that hurts", "skip"]
    session = make_session(lines, commands, room=Room(delay_ms=90, seed=3), ratio_db=6.0, seed=3)
    recognize = engine(sphinx, [line.start for line in session.lines])
    raw = score(session, run_session(session, recognize, aec=False).kept, PHRASES)
    cleaned = score(session, run_session(session, recognize).kept, PHRASES)
    # Measured: 5 to 8 of 12 with the reference (the engine is near its thresholds
    # here), none without; at most one false command.
    assert cleaned.hits >= 4, cleaned
    assert raw.hits <= 2, raw
    assert cleaned.false <= 1, cleaned


def test_the_product_recognizer_obeys_no_coach_line(
    sphinx,
) -> None:
    session = make_session(
        list(COACH_COMMAND_WORD_LINES) * 2, [], room=Room(delay_ms=70, seed=9), seed=9
    )
    recognize = engine(sphinx, [line.start for line in session.lines])
    raw = run_session(session, recognize, aec=False, guard=False).kept
    kept = run_session(session, recognize).kept
    # The coach's voice alone fires commands ("You can say pause, next, ..."):
    # 3 with the command-LM engine (its isolation check refuses most), so
    # the check below is not empty.
    assert len(raw) >= 2
    # Measured: none, or one non-safety command fired after the last line
    # (the engine's isolation check waits for silence); never a safety one.
    assert len(kept) <= 1, kept
    assert not [c for c in kept if c.intent in SAFETY_INTENTS], kept


# -- voicecoach listen --reference ---------------------------------------------


def _write_wav(path, audio, rate: int = 16000) -> None:
    import wave

    import numpy as np

    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())


def test_listen_with_reference_hears_it_hurts_over_the_coach(tmp_path, cli) -> None:
    import json

    import numpy as np

    from voicecoach.testing.room import coach_voice, make_scene, person_voice

    coach = np.concatenate([coach_voice(t) for t in COACH_LINES[:3]])
    scene = make_scene(
        coach, person_voice("it hurts"), room=Room(delay_ms=100, seed=2), person_at_s=5.0
    )
    _write_wav(tmp_path / "mic.wav", scene.mic)
    _write_wav(tmp_path / "played.wav", scene.reference)
    start, end = scene.command_span or (0.0, 0.0)

    def pain_heard(*extra: str) -> bool:
        result = cli("listen", "--engine", "sphinx", "--json", *extra, str(tmp_path / "mic.wav"))
        assert result.returncode == 0, result.stderr
        lines = [json.loads(line) for line in result.stdout.splitlines()]
        return any(c["command"] == "pain" and start <= c["time"] <= end + 0.8 for c in lines)

    assert pain_heard("--reference", str(tmp_path / "played.wav"))
    assert not pain_heard()


def test_listen_reference_needs_a_recording(cli) -> None:
    result = cli("listen", "--reference", "played.wav")
    assert result.returncode == 2
    assert "--reference needs the recorded microphone track" in result.stderr


def test_listen_reference_that_does_not_exist_is_a_clear_error(tmp_path, cli) -> None:
    import numpy as np

    _write_wav(tmp_path / "mic.wav", np.zeros(1600, np.float32))
    result = cli(
        "listen",
        "--engine",
        "sphinx",
        "--reference",
        str(tmp_path / "nope.wav"),
        str(tmp_path / "mic.wav"),
    )
    assert result.returncode == 2
    assert "nope.wav" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_coach_is_not_obeyed_when_the_canceller_loses_the_echo(sphinx) -> None:
    """The timelines part by 1.5 s mid-session (a loaded machine): the filter
    cancels nothing, the coach says command words; none may be obeyed."""
    import dataclasses

    session = make_session(
        list(COACH_COMMAND_WORD_LINES), [], room=Room(delay_ms=70, seed=9), seed=9
    )
    scene = session.scene
    reference = parted_reference(scene.reference, 6.0, 1.5, scene.rate)
    parted = dataclasses.replace(session, scene=dataclasses.replace(scene, reference=reference))
    recognize = engine(sphinx, [line.start for line in session.lines])
    kept = run_session(parted, recognize).kept
    assert kept == [], kept
