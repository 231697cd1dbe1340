"""Session engine benchmark: a 60-minute routine simulated end to end.

Run: ``/work/venv/bin/python -m benchmarks.session``. Prints a Markdown table:
the session's length in virtual time, how long the simulation took on the
real clock, and the action throughput, for a plain run and for one with a
command every 20 seconds (pause/resume, status, repeat, slower, louder...).
"""

from __future__ import annotations

import time
import tracemalloc

from voicecoach.core.intents import Intent
from voicecoach.core.routine import Routine
from voicecoach.core.session import Session, SessionOptions
from voicecoach.core.session.simulate import TimedCommand, VirtualDriver


def hour_routine() -> Routine:
    """Ten exercises, two sides, two sets of four with 5 s holds: about an hour."""
    exercises = []
    for i in range(10):
        exercises.append(
            {
                "name": f"Exercise {i + 1}",
                "setup": "Lie on your back, knees bent, feet flat on the floor.",
                "sides": ["left", "right"],
                "reps": 4,
                "sets": 2,
                "rest_between_sets": "20s",
                "steps": [
                    {"inhale": "Lift your {side} knee toward your chest."},
                    {"hold": "5s", "cue": "Keep the knee lifted."},
                    {"exhale": "Lower the leg slowly."},
                ],
            }
        )
    return Routine.model_validate(
        {"title": "One hour", "rest_between_exercises": "30s", "exercises": exercises}
    )


def busy_script(length: float) -> list[TimedCommand]:
    """A command every 20 s that leaves the session running."""
    cycle = [
        Intent.STATUS,
        Intent.REPEAT,
        Intent.LOUDER,
        Intent.QUIETER,
        Intent.PAUSE,
        Intent.RESUME,
        Intent.SLOWER,
        Intent.FASTER,
        Intent.HELP,
    ]
    return [TimedCommand(20.0 * (k + 1), cycle[k % len(cycle)]) for k in range(int(length // 20))]


def measure(script: list[TimedCommand]) -> tuple[float, float, int, float]:
    """(virtual seconds, best wall seconds of 5, actions, peak MiB traced)."""
    routine = hour_routine()
    walls = []
    for _ in range(5):
        start = time.perf_counter()
        driver = VirtualDriver(Session(routine, SessionOptions()))
        result = driver.run(script)
        walls.append(time.perf_counter() - start)
    wall = min(walls)
    tracemalloc.start()
    VirtualDriver(Session(routine, SessionOptions())).run(script)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    if not result.finished:
        raise SystemExit(f"session did not finish: {result.state}")
    return result.end, wall, len(driver.emitted), peak / 2**20


def main() -> None:
    plain = measure([])
    busy = measure(busy_script(plain[0]))
    print("| run | session length (virtual) | simulated in | actions | actions/s | peak memory |")
    print("|---|---|---|---|---|---|")
    for name, (virtual, wall, actions, peak) in (
        ("no commands", plain),
        ("a command every 20 s", busy),
    ):
        print(
            f"| {name} | {virtual / 60:.1f} min | {wall * 1000:.0f} ms | {actions} | "
            f"{actions / wall:,.0f} | {peak:.1f} MiB |"
        )


if __name__ == "__main__":
    main()
