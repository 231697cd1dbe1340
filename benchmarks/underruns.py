"""How often the speaker's stream underruns on a busy machine, by output latency.

An underrun is a dropout in the coach's voice, and on PulseAudio the stream can
then stay silent for up to two seconds while it restarts, so a line queued in
that moment sounds late (an hour-long session showed lines up to 1.9 s late).
This plays a two-second tone every three seconds through the real
:class:`~voicecoach.adapters.player.Player` on a private PulseAudio null sink,
while a PocketSphinx decoder is fed 20 ms blocks on another thread (it holds
the interpreter's lock as the live hearing thread does) and ``--hogs``
CPU-bound processes keep the cores busy. It counts PortAudio's underflow flags
and pauses of more than 0.1 s between callbacks (the first is the stream's
start-up stall).

    python -m benchmarks.underruns [--seconds 60] [--hogs 3] [--latency 0.02 0.04 ...]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time

import numpy as np

from voicecoach.adapters.player import DEFAULT_LATENCY

HOG = "while True: pass"


def _hearing(stop: threading.Event) -> None:
    """A decoder fed like the live hearing thread: 20 ms of audio every 20 ms."""
    from pocketsphinx import Decoder

    decoder = Decoder(samprate=16000, loglevel="FATAL")
    decoder.start_utt()
    block = (np.random.default_rng(1).normal(0, 2000, 320)).astype(np.int16).tobytes()
    n = 0
    while not stop.is_set():
        decoder.process_raw(block, False, False)
        n += 1
        if n % 300 == 0:  # the recognizer restarts its utterance every few seconds
            decoder.end_utt()
            decoder.start_utt()
        time.sleep(0.018)
    decoder.end_utt()


def measure(latency: float, seconds: float, hogs: int) -> tuple[int, list[float]]:
    """(underflows, callback pauses > 0.1 s) for one latency."""
    from voicecoach.adapters.player import Player

    player = Player(latency=latency)
    pauses: list[float] = []
    last = [0.0]
    callback = player._callback

    def timed(outdata, frames, time_info, status):  # noqa: ANN001 - PortAudio's signature
        now = time.monotonic()
        if last[0] and now - last[0] > 0.1:
            pauses.append(now - last[0])
        last[0] = now
        callback(outdata, frames, time_info, status)

    player._callback = timed  # type: ignore[method-assign]
    procs = [subprocess.Popen([sys.executable, "-c", HOG]) for _ in range(hogs)]
    stop = threading.Event()
    hearing = threading.Thread(target=_hearing, args=(stop,), daemon=True)
    try:
        player.open()
        hearing.start()
        tone = (0.2 * np.sin(np.arange(player.rate * 2) * 2 * np.pi * 440 / player.rate))
        end = time.monotonic() + seconds
        i = 0
        while time.monotonic() < end:
            player.play(i, tone.astype(np.float32))
            i += 1
            time.sleep(3.0)
    finally:
        stop.set()
        for p in procs:
            p.kill()
            p.wait()
        hearing.join(timeout=5)
        player.shutdown()
    return player.underflows, pauses


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--hogs", type=int, default=3)
    ap.add_argument("--latency", type=float, nargs="+",
                    default=[0.02, 0.03, DEFAULT_LATENCY, 0.06])
    args = ap.parse_args()
    from tests.pulse import PulseRoom

    print(f"| output latency | underflows in {args.seconds:.0f} s | callback pauses > 0.1 s |")
    print("|---|---|---|")
    for latency in args.latency:
        with PulseRoom(loopback=True) as room:
            os.environ.update(room.env)
            import sounddevice as sd

            sd._terminate()
            sd._initialize()
            underflows, pauses = measure(latency, args.seconds, args.hogs)
        shown = ", ".join(f"{p:.2f}" for p in pauses[:6]) or "none"
        print(f"| {latency * 1000:.0f} ms | {underflows} | {len(pauses)} ({shown} s) |", flush=True)
    print(f"\n{args.hogs} CPU-bound processes, a PocketSphinx thread fed in real time, "
          f"Python {sys.version.split()[0]}, {os.cpu_count()} cores.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
