"""Live session benchmark: end of a spoken command to silence, and the cost of a session.

Runs the real ``voicecoach run`` against a private PulseAudio server. A probe
sink records, on one timeline, the coach's speaker on the left channel and the
room (the person) on the right; the person says "wait" while the coach talks,
then "continue". For each command: latency = the moment the coach's line is
cut (its channel goes digitally silent) minus the end of the person's word.

Then a second run, where the person only answers "I'm ready", measures the
coach process's CPU time and peak memory over ``--minutes`` of a real routine.

With ``--echo on`` (or ``both``, the default) the coach's speaker is looped
into the room too, so the command is heard over the coach's own voice through
the echo canceller, and the person speaks from a "mouth" sink the probe
records apart.

    python -m benchmarks.live [--commands N] [--minutes M] [--echo off|on|both]
                                [--skip-latency] [--skip-cost] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tests.live_harness import Coach, typed
from tests.pulse import PulseRoom

RATE = 16000
BLOCK = 80  # 5 ms
SILENT_DB = -45.0
#: The player writes exact zeros once it has cut a line: "digital silence".
CUT_DB = -90.0
#: A cut is this many zero samples (2 ms); the acknowledgement ("Paused. ...")
#: may follow within a few ms, so a long silence cannot be asked for.
CUT_SAMPLES = 32
#: A coach falling silent later than this after the command did not react to it.
REACTION_WINDOW = 1.5


def _probe(room: PulseRoom, person: str = "room") -> None:
    """probe sink: speaker.monitor -> left, ``person``'s monitor -> right."""
    room.pactl("load-module", "module-null-sink", "sink_name=probe", "channels=2",
               "channel_map=front-left,front-right")
    for name, channel in (("probe_l", "front-left"), ("probe_r", "front-right")):
        room.pactl("load-module", "module-remap-sink", f"sink_name={name}", "master=probe",
                   "channels=1", "channel_map=mono", f"master_channel_map={channel}",
                   "remix=no")
    room.pactl("load-module", "module-loopback", "source=speaker.monitor", "sink=probe_l",
               "latency_msec=10")
    room.pactl("load-module", "module-loopback", f"source={person}.monitor", "sink=probe_r",
               "latency_msec=10")


def _echo_room(room: PulseRoom) -> None:
    """The coach's speaker heard in the room, and the person speaking from a "mouth" sink.

    Both are looped into the room the microphone hears; the mouth keeps the
    person's voice apart for the probe, as the room now carries the coach too.
    """
    room.pactl("load-module", "module-null-sink", "sink_name=mouth", f"rate={room.rate}")
    room.pactl("load-module", "module-loopback", "source=mouth.monitor", "sink=room",
               "latency_msec=10")
    room.pactl("load-module", "module-loopback", "source=speaker.monitor", "sink=room",
               "latency_msec=20")


def _db(x: np.ndarray) -> np.ndarray:
    n = len(x) // BLOCK
    blocks = x[: n * BLOCK].reshape(n, BLOCK).astype(np.float64) / 32768.0
    return 10 * np.log10(np.mean(blocks**2, axis=1) + 1e-12)


def _latencies(path: Path, events: list[dict]) -> list[float]:
    """End of each command spoken over the coach -> the coach's line is cut.

    The cut is the first moment after the word that the coach's channel goes
    digitally silent (the player fades out and writes zeros) once the command
    was acted on. Waiting for a long silence instead would time the
    acknowledgement that follows the cut ("Paused. ..."), not the cut. A comma
    pause can be digital silence too, so only words the coach acted on count,
    and the search starts when it acted: the event log's pause commands are
    placed on the recording's timeline by the coach's first sound.
    """
    with wave.open(str(path)) as w:
        data = np.frombuffer(w.readframes(w.getnframes()), np.int16).reshape(-1, 2)
    coach, person = _db(data[:, 0]), _db(data[:, 1])
    per_second = RATE // BLOCK
    acted = _on_recording(coach, events, per_second)
    hold = round(0.15 * per_second)  # a word ends with 150 ms of silence
    out = []
    i = 0
    n = len(person)
    while i < n:
        if person[i] <= SILENT_DB:
            i += 1
            continue
        start = i
        while i < n and not (person[i : i + hold] <= SILENT_DB).all():
            i += 1
        end = i
        if end - start < round(0.1 * per_second):
            continue
        # Only commands spoken over the coach count: the coach is talking
        # before the word starts and still when it ends.
        before = coach[max(0, start - round(0.3 * per_second)) : start]
        if (before <= SILENT_DB).all():
            continue
        heard = [t for t in acted if start / per_second < t < end / per_second + REACTION_WINDOW]
        if not heard:
            continue  # not heard: the silence found would be a comma's
        # The cut comes after the command was acted on; a comma pause before
        # it can be digital silence too (the mapping is good to a few ms).
        cut = _first_zeros(data[:, 0], max(start / per_second, heard[0] - 0.02))
        latency = cut - end / per_second
        if 0 < latency <= REACTION_WINDOW:  # later silence is the line's own end
            out.append(latency)
    return out


@dataclass(frozen=True)
class LatencyRun:
    """What one latency run measured."""

    latencies: list[float]
    """End of "wait" -> the coach's line cut, seconds."""
    said: int
    """How many times the person said "wait" over the coach."""
    missed: int
    """How many of those the coach did not act on."""
    fired: list[float]
    """Command acted on -> the speaker reported the cut, seconds."""
    stray: list[str]
    """Commands nobody gave (the coach's own voice), by heard text."""


def _first_zeros(x: np.ndarray, after: float) -> float:
    """When the first run of :data:`CUT_SAMPLES` digital zeros at or after ``after`` starts."""
    i0 = max(0, round(after * RATE))
    zero = (np.abs(x[i0:].astype(np.int32)) <= 1).astype(np.int32)
    runs = np.convolve(zero, np.ones(CUT_SAMPLES, np.int32), mode="valid")
    hits = np.flatnonzero(runs == CUT_SAMPLES)
    return (i0 + int(hits[0])) / RATE if len(hits) else float("inf")


def _on_recording(coach: np.ndarray, events: list[dict], per_second: int) -> list[float]:
    """Times of the pause commands acted on, on the recording's timeline.

    Each utterance's first sample at the speaker (the "speech_started"
    event's ``audio_time``, a DAC time) is matched with the nearest sound
    onset after digital silence in the coach's channel; the offset between
    the two clocks may drift, so each command is placed with the median
    offset of the five utterances that started before it.
    """
    silent = coach <= CUT_DB
    onsets = (np.flatnonzero(silent[:-1] & ~silent[1:]) + 1) / per_second
    starts = [e.get("audio_time", e["t"]) for e in events if e["type"] == "speech_started"]
    if not len(onsets) or not starts:
        return []
    rough = onsets[0] - starts[0]
    pairs = []
    for t in starts:
        k = int(np.argmin(np.abs(onsets - (t + rough))))
        pairs.append((t, float(onsets[k] - t)))
    out = []
    for e in events:
        if e["type"] == "heard" and e.get("intent") == "pause":
            before = [d for t, d in pairs if t <= e["t"]][-5:] or [rough]
            out.append(e["t"] + statistics.median(before))
    return out


def _fired_to_silence(events: list[dict]) -> list[float]:
    """From the event log: recognizer fired -> the speaker reported the cut."""
    out = []
    for i, e in enumerate(events):
        if e["type"] == "heard" and e.get("intent") == "pause":
            cut = next((x for x in events[i:] if x["type"] == "speech_stopped"
                        and x.get("interrupted")), None)
            fired = next(x for x in reversed(events[:i]) if x["type"] == "stop_speaking")
            if cut is not None:
                out.append(cut["t"] - fired["t"])
    return out


def measure_latency(commands: int, echo: bool = False,
                    keep: Path | None = None) -> LatencyRun:
    """Say "wait" over the coach ``commands`` times; ``echo``: the coach is heard in the room.

    ``keep``: a folder to leave the probe recording and the event log in.
    """
    with tempfile.TemporaryDirectory() as tmp, PulseRoom(loopback=False) as room:
        tmp_path = Path(tmp)
        if echo:
            _echo_room(room)
        _probe(room, "mouth" if echo else "room")
        wav = tmp_path / "probe.wav"
        rec = subprocess.Popen(
            ["parecord", "--device=probe.monitor", "--file-format=wav", f"--rate={RATE}",
             "--channels=2", "--format=s16le", str(wav)],
            env={**os.environ, **room.env},
        )
        coach = Coach(room, tmp_path, "lying-standing")
        if echo:
            coach.person_sink = "mouth"
        missed = said = 0
        try:
            for _ in range(commands):
                try:
                    while True:
                        _, event = coach.wait_for(
                            lambda e: e.get("type") == "state"
                            and e.get("to") in ("waiting_ready", "stop_dialog", "symptom_check")
                            or e.get("type") == "speech_started"
                            and e.get("text", "").startswith(("Inhale", "Exhale")),
                            timeout=180,
                        )
                        if event.get("to") == "symptom_check":
                            # A symptom heard in the coach's own voice, asked about
                            # (counted as stray below): nobody here feels it.
                            coach.wait_for(typed("speech_stopped", text="Is that right"),
                                           timeout=30)
                            coach.say_until("no", typed("heard", intent="no"))
                            continue
                        if event.get("to") != "stop_dialog":
                            break
                        # The coach stopped on its own voice (counted as stray below):
                        # answer as a person would, and carry on measuring.
                        coach.wait_for(typed("speech_stopped", text="Stopped."), timeout=30)
                        coach.say_until("continue", typed("heard", intent="resume"))
                    if event["type"] == "state":
                        # Only commands spoken over the coach are measured: answer
                        # "ready" once the prompt has finished.
                        coach.wait_for(typed("speech_stopped", text="Say ready"), timeout=30)
                        coach.say_until("I'm ready", typed("heard", intent="ready"))
                        coach.wait_for(typed("speech_started", text="Inhale"), timeout=120)
                except AssertionError:
                    break  # the session ended (or stalled): report what was measured
                time.sleep(0.5)
                coach.say("wait")
                said += 1
                try:
                    coach.wait_for(typed("state", to="paused"), timeout=8)
                except AssertionError:
                    missed += 1  # not heard: no silence to time; try the next cue
                    continue
                coach.wait_for(typed("speech_stopped", text="Paused."), timeout=20)
                for _attempt in range(3):
                    time.sleep(0.5)
                    coach.say("continue")
                    try:
                        coach.wait_for(typed("heard", intent="resume"), timeout=5)
                        break
                    except AssertionError:
                        continue
        finally:
            coach.terminate()
            rec.terminate()
            rec.wait(timeout=10)
        events = coach.events()
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            name = "echo" if echo else "no-echo"
            shutil.copy(wav, keep / f"{name}-probe.wav")
            shutil.copy(coach.events_path, keep / f"{name}-events.jsonl")
        stray = [e["text"] for e in events if e["type"] == "heard"
                 and not (e.get("intent") in ("ready", "pause", "resume")
                          or e.get("intent") == "no" and not e.get("ignored"))]
        return LatencyRun(_latencies(wav, events), said, missed, _fired_to_silence(events), stray)


def measure_cost(minutes: float) -> tuple[float, float, float]:
    """CPU share, peak memory and minutes actually run of a session done by voice.

    The person answers "I'm ready" whenever asked and says nothing else; the
    session (``any-position``, about 16 minutes) runs for ``minutes``. The speaker is not looped
    into the room, so the coach's own voice cannot end the session early (the
    canceller still processes every block: its cost is in the figure).
    """
    with tempfile.TemporaryDirectory() as tmp, PulseRoom(loopback=False) as room:
        tmp_path = Path(tmp)
        coach = Coach(room, tmp_path, "any-position")
        try:
            coach.wait_for(typed("speech_started"), timeout=120)
            t0 = time.monotonic()
            cpu0 = _cpu(coach.proc.pid)
            end = t0 + minutes * 60
            while time.monotonic() < end and coach.proc.poll() is None:
                try:
                    coach.wait_for(typed("speech_stopped", text="Say ready"),
                                   timeout=max(0.1, end - time.monotonic()))
                except AssertionError:
                    break
                coach.say("I'm ready")
            cpu = _cpu(coach.proc.pid) - cpu0
            wall = time.monotonic() - t0
            peak = _peak_mb(coach.proc.pid)
        finally:
            coach.terminate()
        return 100.0 * cpu / wall, peak, wall / 60


def _cpu(pid: int) -> float:
    total = 0.0
    for p in [pid, *_children(pid)]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _children(pid: int) -> list[int]:
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    out = []
    for k in kids:
        out += [int(k), *_children(int(k))]
    return out


def _peak_mb(pid: int) -> float:
    """Peak resident memory of the coach and its children (VmHWM), MB."""
    return _status_mb(pid, "VmHWM")


def _status_mb(pid: int, key: str) -> float:
    """A memory line of /proc/PID/status (VmRSS, VmHWM), summed over the process tree, MB."""
    total = 0.0
    for p in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith(f"{key}:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            continue
    return total


def _latency_rows(label: str, commands: int, echo: bool, keep: Path | None) -> None:
    run = measure_latency(commands, echo, keep)
    print(f"| {label}: \"wait\" spoken over the coach and not acted on | "
          f"{run.missed} of {run.said} |")
    if run.stray:
        print(f"| {label}: commands nobody gave (the coach's own voice) | "
              f"{len(run.stray)}: {', '.join(run.stray)} |")
    if run.fired:
        ms = sorted(x * 1000 for x in run.fired)
        print(f"| {label}: command acted on -> speaker reports the voice cut, median / max | "
              f"{statistics.median(ms):.0f} / {ms[-1]:.0f} ms (n={len(ms)}) |")
    if run.latencies:
        ms = sorted(x * 1000 for x in run.latencies)
        p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
        print(f"| {label}: end of spoken command -> the coach's line cut, median / p95 | "
              f"{statistics.median(ms):.0f} / {p95:.0f} ms (n={len(ms)}) |")
    else:
        print(f"| {label}: end of spoken command -> cut | no command over speech was measured |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--commands", type=int, default=10)
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--echo", choices=("off", "on", "both"), default="both",
                    help="whether the coach's own voice reaches the microphone")
    ap.add_argument("--skip-cost", action="store_true")
    ap.add_argument("--skip-latency", action="store_true")
    ap.add_argument("--keep", type=Path, help="leave the recordings and event logs here")
    args = ap.parse_args()
    print("| measure | value |\n|---|---|")
    if args.echo in ("off", "both") and not args.skip_latency:
        _latency_rows("no echo path", args.commands, False, args.keep)
    if args.echo in ("on", "both") and not args.skip_latency:
        _latency_rows("coach heard in the room", args.commands, True, args.keep)
    if not args.skip_cost:
        cpu, peak, ran = measure_cost(args.minutes)
        print(f"| CPU over {ran:.1f} min of a live session (coach + TTS worker) | "
              f"{cpu:.1f} % of one core |")
        print(f"| peak memory (coach + TTS worker, VmHWM) | {peak:.0f} MB |")


if __name__ == "__main__":
    main()
