"""Commands heard over the coach's voice, and the coach's own words never obeyed.

Synthesized sessions: the coach (espeak-ng) talks through a simulated room
while the person (Piper) says commands over it; the track goes through the
echo canceller with the played signal as reference, a real recognizer
(PocketSphinx), and the echo guard.
"""

from __future__ import annotations

import pytest

from voicecoach.testing.echo_eval import run_session, score
from voicecoach.testing.room import COACH_COMMAND_WORD_LINES, COACH_LINES, Room, make_session
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
