"""Fetch one file over HTTP(S) into a ``.part`` file that survives interruptions.

Plain :mod:`urllib` on purpose: it is in the standard library, it honours
``HTTPS_PROXY`` / ``HTTP_PROXY`` / ``NO_PROXY`` from the environment (its
default opener installs a ``ProxyHandler`` built from them), and it lets us
send a ``Range`` header to continue a download a dropped connection cut
short. A Raspberry Pi on flaky Wi-Fi should not restart 40 MB from zero.

Nothing here verifies or unpacks; :mod:`voicecoach.models.install` does.
"""

from __future__ import annotations

import hashlib
import http.client
import re
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from voicecoach import __version__
from voicecoach.errors import ModelError

_CHUNK = 64 * 1024
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")


class DownloadError(ModelError):
    """The download failed; a ``.part`` file may remain for a later resume."""


class UnreachableError(DownloadError):
    """The server could not be reached at all (no network, a blocked host, a dead proxy)."""


def human_bytes(n: float) -> str:
    """``41205931`` -> ``"39.3 MB"`` (binary units, the way file managers show them)."""
    for unit in ("B", "KB", "MB", "GB"):
        if abs(n) < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"  # pragma: no cover


def _clock_text(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class Progress:
    """Shows how a download is going: size, speed, time left.

    On a terminal one line is redrawn in place; anywhere else (a log, a
    pipe, a systemd journal) a plain line is printed at each tenth of the
    way, so logs stay readable.
    """

    def __init__(
        self,
        stream: IO[str] | None = None,
        *,
        tty: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.clock = clock
        self._start = 0.0
        self._resumed_at = 0
        self._next_step = 0
        self._last_draw = -1.0
        self.lines: list[str] = []
        """Every status line shown, for tests and logs."""

    def start(self, label: str, total: int | None, resumed_at: int = 0) -> None:
        """A download of ``total`` bytes begins (at ``resumed_at`` when resuming)."""
        self._start = self.clock()
        self._resumed_at = resumed_at
        self._next_step = 0
        how = f", resuming at {human_bytes(resumed_at)}" if resumed_at else ""
        size = human_bytes(total) if total else "unknown size"
        self._emit(f"downloading {label} ({size}{how})", final=True)

    def status(self, done: int, total: int | None) -> str:
        """The status text for ``done`` of ``total`` bytes."""
        elapsed = max(self.clock() - self._start, 1e-6)
        speed = (done - self._resumed_at) / elapsed
        text = f"{human_bytes(done)}"
        if total:
            text += f" / {human_bytes(total)}  {100 * done / total:3.0f}%"
        text += f"  {human_bytes(speed)}/s"
        if total and speed > 0 and done < total:
            text += f"  {_clock_text((total - done) / speed)} left"
        return text

    def update(self, done: int, total: int | None) -> None:
        """``done`` bytes are on disk."""
        if self.tty:
            now = self.clock()
            if now - self._last_draw >= 0.2 or (total and done >= total):
                self._last_draw = now
                self._emit(self.status(done, total), final=False)
            return
        if total:
            step = min(10, 10 * done // total)
            if step >= self._next_step:
                self._next_step = step + 1
                self._emit(self.status(done, total), final=True)

    def finish(self, message: str) -> None:
        """The download ended (well or not)."""
        if self.tty:
            self.stream.write("\n")
        self._emit(message, final=True)

    def _emit(self, text: str, *, final: bool) -> None:
        self.lines.append(text)
        if self.tty and not final:
            self.stream.write("\r" + text.ljust(60))
        else:
            self.stream.write(text + "\n")
        self.stream.flush()


@dataclass(frozen=True, slots=True)
class Fetched:
    """A completed download."""

    path: Path
    """The complete file (still named ``.part``; the caller decides its fate)."""
    size: int
    """Its size in bytes."""
    sha256: str
    """Its SHA-256, lower-case hex."""
    resumed_from: int
    """Bytes that were already on disk from an earlier attempt (0: fresh)."""


def _hash_existing(path: Path) -> tuple[hashlib._Hash, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest, size


def _open(opener: urllib.request.OpenerDirector, url: str, start: int, timeout: float):
    request = urllib.request.Request(url, headers={"User-Agent": f"voicecoach/{__version__}"})
    if start:
        request.add_header("Range", f"bytes={start}-")
    return opener.open(request, timeout=timeout)


def fetch(
    url: str,
    part: Path,
    *,
    expected_size: int | None = None,
    progress: Progress | None = None,
    opener: urllib.request.OpenerDirector | None = None,
    timeout: float = 30.0,
    label: str | None = None,
) -> Fetched:
    """Download ``url`` into ``part``, continuing what an earlier attempt left there.

    The opener defaults to :func:`urllib.request.build_opener`, built at call
    time so proxy variables set now are used. On a network error the ``.part``
    file is kept and :class:`DownloadError` says a retry resumes. A server that
    ignores ``Range`` simply sends everything again and the file restarts.
    """
    opener = opener or urllib.request.build_opener()
    progress = progress or Progress()
    start = part.stat().st_size if part.exists() else 0
    if expected_size is not None and start > expected_size:
        part.unlink()
        start = 0
    if expected_size is not None and start == expected_size:
        digest, size = _hash_existing(part)
        return Fetched(part, size, digest.hexdigest(), resumed_from=start)
    try:
        response = _open(opener, url, start, timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and start:  # our .part is already complete (or stale)
            digest, size = _hash_existing(part)
            return Fetched(part, size, digest.hexdigest(), resumed_from=start)
        raise DownloadError(
            f"the server refused {url}: HTTP {exc.code} {exc.reason}",
            "check the address in the catalog, or try again later",
        ) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise UnreachableError(
            f"cannot reach {url}: {reason}",
            "check the network connection (and HTTPS_PROXY if you use a proxy)",
        ) from None
    with response:
        status = getattr(response, "status", 200)
        total = expected_size
        if status == 206 and start:
            match = _CONTENT_RANGE.match(response.headers.get("Content-Range", ""))
            if not match or int(match.group(1)) != start:
                raise DownloadError(f"the server sent the wrong part of {url}")
            if match.group(3) != "*":
                total = int(match.group(3))
            digest, _ = _hash_existing(part)
            mode = "ab"
        else:
            start = 0
            digest = hashlib.sha256()
            mode = "wb"
            length = response.headers.get("Content-Length")
            if length and length.isdigit():
                total = int(length)
        done = start
        progress.start(label or url.rsplit("/", 1)[-1], total, resumed_at=start)
        part.parent.mkdir(parents=True, exist_ok=True)
        try:
            with part.open(mode) as out:
                while chunk := response.read(_CHUNK):
                    out.write(chunk)
                    digest.update(chunk)
                    done += len(chunk)
                    if expected_size is not None and done > expected_size:
                        raise DownloadError(
                            f"{url} is larger than the catalog says ({expected_size} bytes)"
                        )
                    progress.update(done, total)
        except (OSError, http.client.HTTPException) as exc:
            progress.finish(f"interrupted after {human_bytes(done)}")
            raise DownloadError(
                f"the download of {url} was interrupted after {human_bytes(done)}: {exc}",
                "run the same command again: it continues where it stopped",
            ) from None
    if total is not None and done < total:
        progress.finish(f"interrupted after {human_bytes(done)}")
        raise DownloadError(
            f"the download of {url} stopped after {human_bytes(done)} of {human_bytes(total)}",
            "run the same command again: it continues where it stopped",
        )
    progress.finish(f"downloaded {human_bytes(done)}")
    return Fetched(part, done, digest.hexdigest(), resumed_from=start)
