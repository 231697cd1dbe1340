"""The coach's own voice through real devices: false commands and recall, live.

Runs ``voicecoach run`` as a subprocess against a private PulseAudio server
whose speaker is looped back into the room (``tests.pulse.PulseRoom``), the
real player, microphone, canceller, guard and product recognizer:

1. *Nobody there*: a real routine (``scripts/any-position.yaml`` with the
   "ready" waits taken out and rests shortened) for N minutes; every ``heard``
   event is a false command (the coach obeyed itself), every ``echo_dropped``
   one the guard caught. Rates are per hour of coach speech (from the
   ``speech_started`` / ``speech_stopped`` events).
2. *Over the coach*: the Piper person (``tests.live_harness.Coach.say``) says a
   command 0.8 s after the coach starts a line, at the same digital level as
   the coach; a hit is a ``heard`` event of that intent within 4 s.

    /work/venv/bin/python -m benchmarks.echo_live [--minutes 3] [--trials 16]

Prints a Markdown table (the README's "Hearing the person over the coach").
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import yaml

from tests.conftest import ROOT
from tests.live_harness import Coach, Event, typed
from tests.pulse import PulseRoom

#: Commands said over the coach, with what the coach should hear; none opens a dialog.
OVER_THE_COACH = (
    ("pause", "pause"), ("repeat", "repeat"), ("wait", "pause"), ("slower", "slower"),
    ("hold on", "pause"), ("louder", "louder"), ("quieter", "quieter"), ("faster", "faster"),
)


def quiet_routine(tmp: Path) -> Path:
    """The bundled routine with nobody needed: no 'ready' waits, short rests."""
    data = yaml.safe_load((ROOT / "scripts" / "any-position.yaml").read_text(encoding="utf-8"))
    data["rest_between_exercises"] = "5s"
    for exercise in data["exercises"]:
        exercise.pop("ready", None)
        if "rest_between_sets" in exercise:
            exercise["rest_between_sets"] = "5s"
    path = tmp / "routine.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def speech_seconds(events: list[Event]) -> float:
    """How long the coach spoke, from its speech start and stop events."""
    started: dict[int, float] = {}
    total = 0.0
    for e in events:
        if e["type"] == "speech_started":
            started[e["id"]] = e["t"]
        elif e["type"] == "speech_stopped" and e["id"] in started:
            total += e["t"] - started.pop(e["id"])
    return total


def nobody_there(minutes: float) -> tuple[float, int, int]:
    """Coach speech seconds, commands obeyed, commands dropped by the guard."""
    with tempfile.TemporaryDirectory() as d, PulseRoom(loopback=True) as room:
        tmp = Path(d)
        coach = Coach(room, tmp, str(quiet_routine(tmp)))
        try:
            end = time.monotonic() + minutes * 60
            while time.monotonic() < end and coach.proc.poll() is None:
                time.sleep(0.5)
        finally:
            coach.terminate()
        events = coach.events()
    heard = sum(1 for e in events if e["type"] == "heard")
    dropped = sum(1 for e in events if e["type"] == "echo_dropped")
    return speech_seconds(events), heard, dropped


def over_the_coach(trials: int) -> tuple[int, int, int]:
    """Commands said, heard, and dropped as echo by the guard."""
    said = hits = dropped = 0
    with tempfile.TemporaryDirectory() as d, PulseRoom(loopback=True) as room:
        tmp = Path(d)
        coach = Coach(room, tmp, str(quiet_routine(tmp)))
        try:
            for i in range(trials):
                phrase, intent = OVER_THE_COACH[i % len(OVER_THE_COACH)]
                coach.wait_for(typed("speech_started"), timeout=60)
                time.sleep(0.8)
                mark = len(coach.events())
                coach.say(phrase)
                said += 1
                try:
                    coach.wait_for(typed("heard", intent=intent), timeout=4.0, after=mark)
                    hits += 1
                except AssertionError:
                    late = coach.events()[mark:]
                    dropped += any(
                        e["type"] == "echo_dropped" and e.get("intent") == intent for e in late
                    )
                if intent == "pause" and any(
                    e["type"] == "state" and e.get("to") == "paused" for e in coach.events()[mark:]
                ):
                    time.sleep(1.5)
                    coach.say_until("continue", typed("heard", intent="resume"), attempts=4)
                time.sleep(1.0)
                if coach.proc.poll() is not None:
                    break
        finally:
            coach.terminate()
    return said, hits, dropped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=3.0, help="nobody-there session length")
    parser.add_argument("--trials", type=int, default=16, help="commands said over the coach")
    args = parser.parse_args()
    seconds, heard, dropped = nobody_there(args.minutes)
    said, hits, lost = over_the_coach(args.trials)
    hours = max(seconds, 1e-9) / 3600
    print("| measure | value |")
    print("|---|---|")
    print(f"| coach speech, nobody there | {seconds / 60:.1f} min |")
    print(f"| commands obeyed from the coach's own voice | {heard} ({heard / hours:.0f}/h) |")
    print(f"| caught by the echo guard (`echo_dropped`) | {dropped} ({dropped / hours:.0f}/h) |")
    print(f"| commands said over the coach, heard | {hits}/{said} ({hits / max(said, 1):.2f}) |")
    print(f"| ... of the misses, dropped by the guard as echo | {lost} |")


if __name__ == "__main__":
    main()
