"""Speech rendering: text in, checked audio out, through one supervised pyttsx3 worker.

pyttsx3 is the synthesis engine (espeak-ng on Linux), but it never plays
anything here: it renders with ``save_to_file`` into a temporary WAV inside a
child process (:mod:`voicecoach.adapters.tts_worker`). This side owns that
process: it starts it, sends one job at a time, and acts as its watchdog: a
worker that dies or stops answering within ``timeout`` is killed and replaced,
and the job is tried once more. Every render is checked (readable, non-empty,
a plausible length for the text, not silent) before anyone may play it.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import wave
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

import voicecoach
from voicecoach.adapters.audio import Clip, read_wav
from voicecoach.errors import EngineError

#: Words per minute at rate factor 1.0: calmer than espeak's default 175.
DEFAULT_WPM = 165
#: A reply slower than this means the engine hung (espeak renders a sentence
#: in about 10 ms; a 240-character chunk in well under a second).
DEFAULT_TIMEOUT = 5.0
#: Starting a worker imports pyttsx3 and loads espeak-ng data.
START_TIMEOUT = 20.0
INSTALL_HINT = "sudo apt install espeak-ng   (Raspberry Pi OS / Debian / Ubuntu)"

_SILENT = 10 ** (-50 / 20)  # -50 dBFS: below this a sample is silence


@dataclass(frozen=True, slots=True)
class VoiceInfo:
    """A voice the synthesis engine offers."""

    id: str
    """What to pass as ``voice`` (for espeak-ng e.g. ``gmw/en-us`` or ``ko``)."""
    name: str
    """Human-readable name."""
    languages: tuple[str, ...]
    """Language tags it speaks, lower case (``en-us``, ``ko``)."""


class Renderer(Protocol):
    """Turns one clean, non-empty piece of text into checked audio."""

    def render(self, text: str, voice: str | None, wpm: int) -> Clip:
        """Render ``text``; raises :class:`EngineError` when the engine cannot."""
        ...

    def voices(self) -> list[VoiceInfo]:
        """The voices the engine offers."""
        ...

    def close(self) -> None:
        """Release the engine."""
        ...


class _WorkerFailed(Exception):
    """The worker died, hung or produced unusable audio; a new one may do better."""


class Pyttsx3Renderer:
    """:class:`Renderer` over pyttsx3, driven by a supervised worker process.

    ``timeout`` is the watchdog: how long one job may take before the worker
    is declared hung. ``env`` adds variables to the worker's environment.
    Thread-safe: jobs from several threads are serialized.
    """

    def __init__(self, timeout: float = DEFAULT_TIMEOUT, env: Mapping[str, str] | None = None,
                 python: str | None = None) -> None:
        self.timeout = timeout
        self._env = dict(env or {})
        self._python = python or sys.executable
        self._lock = threading.RLock()
        self._proc: subprocess.Popen[str] | None = None
        self._replies: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._tmp = Path(tempfile.mkdtemp(prefix="voicecoach-tts-"))
        self._serial = 0
        self.starts = 0
        """How many workers were started; more than one means the watchdog replaced one."""
        self._voices: list[VoiceInfo] | None = None

    # -- worker lifecycle -------------------------------------------------
    @property
    def pid(self) -> int | None:
        """Process id of the current worker (None until the first job)."""
        return self._proc.pid if self._proc and self._proc.poll() is None else None

    def start(self) -> None:
        """Start the worker now rather than on the first job (hides its start-up time)."""
        with self._lock:
            self._ensure_worker()

    def _ensure_worker(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            return
        if self._proc is not None:
            self._kill()
        root = str(Path(voicecoach.__file__).resolve().parents[1])
        env = {**os.environ, **self._env}
        env["PYTHONPATH"] = os.pathsep.join(p for p in (env.get("PYTHONPATH"), root) if p)
        env["PYTHONUNBUFFERED"] = "1"
        try:
            proc = subprocess.Popen(
                [self._python, "-m", "voicecoach.adapters.tts_worker"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                text=True, encoding="utf-8", env=env, cwd=str(self._tmp),
            )
        except OSError as exc:
            raise EngineError(f"Could not start the speech worker: {exc}") from None
        replies: queue.Queue[dict[str, Any] | None] = queue.Queue()
        threading.Thread(target=_read_replies, args=(proc, replies), daemon=True,
                         name="voicecoach-tts-reader").start()
        self._proc, self._replies = proc, replies
        self.starts += 1
        hello = self._wait_reply(START_TIMEOUT)
        if hello is None or not hello.get("ready"):
            self._kill()
            error = (hello or {}).get("error", "the speech worker exited at start")
            if (hello or {}).get("kind") == "no-engine":
                raise EngineError(
                    "No speech engine: pyttsx3 could not load espeak-ng "
                    f"({error}).", INSTALL_HINT)
            raise EngineError(f"The speech engine failed to start: {error}", INSTALL_HINT)

    def _wait_reply(self, timeout: float) -> dict[str, Any] | None:
        try:
            return self._replies.get(timeout=timeout)
        except queue.Empty:
            return None

    def _kill(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        with contextlib.suppress(OSError):
            proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired, OSError):
            proc.wait(timeout=5)
        for stream in (proc.stdin, proc.stdout):
            with contextlib.suppress(OSError):
                if stream:
                    stream.close()

    def _request(self, message: dict[str, Any], timeout: float) -> dict[str, Any]:
        self._ensure_worker()
        proc = self._proc
        if proc is None or proc.stdin is None:
            raise _WorkerFailed("no worker")
        try:
            proc.stdin.write(json.dumps(message) + "\n")
            proc.stdin.flush()
        except (OSError, ValueError) as exc:
            self._kill()
            raise _WorkerFailed(f"worker gone: {exc}") from None
        reply = self._wait_reply(timeout)
        if reply is None:
            # Dead (reader saw EOF) or hung (no answer in time): replace it.
            self._kill()
            raise _WorkerFailed("worker died" if proc.poll() is not None else "worker hung")
        return reply

    # -- Renderer -----------------------------------------------------------
    def render(self, text: str, voice: str | None, wpm: int) -> Clip:
        """Render one piece of clean text; two attempts, each on a healthy worker."""
        if not text.strip():
            raise ValueError("render needs non-empty text; clean it with tts_text first")
        last = ""
        with self._lock:
            for _attempt in range(2):
                self._serial += 1
                path = self._tmp / f"r{self._serial}.wav"
                try:
                    reply = self._request(
                        {"op": "render", "text": text, "path": str(path), "voice": voice,
                         "rate": int(wpm)},
                        self.timeout,
                    )
                    if not reply.get("ok"):
                        raise _WorkerFailed(str(reply.get("error")))
                    return check_render(path, text)
                except _WorkerFailed as exc:
                    last = str(exc)
                    if self._proc is not None:
                        # Bad audio from a live worker: start afresh all the same.
                        self._kill()
                finally:
                    with contextlib.suppress(OSError):
                        path.unlink()
        raise EngineError(f"Speech synthesis failed twice for {text[:40]!r}: {last}",
                          "run `voicecoach doctor`; reinstall espeak-ng if this persists")

    def voices(self) -> list[VoiceInfo]:
        """The engine's voices (asked once, then remembered)."""
        with self._lock:
            if self._voices is None:
                try:
                    reply = self._request({"op": "voices"}, START_TIMEOUT)
                except _WorkerFailed as exc:
                    raise EngineError(f"Could not list voices: {exc}") from None
                self._voices = [
                    VoiceInfo(v["id"], v["name"], tuple(str(x).lower() for x in v["languages"]))
                    for v in reply.get("voices", [])
                ]
            return list(self._voices)

    def close(self) -> None:
        """Stop the worker and remove the temporary directory."""
        with self._lock:
            self._kill()
            shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self) -> Pyttsx3Renderer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _read_replies(proc: subprocess.Popen[str], out: queue.Queue[dict[str, Any] | None]) -> None:
    """Forward the worker's JSON lines; a None marks its death (EOF)."""
    stream = proc.stdout
    if stream is None:
        out.put(None)
        return
    with contextlib.suppress(OSError, ValueError):
        for line in stream:
            with contextlib.suppress(ValueError):
                out.put(json.loads(line))
    out.put(None)


def check_render(path: Path, text: str) -> Clip:
    """Read a rendered WAV and reject what must never be played.

    Catches the failures pyttsx3 is known for: a missing, empty or truncated
    file, no samples, digital silence, non-finite values, and lengths that
    cannot belong to ``text`` (espeak needs at least ~30 ms per utterance and
    never more than ~0.4 s per character even at the slowest rate).
    Leading silence is trimmed so the voice starts at once; a short tail is kept.
    """
    try:
        clip = read_wav(path)
    except (OSError, EOFError, wave.Error) as exc:
        raise _WorkerFailed(f"unreadable render: {exc}") from None
    if not 8000 <= clip.rate <= 96000:
        raise _WorkerFailed(f"implausible sample rate {clip.rate}")
    if not np.all(np.isfinite(clip.samples)):
        raise _WorkerFailed("render contains non-finite samples")
    if clip.duration < 0.03 or clip.duration > 2.0 + 0.4 * len(text):
        raise _WorkerFailed(f"implausible length {clip.duration:.2f}s for {len(text)} chars")
    if clip.peak() < 0.01:
        raise _WorkerFailed("render is silent")
    return trim(clip)


def trim(clip: Clip, lead: float = 0.005, tail: float = 0.12) -> Clip:
    """Cut leading silence down to ``lead`` seconds and trailing down to ``tail``."""
    loud = np.flatnonzero(np.abs(clip.samples) > _SILENT)
    if not len(loud):
        return clip
    start = max(0, int(loud[0]) - round(lead * clip.rate))
    end = min(len(clip.samples), int(loud[-1]) + 1 + round(tail * clip.rate))
    return Clip(np.ascontiguousarray(clip.samples[start:end]), clip.rate)


def voice_for_language(language: str, voices: list[VoiceInfo]) -> str | None:
    """The best voice for a routine's ``language`` tag, or None if the system has none.

    An exact tag match wins (``ko`` -> ``ko``, ``en-us`` -> ``gmw/en-us``); then a
    voice whose id ends in the tag (``en`` -> ``gmw/en``); then any regional
    variant of the language (``pt`` -> ``pt-br``).
    """
    tag = language.strip().lower().replace("_", "-")
    if not tag:
        return None
    for v in voices:
        if tag in v.languages and (v.id == tag or v.id.endswith("/" + tag)):
            return v.id
    for v in voices:
        if tag in v.languages:
            return v.id
    for v in voices:
        if v.id == tag or v.id.endswith("/" + tag):
            return v.id
    base = tag.split("-")[0]
    for v in voices:
        if any(lang.split("-")[0] == base for lang in v.languages):
            return v.id
    return None
