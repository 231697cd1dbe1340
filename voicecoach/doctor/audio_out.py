"""Doctor checks for the coach's voice: espeak-ng, rendering, and playing through the speaker.

Rendering runs pyttsx3 in a child process with a time limit, because a
broken speech engine hangs rather than fails; the WAV it writes is then
played with PortAudio on the configured output device, as a session would.
"""

from __future__ import annotations

import ctypes.util
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

from voicecoach.doctor.checks import CheckResult, Status

__all__ = ["TEST_PHRASE", "check_espeak", "check_speech_output", "device_arg", "render_phrase"]

#: What the doctor says through the speaker.
TEST_PHRASE = "This is voice coach. If you can hear me, the speaker works."
#: Longest a render may take before the engine is called stuck.
RENDER_TIMEOUT = 30.0

_RENDER = (
    "import sys, pyttsx3\n"
    "engine = pyttsx3.init()\n"
    "if sys.argv[3]: engine.setProperty('voice', sys.argv[3])\n"
    "engine.setProperty('rate', int(float(sys.argv[4]) * engine.getProperty('rate')))\n"
    "engine.save_to_file(sys.argv[1], sys.argv[2])\n"
    "engine.runAndWait()\n"
)


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


def render_phrase(text: str, out: Path, voice: str | None = None, rate: float = 1.0) -> Path:
    """Render ``text`` to a WAV file with pyttsx3 (in a child process); raise RuntimeError."""
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _RENDER, text, str(out), voice or "", str(rate)],
            capture_output=True, text=True, timeout=RENDER_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"the speech engine did not answer within {RENDER_TIMEOUT:.0f} s") \
            from None
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["failed"])[-1]
        raise RuntimeError(f"pyttsx3 failed: {last}")
    if not out.exists() or out.stat().st_size <= 44:
        raise RuntimeError("pyttsx3 wrote no audio")
    return out


def _read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        frames = w.readframes(w.getnframes())
        width, channels, rate = w.getsampwidth(), w.getnchannels(), w.getframerate()
    if width != 2:
        raise RuntimeError(f"unexpected sample width {width}")
    data = np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0
    return data.reshape(-1, channels), rate


def check_speech_output(device: str | None, voice: str | None = None, rate: float = 1.0,
                        volume: float = 0.8, text: str = TEST_PHRASE) -> CheckResult:
    """Render ``text`` and play it to the end through the output device."""
    import sounddevice as sd

    with tempfile.TemporaryDirectory(prefix="voicecoach-doctor-") as tmp:
        try:
            wav = render_phrase(text, Path(tmp) / "phrase.wav", voice, rate)
            samples, sr = _read_wav(wav)
        except (RuntimeError, OSError, wave.Error) as exc:
            return CheckResult("speech output", Status.FAIL, f"could not render speech: {exc}",
                               "sudo apt install espeak-ng; check speech.voice in the config "
                               "(voicecoach say --voice)")
    seconds = len(samples) / sr
    try:
        name = sd.query_devices(device_arg(device), kind="output")["name"]
        sd.play(samples * float(volume), sr, device=device_arg(device))
        deadline = time.monotonic() + seconds + 5.0
        while sd.get_stream().active and time.monotonic() < deadline:
            time.sleep(0.05)
        late = sd.get_stream().active
        sd.stop()
    except (sd.PortAudioError, ValueError) as exc:
        return CheckResult("speech output", Status.FAIL, no_device_detail("output", device, exc),
                           _NO_DEVICE_HINT.format(key="audio.output"))
    if late:
        return CheckResult("speech output", Status.FAIL,
                           f"playback on {name!r} did not finish (the device is stuck)",
                           "unplug and replug the speaker, or choose another: voicecoach devices")
    return CheckResult("speech output", Status.OK,
                       f"said {text!r} ({seconds:.1f} s) on {name!r}; did you hear it?",
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
