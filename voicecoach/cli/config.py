"""``voicecoach config``: the effective settings and where each came from."""

from __future__ import annotations

import argparse
from typing import Any

CONFIG_HELP = "settings file (default: $VOICECOACH_CONFIG, else the platform config folder)"


def add_config_option(parser: argparse.ArgumentParser) -> None:
    """``--config PATH`` on a sub-command; it also works before the sub-command."""
    parser.add_argument("--config", dest="config", metavar="PATH", default=argparse.SUPPRESS,
                        help=CONFIG_HELP)


def register(subparsers: Any) -> None:
    """Add the ``config`` command."""
    parser = subparsers.add_parser(
        "config", help="show the effective settings and where each came from; --init, --path",
        description=(
            "Show every setting's effective value and where it came from (default, "
            "config file with line, environment variable, command line). Bad values "
            "are reported with file:line and a fix; the exit status is then 2."
        ),
    )
    add_config_option(parser)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--path", action="store_true", help="print the config file's path only")
    group.add_argument("--init", action="store_true",
                       help="write a commented file with every default (not over an existing one)")
    group.add_argument("--json", action="store_true", help="print JSON for tools")
    parser.add_argument("--force", action="store_true",
                        help="with --init: replace an existing file")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the settings, the path, or write the default file."""
    import json

    from voicecoach.config import FIELDS, load_settings, resolve_config_path, write_default_file
    from voicecoach.config.template import toml_value

    config = getattr(args, "config", None)
    if args.path:
        print(resolve_config_path(config)[0])
        return 0
    if args.init:
        path = write_default_file(resolve_config_path(config)[0], force=args.force)
        print(f"wrote {path}; remove the # in front of a setting to change it")
        return 0
    settings = load_settings({}, config_path=config)
    if args.json:
        rows = [
            {"key": f.key, "value": _jsonable(settings.value(f.key)),
             "origin": str(settings.source(f.key).origin),
             "where": settings.source(f.key).detail}
            for f in FIELDS
        ]
        print(json.dumps({"config_path": str(settings.config_path),
                          "config_found": settings.config_found, "settings": rows}, indent=2))
        return 0
    state = "" if settings.config_found else "  (not found: defaults; voicecoach config --init)"
    print(f"config file: {settings.config_path}{state}")
    table = [("setting", "value", "from")]
    for f in FIELDS:
        value = settings.value(f.key)
        shown = "(not set)" if value is None else toml_value(f, value)
        table.append((f.key, shown, str(settings.source(f.key))))
    widths = [max(len(row[i]) for row in table) for i in range(2)]
    for key, value, origin in table:
        print(f"{key:<{widths[0]}}  {value:<{widths[1]}}  {origin}")
    return 0


def _jsonable(value: object) -> object:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, tuple):
        return list(value)
    return str(value)
