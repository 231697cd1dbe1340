"""``voicecoach report``: an HTML report (with PNG plots) and CSV for the physiotherapist."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from voicecoach.cli.history import add_history_option


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "report",
        help="write an HTML report (and PNG plots, CSV) for the physiotherapist",
        description="Write a self-contained HTML page with adherence, load done versus "
        "prescribed, and pain reports over time; the plots are also written as PNG beside it.",
    )
    add_history_option(parser)
    parser.add_argument("-o", "--out", type=Path, default=Path("voicecoach-report.html"),
                        help="HTML file to write (default: voicecoach-report.html)")
    parser.add_argument("--csv", metavar="FILE", type=Path, help="also export sessions as CSV")
    parser.add_argument("--days", type=int, default=90,
                        help="how many days back to cover (default 90; 0 for everything)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from voicecoach.adapters.history import SQLiteHistory, resolve_history_path
    from voicecoach.adapters.report import build_report, collect, export_csv
    from voicecoach.errors import VoicecoachError

    path = resolve_history_path(args.history)
    if not path.exists():
        raise VoicecoachError(
            f"there is no history at {path} yet",
            "do a session with 'voicecoach run' first, or pass --history PATH",
        )
    now = time.time()
    since = now - args.days * 86400.0 if args.days > 0 else None
    with SQLiteHistory(path) as store:
        data = collect(store, since=since, now=now)
    try:
        files = build_report(data, args.out)
        if args.csv:
            export_csv(data, args.csv)
    except OSError as exc:
        raise VoicecoachError(f"cannot write the report: {exc}",
                              "choose another --out / --csv path") from exc
    print(f"Wrote {files.html} ({len(data.sessions)} sessions, {len(data.reports)} pain reports "
          "and symptoms)")
    for plot in files.plots:
        print(f"Wrote {plot}")
    if args.csv:
        print(f"Wrote {args.csv}")
    return 0
