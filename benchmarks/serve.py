"""Waiting mode: idle CPU and memory, and time from start to "ready".

Runs ``voicecoach serve --quiet`` as the service would, against a private
PulseAudio (null sinks, as in the tests), and measures the process's own CPU
time (``/proc/PID/stat``) while the room is silent, while a fan-like noise
plays, and while people talk (LibriVox readings, which it must ignore).

    /work/venv/bin/python -m benchmarks.serve [--seconds 30]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import wave
from pathlib import Path

import numpy as np

from tests.pulse import PulseRoom

ROOT = Path(__file__).resolve().parents[1]
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def noise_wav(path: Path, seconds: float, db: float = -40.0) -> Path:
    rng = np.random.default_rng(0)
    data = (10 ** (db / 20) * rng.standard_normal(int(seconds * 16000)) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(data.tobytes())
    return path


def measure(pid: int, seconds: float) -> float:
    before, t0 = cpu_seconds(pid), time.monotonic()
    time.sleep(seconds)
    return 100 * (cpu_seconds(pid) - before) / (time.monotonic() - t0)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    rows = []
    with PulseRoom() as room:
        start = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-m", "voicecoach", "serve", "--quiet"],
                                cwd=ROOT, env={**env, **room.env}, stderr=subprocess.PIPE,
                                text=True)
        assert proc.stderr is not None
        for line in proc.stderr:
            if line.strip() == "ready":
                break
        rows.append(("start to ready (grammar, PocketSphinx loaded, mic opening)",
                     f"{time.monotonic() - start:.2f} s"))
        time.sleep(1.0)
        rows.append(("memory (RSS) while waiting", f"{rss_mb(proc.pid):.0f} MB"))
        rows.append(("CPU, silent room", f"{measure(proc.pid, args.seconds):.1f} % of one core"))
        tmp = Path(room.dir)
        fan = room.play_into_room(noise_wav(tmp / "fan.wav", args.seconds + 2))
        rows.append(("CPU, steady noise at -40 dBFS",
                     f"{measure(proc.pid, args.seconds):.1f} % of one core"))
        fan.terminate()
        talk = sorted(Path("/usr/share/pocketsphinx/test/data/librivox").glob("*.wav"))
        if talk:
            joined = tmp / "talk.wav"
            subprocess.run(["sox", *map(str, talk * 2), str(joined)], check=True)
            person = room.play_into_room(joined)
            rows.append(("CPU, people talking (LibriVox, ~49 s)",
                         f"{measure(proc.pid, 45.0):.1f} % of one core"))
            person.terminate()
        proc.terminate()
        proc.wait(10)
    print("| waiting mode (this 2-core VM) | value |")
    print("|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
