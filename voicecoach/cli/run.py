"""``voicecoach run [ROUTINE]``: the live, hands-free session."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "run", help="start a live, hands-free session (the default routine if none is named)",
        description=(
            "Talk the person through a routine and listen for what they say. "
            "Settings come from the config file (voicecoach config); options here override it."
        ),
    )
    parser.add_argument("routine", nargs="?", help="routine name or YAML file (voicecoach list)")
    parser.add_argument("--input-device", help="microphone: device index or part of its name")
    parser.add_argument("--output-device", help="speaker: device index or part of its name")
    parser.add_argument("--engine", choices=["auto", "vosk", "sphinx"], help="speech recognizer")
    parser.add_argument("--model", help="path to a Vosk model folder")
    parser.add_argument("--language", help="language when the routine names none (en, ko, ...)")
    parser.add_argument("--voice", help="espeak-ng voice id")
    parser.add_argument("--volume", help="output volume, 0 to 1")
    parser.add_argument("--rate", help="speech rate factor, e.g. 0.9")
    parser.add_argument("--history", help="history database file")
    parser.add_argument("--config", help="config file (default: the platform config folder)")
    parser.add_argument("--events", type=Path, help="write one JSON line per event to this file")
    parser.add_argument("--no-keys", action="store_true", help="do not read keyboard commands")
    parser.add_argument("--no-listen", action="store_true",
                        help="do not open the microphone (keyboard only)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from voicecoach.config import load_settings
    from voicecoach.runtime.app import LiveOptions, run_live

    settings = load_settings(
        {
            "input_device": args.input_device, "output_device": args.output_device,
            "engine": args.engine, "model": args.model, "language": args.language,
            "voice": args.voice, "volume": args.volume, "rate": args.rate,
            "history": args.history, "routine": args.routine,
        },
        config_path=args.config,
    )
    result = run_live(
        settings,
        LiveOptions(
            routine=args.routine, events=args.events, keys=not args.no_keys,
            listen=not args.no_listen,
        ),
    )
    return 0 if result.outcome != "interrupted" else 130
