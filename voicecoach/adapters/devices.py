"""Finding audio devices through PortAudio, with errors a person can act on.

A device may be named by index, by (part of) its name, or left to the
system default. ``VOICECOACH_OUTPUT_DEVICE`` / ``VOICECOACH_INPUT_DEVICE``
choose one without a command-line flag (handy for a Raspberry Pi service).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from types import ModuleType

from voicecoach.errors import DeviceError

NO_OUTPUT_HINT = (
    "connect a speaker or headphones; on Linux check that PulseAudio/PipeWire runs "
    "(`pactl info`) or that your user is in the `audio` group; `voicecoach devices` lists devices"
)


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """One PortAudio device."""

    index: int
    """PortAudio device index."""
    name: str
    """Device name as PortAudio reports it."""
    hostapi: str
    """Host API (ALSA, PulseAudio, Core Audio, WASAPI...)."""
    inputs: int
    """Maximum input channels (0: not an input)."""
    outputs: int
    """Maximum output channels (0: not an output)."""
    default_rate: float
    """The device's preferred sample rate."""


def sounddevice() -> ModuleType:
    """Import sounddevice, turning a missing PortAudio into a DeviceError."""
    try:
        import sounddevice as sd
    except OSError as exc:
        raise DeviceError(f"PortAudio is not available: {exc}",
                          "sudo apt install libportaudio2") from None
    _quiet_alsa()
    return sd


_alsa_handler: object = None


def _quiet_alsa() -> None:
    """Stop alsa-lib printing "underrun occurred" and probe noise on the user's terminal.

    Device failures are detected and reported by the player itself; the raw
    messages only alarm a person lying on the floor. ``VOICECOACH_ALSA_DEBUG=1``
    keeps them.
    """
    global _alsa_handler
    if _alsa_handler is not None or os.environ.get("VOICECOACH_ALSA_DEBUG"):
        return
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("asound")
    if not name:
        _alsa_handler = False
        return
    try:
        lib = ctypes.CDLL(name)
        handler_type = ctypes.CFUNCTYPE(None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                                        ctypes.c_int, ctypes.c_char_p)
        _alsa_handler = handler_type(lambda *args: None)
        lib.snd_lib_error_set_handler(_alsa_handler)
    except (OSError, AttributeError):
        _alsa_handler = False


def list_devices() -> list[DeviceInfo]:
    """Every device PortAudio sees (an empty list when there are none)."""
    sd = sounddevice()
    try:
        raw = sd.query_devices()
        apis = sd.query_hostapis()
    except sd.PortAudioError as exc:
        raise DeviceError(f"Could not list audio devices: {exc}", NO_OUTPUT_HINT) from None
    return [
        DeviceInfo(int(d["index"]), str(d["name"]), str(apis[d["hostapi"]]["name"]),
                   int(d["max_input_channels"]), int(d["max_output_channels"]),
                   float(d["default_samplerate"]))
        for d in raw
    ]


def default_index(kind: str) -> int | None:
    """PortAudio's default ``"input"`` or ``"output"`` device, or None."""
    sd = sounddevice()
    pair = sd.default.device
    index = pair[0] if kind == "input" else pair[1]
    try:
        if index is None or int(index) < 0:
            info = sd.query_devices(kind=kind)
            return int(info["index"])
    except (sd.PortAudioError, ValueError, TypeError):
        return None
    return int(index)


def resolve(spec: str | int | None, kind: str) -> DeviceInfo:
    """The device ``spec`` names (index, or part of a name), or the default.

    ``kind`` is ``"output"`` or ``"input"``. Raises :class:`DeviceError`
    naming the devices that do exist when nothing matches.
    """
    if spec is None or spec == "":
        spec = os.environ.get(f"VOICECOACH_{kind.upper()}_DEVICE") or None
    devices = list_devices()
    usable = [d for d in devices if (d.outputs if kind == "output" else d.inputs) > 0]
    noun = "output" if kind == "output" else "input"
    if not usable:
        hint = NO_OUTPUT_HINT if kind == "output" else "connect a microphone; `voicecoach devices`"
        raise DeviceError(f"No audio {noun} device found.", hint)
    names = ", ".join(f"{d.index}: {d.name}" for d in usable)
    if spec is None:
        index = default_index(kind)
        found = next((d for d in usable if d.index == index), None)
        return found or usable[0]
    text = str(spec).strip()
    if text.isdigit():
        found = next((d for d in usable if d.index == int(text)), None)
    else:
        exact = [d for d in usable if d.name.lower() == text.lower()]
        partial = [d for d in usable if text.lower() in d.name.lower()]
        matches = exact or partial
        found = matches[0] if matches else None
    if found is None:
        raise DeviceError(f"No audio {noun} device matches {text!r}.",
                          f"choose one of: {names}")
    return found
