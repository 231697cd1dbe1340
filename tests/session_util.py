"""Helpers for the session engine tests: routines, drivers, reaching a state."""

from __future__ import annotations

import copy
from typing import Any

from voicecoach.core.actions import Action, Record, RecordKind, Speak, StopSpeaking
from voicecoach.core.intents import Intent
from voicecoach.core.routine import Routine
from voicecoach.core.session import Session, SessionOptions, SessionState
from voicecoach.core.session.simulate import VirtualDriver

#: Two exercises: sides, a hold with a cue, a ready prompt, sets with a rest.
BASE: dict[str, Any] = {
    "title": "Lower back relief",
    "rest_between_exercises": "20s",
    "exercises": [
        {
            "name": "Knee to chest",
            "setup": "Lie on your back, knees bent, feet flat.",
            "sides": ["left", "right"],
            "reps": 3,
            "steps": [
                {"inhale": "Lift your {side} knee toward your chest."},
                {"hold": "10s", "cue": "Keep the knee lifted."},
                {"exhale": "Lower the leg slowly."},
            ],
        },
        {
            "name": "Pelvic tilt",
            "setup": "Stay on your back.",
            "ready": True,
            "reps": 2,
            "sets": 2,
            "rest_between_sets": "15s",
            "steps": [
                {"inhale": "Press your lower back into the floor."},
                {"exhale": "Relax."},
            ],
        },
    ],
}


def routine(**changes: Any) -> Routine:
    """The base routine with top-level ``changes``."""
    data = copy.deepcopy(BASE)
    data.update(changes)
    return Routine.model_validate(data)


def driver(options: SessionOptions | None = None, r: Routine | None = None) -> VirtualDriver:
    """A started virtual driver on a fresh session."""
    d = VirtualDriver(Session(r or routine(), options))
    d.start()
    return d


def reach(d: VirtualDriver, state: SessionState, limit: int = 5000) -> None:
    """Step until the session is in ``state`` (fails the test otherwise)."""
    for _ in range(limit):
        if d.session.state is state:
            return
        if not d.step():
            break
    raise AssertionError(f"never reached {state}; stuck in {d.session.state} at {d.t}")


def reach_kind(d: VirtualDriver, state: SessionState, unit_kind: str, limit: int = 5000) -> None:
    """Step until ``state`` with the current plan unit of ``unit_kind``."""
    for _ in range(limit):
        unit = d.session._unit()
        if d.session.state is state and unit is not None and unit.kind == unit_kind:
            return
        if not d.step():
            break
    raise AssertionError(f"never reached {state}/{unit_kind}")


def put_in(state: SessionState) -> VirtualDriver:
    """A driver whose session is in ``state`` (every state the matrix covers)."""
    if state is SessionState.SCREENING:
        d = driver(SessionOptions(screening_due=True))
    elif state is SessionState.OFFER:
        d = driver(SessionOptions(resume_from=1))
    else:
        d = driver()
    target = {
        SessionState.PAUSED: SessionState.HOLDING,
        SessionState.STOP_DIALOG: SessionState.HOLDING,
        SessionState.PAIN_DIALOG: SessionState.MOVING,
        SessionState.FINISHED: SessionState.SPEAKING,
    }.get(state, state)
    reach(d, target)
    if state is SessionState.PAUSED:
        d.say(Intent.PAUSE)
    elif state is SessionState.STOP_DIALOG:
        d.say(Intent.STOP)
    elif state is SessionState.PAIN_DIALOG:
        d.say(Intent.PAIN)
    elif state is SessionState.FINISHED:
        d.say(Intent.FINISH)
    assert d.session.state is state
    return d


def finish(d: VirtualDriver, limit: int = 20000) -> None:
    """Run until nothing more happens."""
    for _ in range(limit):
        if not d.step():
            return
    raise AssertionError("session never settled")


def speaks(actions: list[Action]) -> list[Speak]:
    """The Speak actions."""
    return [a for a in actions if isinstance(a, Speak)]


def said(actions: list[Action]) -> str:
    """Everything spoken, joined."""
    return " | ".join(s.text for s in speaks(actions))


def records(actions: list[Action], kind: RecordKind) -> list[Record]:
    """Records of one kind."""
    return [a for a in actions if isinstance(a, Record) and a.kind is kind]


def timeline_actions(d: VirtualDriver) -> list[Action]:
    """Every action the driver saw, in order."""
    return [e.action for e in d.result.timeline]


def spoken_at(d: VirtualDriver, text: str) -> list[float]:
    """When ``text`` started playing (exact match)."""
    return [e.t for e in d.result.timeline if isinstance(e.action, Speak) and e.action.text == text]


def first_is_stop(actions: list[Action]) -> bool:
    """Whether the list begins with StopSpeaking."""
    return bool(actions) and isinstance(actions[0], StopSpeaking)


def emitted_at(d: VirtualDriver, text: str) -> list[float]:
    """When the session emitted an utterance ``text`` (exact match)."""
    return [e.t for e in d.emitted if isinstance(e.action, Speak) and e.action.text == text]


def emitted_records(d: VirtualDriver, kind: RecordKind) -> list[Record]:
    """Every record of ``kind`` emitted so far."""
    return [e.action for e in d.emitted if isinstance(e.action, Record) and e.action.kind is kind]
