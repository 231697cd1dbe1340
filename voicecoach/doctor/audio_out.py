"""Doctor checks for the coach's voice: espeak-ng, and the test phrase through the real speaker.

The phrase is spoken by :func:`~voicecoach.adapters.speaker.open_speaker`,
the very voice a session uses (pyttsx3 worker with its watchdog, the
workaround for pyttsx3 2.99's lost last buffer, resampling, the PortAudio
player), so "the doctor's phrase played" means "a session's speech will
play". The speaker's own events decide the verdict: ``SpeechStarted`` when
the first sample reached the device, ``SpeechEnded`` when the last one did
(``interrupted`` if it did not play out), ``SpeakerFault`` for a device or
engine failure. The phrase cache is kept in memory only, so the engine
really renders every time and the doctor writes nothing to disk.
"""

from __future__ import annotations

import ctypes.util
import queue
import shutil
import time
from typing import TYPE_CHECKING

from voicecoach.doctor.checks import CheckResult, Status

if TYPE_CHECKING:
    from voicecoach.adapters.speaker import SpeakerFault, SpeechEnded

__all__ = ["TEST_PHRASE", "check_espeak", "check_speech_output", "device_arg",
           "no_device_detail"]

#: What the doctor says through the speaker.
TEST_PHRASE = "This is voice coach. If you can hear me, the speaker works."
#: Longest the phrase may take beyond its own length before the speaker is called stuck
#: (the first render starts the speech engine: a few seconds on a Raspberry Pi).
SPEAK_TIMEOUT = 30.0
_VOICE_FIX = ("sudo apt install espeak-ng; check speech.voice in the config "
              "(voicecoach say --voice)")


def device_arg(device: str | None) -> int | str | None:
    """A config device value as PortAudio takes it: a number, or part of a name."""
    if device is None:
        return None
    return int(device) if device.strip().isdigit() else device


def check_espeak() -> CheckResult:
    """espeak-ng (the voice pyttsx3 drives on Linux) is installed."""
    program = shutil.which("espeak-ng")
    library = ctypes.util.find_library("espeak-ng")
    if program or library:
        return CheckResult("espeak-ng", Status.OK, program or f"library {library}")
    return CheckResult("espeak-ng", Status.FAIL, "not installed",
                       "sudo apt install espeak-ng")


def check_speech_output(device: str | None, voice: str | None = None, rate: float = 1.0,
                        volume: float = 0.8, text: str = TEST_PHRASE,
                        language: str | None = None) -> CheckResult:
    """Say ``text`` with the session's speaker on the output device and wait until it played."""
    from voicecoach.adapters.phrase_cache import PhraseCache
    from voicecoach.adapters.speaker import (
        SpeakerFault,
        SpeechEnded,
        SpeechStarted,
        VoiceSettings,
        open_speaker,
    )
    from voicecoach.errors import DeviceError, VoicecoachError

    name = "speech output"
    settings = VoiceSettings(voice=voice, language=language, rate=rate, volume=volume,
                             earcons=False)
    try:
        speaker = open_speaker(device_arg(device), settings, cache=PhraseCache(disk=False),
                               warm=())
    except DeviceError as exc:
        return CheckResult(name, Status.FAIL, no_device_detail("output", device, exc),
                           _NO_DEVICE_HINT.format(key="audio.output"))
    except VoicecoachError as exc:  # no speech engine, or a voice it does not have
        return CheckResult(name, Status.FAIL, f"the voice does not work: {exc.message}",
                           exc.hint or _VOICE_FIX)
    where = speaker.player.device_name
    started: float | None = None
    fault: SpeakerFault | None = None
    ended: SpeechEnded | None = None
    try:
        speaker.speak(1, text)
        deadline = time.monotonic() + SPEAK_TIMEOUT
        while ended is None and time.monotonic() < deadline:
            try:
                event = speaker.events.get(timeout=0.1)
            except queue.Empty:
                continue
            if isinstance(event, SpeechStarted) and event.id == 1:
                started = event.t
                deadline = max(deadline, time.monotonic() + SPEAK_TIMEOUT)
            elif isinstance(event, SpeakerFault):
                fault = fault or event
            elif isinstance(event, SpeechEnded) and event.id == 1:
                ended = event
    finally:
        speaker.close()
    return _verdict(name, text, where, started, ended, fault)


def _verdict(name: str, text: str, where: str, started: float | None,
             ended: SpeechEnded | None, fault: SpeakerFault | None) -> CheckResult:
    """The check's result from what the speaker reported."""
    if fault is not None:
        return CheckResult(name, Status.FAIL, f"on {where!r}: {fault.message}",
                           fault.hint or _VOICE_FIX)
    if ended is None:
        what = "never started playing" if started is None else "did not finish playing"
        return CheckResult(name, Status.FAIL,
                           f"the test phrase {what} on {where!r} within {SPEAK_TIMEOUT:.0f} s "
                           "(the speech engine or the device is stuck)",
                           "unplug and replug the speaker, or choose another: voicecoach devices")
    if ended.interrupted or started is None:
        return CheckResult(name, Status.FAIL, f"the test phrase was cut short on {where!r}",
                           "unplug and replug the speaker, or choose another: voicecoach devices")
    return CheckResult(name, Status.OK,
                       f"said {text!r} ({ended.t - started:.1f} s) on {where!r}; "
                       "did you hear it?",
                       "if you heard nothing: check the volume and audio.output")


def no_device_detail(kind: str, device: str | None, exc: Exception) -> str:
    """Say plainly whether there is no device at all, or the chosen one does not work."""
    import sounddevice as sd

    try:
        count = sum(1 for d in sd.query_devices() if d[f"max_{kind}_channels"] > 0)
    except sd.PortAudioError:
        count = 0
    if count == 0:
        return f"no {kind} device found at all"
    chosen = f"{kind} device {device!r}" if device is not None else f"the default {kind} device"
    return f"{chosen} does not work ({exc}); {count} {kind} device(s) exist"


_NO_DEVICE_HINT = (
    "plug in the device; list devices with: voicecoach devices (or aplay -l / arecord -l); "
    "set {key} in the config; on a Pi check that PipeWire or PulseAudio runs for your user "
    "(systemctl --user status pipewire pulseaudio)"
)
