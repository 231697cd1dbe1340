"""Install, uninstall and inspect the user service as a list of steps, printable as a dry run."""

from __future__ import annotations

import getpass
import os
import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from voicecoach.errors import VoicecoachError
from voicecoach.service.audio import AudioStack, audio_notes, detect_audio_stack
from voicecoach.service.unit import (
    SERVICE_NAME,
    exec_command,
    render_unit,
    unit_environment,
    unit_path,
)

__all__ = [
    "Step",
    "StepKind",
    "install_steps",
    "linger_enabled",
    "run_steps",
    "status_lines",
    "uninstall_steps",
]

SYSTEMCTL_TIMEOUT = 30.0


class StepKind(StrEnum):
    """What a step does."""

    WRITE = "write"
    """Write a file (its text is in the step)."""
    REMOVE = "remove"
    """Delete a file if it is there."""
    RUN = "run"
    """Run a command."""
    NOTE = "note"
    """Tell the person something they must do or know."""


@dataclass(frozen=True, slots=True)
class Step:
    """One action of an install or uninstall."""

    kind: StepKind
    """What it does."""
    text: str
    """The file's content (WRITE) or the note (NOTE)."""
    path: Path | None = None
    """The file (WRITE, REMOVE)."""
    argv: tuple[str, ...] = field(default=())
    """The command (RUN)."""
    must: bool = True
    """A failing RUN stops the install; False: report and go on."""

    def describe(self) -> str:
        """One line for the dry run and the log."""
        if self.kind is StepKind.WRITE:
            return f"write {self.path}"
        if self.kind is StepKind.REMOVE:
            return f"remove {self.path}"
        if self.kind is StepKind.RUN:
            return "run " + " ".join(self.argv)
        return f"note: {self.text}"


def _user(env: Mapping[str, str]) -> str:
    return env.get("USER") or env.get("LOGNAME") or getpass.getuser()


def linger_enabled(user: str) -> bool:
    """Whether systemd starts this user's services at boot (``loginctl enable-linger``)."""
    return Path("/var/lib/systemd/linger", user).exists()


def install_steps(config: Path | None = None, start: bool = True,
                  env: Mapping[str, str] | None = None,
                  stack: AudioStack | None = None) -> list[Step]:
    """Write the unit, reload, enable (and start), then the notes this machine needs."""
    environ = os.environ if env is None else env
    path = unit_path(environ)
    text = render_unit(exec_command(config), unit_environment(environ))
    systemctl = ("systemctl", "--user")
    steps = [
        Step(StepKind.WRITE, text, path=path),
        Step(StepKind.RUN, "", argv=(*systemctl, "daemon-reload")),
        Step(StepKind.RUN, "", argv=(*systemctl, "enable", *(["--now"] if start else []),
                                      SERVICE_NAME)),
    ]
    user = _user(environ)
    if not linger_enabled(user):
        steps.append(Step(StepKind.NOTE, "to start at boot without anyone logging in, run "
                                         f"once: sudo loginctl enable-linger {user}"))
    for note in audio_notes(stack or detect_audio_stack(environ)):
        steps.append(Step(StepKind.NOTE, note))
    steps.append(Step(StepKind.NOTE, "follow it with: journalctl --user -u voicecoach -f; "
                                     "stop it with: voicecoach service uninstall"))
    return steps


def uninstall_steps(env: Mapping[str, str] | None = None) -> list[Step]:
    """Stop and disable (tolerating a unit systemd no longer knows), remove the file, reload."""
    path = unit_path(os.environ if env is None else env)
    return [
        Step(StepKind.RUN, "", argv=("systemctl", "--user", "disable", "--now", SERVICE_NAME),
             must=False),
        Step(StepKind.REMOVE, "", path=path),
        Step(StepKind.RUN, "", argv=("systemctl", "--user", "daemon-reload"), must=False),
    ]


_NO_SYSTEMD = ("is systemd running for your user? On the Raspberry Pi, log in once (or "
               "ssh in) so your user manager runs; check with: systemctl --user status")


def run_steps(steps: Sequence[Step], dry_run: bool, say: Callable[[str], None]) -> None:
    """Do the steps (or, for a dry run, only say what they would do)."""
    for step in steps:
        if step.kind is StepKind.NOTE:
            say(step.describe())
            continue
        if dry_run:
            say("would " + step.describe())
            if step.kind is StepKind.WRITE:
                say("".join(f"    | {line}\n" for line in step.text.splitlines()).rstrip("\n"))
            continue
        say(step.describe())
        if step.kind is StepKind.WRITE and step.path is not None:
            _write(step.path, step.text)
        elif step.kind is StepKind.REMOVE and step.path is not None:
            step.path.unlink(missing_ok=True)
        elif step.kind is StepKind.RUN:
            _run(step, say)


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        raise VoicecoachError(f"cannot write {path}: {exc.strerror}",
                              "check that your home folder is writable") from None


def _run(step: Step, say: Callable[[str], None]) -> None:
    if shutil.which(step.argv[0]) is None:
        problem = f"{step.argv[0]} is not installed: voicecoach service needs systemd"
        if step.must:
            raise VoicecoachError(problem, "run voicecoach serve from your own start script")
        say(f"  skipped: {problem}")
        return
    try:
        proc = subprocess.run(step.argv, capture_output=True, text=True,
                              timeout=SYSTEMCTL_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise VoicecoachError(f"{' '.join(step.argv)} did not answer", _NO_SYSTEMD) from None
    if proc.returncode != 0:
        message = (proc.stderr.strip() or proc.stdout.strip() or "failed").splitlines()[-1]
        if step.must:
            raise VoicecoachError(f"{' '.join(step.argv)}: {message}", _NO_SYSTEMD)
        say(f"  ({message})")


def _ask(argv: Sequence[str]) -> str:
    if shutil.which(argv[0]) is None:
        return f"unknown ({argv[0]} not installed)"
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=SYSTEMCTL_TIMEOUT)
    except subprocess.TimeoutExpired:
        return "unknown (no answer)"
    answer = proc.stdout.strip() or proc.stderr.strip()
    return answer.splitlines()[-1] if answer else "unknown"


def status_lines(env: Mapping[str, str] | None = None) -> list[str]:
    """What is installed and running, in plain lines (read-only)."""
    environ = os.environ if env is None else env
    path = unit_path(environ)
    lines = [f"unit file: {path}" + ("" if path.exists() else " (not installed)")]
    if path.exists():
        lines.append("enabled: " + _ask(["systemctl", "--user", "is-enabled", SERVICE_NAME]))
        lines.append("active: " + _ask(["systemctl", "--user", "is-active", SERVICE_NAME]))
    user = _user(environ)
    lines.append(f"starts at boot without login (linger): "
                 f"{'yes' if linger_enabled(user) else f'no (sudo loginctl enable-linger {user})'}")
    lines.append(f"audio: {detect_audio_stack(environ)}")
    return lines
