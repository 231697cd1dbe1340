"""The one process that drives pyttsx3: ``python -m voicecoach.adapters.tts_worker``.

pyttsx3 keeps one cached engine per driver that breaks when two threads use
it, prints to stdout ("Audio saved to ..."), can hang in ``runAndWait``, and on
Linux its espeak driver synthesizes asynchronously, so ``runAndWait`` may
return before the WAV file is written (we have seen empty files). Running it
alone in a child process contains all of that: the parent
(:class:`voicecoach.adapters.tts.Pyttsx3Renderer`) talks to it with one JSON
line per request and reply, kills it when it stops answering and starts a
fresh one.

pyttsx3 2.9x's espeak driver also loses audio: its synthesis callback writes
the WAV on the "message terminated" event and only then appends that
callback's samples, so the last buffer is dropped (whole short phrases come
out empty, longer ones truncated). On that driver the worker collects the
samples itself, ahead of pyttsx3's callback, and writes the file from them.

Protocol (UTF-8 JSON lines; replies go to the original stdout, which is moved
to a private descriptor so that nothing pyttsx3 or espeak prints can corrupt
it or reach the user's terminal):

* on start the worker sends ``{"ready": true, "pid": N}`` or
  ``{"ready": false, "kind": "no-engine" | "init", "error": "..."}``;
* ``{"op": "render", "text": T, "path": P, "voice": V|null, "rate": WPM}``
  -> ``{"ok": true}`` once ``P`` is completely written, or ``{"ok": false, "error": "..."}``;
* ``{"op": "voices"}`` -> ``{"ok": true, "voices": [{"id", "name", "languages"}]}``.
"""

from __future__ import annotations

import ctypes
import json
import os
import sys
import threading
import wave
from typing import Any, TextIO

#: espeak-ng's output rate (pyttsx3 hard-codes it too).
ESPEAK_RATE = 22050
#: How long to wait for espeak's "finished" notification after ``runAndWait``.
FINISH_TIMEOUT = 20.0


def _send(out: TextIO, message: dict[str, Any]) -> None:
    out.write(json.dumps(message) + "\n")
    out.flush()


def _isolate_stdio() -> TextIO:
    """Keep the real stdout for replies; send fd 1 and 2 (C and Python) to /dev/null."""
    proto = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
    sys.stderr = sys.stdout
    return proto


class _Engine:
    """pyttsx3 used strictly one job at a time, waiting for the real end of synthesis."""

    def __init__(self) -> None:
        import pyttsx3

        self.engine = pyttsx3.init()
        self.finished = threading.Event()
        self.engine.connect("finished-utterance", self._on_finished)
        # The first runAndWait clears the proxy's initial "busy" state; without
        # it, the first job's properties and file are queued behind it and
        # runAndWait returns before synthesis has even started.
        self.engine.runAndWait()
        self.default_voice: str | None = self.engine.getProperty("voice")
        self.voice: str | None = self.default_voice
        self.rate: int | None = None
        self.completed = False
        self._pcm: list[bytes] | None = None
        self._espeak: Any = None
        self._install_capture()

    def _install_capture(self) -> None:
        """On the espeak driver, collect samples before pyttsx3's callback can drop them."""
        driver = getattr(getattr(self.engine, "proxy", None), "_driver", None)
        on_synth = getattr(driver, "_onSynth", None)
        if on_synth is None:
            return  # another driver (SAPI5, NSSpeech): its own file is used
        from pyttsx3.drivers import _espeak

        def capture(wav: Any, numsamples: int, events: Any) -> int:
            if self._pcm is not None and numsamples > 0:
                self._pcm.append(ctypes.string_at(wav, numsamples * 2))
            return int(on_synth(wav, numsamples, events))

        _espeak.SetSynthCallback(capture)
        self._espeak = _espeak
        self._pcm = []

    def _on_finished(self, name: object = None, completed: object = True) -> None:
        self.completed = bool(completed)
        self.finished.set()

    def _set(self, name: str, value: object) -> None:
        """Set a property now: pyttsx3's proxy queues it silently while it thinks it is busy."""
        driver = getattr(getattr(self.engine, "proxy", None), "_driver", None)
        if driver is not None and hasattr(driver, "setProperty"):
            driver.setProperty(name, value)
        else:
            self.engine.setProperty(name, value)

    def _synchronize(self) -> None:
        """Wait until espeak has applied every queued command.

        In retrieval mode espeak runs property changes through its command
        queue; pyttsx3's runAndWait calls Cancel while that queue is not empty,
        which throws the new rate or voice away (the job then comes out at the
        old rate). Waiting here closes that window.
        """
        if self._espeak is not None:
            self._espeak.Synchronize()

    def render(self, text: str, path: str, voice: str | None, rate: int) -> None:
        voice = voice or self.default_voice
        if voice and voice != self.voice:
            self._set("voice", voice)
            self.voice = voice
            self.rate = None  # espeak resets the rate with the voice
        if rate != self.rate:
            self._set("rate", int(rate))
            self.rate = rate
        self._synchronize()
        capturing = self._pcm is not None
        for _attempt in range(3):
            # espeak sometimes cancels a job that starts right after the previous
            # one (pyttsx3 calls Cancel when espeak still reports "playing"); the
            # job then ends with no samples, so it is simply run again.
            self.finished.clear()
            self.completed = False
            if capturing:
                self._pcm = []
            self.engine.save_to_file(text, path)
            self.engine.runAndWait()
            if not self.finished.wait(FINISH_TIMEOUT):
                raise RuntimeError("espeak did not finish the utterance")
            if not capturing:
                return
            if self._pcm and self.completed:
                break
        with wave.open(path, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(ESPEAK_RATE)
            w.writeframes(b"".join(self._pcm or []))

    def voices(self) -> list[dict[str, Any]]:
        return [
            {"id": v.id, "name": v.name, "languages": list(v.languages or [])}
            for v in self.engine.getProperty("voices")
        ]


def main() -> int:
    """Serve render requests on stdin until it closes."""
    proto = _isolate_stdio()
    try:
        engine = _Engine()
    except Exception as exc:  # any failure to start is reported, not raised
        text = f"{type(exc).__name__}: {exc}"
        missing = "espeak" in text.lower() or isinstance(exc, OSError | ImportError)
        _send(proto, {"ready": False, "kind": "no-engine" if missing else "init", "error": text})
        return 1
    _send(proto, {"ready": True, "pid": os.getpid()})
    for line in sys.stdin:
        try:
            request = json.loads(line)
            op = request.get("op")
            if op == "render":
                engine.render(request["text"], request["path"], request.get("voice"),
                              int(request["rate"]))
                _send(proto, {"ok": True})
            elif op == "voices":
                _send(proto, {"ok": True, "voices": engine.voices()})
            else:
                _send(proto, {"ok": False, "error": f"unknown op {op!r}"})
        except Exception as exc:  # report and keep serving; the parent decides
            _send(proto, {"ok": False, "error": f"{type(exc).__name__}: {exc}"})
    return 0


if __name__ == "__main__":
    sys.exit(main())
