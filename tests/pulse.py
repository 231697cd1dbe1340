"""A private PulseAudio server with null sinks: real audio devices without hardware.

``speaker`` is where the coach plays; ``room`` is what the microphone hears
(``room.monitor``). A loopback puts the speaker back into the room, as a real
speaker does into a real microphone. Tests "speak" into the room with
:meth:`PulseRoom.play_into_room` and capture what the coach said from
``speaker.monitor`` with :meth:`PulseRoom.record`.

Each server gets its own runtime directory, so parallel test runs (and a
desktop's own PulseAudio) never collide. PortAudio reaches it through ALSA's
``pulse`` device; the environment variables set here route it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

HAVE_PULSE = shutil.which("pulseaudio") is not None and shutil.which("pactl") is not None


class PulseRoom:
    """A running private PulseAudio daemon; use as a context manager."""

    def __init__(self, loopback: bool = True, rate: int = 48000) -> None:
        self.loopback = loopback
        self.rate = rate
        self.dir = Path(tempfile.mkdtemp(prefix="vc-pulse-"))
        self.socket = self.dir / "native"
        self.env = {
            "PULSE_SERVER": f"unix:{self.socket}",
            "PULSE_SINK": "speaker",
            "PULSE_SOURCE": "room.monitor",
            "PULSE_RUNTIME_PATH": str(self.dir),
            "XDG_RUNTIME_DIR": str(self.dir),
        }
        self._saved: dict[str, str | None] = {}

    def pactl(self, *args: str) -> str:
        """Run pactl against this server and return its output."""
        out = subprocess.run(
            ["pactl", *args], env={**os.environ, **self.env}, capture_output=True, text=True,
            timeout=20,
        )
        if out.returncode != 0:
            raise RuntimeError(f"pactl {' '.join(args)} failed: {out.stderr.strip()}")
        return out.stdout.strip()

    def __enter__(self) -> PulseRoom:
        cmd = [
            "pulseaudio", "--daemonize=no", "--exit-idle-time=-1", "-n",
            "--use-pid-file=no", "--disable-shm=yes", "--log-target=stderr", "--log-level=error",
            f"--load=module-native-protocol-unix socket={self.socket} auth-anonymous=1",
            f"--load=module-null-sink sink_name=speaker rate={self.rate}",
            f"--load=module-null-sink sink_name=room rate={self.rate}",
        ]
        env = {**os.environ, **self.env, "HOME": str(self.dir)}
        self.proc = subprocess.Popen(
            cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        deadline = time.monotonic() + 15
        while True:
            try:
                self.pactl("info")
                break
            except RuntimeError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    err = self.proc.stderr.read() if self.proc.stderr else ""
                    self.__exit__(None, None, None)
                    raise RuntimeError(f"PulseAudio did not start: {err}") from None
                time.sleep(0.05)
        if self.loopback:
            self.pactl(
                "load-module", "module-loopback", "source=speaker.monitor", "sink=room",
                "latency_msec=20",
            )
        for key, value in self.env.items():
            self._saved[key] = os.environ.get(key)
            os.environ[key] = value
        return self

    def __exit__(self, *exc: object) -> None:
        for key, value in self._saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        if getattr(self, "proc", None) and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)

    def play_into_room(self, wav: Path, sink: str = "room") -> subprocess.Popen[bytes]:
        """Start playing a WAV file into the room (the "person" speaking).

        ``sink`` may name another sink looped into the room (a "mouth"), so
        the person's voice can be recorded apart from everything else.
        """
        return subprocess.Popen(
            ["paplay", f"--device={sink}", str(wav)], env={**os.environ, **self.env}
        )

    def record(self, out: Path, device: str = "speaker.monitor") -> subprocess.Popen[bytes]:
        """Start recording a monitor to a WAV file; terminate the process to stop."""
        return subprocess.Popen(
            ["parecord", f"--device={device}", "--file-format=wav", "--rate=16000",
             "--channels=1", "--format=s16le", str(out)],
            env={**os.environ, **self.env},
        )


@pytest.fixture
def pulse_room():
    """A private PulseAudio server with speaker/room null sinks and a loopback."""
    if not HAVE_PULSE:
        pytest.skip("PulseAudio is not installed (make setup-test installs it)")
    with PulseRoom() as room:
        yield room
