"""Replay a live session's echo path offline: the same canceller, the same blocks.

Record a live run with ``VOICECOACH_ECHO_RECORD=/tmp/rec.npz voicecoach run ...``
(see :mod:`voicecoach.runtime.echo`), then iterate on the canceller without
the devices:

    /work/venv/bin/python -m benchmarks.echo_replay /tmp/rec.npz [--no-gate] [--every 60]

Blocks are fed in the order the hearing thread saw them, so with unchanged
code the output is bit-identical to what the recognizer heard live. Prints
the echo reduction per second of coach speech, its median and 10th
percentile, and the delay and clock drift the canceller settled on;
``--every S`` adds the same for each S seconds of the session (does the
cancellation decay as the session goes on?).
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from voicecoach.adapters.echo import EchoCanceller, EchoOptions


@dataclass(frozen=True)
class Replay:
    """What one replay gave."""

    out: np.ndarray
    """The cleaned microphone audio, int16 at the microphone rate."""
    erle_db: list[float]
    """Echo reduction of each second in which the microphone heard something."""
    delay_s: float
    """The delay the canceller ended with."""
    drift_ppm: float
    """The clock drift it ended with."""
    identical: bool | None
    """Whether ``out`` equals the recorded output (None if none was recorded)."""


def recorded_options(d: Any, options: EchoOptions | None = None) -> EchoOptions:
    """``options`` (or the defaults) at the recording's two sample rates."""
    return dataclasses.replace(options or EchoOptions(), rate=int(d["mic_rate"]),
                               reference_rate=int(d["reference_rate"]))


def fed(canceller: EchoCanceller, d: Any) -> Iterator[tuple[float, np.ndarray]]:
    """Feed a recording's blocks to ``canceller`` in the order the hearing thread saw
    them; yield each microphone block's time and the cleaned audio it gave."""
    mic, mic_blocks, ref, ref_blocks = d["mic"], d["mic_blocks"], d["ref"], d["ref_blocks"]
    mic_ends = np.append(mic_blocks[1:, 0], len(mic)).astype(int)
    ref_ends = np.append(ref_blocks[1:, 0], len(ref)).astype(int)
    r = 0
    for i, (start, t) in enumerate(mic_blocks[:, :2]):
        while r < len(ref_blocks) and _due(ref_blocks[r], i, float(t)):
            canceller.feed_reference(ref[int(ref_blocks[r, 0]) : ref_ends[r]], ref_blocks[r, 1])
            r += 1
        yield float(t), canceller.feed_mic(mic[int(start) : mic_ends[i]], float(t))


def replay(path: Path, options: EchoOptions | None = None) -> Replay:
    """Feed a recording through a fresh canceller in its original order."""
    d = np.load(path)
    mic, mic_rate = d["mic"], int(d["mic_rate"])
    with EchoCanceller(recorded_options(d, options)) as canceller:
        outs = [out for _, out in fed(canceller, d)]
        out = np.concatenate(outs) if outs else np.zeros(0, np.int16)
        delay, drift = canceller.delay, canceller.drift_ppm
    identical = None
    if "out" in d.files:
        rec = d["out"]
        identical = bool(len(rec) == len(out) and np.array_equal(rec, out))
    return Replay(out, erle_per_second(mic, out, mic_rate), delay, drift, identical)


def _due(block: np.ndarray, mic_index: int, mic_time: float) -> bool:
    """Whether a reference block had been played before microphone block ``mic_index``."""
    if len(block) >= 3:  # recorded order
        return bool(block[2] <= mic_index)
    return bool(block[1] <= mic_time + 0.05)  # older recordings: the speaker runs ahead


def erle_per_second(mic: np.ndarray, out: np.ndarray, rate: int) -> list[float]:
    """10·log10(mic power / output power) per second where the microphone heard sound."""
    m = mic.astype(np.float64) / 32768
    o = out.astype(np.float64) / 32768
    n = min(len(m), len(o))
    rows = []
    for s in range(0, n - rate + 1, rate):
        pm, po = np.mean(m[s : s + rate] ** 2), np.mean(o[s : s + rate] ** 2)
        if pm > 1e-6:
            rows.append(float(10 * np.log10(pm / (po + 1e-12))))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("recordings", nargs="+", type=Path)
    parser.add_argument("--no-gate", action="store_true", help="measure the filter alone")
    parser.add_argument("--every", type=float, help="also a row for each this many seconds")
    args = parser.parse_args()
    opts = EchoOptions(gate_db=None) if args.no_gate else EchoOptions()
    print("| recording | seconds | ERLE median dB | ERLE p10 dB | delay ms | drift ppm | same |")
    print("|---|---|---|---|---|---|---|")
    for path in args.recordings:
        r = replay(path, opts)
        e = r.erle_db or [0.0]
        same = "-" if r.identical is None or args.no_gate else ("yes" if r.identical else "no")
        print(
            f"| {path.name} | {len(e)} | {np.median(e):.1f} | {np.percentile(e, 10):.1f} "
            f"| {r.delay_s * 1000:.1f} | {r.drift_ppm:.0f} | {same} |"
        )
        if args.every:
            with np.load(path) as d:
                mic, rate = d["mic"], int(d["mic_rate"])
            step = int(args.every * rate)
            for start in range(0, len(mic), step):
                part = erle_per_second(mic[start : start + step], r.out[start : start + step], rate)
                if part:
                    print(
                        f"| ... {start / rate:.0f}-{min(len(mic), start + step) / rate:.0f} s "
                        f"| {len(part)} | {np.median(part):.1f} | {np.percentile(part, 10):.1f} "
                        "| | | |"
                    )


if __name__ == "__main__":
    main()
