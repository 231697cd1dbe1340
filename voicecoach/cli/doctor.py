"""``voicecoach doctor``: check speaker, mic, model, engine, disk and history; say what to fix."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from voicecoach.cli.config import add_config_option


def register(subparsers: Any) -> None:
    """Add the ``doctor`` command."""
    parser = subparsers.add_parser(
        "doctor", help="check speaker, microphone, model, engine, disk and history; what to fix",
        description=(
            "Speak a test phrase through the output device, show a microphone level meter "
            "while you speak, load the speech model and recognizer, and check disk space, "
            "the history database and the config file. Exit status 0 when every essential "
            "check passes, 1 otherwise."
        ),
    )
    add_config_option(parser)
    parser.add_argument("--seconds", type=float, default=5.0,
                        help="how long the microphone meter runs (default 5)")
    parser.add_argument("--no-speak", action="store_true", help="do not play the test phrase")
    parser.add_argument("--no-listen", action="store_true", help="skip the microphone meter")
    parser.add_argument("--input", help="microphone: device number or part of its name")
    parser.add_argument("--output", help="speaker: device number or part of its name")
    parser.add_argument("--engine", help="auto, vosk or sphinx")
    parser.add_argument("--language", help="language tag (en, ko...)")
    parser.add_argument("--model", help="Vosk model folder")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run the checks, print the checklist; 0 if every essential check passed."""
    import json

    from voicecoach.doctor import DoctorOptions, all_passed, format_checklist, run_doctor
    from voicecoach.doctor.microphone import meter_line
    from voicecoach.errors import VoicecoachError

    if not 0.2 <= args.seconds <= 60:
        raise VoicecoachError(f"--seconds {args.seconds:g} is out of range",
                              "use 0.2 to 60 seconds")
    tty = sys.stderr.isatty() and not args.json

    def on_level(rms: float, _peak: float) -> None:
        if tty:
            print(f"\r  microphone {meter_line(rms)}", end="", file=sys.stderr, flush=True)

    if not args.no_listen and not args.json:
        print(f"Speak now, for {args.seconds:g} seconds: the microphone is being measured.",
              file=sys.stderr, flush=True)
    overrides = {"input_device": args.input, "output_device": args.output,
                 "engine": args.engine, "language": args.language, "model": args.model}
    options = DoctorOptions(seconds=args.seconds, speak=not args.no_speak,
                            listen=not args.no_listen)
    results = run_doctor(overrides, getattr(args, "config", None), options, on_level)
    if tty and not args.no_listen:
        print(file=sys.stderr)
    passed = all_passed(results)
    if args.json:
        print(json.dumps({"passed": passed, "checks": [
            {"name": r.name, "status": str(r.status), "detail": r.detail, "fix": r.fix,
             "essential": r.essential} for r in results]}, indent=2))
    else:
        print(format_checklist(results))
    return 0 if passed else 1
