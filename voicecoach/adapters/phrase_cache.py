"""Rendered phrases, kept in memory and on disk so cues start in milliseconds.

A session says the same few hundred phrases again and again ("one", "two",
"inhale", "hold", "last one"). Each is rendered once per (text, voice, words
per minute) and kept: in a memory LRU bounded by bytes, and as a small WAV in
the user's cache directory so the next session starts warm too. Phrases can
be *pinned* (counting, breath cues, fixed phrases) so eviction never touches
them.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
import wave
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from voicecoach.adapters.audio import Clip, read_wav, write_wav

#: Bump when rendering or trimming changes, so old disk entries are not reused.
FORMAT = "v1"
#: Memory budget: about 15 minutes of 22 kHz float32 speech.
DEFAULT_MEMORY_BYTES = 80 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class PhraseKey:
    """What makes two renders interchangeable."""

    text: str
    """The cleaned text of one chunk."""
    voice: str | None
    """Engine voice id (None: the engine's default)."""
    wpm: int
    """Words per minute."""
    engine: str = "pyttsx3"
    """Which synthesis engine rendered it."""

    def digest(self) -> str:
        """Stable file name for the disk layer."""
        raw = "\x1f".join([FORMAT, self.engine, self.voice or "", str(self.wpm), self.text])
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


def default_cache_dir() -> Path:
    """``$VOICECOACH_CACHE_DIR``, else the platform's user cache dir + ``/phrases``."""
    env = os.environ.get("VOICECOACH_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("voicecoach")) / "phrases"


class PhraseCache:
    """Thread-safe two-level cache of rendered phrases.

    ``directory=None`` uses :func:`default_cache_dir`; pass ``disk=False`` for
    memory only. Disk problems (read-only home, full disk) never fail a
    lookup: the phrase is simply rendered again.
    """

    def __init__(self, directory: Path | None = None, memory_bytes: int = DEFAULT_MEMORY_BYTES,
                 disk: bool = True) -> None:
        self.directory = (directory or default_cache_dir()) if disk else None
        self.memory_bytes = memory_bytes
        self._mem: OrderedDict[PhraseKey, Clip] = OrderedDict()
        self._pinned: set[PhraseKey] = set()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        """Lookups answered from memory."""
        self.disk_hits = 0
        """Lookups answered from disk."""
        self.misses = 0
        """Lookups that needed a render."""

    def get(self, key: PhraseKey) -> Clip | None:
        """The cached clip for ``key``, or None."""
        with self._lock:
            clip = self._mem.get(key)
            if clip is not None:
                self._mem.move_to_end(key)
                self.hits += 1
                return clip
        clip = self._read_disk(key)
        with self._lock:
            if clip is None:
                self.misses += 1
                return None
            self.disk_hits += 1
            self._remember(key, clip)
        return clip

    def put(self, key: PhraseKey, clip: Clip) -> None:
        """Store a freshly rendered clip in memory and on disk."""
        with self._lock:
            self._remember(key, clip)
        self._write_disk(key, clip)

    def pin(self, key: PhraseKey) -> None:
        """Never evict ``key`` from memory (it may not be cached yet)."""
        with self._lock:
            self._pinned.add(key)

    def __contains__(self, key: PhraseKey) -> bool:
        with self._lock:
            return key in self._mem

    def __len__(self) -> int:
        with self._lock:
            return len(self._mem)

    def _remember(self, key: PhraseKey, clip: Clip) -> None:
        old = self._mem.pop(key, None)
        if old is not None:
            self._bytes -= old.nbytes
        self._mem[key] = clip
        self._bytes += clip.nbytes
        if self._bytes <= self.memory_bytes:
            return
        for victim in list(self._mem):
            if self._bytes <= self.memory_bytes:
                break
            if victim in self._pinned or victim == key:
                continue
            self._bytes -= self._mem.pop(victim).nbytes

    def _path(self, key: PhraseKey) -> Path | None:
        if self.directory is None:
            return None
        digest = key.digest()
        return self.directory / digest[:2] / f"{digest}.wav"

    def _read_disk(self, key: PhraseKey) -> Clip | None:
        path = self._path(key)
        if path is None or not path.is_file():
            return None
        try:
            clip = read_wav(path)
        except (OSError, EOFError, wave.Error):
            with contextlib.suppress(OSError):
                path.unlink()
            return None
        return clip if len(clip.samples) else None

    def _write_disk(self, key: PhraseKey, clip: Clip) -> None:
        path = self._path(key)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
            write_wav(tmp, clip)
            os.replace(tmp, path)  # atomic: a reader never sees half a file
        except OSError:
            return
