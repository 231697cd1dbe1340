"""The exact signal sent to the speaker, for echo cancellation.

The microphone hears the coach's own voice. To subtract it, an echo
canceller needs what was played, sample for sample, and when it reached the
DAC. :class:`voicecoach.adapters.player.Player` calls its ``tap`` with every
output block (after volume; silence included, so the stream is gap-free) and
the block's DAC time in :func:`time.monotonic` seconds. :class:`ReferenceRing`
is a ready-made tap: the audio thread appends, the consumer drains.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class ReferenceBlock:
    """One output block as it was played."""

    t: float
    """DAC time of the block's first sample, monotonic seconds."""
    samples: np.ndarray
    """Mono float32 at the player's rate, exactly as sent to the device."""


class ReferenceRing:
    """A bounded ring of played blocks, usable as ``Player(tap=ReferenceRing(...))``.

    ``max_blocks`` bounds memory if nobody drains it (oldest blocks are
    dropped, and :attr:`dropped` counts them). ``append`` and ``popleft`` on a
    deque are atomic, so the audio thread never waits on the reader.
    """

    def __init__(self, max_blocks: int = 2000) -> None:
        self._blocks: deque[ReferenceBlock] = deque(maxlen=max_blocks)
        self._appended = 0
        self._taken = 0

    def __call__(self, block: np.ndarray, dac_time: float) -> None:
        self._blocks.append(ReferenceBlock(dac_time, block))
        self._appended += 1

    def drain(self) -> list[ReferenceBlock]:
        """Everything played since the last drain, oldest first."""
        out: list[ReferenceBlock] = []
        while True:
            try:
                out.append(self._blocks.popleft())
            except IndexError:
                break
        self._taken += len(out)
        return out

    @property
    def dropped(self) -> int:
        """Blocks lost because nobody drained the ring in time."""
        return self._appended - self._taken - len(self._blocks)
