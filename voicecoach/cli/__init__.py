"""The ``voicecoach`` command line: thin, every command's work lives in the library.

Each sub-command is a module in this package exposing ``register(subparsers)``
which adds its parser and sets ``handler=<callable(args) -> int>``. Modules
are listed in :data:`COMMANDS` and imported when the parser is built; heavy
imports (speech engines, models, audio) stay inside the handlers so that
``voicecoach --help`` is instant and never touches a device.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from voicecoach import __version__
from voicecoach.errors import VoicecoachError

#: Sub-command modules, in the order ``--help`` lists them.
COMMANDS: tuple[str, ...] = (
    "run", "list", "validate", "schema", "models", "history", "report", "simulate", "config",
    "doctor", "say", "devices", "render", "service",
    "listen", "phrases", "serve",
)


def build_parser() -> argparse.ArgumentParser:
    """Build the full argument parser with every registered sub-command."""
    parser = argparse.ArgumentParser(
        prog="voicecoach",
        description="An offline, hands-free, voice-guided exercise coach for lower-back pain.",
    )
    parser.add_argument("--version", action="version", version=f"voicecoach {__version__}")
    parser.add_argument(
        "--config", dest="config", metavar="PATH", default=None,
        help="settings file (default: $VOICECOACH_CONFIG, else the platform config folder)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"voicecoach.cli.{name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the process exit status.

    0 success, 1 a check failed (e.g. an invalid routine), 2 a usage or
    environment problem the user can fix, 130 interrupted.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return int(handler(args) or 0)
    except VoicecoachError as exc:
        print(f"voicecoach: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("voicecoach: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
