"""Routine loading: how long a valid routine takes, and how fast hostile files are refused.

Run: ``/work/venv/bin/python -m benchmarks.routines``

Each row is the median wall time of several runs and the peak Python memory
(tracemalloc) of one run, for the whole path a routine takes through
``load_routine_bytes`` (byte checks, event-level YAML, pydantic, lint).
Prints a Markdown table.
"""

from __future__ import annotations

import statistics
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from voicecoach.core.diagnostics import RoutineError
from voicecoach.core.loader import load_routine_bytes

ROOT = Path(__file__).resolve().parents[1]


def _alias_bomb() -> bytes:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(8):
        name, prev = chr(98 + i), chr(97 + i)
        lines.append(f"{name}: &{name} [{','.join(['*' + prev] * 9)}]")
    lines.append("title: *i")
    return ("\n".join(lines) + "\n").encode()


def _big_valid() -> bytes:
    step = (
        "      - inhale: Inhale, and lift your bent {side} knee.\n      - hold: 5s\n"
        "      - exhale: Exhale, and lower your {side} foot.\n"
    )
    exercise = (
        "  - name: Knee lift {i}\n    setup: Stand with your back against a wall.\n"
        "    sides: [left, right]\n    reps: 5\n    safety: [Never lift a straight leg.]\n"
        "    steps:\n" + step * 8
    )
    text = "title: Big\nexercises:\n" + "".join(exercise.replace("{i}", str(i)) for i in range(100))
    return text.encode()


def _cases() -> list[tuple[str, bytes]]:
    cases = [
        (f"bundled {p.name}", p.read_bytes()) for p in sorted((ROOT / "scripts").glob("*.yaml"))
    ]
    big = _big_valid()
    cases += [
        (f"valid, 100 exercises x 24 steps ({len(big) // 1024} KB)", big),
        (f"alias bomb ({len(_alias_bomb())} bytes)", _alias_bomb()),
        ("nesting 100,000 deep (200 KB)", b"title: " + b"[" * 100_000 + b"]" * 100_000),
        ("60,000 values (240 KB)", b"title: [" + b",".join([b"1"] * 60_000) + b"]"),
        ("20,000 values (80 KB)", b"title: [" + b",".join([b"1"] * 19_990) + b"]"),
        ("300 KB file", b"# x\n" * 75_000),
        ("binary junk (200 KB)", bytes(range(256)) * 800),
        ("Latin-1 text (200 KB)", ("# r\u00e9p\u00e9tition\n" * 15_000).encode("latin-1")),
        (
            "400 unknown keys",
            ("title: T\nexercises:\n" + "  - nmae: N\n    stpes: []\n" * 100).encode(),
        ),
    ]
    return cases


def _measure(raw: bytes, repeat: int = 7) -> tuple[float, float, str]:
    def once() -> str:
        try:
            load_routine_bytes(raw, file="bench.yaml")
            return "loaded"
        except RoutineError as exc:
            return f"refused: {exc.diagnostics[0].code} ({len(exc.diagnostics)})"

    times = []
    outcome = ""
    for _ in range(repeat):
        start = time.perf_counter()
        outcome = once()
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    once()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return statistics.median(times), peak / 1024 / 1024, outcome


def main(measure: Callable[[bytes], tuple[float, float, str]] = _measure) -> None:
    print("| input | result | median time | peak Python memory |")
    print("|---|---|---:|---:|")
    for name, raw in _cases():
        seconds, mb, outcome = measure(raw)
        print(f"| {name} | {outcome} | {seconds * 1000:.1f} ms | {mb * 1024:,.0f} KB |")


if __name__ == "__main__":
    main()
