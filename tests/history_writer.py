"""A session writer for the crash test: records events until it is killed.

Run as ``python -m tests.history_writer DB``. It opens the history, starts a
session of six exercises, and records exercise starts, reps, holds, pauses and
ends in a loop. After each ``record`` returns it prints one line
``<seq> <kind> <exercise_index> <resume_index>`` and flushes, so the parent
knows exactly which events the store reported as recorded before SIGKILL.
"""

from __future__ import annotations

import sys

from voicecoach.adapters.history import SQLiteHistory
from voicecoach.core.actions import Record, RecordKind


def main(path: str) -> None:
    store = SQLiteHistory(path)
    session = store.start_session("crash", "Crash routine", 1, 1_700_000_000.0)
    print(f"session {session}", flush=True)
    seq, t = 0, 0.0

    def emit(kind: RecordKind, index: int, resume: int, **kw: object) -> None:
        nonlocal seq, t
        t += 0.5
        store.record(
            session,
            Record(kind, t, exercise=f"ex{index}", exercise_index=index, data={"seq": seq}, **kw),
        )
        print(f"{seq} {kind.value} {index} {resume}", flush=True)
        seq += 1

    for index in range(6):
        emit(RecordKind.EXERCISE_STARTED, index, index)
        for rep in range(1, 11):
            emit(RecordKind.REP_DONE, index, index, rep=rep, side="left", set=1)
            emit(RecordKind.HOLD_DONE, index, index, rep=rep, side="left", set=1)
            if rep == 5:
                emit(RecordKind.PAUSED, index, index)
                emit(RecordKind.RESUMED, index, index)
        emit(RecordKind.EXERCISE_ENDED, index, index + 1)
    print("done", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
