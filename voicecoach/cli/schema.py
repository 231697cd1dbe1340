"""``voicecoach schema``: the routine file JSON Schema, for editors."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``schema`` command."""
    parser = subparsers.add_parser(
        "schema",
        help="print the JSON Schema of routine files (for editor completion and checks)",
        description=(
            "Print the JSON Schema of routine script files. Save it, e.g. as "
            "routine.schema.json, and put '# yaml-language-server: "
            "$schema=routine.schema.json' on the first line of a routine file."
        ),
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print or write the schema."""
    import json
    from pathlib import Path

    from voicecoach.core.schema import routine_json_schema
    from voicecoach.errors import VoicecoachError

    text = json.dumps(routine_json_schema(), indent=2) + "\n"
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise VoicecoachError(
                f"cannot write {args.output}: {exc.strerror or exc}", "choose another path"
            ) from None
        return 0
    print(text, end="")
    return 0
