"""Fill in the shipped unit template for this machine's Python, package and settings."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path

__all__ = ["CARRIED_ENV", "SERVICE_NAME", "exec_command", "render_unit", "unit_path"]

#: The unit's file name.
SERVICE_NAME = "voicecoach.service"
#: Environment variables the person set on purpose; an install carries them into the unit.
CARRIED_ENV = ("VOICECOACH_CONFIG", "VOICECOACH_HISTORY", "VOICECOACH_VOSK_MODEL",
               "VOICECOACH_ROUTINES", "VOICECOACH_ENGINE", "VOICECOACH_INPUT",
               "VOICECOACH_OUTPUT")


def unit_path(env: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CONFIG_HOME/systemd/user/voicecoach.service`` (``~/.config/...`` by default)."""
    environ = os.environ if env is None else env
    base = environ.get("XDG_CONFIG_HOME") or str(Path(environ.get("HOME", "~")) / ".config")
    return Path(base).expanduser() / "systemd" / "user" / SERVICE_NAME


def exec_command(config: Path | None = None, python: str | None = None) -> list[str]:
    """``python -m voicecoach serve``, with the interpreter that runs this (its venv)."""
    argv = [python or sys.executable, "-m", "voicecoach"]
    if config is not None:
        argv += ["--config", str(config.expanduser().resolve())]
    return [*argv, "serve"]


def _package_root() -> Path | None:
    """The folder to put on PYTHONPATH when voicecoach runs from a source checkout."""
    import voicecoach

    root = Path(voicecoach.__file__).resolve().parent.parent
    return root if (root / "pyproject.toml").exists() else None


def _quote(arg: str) -> str:
    """One ExecStart word: ``%`` is a systemd specifier, spaces need quotes."""
    arg = arg.replace("%", "%%")
    if any(c in arg for c in ' \t"\\\'$;'):
        return '"' + arg.replace("\\", "\\\\").replace('"', '\\"').replace("$", "$$") + '"'
    return arg


def render_unit(argv: Sequence[str], environment: Mapping[str, str]) -> str:
    """The unit file text for ``argv`` and ``environment`` (``KEY=value`` lines)."""
    template = resources.files("voicecoach.service").joinpath(SERVICE_NAME).read_text("utf-8")
    env_lines = "\n".join(
        f"Environment={_quote(f'{key}={value}')}" for key, value in sorted(environment.items())
    )
    text = template.replace("@EXEC_START@", " ".join(_quote(a) for a in argv))
    text = text.replace("@ENVIRONMENT@\n", env_lines + "\n" if env_lines else "")
    return text


def unit_environment(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """PYTHONPATH for a source checkout, plus the ``VOICECOACH_*`` variables set now."""
    environ = os.environ if env is None else env
    out = {key: environ[key] for key in CARRIED_ENV if environ.get(key)}
    root = _package_root()
    if root is not None:
        out["PYTHONPATH"] = str(root)
    return out
