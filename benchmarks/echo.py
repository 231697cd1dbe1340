"""Hearing the person over the coach: recall, false commands, echo reduction, CPU.

Synthesizes sessions (``voicecoach.testing.room``): the coach (espeak-ng)
talks back to back through simulated rooms while the person (Piper) says
every command phrase over the coach at a given coach-to-person ratio. Each
session runs through three pipelines: the raw microphone, echo cancellation
with the played signal as reference, and cancellation plus the echo guard.
Coach-only sessions (ordinary lines and lines full of command words) count
false commands per hour of coach speech.

    /work/venv/bin/python -m benchmarks.echo [--quick]

Prints Markdown tables (the README's "Hearing the person over the coach").
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from voicecoach.testing.echo_eval import Recognize, engine, run_session, score
from voicecoach.testing.room import (
    COACH_COMMAND_WORD_LINES,
    COACH_LINES,
    Room,
    Session,
    echo_return_loss_enhancement,
    make_session,
)
from voicecoach.testing.spotter import PHRASES

ROOMS = (
    Room(delay_ms=40, rt60_s=0.25, gain_db=-6, seed=11),
    Room(delay_ms=120, rt60_s=0.4, gain_db=-3, seed=12),
    Room(delay_ms=300, rt60_s=0.6, gain_db=-6, reverb_db=-5, seed=13),
)
PIPELINES = (("raw microphone", False, False), ("AEC", True, False), ("AEC + guard", True, True))


@dataclass
class Tally:
    hits: int = 0
    said: int = 0
    false: int = 0
    seconds: float = 0.0
    erle: list[float] = field(default_factory=list)
    erle_late: list[float] = field(default_factory=list)
    cpu: float = 0.0
    audio: float = 0.0


def recognizers(which: str) -> list[tuple[str, Callable[[Session], Recognize]]]:
    """The recognizers under test, each as a factory taking the session (for resets)."""
    from voicecoach.testing.spotter import spot

    out: list[tuple[str, Callable[[Session], Recognize]]] = []
    if which in ("sphinx", "both"):
        from voicecoach.adapters.recognizers import open_recognizer

        product = open_recognizer("sphinx", "en", None)
        out.append(
            (
                "product PocketSphinx engine (reset at each coach line)",
                lambda s: engine(product, [line.start for line in s.lines]),
            )
        )
    if which in ("spotter", "both"):
        out.append(
            ("keyword spotter with VAD segments (voicecoach.testing.spotter)", lambda s: spot)
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one room, fewer phrases")
    parser.add_argument("--recognizer", choices=["sphinx", "spotter", "both"], default="both")
    args = parser.parse_args(argv)
    for name, factory in recognizers(args.recognizer):
        report(name, factory, args.quick)
    return 0


def report(name: str, factory: Callable[[Session], Recognize], quick: bool) -> None:
    """Print the tables for one recognizer."""
    rooms = ROOMS[:1] if quick else ROOMS
    commands = list(PHRASES)[:10] if quick else list(PHRASES)
    phrases = PHRASES
    lines = list(COACH_LINES + COACH_COMMAND_WORD_LINES) * 3
    ratios = (0.0, 6.0)

    print(f"### Recognizer: {name}\n")
    recall: dict[tuple[float, str], Tally] = {}
    alone = Tally()
    for ratio in ratios:
        for k, room in enumerate(rooms):
            session = make_session(
                lines, commands, room=room, ratio_db=ratio, seed=100 + k, variation=True
            )
            recognize = factory(session)
            for label, aec, guard in PIPELINES:
                outcome = run_session(session, recognize, aec=aec, guard=guard)
                s = score(session, outcome.kept, phrases)
                t = recall.setdefault((ratio, label), Tally())
                t.hits += s.hits
                t.said += s.hits + s.misses
            if ratio == ratios[0]:
                heard = recognize(session.scene.person)
                from voicecoach.core.intents import Command

                kept = [Command(h.intent, h.end, h.text) for h in heard]
                s = score(session, kept, phrases)
                alone.hits += s.hits
                alone.said += s.hits + s.misses

    false: dict[str, Tally] = {}
    for k, room in enumerate(rooms):
        for coach_lines in (COACH_LINES, COACH_COMMAND_WORD_LINES):
            session = make_session(list(coach_lines) * 2, [], room=room, seed=200 + k)
            speech = sum(line.duration for line in session.lines)
            recognize = factory(session)
            for label, aec, guard in PIPELINES:
                outcome = run_session(session, recognize, aec=aec, guard=guard)
                t = false.setdefault(label, Tally())
                t.false += len(outcome.kept)
                t.seconds += speech
                if aec:
                    scene = session.scene
                    n = min(len(scene.echo), len(outcome.cleaned))
                    w = int(3 * scene.rate)
                    t.erle.append(echo_return_loss_enhancement(scene.echo[:n], outcome.cleaned[:n]))
                    t.erle_late.append(
                        echo_return_loss_enhancement(scene.echo[w:n], outcome.cleaned[w:n])
                    )
                    t.cpu += outcome.seconds_processed
                    t.audio += len(scene.mic) / scene.rate

    print("| pipeline | recall, 0 dB | recall, +6 dB | false commands / hour of coach |")
    print("|---|---|---|---|")
    for label, _, _ in PIPELINES:
        cells = []
        for ratio in ratios:
            t = recall[(ratio, label)]
            cells.append(f"{t.hits / t.said:.2f} ({t.hits}/{t.said})")
        f = false[label]
        per_hour = f.false / f.seconds * 3600
        cells.append(f"{per_hour:.0f} ({f.false} in {f.seconds / 60:.1f} min)")
        print(f"| {label} | " + " | ".join(cells) + " |")
    print(
        f"| person alone, no coach | {alone.hits / alone.said:.2f} ({alone.hits}/{alone.said}) "
        "| | |"
    )
    aec = false["AEC"]
    print()
    print(
        "| echo reduction (ERLE), whole track | after the first 3 s "
        "| canceller CPU (real-time factor) |"
    )
    print("|---|---|---|")
    print(
        f"| {np.mean(aec.erle):.1f} dB (min {np.min(aec.erle):.1f}) "
        f"| {np.mean(aec.erle_late):.1f} dB (min {np.min(aec.erle_late):.1f}) "
        f"| {aec.cpu / aec.audio:.3f} |"
    )
    print(
        f"\nRooms: {len(rooms)} (delay 40-300 ms, RT60 0.25-0.6 s); {len(commands)} phrases "
        f"per room and ratio; ratio = coach echo level over the person's level at the mic.\n"
    )


if __name__ == "__main__":
    raise SystemExit(main())
