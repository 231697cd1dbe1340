"""``voicecoach simulate``: a whole session in virtual time, printed as a timeline."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "simulate",
        help="run a routine in virtual time and print what would be said when",
        description="Run a whole session in virtual time, with scripted commands, and print "
        "every utterance (at the second it would start) and every recorded event.",
    )
    parser.add_argument(
        "routine", metavar="ROUTINE", help="routine YAML file, or the name of a bundled routine"
    )
    parser.add_argument(
        "--commands",
        default="",
        help='scripted commands, e.g. "12.5:pause,20:resume,30:symptom=dizziness"',
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--screening", action="store_true", help="ask the screening first")
    parser.add_argument(
        "--resume-from", type=int, metavar="N", help="offer to resume at exercise N (0-based)"
    )
    parser.add_argument(
        "--no-auto",
        action="store_true",
        help="do not answer 'ready' and screening questions automatically",
    )
    parser.set_defaults(handler=run)


def load(name: str) -> Any:
    """Load a routine by path or bundled name, with the library's errors (file, line, field)."""
    from voicecoach.core.library import load_routine

    return load_routine(name).routine


def run(args: argparse.Namespace) -> int:
    from voicecoach.core.session import Session, SessionOptions
    from voicecoach.core.session.simulate import (
        VirtualDriver,
        entry_json,
        entry_text,
        parse_commands,
    )
    from voicecoach.errors import VoicecoachError

    routine = load(args.routine)
    try:
        commands = parse_commands(args.commands)
    except ValueError as exc:
        raise VoicecoachError(
            f"--commands: {exc}", 'e.g. --commands "12.5:pause,20:resume"'
        ) from None
    options = SessionOptions(screening_due=args.screening, resume_from=args.resume_from)
    result = VirtualDriver(Session(routine, options), auto=not args.no_auto).run(commands)
    out = sys.stdout
    for entry in result.timeline:
        if args.json:
            out.write(json.dumps(entry_json(entry), ensure_ascii=False) + "\n")
        else:
            out.write(entry_text(entry) + "\n")
    if not args.json:
        how = "ended" if result.finished else f"is waiting for the person ({result.state})"
        out.write(f"# session {how} at {result.end:.1f}s; {result.speeches} utterances\n")
    return 0
