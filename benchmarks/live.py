"""Live session benchmark: end of a spoken command to silence, and the cost of a session.

Runs the real ``voicecoach run`` against a private PulseAudio server. A probe
sink records, on one timeline, the coach's speaker on the left channel and the
room (the person) on the right; the person says "wait" while the coach talks,
then "continue". For each command: latency = the moment the coach's line is
cut (its channel goes digitally silent) minus the end of the person's word.

Then a second run with nobody speaking measures the coach process's CPU time
and peak memory over ``--minutes`` of a real routine.

    python -m benchmarks.live [--commands N] [--minutes M] [--skip-cost]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

from tests.live_harness import Coach, typed
from tests.pulse import PulseRoom

RATE = 16000
BLOCK = 80  # 5 ms
SILENT_DB = -45.0
#: The player writes exact zeros once it has cut a line: "digital silence".
CUT_DB = -90.0
#: A cut is this much digital silence; the acknowledgement ("Paused. ...")
#: may follow within 15 ms, so a long silence cannot be asked for.
CUT_BLOCKS = 2
#: A coach falling silent later than this after the command did not react to it.
REACTION_WINDOW = 1.5


def _probe(room: PulseRoom) -> None:
    """probe sink: speaker.monitor -> left, room.monitor -> right."""
    room.pactl("load-module", "module-null-sink", "sink_name=probe", "channels=2",
               "channel_map=front-left,front-right")
    for name, channel in (("probe_l", "front-left"), ("probe_r", "front-right")):
        room.pactl("load-module", "module-remap-sink", f"sink_name={name}", "master=probe",
                   "channels=1", "channel_map=mono", f"master_channel_map={channel}",
                   "remix=no")
    room.pactl("load-module", "module-loopback", "source=speaker.monitor", "sink=probe_l",
               "latency_msec=10")
    room.pactl("load-module", "module-loopback", "source=room.monitor", "sink=probe_r",
               "latency_msec=10")


def _db(x: np.ndarray) -> np.ndarray:
    n = len(x) // BLOCK
    blocks = x[: n * BLOCK].reshape(n, BLOCK).astype(np.float64) / 32768.0
    return 10 * np.log10(np.mean(blocks**2, axis=1) + 1e-12)


def _latencies(path: Path, events: list[dict]) -> list[float]:
    """End of each command spoken over the coach -> the coach's line is cut.

    The cut is the first moment after the word that the coach's channel goes
    digitally silent (the player fades out and writes zeros). Waiting for a
    long silence instead would time the acknowledgement that follows the cut
    ("Paused. ..."), not the cut. A comma pause can be digital silence too, so
    only words the coach acted on count: the event log's pause commands are
    placed on the recording's timeline by the coach's first sound.
    """
    with wave.open(str(path)) as w:
        data = np.frombuffer(w.readframes(w.getnframes()), np.int16).reshape(-1, 2)
    coach, person = _db(data[:, 0]), _db(data[:, 1])
    per_second = RATE // BLOCK
    first_sound = int(np.argmax(coach > SILENT_DB)) / per_second
    first_speech = next(e["t"] for e in events if e["type"] == "speech_started")
    acted = [e["t"] - first_speech + first_sound for e in events
             if e["type"] == "heard" and e.get("intent") == "pause"]
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
        if (before <= SILENT_DB).all() or (coach[end - CUT_BLOCKS : end] <= CUT_DB).all():
            continue
        if not any(start / per_second < t < end / per_second + REACTION_WINDOW for t in acted):
            continue  # not heard: the silence found would be a comma's
        j = start
        while j < n and not (coach[j : j + CUT_BLOCKS] <= CUT_DB).all():
            j += 1
        latency = (j - end) / per_second
        if 0 < latency <= REACTION_WINDOW:  # later silence is the line's own end
            out.append(latency)
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


def measure_latency(commands: int) -> tuple[list[float], int, list[float]]:
    with tempfile.TemporaryDirectory() as tmp, PulseRoom(loopback=False) as room:
        tmp_path = Path(tmp)
        _probe(room)
        wav = tmp_path / "probe.wav"
        rec = subprocess.Popen(
            ["parecord", "--device=probe.monitor", "--file-format=wav", f"--rate={RATE}",
             "--channels=2", "--format=s16le", str(wav)],
            env={**os.environ, **room.env},
        )
        coach = Coach(room, tmp_path, "lying-standing")
        missed = 0
        try:
            for _ in range(commands):
                _, event = coach.wait_for(
                    lambda e: e.get("type") == "state" and e.get("to") == "waiting_ready"
                    or e.get("type") == "speech_started"
                    and e.get("text", "").startswith(("Inhale", "Exhale")),
                    timeout=180,
                )
                if event["type"] == "state":
                    # Only commands spoken over the coach are measured: answer
                    # "ready" once the prompt has finished.
                    coach.wait_for(typed("speech_stopped", text="Say ready"), timeout=30)
                    coach.say("I'm ready")
                    coach.wait_for(typed("speech_started", text="Inhale"), timeout=120)
                time.sleep(0.5)
                coach.say("wait")
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
        return _latencies(wav, events), missed, _fired_to_silence(events)


def measure_cost(minutes: float) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp, PulseRoom(loopback=False) as room:
        coach = Coach(room, Path(tmp), "any-position")
        try:
            coach.wait_for(typed("speech_started"), timeout=120)
            t0 = time.monotonic()
            cpu0 = _cpu(coach.proc.pid)
            time.sleep(minutes * 60)
            cpu = _cpu(coach.proc.pid) - cpu0
            wall = time.monotonic() - t0
            peak = _peak_mb(coach.proc.pid)
        finally:
            coach.terminate()
        return 100.0 * cpu / wall, peak


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
    total = 0.0
    for p in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            continue
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--commands", type=int, default=10)
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--skip-cost", action="store_true")
    args = ap.parse_args()
    lat, missed, fired = measure_latency(args.commands)
    print("| measure | value |\n|---|---|")
    print(f"| \"wait\" spoken over the coach and not heard | {missed} of {args.commands} |")
    if fired:
        ms = sorted(x * 1000 for x in fired)
        print(f"| command acted on -> speaker reports the voice cut, median / max | "
              f"{statistics.median(ms):.0f} / {ms[-1]:.0f} ms (n={len(ms)}) |")
    if lat:
        ms = sorted(x * 1000 for x in lat)
        p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
        print(f"| end of spoken command -> silence at the speaker, median | "
              f"{statistics.median(ms):.0f} ms (n={len(ms)}) |")
        print(f"| same, p95 | {p95:.0f} ms |")
    else:
        print("| end of spoken command -> silence | no command over speech was measured |")
    if not args.skip_cost:
        cpu, peak = measure_cost(args.minutes)
        print(f"| CPU over {args.minutes:g} min of a live session (coach + TTS worker) | "
              f"{cpu:.1f} % of one core |")
        print(f"| peak memory (coach + TTS worker, VmHWM) | {peak:.0f} MB |")


if __name__ == "__main__":
    main()
