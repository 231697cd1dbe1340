"""``voicecoach service install | uninstall | status``: the systemd user service (start at boot)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from voicecoach.cli.config import add_config_option


def register(subparsers: Any) -> None:
    """Add the ``service`` command."""
    parser = subparsers.add_parser(
        "service", help="install / uninstall / show the systemd user service (start at boot)",
        description=(
            "Install voicecoach as a systemd user service that runs 'voicecoach serve' "
            "(waiting for \"coach, start ...\") in your session, beside your sound server. "
            "--dry-run prints every step without doing it."
        ),
    )
    parser.add_argument("action", choices=("install", "uninstall", "status"))
    add_config_option(parser)
    parser.add_argument("--dry-run", action="store_true",
                        help="print what would be written and run, change nothing")
    parser.add_argument("--no-start", action="store_true",
                        help="install: enable for the next boot, do not start now")
    parser.add_argument("--audio", choices=("pipewire", "pulseaudio", "alsa"),
                        help="install: the sound system to give advice for (default: detected)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Plan the steps and run them (or print them for --dry-run)."""
    from voicecoach.service import (
        AudioStack,
        install_steps,
        run_steps,
        status_lines,
        uninstall_steps,
    )

    if args.action == "status":
        for line in status_lines():
            print(line)
        return 0
    if args.action == "uninstall":
        steps = uninstall_steps()
    else:
        config = getattr(args, "config", None)
        if config is not None:
            from voicecoach.config import load_settings

            load_settings({}, config_path=config)  # a bad or missing file fails now, not at boot
        steps = install_steps(Path(config) if config else None, start=not args.no_start,
                              stack=AudioStack(args.audio) if args.audio else None)
    run_steps(steps, args.dry_run, print)
    if not args.dry_run:
        print("done" if args.action == "uninstall" else
              "installed: it says when it is ready; then say \"coach, start\"")
    return 0
