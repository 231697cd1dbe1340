"""``voicecoach history``: list recent sessions, export them, or forget them all."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import Any


def add_history_option(parser: argparse.ArgumentParser) -> None:
    """The ``--history PATH`` option shared by history commands."""
    parser.add_argument(
        "--history", metavar="PATH", type=Path, default=None,
        help="history file (default: $VOICECOACH_HISTORY, else the user data directory)",
    )


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "history",
        help="list recent sessions (or --forget them all)",
        description="List recent sessions from the local history. The history is stored only "
        "on this computer, readable only by you.",
    )
    add_history_option(parser)
    parser.add_argument("-n", "--limit", type=int, default=20, help="how many sessions (20)")
    parser.add_argument("--csv", metavar="FILE", type=Path, help="also export all to CSV")
    parser.add_argument("--forget", action="store_true", help="delete the whole history")
    parser.add_argument("-y", "--yes", action="store_true", help="do not ask before deleting")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from voicecoach.adapters.history import SQLiteHistory, history_files, resolve_history_path

    path = resolve_history_path(args.history)
    if args.forget:
        return forget(path, args.yes)
    if not path.exists():
        print(f"No sessions recorded yet (history file: {path}).")
        return 0
    with SQLiteHistory(path) as store:
        sessions = store.recent_sessions(max(1, args.limit))
        if args.csv:
            from voicecoach.adapters.report import collect, export_csv

            rows = export_csv(collect(store), args.csv)
            print(f"Wrote {rows} rows to {args.csv}", file=sys.stderr)
    print(format_table(sessions))
    print(f"\nHistory file: {path} ({sum(p.stat().st_size for p in history_files(path))} bytes)")
    return 0


def format_table(sessions: list[Any]) -> str:
    """A plain-text table of sessions, newest first."""
    from voicecoach.adapters.report import OUTCOME_WORDS

    if not sessions:
        return "No sessions recorded yet."
    header = ("#", "started", "routine", "outcome", "reps", "holds", "pauses", "skips", "pain")
    rows = [header] + [
        (
            str(s.id), datetime.fromtimestamp(s.started_at).strftime("%Y-%m-%d %H:%M"),
            f"{s.routine_title} (v{s.routine_version})", OUTCOME_WORDS[s.outcome],
            f"{s.done_reps}/{s.prescribed_reps}", f"{s.done_holds}/{s.prescribed_holds}",
            str(s.pauses), str(s.skips), str(s.pain_reports + s.symptoms),
        )
        for s in sessions
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def forget(path: Path, yes: bool) -> int:
    """Delete the history after confirmation; 0 if deleted or nothing to delete, 1 if declined."""
    from voicecoach.adapters.history import forget_history, history_files
    from voicecoach.errors import VoicecoachError

    if not history_files(path):
        print(f"Nothing to forget: there is no history at {path}.")
        return 0
    if not yes:
        if not sys.stdin.isatty():
            raise VoicecoachError(
                "refusing to delete the history without confirmation",
                "run it in a terminal to confirm, or add --yes",
            )
        try:
            answer = input(f"Delete the whole exercise history in {path}? This cannot be undone. "
                           "[y/N] ")
        except EOFError:
            answer = ""
        if answer.strip().lower() not in ("y", "yes"):
            print("Kept the history.")
            return 1
    removed = forget_history(path)
    print(f"Deleted the history ({len(removed)} files).")
    return 0
