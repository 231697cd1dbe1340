"""The commented config file ``voicecoach config --init`` writes.

Every setting is written *commented out* with its default, under its table:
the file then means exactly "the defaults", a later version's better
defaults still reach the person, and changing a setting is removing one
``#``. The result always parses and loads to the defaults (a test checks).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from voicecoach.config.fields import FIELDS, SECTIONS, Field, Kind
from voicecoach.errors import VoicecoachError

__all__ = ["SECTION_HELP", "default_file_text", "toml_value", "write_default_file"]

#: One line above each table.
SECTION_HELP: dict[str, str] = {
    "audio": "Audio devices. List them with: voicecoach devices",
    "speech": "Speech recognition and the coach's voice.",
    "session": "Sessions.",
    "progression": "How the load is raised after pain-free sessions and lowered after pain.",
    "serve": 'Waiting mode (voicecoach serve): "coach, start my back routine".',
}


def toml_value(spec: Field, value: object) -> str:
    """``value`` written as TOML (None as the empty string)."""
    if value is None:
        return '""'
    if spec.kind is Kind.BOOL:
        return "true" if value else "false"
    if spec.kind is Kind.WORDS and isinstance(value, tuple | list):
        return "[" + ", ".join(_quote(str(v)) for v in value) + "]"
    if spec.kind in (Kind.INT, Kind.FLOAT):
        return repr(value)
    return _quote(str(value))


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def default_file_text() -> str:
    """The whole commented default file."""
    out = [
        "# voicecoach settings. Remove the # in front of a line to change it.",
        "# Check the file with: voicecoach config",
        "# Precedence: defaults < this file < environment variables < command-line options.",
    ]
    for section in SECTIONS:
        out += ["", f"# {SECTION_HELP.get(section, section)}", f"[{section}]"]
        for spec in (f for f in FIELDS if f.section == section):
            help_text = spec.help + (f" (environment: ${spec.env})" if spec.env else "")
            out += textwrap.wrap(help_text, 88, initial_indent="# ", subsequent_indent="#   ")
            out.append(f"# {spec.name} = {toml_value(spec, spec.default)}")
    return "\n".join(out) + "\n"


def write_default_file(path: Path, force: bool = False) -> Path:
    """Write :func:`default_file_text` to ``path``; an existing file only with ``force``."""
    if path.exists() and not force:
        raise VoicecoachError(f"{path} already exists",
                              "edit it, or pass --force to replace it with the defaults")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(default_file_text(), encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        raise VoicecoachError(f"cannot write {path}: {exc.strerror}",
                              "check the folder's permissions, or use --config PATH") from None
    return path
