"""Ending a session from outside (Ctrl-C, SIGTERM) records the end, silently."""

from __future__ import annotations

from voicecoach.core.actions import Record, RecordKind, Speak
from voicecoach.core.library import load_routine
from voicecoach.core.session import Session, SessionState


def test_interrupt_records_the_end_without_speaking_and_only_once():
    session = Session(load_routine("try-it").routine)
    session.start(0.0)
    assert session.outcome is None
    out = session.interrupt(12.5, "sigterm")
    assert not any(isinstance(a, Speak) for a in out)
    ends = [a for a in out if isinstance(a, Record) and a.kind is RecordKind.SESSION_ENDED]
    assert len(ends) == 1
    assert ends[0].t == 12.5
    assert ends[0].data["reason"] == "interrupted"
    assert ends[0].data["cause"] == "sigterm"
    assert session.state is SessionState.FINISHED
    assert session.outcome == "interrupted"
    assert session.interrupt(13.0) == []


def test_outcome_names_how_a_session_ended():
    from voicecoach.core.intents import Command, Intent

    session = Session(load_routine("try-it").routine)
    session.start(0.0)
    session.command(Command(Intent.FINISH, 3.0))
    assert session.outcome == "finished"
