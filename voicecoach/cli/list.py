"""``voicecoach list``: the routines voicecoach can find, bundled and your own."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``list`` command."""
    parser = subparsers.add_parser(
        "list",
        help="list bundled and user routines (title, language, exercises, duration)",
        description=(
            "List every routine voicecoach finds: your routine folder first "
            "($VOICECOACH_ROUTINES, or the platform user data folder), then the "
            "bundled ones. Name clashes and invalid files are reported."
        ),
    )
    parser.add_argument("--json", action="store_true", help="print JSON for tools")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the routine table."""
    import json

    from voicecoach.core.library import DEFAULT_ROUTINE, list_routines, search_folders

    entries = list_routines()
    if args.json:
        rows = [
            {
                "name": e.file.id,
                "title": e.title,
                "language": e.language,
                "exercises": e.exercises,
                "seconds": round(e.seconds),
                "source": str(e.file.origin),
                "path": str(e.file.path),
                "valid": e.valid,
                "default": e.file.id == DEFAULT_ROUTINE,
                "problems": [d.format() for d in (*e.errors, *e.warnings)],
            }
            for e in entries
        ]
        print(json.dumps(rows, indent=2))
        return 0
    header = ("name", "title", "lang", "exercises", "about", "source")
    table = [header]
    for e in entries:
        name = e.file.id + (" *" if e.file.id == DEFAULT_ROUTINE else "")
        origin = str(e.file.origin)
        if e.valid:
            row = (name, e.title, e.language, str(e.exercises), _about(e.seconds), origin)
        else:
            row = (
                name,
                "INVALID: voicecoach validate " + str(e.file.path),
                "",
                "",
                "",
                str(e.file.origin),
            )
        table.append(row)
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    print(f"\n* default routine (voicecoach run with no name): {DEFAULT_ROUTINE}")
    for folder in search_folders():
        state = "" if folder.path.is_dir() else " (does not exist yet)"
        print(f"{folder.origin} routines: {folder.path}{state}")
    for e in entries:
        for warning in e.warnings:
            if warning.code == "name-clash":
                print(f"warning: {warning.message}; {warning.hint}")
    return 0


def _about(seconds: float) -> str:
    """A rough duration: to the half minute under ten minutes, else to the minute."""
    from voicecoach.core.durations import format_duration

    step = 30 if seconds < 600 else 60
    return format_duration(max(step, step * round(seconds / step)))
