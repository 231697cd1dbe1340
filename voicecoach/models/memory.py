"""Will this model fit in this machine's memory?

Vosk loads the whole decoding graph into RAM. Loading the 1.8 GB desktop
English model on a 1 GB Raspberry Pi does not fail cleanly: the kernel's
out-of-memory killer ends the process, mid-session, with the person on the
floor. So the size is compared with what the machine has *before* loading,
and a model that cannot fit is refused with a sentence saying which smaller
model to download.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

_MB = 1024 * 1024

#: Fixed cost of the recognizer itself (Kaldi, buffers) beyond the model files.
BASE_OVERHEAD_MB = 128

#: Resident memory per byte of model on disk. Measured: the 252 MB Korean model
#: adds 497 MB when loaded (``python -m benchmarks.models``), about 1.5 + overhead.
DISK_FACTOR = 1.75


def _meminfo(path: Path) -> dict[str, int]:
    values: dict[str, int] = {}
    try:
        for line in path.read_text().splitlines():
            key, _, rest = line.partition(":")
            fields = rest.split()
            if fields and fields[0].isdigit():
                values[key] = int(fields[0]) * 1024  # kB
    except OSError:
        pass
    return values


def _cgroup_room(root: Path) -> int | None:
    """Bytes left under a cgroup v2 memory limit (containers), if one is set."""
    try:
        limit = (root / "memory.max").read_text().strip()
        if limit == "max":
            return None
        used = int((root / "memory.current").read_text().strip())
        return max(int(limit) - used, 0)
    except (OSError, ValueError):
        return None


def available_memory_bytes(
    meminfo: Path = Path("/proc/meminfo"), cgroup: Path = Path("/sys/fs/cgroup")
) -> int | None:
    """Memory that can be used without swapping, or None when it cannot be told.

    Linux: ``MemAvailable`` from ``/proc/meminfo`` (what the kernel itself
    estimates can be allocated), capped by a cgroup limit when one applies.
    Elsewhere: available physical pages from ``os.sysconf`` where offered.
    """
    info = _meminfo(meminfo)
    available = info.get("MemAvailable") or info.get("MemFree")
    if available is None:
        try:
            available = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (ValueError, OSError, AttributeError):
            return None
    room = _cgroup_room(cgroup)
    return min(available, room) if room is not None else available


def estimate_model_mb(model_dir: Path | None = None, catalog_mb: int | None = None) -> int:
    """Resident memory a model will need: the catalog's figure, else its size on disk.

    Vosk reads the graph and acoustic model into memory and builds lookup
    structures beside them, so a model the catalog does not know (an
    installed package, a path from the user) is estimated at
    :data:`DISK_FACTOR` times its files' total plus a fixed overhead: on the
    generous side, since guessing low gets the process killed.
    """
    if catalog_mb:
        return catalog_mb
    if model_dir is None:
        return BASE_OVERHEAD_MB
    from voicecoach.models.layout import folder_bytes

    return int(folder_bytes(model_dir) * DISK_FACTOR / _MB) + BASE_OVERHEAD_MB


@dataclass(frozen=True, slots=True)
class MemoryCheck:
    """A model's memory need set against what the machine has."""

    needed_mb: int
    """Estimated resident memory of the model."""
    available_mb: int | None
    """Memory available now, or None when unknown (then the check passes)."""

    @property
    def fits(self) -> bool:
        """Whether loading should be attempted."""
        return self.available_mb is None or self.needed_mb <= self.available_mb

    @property
    def tight(self) -> bool:
        """Fits, but with less than a quarter to spare: worth a warning."""
        return self.available_mb is not None and self.fits and (
            self.needed_mb * 4 > self.available_mb * 3
        )


def check_memory(needed_mb: int, available: int | None = None) -> MemoryCheck:
    """Compare ``needed_mb`` with ``available`` bytes (default: measured now)."""
    if available is None:
        available = available_memory_bytes()
    return MemoryCheck(needed_mb, None if available is None else available // _MB)

