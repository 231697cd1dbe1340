"""Re-run kept live echo sessions offline: canceller, recognizer and guard.

``benchmarks.echo_live --keep DIR`` leaves, per run, the echo path's
recording (every microphone and reference block with its ADC / DAC time),
the session's event log and, for the over-the-coach runs, ``trials.json``
(when each command was said). This replays each recording through the
current canceller in the order the hearing thread saw the blocks, streams
the cleaned audio through the product recognizer as the live loop does,
and judges every command with the current :class:`EchoGuard`, fed with the
coach's utterances from the event log. So a change to the canceller or the
guard is measured on real device audio in a minute, without the devices:

    /work/venv/bin/python -m benchmarks.echo_relive DIR [DIR ...] [--list]

A trial is heard when a kept command of its intent fires between the start
of the person's voice and 4 s after its end (as ``echo_live`` counts it).
In a coach-only recording every kept command is a false one. The session
flow is the recorded one (a command obeyed offline cannot cut the coach).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.echo_replay import fed, recorded_options
from voicecoach.adapters.echo import EchoCanceller, EchoOptions
from voicecoach.core.echo_guard import EchoGuard, GuardOptions, Utterance
from voicecoach.runtime.echo import EVIDENCE_SECONDS


@dataclass(frozen=True)
class Judged:
    """One command the recognizer heard in the replay, with the guard's verdict."""

    at: float
    intent: str
    text: str
    removed_db: float
    converged: bool
    dropped: bool
    reason: str


def utterances(events_path: Path, t0: float) -> list[Utterance]:
    """The coach's utterances from an event log, on the monotonic clock (``t0``: session 0)."""
    rows = [json.loads(line) for line in events_path.read_text(encoding="utf-8").splitlines()]
    started: dict[int, tuple[str, float]] = {}
    out: list[Utterance] = []
    for e in rows:
        if e["type"] == "speech_started":
            started[e["id"]] = (e["text"], t0 + e.get("audio_time", e["t"]))
        elif e["type"] == "speech_stopped" and e["id"] in started:
            text, start = started.pop(e["id"])
            end = t0 + e["t"]
            if e.get("interrupted"):
                out.append(Utterance(text, start, None, end))
            else:
                out.append(Utterance(text, start, max(0.3, end - start)))
    # Still speaking when the run was ended: its length is estimated from the text.
    out.extend(Utterance(text, start) for text, start in started.values())
    return out


def session_origin(events_path: Path, ref_blocks: np.ndarray) -> float:
    """The session clock's zero on the monotonic clock: the first speech start is the
    first reference block."""
    for line in events_path.read_text(encoding="utf-8").splitlines():
        e = json.loads(line)
        if e["type"] == "speech_started":
            return float(ref_blocks[0, 1]) - float(e.get("audio_time", e["t"]))
    return float(ref_blocks[0, 1])


def relive(
    record: Path,
    events_path: Path,
    options: EchoOptions | None = None,
    guard_options: GuardOptions | None = None,
    recognizer: object | None = None,
    engine: str = "sphinx",
) -> list[Judged]:
    """Every command heard in one recording, judged by the guard."""
    from voicecoach.adapters.recognizers import open_recognizer

    rec = recognizer or open_recognizer(engine, "en", None)
    d = np.load(record)
    guard = EchoGuard(guard_options)
    pending = sorted(utterances(events_path, session_origin(events_path, d["ref_blocks"])),
                     key=lambda u: u.start)
    rec.reset()  # type: ignore[attr-defined]
    judged: list[Judged] = []
    with EchoCanceller(recorded_options(d, options)) as canceller:
        for t, out in fed(canceller, d):
            while pending and pending[0].start <= t:
                guard.spoke(pending.pop(0))
            for cmd in rec.accept(out, t):  # type: ignore[attr-defined]
                said = cmd.time if cmd.said_until is None else cmd.said_until
                ev = canceller.evidence(said - EVIDENCE_SECONDS, said)
                verdict = guard.judge(cmd, ev)
                judged.append(Judged(cmd.time, cmd.intent.value, cmd.text, ev.removed_db,
                                     ev.converged, verdict.drop, verdict.reason))
    return judged


def recall(run: Path, options: EchoOptions | None, guard_options: GuardOptions | None,
           show: bool, engine: str = "sphinx") -> tuple[int, int]:
    """Hits and trials of one over-the-coach run directory."""
    trials = json.loads((run / "trials.json").read_text(encoding="utf-8"))
    judged = relive(run / "over-the-coach.npz", run / "over-the-coach-events.jsonl",
                    options, guard_options, engine=engine)
    hits = 0
    for trial in trials:
        lo, hi = trial["said_at"][0], trial["said_at"][1] + 4.0
        near = [j for j in judged if lo <= j.at <= hi]
        ok = any(j.intent == trial["intent"] and not j.dropped for j in near)
        hits += ok
        if show and not ok:
            seen = "; ".join(f"{j.intent}:{j.text} {j.removed_db:.1f} dB"
                             f"{' conv' if j.converged else ' learning'}"
                             f"{' DROPPED ' + j.reason if j.dropped else ''}" for j in near)
            print(f"    {run.name} {lo - trials[0]['said_at'][0]:6.1f}s missed "
                  f"{trial['phrase']!r}: {seen or 'nothing heard'}")
    return hits, len(trials)


def false_commands(record: Path, options: EchoOptions | None,
                   guard_options: GuardOptions | None, show: bool,
                   engine: str = "sphinx") -> tuple[int, int, float]:
    """Commands kept, dropped, and minutes of audio in a coach-only recording."""
    judged = relive(record, record.with_name("nobody-there-events.jsonl"), options, guard_options,
                    engine=engine)
    with np.load(record) as d:
        minutes = len(d["mic"]) / int(d["mic_rate"]) / 60
        t_start = float(d["mic_blocks"][0, 1])
    if show:
        for j in judged:
            print(f"    {record.parent.name} {j.at - t_start:7.1f}s {j.intent}:{j.text!r} "
                  f"{j.removed_db:.1f} dB {'conv' if j.converged else 'learning'} "
                  f"{'dropped' if j.dropped else 'KEPT'}: {j.reason}")
    kept = sum(not j.dropped for j in judged)
    return kept, len(judged) - kept, minutes


def report(dirs: list[Path], options: EchoOptions | None = None,
           guard_options: GuardOptions | None = None, label: str = "current",
           show: bool = False, engine: str = "sphinx") -> None:
    """Print one row per kept directory: recall per gain, false commands."""
    print(f"#### {label}")
    print("| run | heard over the coach | coach only: kept / dropped (minutes) |")
    print("|---|---|---|")
    for base in dirs:
        cells = []
        for run in sorted(base.glob("gain*")):
            if (run / "trials.json").exists():
                h, n = recall(run, options, guard_options, show, engine)
                cells.append(f"{run.name}: {h}/{n}")
        fc = ""
        record = base / "nobody-there.npz"
        if record.exists():
            kept, dropped, minutes = false_commands(record, options, guard_options, show, engine)
            fc = f"{kept} / {dropped} ({minutes:.1f})"
        print(f"| {base.name} | {', '.join(cells)} | {fc} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dirs", nargs="+", type=Path, help="echo_live --keep directories")
    parser.add_argument("--list", action="store_true", help="list misses and coach-only commands")
    parser.add_argument("--engine", choices=["sphinx", "vosk"], default="sphinx",
                        help="the recognizer to hear the cleaned microphone with")
    args = parser.parse_args()
    report(args.dirs, label=args.engine, show=args.list, engine=args.engine)


if __name__ == "__main__":
    main()
