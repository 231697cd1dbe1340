"""Which sound system the service will talk to, and what a Raspberry Pi needs for it.

Raspberry Pi OS Bookworm (desktop and Lite) uses PipeWire with its PulseAudio
server; Bullseye desktop used PulseAudio; a trimmed Lite image may have plain
ALSA only. PortAudio (sounddevice) reaches a sound server through the ALSA
``pulse`` (or ``pipewire``) device, so the same voicecoach runs on all three;
what differs is how the USB microphone and the speaker are chosen and who may
open them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path

__all__ = ["AudioStack", "audio_notes", "detect_audio_stack"]


class AudioStack(StrEnum):
    """The sound system in use."""

    PIPEWIRE = "pipewire"
    """PipeWire with pipewire-pulse (Raspberry Pi OS Bookworm)."""
    PULSEAUDIO = "pulseaudio"
    """PulseAudio."""
    ALSA = "alsa"
    """No sound server: ALSA devices directly."""


def detect_audio_stack(env: Mapping[str, str] | None = None) -> AudioStack:
    """Look for running servers' sockets first, then for installed ones."""
    environ = os.environ if env is None else env
    runtime = Path(environ.get("XDG_RUNTIME_DIR") or f"/run/user/{os.getuid()}")
    if (runtime / "pipewire-0").exists():
        return AudioStack.PIPEWIRE
    if environ.get("PULSE_SERVER") or (runtime / "pulse" / "native").exists():
        return AudioStack.PULSEAUDIO
    if shutil.which("pipewire"):
        return AudioStack.PIPEWIRE
    if shutil.which("pulseaudio"):
        return AudioStack.PULSEAUDIO
    return AudioStack.ALSA


def audio_notes(stack: AudioStack) -> list[str]:
    """What to do for this sound system, one instruction per line."""
    common = "check it with: voicecoach doctor (speaks a phrase, shows a microphone meter)"
    if stack is AudioStack.PIPEWIRE:
        return [
            "audio: PipeWire. The service runs in your user session, beside PipeWire; with "
            "lingering on, both start at boot without a login.",
            "choose the USB microphone and the speaker: wpctl status; "
            "wpctl set-default <id> (or set audio.input / audio.output in the config)",
            "PortAudio reaches PipeWire through the ALSA 'pulse' device: "
            "sudo apt install libasound2-plugins (or pipewire-alsa)",
            common,
        ]
    if stack is AudioStack.PULSEAUDIO:
        return [
            "audio: PulseAudio. The service runs in your user session, beside PulseAudio; with "
            "lingering on, both start at boot without a login.",
            "choose devices: pactl list short sources / sinks; pactl set-default-source <name>; "
            "pactl set-default-sink <name> (or set audio.input / audio.output in the config)",
            "PortAudio reaches PulseAudio through the ALSA 'pulse' device: "
            "sudo apt install libasound2-plugins",
            common,
        ]
    return [
        "audio: plain ALSA (no sound server found). Only one program can use a device at a "
        "time: stop anything else playing.",
        "your user must be in the 'audio' group: sudo usermod -aG audio $USER (then log in "
        "again)",
        "list devices: arecord -l and aplay -l; set audio.input = \"USB\" and audio.output "
        "to part of the device names in the config",
        common,
    ]
