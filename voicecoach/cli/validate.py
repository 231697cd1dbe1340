"""``voicecoach validate FILE...``: check routine files, every problem located."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``validate`` command."""
    parser = subparsers.add_parser(
        "validate",
        help="check routine files: errors and warnings with file:line:col",
        description=(
            "Check routine script files. Prints every error and warning as "
            "file:line:col: severity: field: problem; fix. Exit status 0 only "
            "when every file is valid (warnings do not fail unless --strict)."
        ),
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="routine files (or names)")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument("-q", "--quiet", action="store_true", help="print problems only")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Validate each file; 0 if all valid, 1 otherwise."""
    from voicecoach.core.diagnostics import Diagnostic, Severity
    from voicecoach.core.library import find_routine, is_path_like
    from voicecoach.core.loader import check_routine_file
    from voicecoach.errors import VoicecoachError

    failed = 0
    for name in args.files:
        extra: list[Diagnostic] = []
        if is_path_like(name):
            path, display = name, name
        else:
            try:
                found, extra = find_routine(name)
            except VoicecoachError as exc:
                print(f"{name}: error: {exc.message}; {exc.hint}")
                failed += 1
                continue
            path, display = str(found.path), str(found.path)
        diagnostics = [*extra, *check_routine_file(path, display=display)]
        for diag in diagnostics:
            print(diag.format())
        errors = sum(d.severity is Severity.ERROR for d in diagnostics)
        warnings = len(diagnostics) - errors
        bad = errors > 0 or (args.strict and warnings > 0)
        failed += bad
        if not args.quiet:
            state = "invalid" if bad else "ok"
            counts = [f"{errors} error{'s' * (errors != 1)}"] if errors else []
            counts += [f"{warnings} warning{'s' * (warnings != 1)}"] if warnings else []
            print(f"{display}: {state}" + (f" ({', '.join(counts)})" if counts else ""))
    total = len(args.files)
    if not args.quiet and total > 1:
        print(f"{total - failed} of {total} files valid")
    return 1 if failed else 0
