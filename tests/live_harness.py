"""A person, a room and a coach: drive ``voicecoach run`` end to end.

The coach runs as a real subprocess (``python -m voicecoach run``) against a
private PulseAudio server (:mod:`tests.pulse`); the "person" is synthesized
speech (Piper, the voice closest to a human here) played into the room sink at
chosen moments. The test reads the coach's ``--events`` log as it grows, so it
can act on what the coach does ("when the first inhale cue starts, say
pause") and then assert on the order of events, never on wall-clock timings.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.conftest import ROOT
from tests.pulse import PulseRoom

Event = dict


def person_wav(tmp: Path, text: str, gain_db: float = 0.0) -> Path:
    """``text`` as the Piper voice says it, in a WAV file for paplay.

    ``gain_db`` scales the voice (clipped to int16), for a person nearer or
    farther than usual.
    """
    from benchmarks.speech_corpus import Voice, say, scaled, write_wav

    suffix = "" if gain_db == 0 else f"_{gain_db:+.1f}dB"
    path = tmp / (text.replace(" ", "_").replace("'", "") + suffix + ".wav")
    if not path.exists():
        write_wav(path, scaled(say(text, Voice("piper", "joe", 1.0)), gain_db))
    return path


def seed_screening(history: Path) -> None:
    """Record a passed screening, as a previous session would have."""
    from voicecoach.adapters.history import SQLiteHistory
    from voicecoach.core.actions import Record, RecordKind
    from voicecoach.core.screening import SCREENING_QUESTIONS, SCREENING_VERSION

    with SQLiteHistory(history) as store:
        sid = store.start_session("seed", "Seed", 1, time.time() - 60)
        store.record(
            sid,
            Record(
                RecordKind.SCREENING_PASSED, 1.0,
                data={"questions": len(SCREENING_QUESTIONS), "version": SCREENING_VERSION},
            ),
        )
        store.record(sid, Record(RecordKind.SESSION_ENDED, 2.0, data={"reason": "finished"}))


class Coach:
    """A running ``voicecoach run`` with its event log."""

    def __init__(self, room: PulseRoom, tmp: Path, *args: str, screened: bool = True,
                 env: dict[str, str] | None = None) -> None:
        self.room = room
        self.tmp = tmp
        self.events_path = tmp / "events.jsonl"
        self.history = tmp / "history.sqlite3"
        if screened:
            seed_screening(self.history)
        full_env = {
            **os.environ,
            **room.env,
            "PYTHONPATH": str(ROOT),
            "VOICECOACH_HISTORY": str(self.history),
            "VOICECOACH_CACHE_DIR": str(tmp / "cache"),
            "XDG_CONFIG_HOME": str(tmp / "config"),
            **(env or {}),
        }
        self.output = (tmp / "coach.out").open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "voicecoach", "run", *args, "--no-keys",
             "--events", str(self.events_path)],
            cwd=ROOT, env=full_env, stdout=self.output, stderr=subprocess.STDOUT,
        )
        self._seen = 0
        self.person_sink = "room"
        """Where :meth:`say` plays the person's voice (a sink looped into the room)."""

    def events(self) -> list[Event]:
        """Every event logged so far."""
        if not self.events_path.exists():
            return []
        lines = self.events_path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def wait_for(self, match: Callable[[Event], bool], timeout: float = 60.0,
                 after: int | None = None) -> tuple[int, Event]:
        """Wait until an event (at index >= ``after``) matches; return (index, event)."""
        start = self._seen if after is None else after
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            events = self.events()
            for i in range(start, len(events)):
                if match(events[i]):
                    self._seen = i + 1
                    return i, events[i]
            if self.proc.poll() is not None and not any(
                match(e) for e in self.events()[start:]
            ):
                break
            time.sleep(0.05)
        raise AssertionError(
            f"no matching event within {timeout:g}s; exit={self.proc.poll()} "
            f"output={self.log_text()[-2000:]!r} last events={self.events()[-8:]!r}"
        )

    def say(self, text: str, gain_db: float = 0.0) -> None:
        """The person says ``text`` into the room (returns when it has been played)."""
        wav = person_wav(self.tmp, text, gain_db)
        player = self.room.play_into_room(wav, self.person_sink)
        player.wait(timeout=30)

    def say_until(self, text: str, match: Callable[[Event], bool], attempts: int = 3,
                  timeout: float = 8.0) -> Event:
        """Say ``text`` until the coach reacts, as a person repeats a missed command."""
        for attempt in range(attempts):
            self.say(text)
            try:
                return self.wait_for(match, timeout=timeout)[1]
            except AssertionError:
                if attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")

    def log_text(self) -> str:
        self.output.flush()
        return (self.tmp / "coach.out").read_text(encoding="utf-8", errors="replace")

    def wait_exit(self, timeout: float = 60.0) -> int:
        return self.proc.wait(timeout=timeout)

    def terminate(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.output.close()


def typed(kind: str, **fields: object) -> Callable[[Event], bool]:
    """Match events of ``type`` whose fields equal (or, for text, contain) the given ones."""

    def match(e: Event) -> bool:
        if e.get("type") != kind:
            return False
        for key, want in fields.items():
            have = e.get(key)
            if key == "text" and isinstance(want, str):
                if not isinstance(have, str) or want.lower() not in have.lower():
                    return False
            elif have != want:
                return False
        return True

    return match
