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
   command 0.8 s after the coach starts a line, scaled by each of ``--gains``
   dB (unscaled, the person is about 10 dB louder than the coach: gain -10 is
   a 0 dB coach-to-person ratio, -16 about +6 dB; the ratio is measured per
   command from the recorded reference); a hit is a ``heard`` event of that
   intent within 4 s. Misses are listed with what the coach heard instead.

    /work/venv/bin/python -m benchmarks.echo_live [--minutes 3] [--trials 16]
        [--gains 0 -10 -16] [--keep DIR]
    /work/venv/bin/python -m benchmarks.echo_live --alone --trials 32 --gains -10 -16

``--alone`` says the same commands with no coach and no devices (the ceiling).

``--keep DIR`` leaves the event logs, ``trials.json`` and the echo path's
recordings (``VOICECOACH_ECHO_RECORD``) there, to replay with
``benchmarks.echo_replay``.

Prints a Markdown table (the README's "Hearing the person over the coach").
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from benchmarks.speech_corpus import RATE, read_wav
from tests.conftest import ROOT
from tests.live_harness import Coach, Event, person_wav, typed
from tests.pulse import PulseRoom
from voicecoach.runtime.echo import RECORD_ENV

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


def nobody_there(minutes: float, keep: Path | None = None) -> tuple[float, int, int]:
    """Coach speech seconds, commands obeyed, commands dropped by the guard."""
    with tempfile.TemporaryDirectory() as d, PulseRoom(loopback=True) as room:
        tmp = Path(d)
        env = {}
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            env[RECORD_ENV] = str(keep / "nobody-there.npz")
        coach = Coach(room, tmp, str(quiet_routine(tmp)), env=env)
        try:
            end = time.monotonic() + minutes * 60
            while time.monotonic() < end and coach.proc.poll() is None:
                time.sleep(0.5)
        finally:
            coach.terminate()
            if keep is not None:
                shutil.copy(coach.events_path, keep / "nobody-there-events.jsonl")
        events = coach.events()
    heard = sum(1 for e in events if e["type"] == "heard")
    dropped = sum(1 for e in events if e["type"] == "echo_dropped")
    return speech_seconds(events), heard, dropped


@dataclass(frozen=True)
class Trial:
    """One command said over the coach."""

    phrase: str
    intent: str
    said_at: tuple[float, float]
    """When the person's voice started and ended playing (``time.monotonic``)."""
    heard: bool
    dropped: bool
    """Missed because the guard dropped it as echo."""
    other: list[str]
    """What else the coach heard or dropped meanwhile (``type:intent:text``)."""
    coach_db: float | None = None
    """Active level of the coach's voice while the person spoke, dBFS."""


#: Session states that wait for the person to say "continue".
WAITING = ("paused", "stop_dialog", "pain_dialog")


def over_the_coach(trials: int, gain_db: float = 0.0, keep: Path | None = None) -> list[Trial]:
    """Say ``trials`` commands over the coach; ``keep``: leave events and the echo recording."""
    done: list[Trial] = []
    with tempfile.TemporaryDirectory() as d, PulseRoom(loopback=True) as room:
        tmp = Path(d)
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
        record = (keep or tmp) / "over-the-coach.npz"
        coach = Coach(room, tmp, str(quiet_routine(tmp)), env={RECORD_ENV: str(record)})
        try:
            for i in range(trials):
                phrase, intent = OVER_THE_COACH[i % len(OVER_THE_COACH)]
                person_wav(tmp, phrase, gain_db)  # synthesized before the coach's line starts
                coach.wait_for(typed("speech_started"), timeout=60)
                time.sleep(0.8)
                mark = len(coach.events())
                start = time.monotonic()
                coach.say(phrase, gain_db)
                end = time.monotonic()
                heard = True
                try:
                    coach.wait_for(typed("heard", intent=intent), timeout=4.0, after=mark)
                except AssertionError:
                    heard = False
                late = coach.events()[mark:]
                dropped = not heard and any(
                    e["type"] == "echo_dropped" and e.get("intent") == intent for e in late
                )
                other = [f"{e['type']}:{e.get('intent')}:{e.get('text')}" for e in late
                         if e["type"] in ("heard", "echo_dropped")]
                done.append(Trial(phrase, intent, (start, end), heard, dropped, other))
                # A pause (or a false "stop" or "it hurts" from the coach's own
                # voice) leaves the session waiting: go on, as a person would.
                time.sleep(1.0)
                if any(e["type"] == "state" and e.get("to") in WAITING
                       for e in coach.events()[mark:]):
                    time.sleep(0.5)
                    coach.say_until("continue", typed("heard", intent="resume"), attempts=4)
                if coach.proc.poll() is not None:
                    break
        finally:
            coach.terminate()
            if keep is not None:
                shutil.copy(coach.events_path, keep / "over-the-coach-events.jsonl")
        if record.exists():
            done = [dataclasses.replace(t, coach_db=coach_level(record, t.said_at)) for t in done]
        person_db = active_db(
            read_wav(person_wav(tmp, OVER_THE_COACH[0][0], gain_db), RATE).astype(np.float64)
            / 32768, RATE,
        )
    if keep is not None:
        rows = [{**dataclasses.asdict(t), "person_db": person_db} for t in done]
        (keep / "trials.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return [dataclasses.replace(t, coach_db=None if t.coach_db is None else t.coach_db - person_db)
            for t in done]


def alone(trials: int, gain_db: float) -> list[tuple[str, bool]]:
    """The same commands in the same voice at the same gain with no coach and no
    devices, in one stream through the product recognizer: the most recall over the
    coach can reach (each phrase's intent fired between its start and 1 s after it).
    The recognizer is the one the live coach picks (``auto``: Vosk when
    ``$VOICECOACH_VOSK_MODEL`` or an installed model serves English)."""
    from benchmarks.speech_corpus import Voice, feed, place, say, scaled
    from voicecoach.adapters.recognizers import open_recognizer

    said = [OVER_THE_COACH[i % len(OVER_THE_COACH)] for i in range(trials)]
    parts = [(text, scaled(say(text, Voice("piper", "joe", 1.0)), gain_db)) for text, _ in said]
    audio, placed = place(parts)
    recognizer = open_recognizer("auto", "en", None)
    commands = feed(recognizer, audio)
    return [(text, any(c.intent.value == intent and p.start <= c.time <= p.end + 1.0
                       for c in commands))
            for (text, intent), p in zip(said, placed, strict=True)]


def active_db(x: np.ndarray, rate: int) -> float:
    """Level of the loud part of ``x`` (20 ms frames within 30 dB of the loudest), dBFS."""
    n = rate // 50
    frames = x[: len(x) // n * n].reshape(-1, n)
    if not len(frames):
        return -120.0
    p = np.mean(frames**2, axis=1)
    loud = p[p > p.max() * 1e-3]
    if not loud.size:  # digital silence: the coach played nothing while the person spoke
        return -120.0
    return float(10 * np.log10(np.mean(loud) + 1e-12))


def coach_level(record: Path, span: tuple[float, float]) -> float | None:
    """The coach's active level over ``span`` (monotonic), from the recorded reference."""
    d = np.load(record)
    rate, blocks, ref = int(d["reference_rate"]), d["ref_blocks"], d["ref"]
    inside = np.flatnonzero((blocks[:, 1] >= span[0]) & (blocks[:, 1] < span[1]))
    if not len(inside):
        return None
    a = int(blocks[inside[0], 0])
    b = int(blocks[inside[-1] + 1, 0]) if inside[-1] + 1 < len(blocks) else len(ref)
    return active_db(ref[a:b].astype(np.float64), rate)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=3.0,
                        help="nobody-there session length (0: skip)")
    parser.add_argument("--trials", type=int, default=16, help="commands said over the coach")
    parser.add_argument("--gains", type=float, nargs="+", default=[0.0],
                        help="the person's voice scaled by these dB, one run each")
    parser.add_argument("--keep", type=Path,
                        help="leave event logs, trials.json and echo recordings here")
    parser.add_argument("--alone", action="store_true",
                        help="only the ceiling: the trials' commands with no coach, no devices")
    args = parser.parse_args()
    print("| measure | value |")
    print("|---|---|")
    if args.alone:
        for gain in args.gains:
            heard = alone(args.trials, gain)
            hits = sum(ok for _, ok in heard)
            missed = sorted({text for text, ok in heard if not ok})
            print(f"| said alone, person gain {gain:+.0f} dB, heard | {hits}/{len(heard)} "
                  f"({hits / max(len(heard), 1):.2f}); missed: {', '.join(missed) or '-'} |")
        return
    if args.minutes > 0:
        seconds, heard, dropped = nobody_there(args.minutes, args.keep)
        hours = max(seconds, 1e-9) / 3600
        print(f"| coach speech, nobody there | {seconds / 60:.1f} min |")
        print(f"| commands obeyed from the coach's own voice | {heard} ({heard / hours:.0f}/h) |")
        print(f"| caught by the echo guard (`echo_dropped`) | {dropped} "
              f"({dropped / hours:.0f}/h) |")
    for gain in args.gains if args.trials > 0 else []:
        keep = None if args.keep is None else args.keep / f"gain{gain:+.0f}"
        trials = over_the_coach(args.trials, gain, keep)
        hits = sum(t.heard for t in trials)
        lost = sum(t.dropped for t in trials)
        ratios = [t.coach_db for t in trials if t.coach_db is not None]
        ratio = f"{statistics.median(ratios):+.1f} dB" if ratios else "?"
        print(f"| coach-to-person ratio (median of the trials; person gain {gain:+.0f} dB) "
              f"| {ratio} |")
        print(f"| commands said over the coach, heard | {hits}/{len(trials)} "
              f"({hits / max(len(trials), 1):.2f}) |")
        print(f"| ... of the misses, dropped by the guard as echo | {lost} |")
        for t in trials:
            if not t.heard:
                print(f"|   missed: {t.phrase!r} | {'; '.join(t.other) or 'nothing heard'} |")


if __name__ == "__main__":
    main()
