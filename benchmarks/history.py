"""History benchmark: write rate, a year of daily sessions, report generation.

Run: ``/work/venv/bin/python -m benchmarks.history [--days 365] [--dir DIR]``

Prints a Markdown table. The write rate is measured on the real store as the
live loop uses it (one committed transaction per event, WAL, synchronous=FULL
and, for comparison, NORMAL). The year of history is written through the same
``SQLiteHistory.record`` calls, with the fsync switched off for speed (the
file's content and size do not depend on it), then the report is generated
from it.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from voicecoach.adapters.history import SQLiteHistory, history_files
from voicecoach.adapters.report import build_report, collect, export_csv
from voicecoach.core.actions import Record, RecordKind
from voicecoach.core.planning import plan_session
from voicecoach.core.routine import Routine

DAY = 86400.0
START = 1_700_000_000.0

#: A realistic routine: eight exercises, ten reps, holds, half of them per side.
ROUTINE = Routine.model_validate(
    {
        "title": "Benchmark routine",
        "exercises": [
            {
                "name": f"Exercise {i}",
                "reps": 10,
                **({"sides": ["left", "right"]} if i % 2 else {}),
                "steps": [{"inhale": "Lift."}, {"hold": "5s"}, {"exhale": "Lower."}],
            }
            for i in range(8)
        ],
    }
)


def session_records(day: int) -> list[Record]:
    """What the engine records in one session (plus a pause, and pain now and then)."""
    out = [Record(RecordKind.SESSION_STARTED, 0.0)]
    t = 0.0
    for index, ex in enumerate(ROUTINE.exercises):
        t += 10
        out.append(Record(RecordKind.EXERCISE_STARTED, t, ex.name, index))
        for side in ex.sides or [None]:
            for rep in range(1, ex.reps + 1):
                t += 8
                out.append(Record(RecordKind.HOLD_DONE, t, ex.name, index, side, 1, rep))
                out.append(Record(RecordKind.REP_DONE, t, ex.name, index, side, 1, rep))
                if index == 3 and rep == 5 and side is None:
                    out.append(Record(RecordKind.PAUSED, t, ex.name, index, side, 1, rep))
                    out.append(Record(RecordKind.RESUMED, t + 20, ex.name, index, side, 1, rep))
                if day % 17 == 0 and index == 2 and rep == 7 and side is None:
                    out.append(Record(RecordKind.PAIN, t, ex.name, index, side, 1, rep))
        out.append(Record(RecordKind.EXERCISE_ENDED, t, ex.name, index))
    out.append(Record(RecordKind.SESSION_ENDED, t + 5))
    return out


def write_rate(path: Path, synchronous: str, sessions: int) -> tuple[float, float, float]:
    """(events/s, median ms, p99 ms) recording ``sessions`` sessions one event at a time."""
    with SQLiteHistory(path) as store:
        store._conn.execute(f"PRAGMA synchronous = {synchronous}")
        latencies = []
        for day in range(sessions):
            sid = store.start_session("bench", ROUTINE.title, 1, START + day * DAY, routine=ROUTINE)
            for record in session_records(day):
                t0 = time.perf_counter()
                store.record(sid, record)
                latencies.append(time.perf_counter() - t0)
    latencies.sort()
    rate = len(latencies) / sum(latencies)
    return rate, statistics.median(latencies) * 1e3, latencies[int(len(latencies) * 0.99)] * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--dir", type=Path, default=None, help="where to write (default: temp)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        root = Path(tmp)
        rows: list[tuple[str, str]] = []
        per_session = len(session_records(1))
        rows.append(("events per session (8 exercises x 10 reps, half per side)", f"{per_session}"))
        for mode in ("FULL", "NORMAL"):
            rate, p50, p99 = write_rate(root / f"rate-{mode}.sqlite3", mode, 3)
            rows.append((f"write rate, synchronous={mode}", f"{rate:,.0f} events/s"))
            rows.append((f"record() latency, synchronous={mode}",
                         f"median {p50:.2f} ms, p99 {p99:.2f} ms"))

        year = root / "year.sqlite3"
        t0 = time.perf_counter()
        with SQLiteHistory(year) as store:
            store._conn.execute("PRAGMA synchronous = OFF")
            for day in range(args.days):
                sid = store.start_session("bench", ROUTINE.title, 1, START + day * DAY + 8 * 3600,
                                          routine=ROUTINE)
                for record in session_records(day):
                    store.record(sid, record)
        fill = time.perf_counter() - t0
        size = sum(p.stat().st_size for p in history_files(year))
        rows.append((f"{args.days} daily sessions: events", f"{args.days * per_session:,}"))
        rows.append((f"{args.days} daily sessions: history size", f"{size / 1e6:.1f} MB "
                     f"({size / args.days / 1e3:.0f} kB per session)"))
        rows.append((f"{args.days} daily sessions: written (fsync off)", f"{fill:.1f} s"))

        with SQLiteHistory(year) as store:
            t0 = time.perf_counter()
            history = store.routine_history("bench")
            plan_session(ROUTINE, history, now=START + args.days * DAY,
                         interrupted=store.last_interrupted("bench"),
                         last_screening_at=store.last_screening_at())
            rows.append(("plan the next session (history queries + rules)",
                         f"{(time.perf_counter() - t0) * 1e3:.1f} ms"))
            t0 = time.perf_counter()
            data = collect(store, now=START + args.days * DAY)
            read = time.perf_counter() - t0
        import matplotlib  # noqa: F401  (import time is not report time)

        t0 = time.perf_counter()
        build_report(data, root / "report.html")
        render = time.perf_counter() - t0
        t0 = time.perf_counter()
        export_csv(data, root / "report.csv")
        csv_time = time.perf_counter() - t0
        rows.append((f"report over {args.days} days: read history", f"{read:.2f} s"))
        rows.append(("report: HTML + 3 PNG plots", f"{render:.2f} s "
                     f"({(root / 'report.html').stat().st_size / 1e3:.0f} kB HTML)"))
        rows.append(("report: CSV export", f"{csv_time:.2f} s"))
    print("| measure | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
