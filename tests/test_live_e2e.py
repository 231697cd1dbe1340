"""``voicecoach run`` end to end: real voice, real recognizer, real (virtual) devices.

The person's commands are Piper speech played into the room at moments chosen
from the coach's own event log; the assertions are on the order of events.
"""

from __future__ import annotations

import pytest

from tests.live_harness import Coach, typed
from tests.pulse import HAVE_PULSE, PulseRoom

pytestmark = [
    pytest.mark.audio,
    pytest.mark.slow,
    pytest.mark.skipif(not HAVE_PULSE, reason="PulseAudio is not installed"),
]


def index_of(events, match, start=0):
    for i in range(start, len(events)):
        if match(events[i]):
            return i
    return None


def test_sigterm_ends_cleanly_and_the_session_is_recorded(tmp_path):
    from voicecoach.adapters.history import SQLiteHistory

    with PulseRoom(loopback=False) as room:
        coach = Coach(room, tmp_path, "try-it")
        try:
            coach.wait_for(typed("state", to="waiting_ready"))
            coach.proc.send_signal(15)
            assert coach.wait_exit() == 130
        finally:
            coach.terminate()
    events = coach.events()
    assert index_of(events, typed("shutdown", reason="sigterm")) is not None
    assert index_of(events, typed("session_ended", reason="interrupted")) is not None
    with SQLiteHistory(coach.history) as store:
        last = store.recent_sessions(1)[0]
        assert last.outcome.value == "interrupted"
        assert store.integrity_check() in ("ok", True, ["ok"])
