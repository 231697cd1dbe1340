"""The coach's own voice, taken out of what the microphone hears.

The speaker's reference tap (:class:`~voicecoach.adapters.reference.ReferenceRing`)
collects every block as it was played, with its DAC time; the hearing thread
drains it before each microphone chunk and hands both to the
:class:`~voicecoach.adapters.echo.EchoCanceller`, so the recognizer hears the
room with the coach mostly removed. The canceller also keeps, per frame, how
much energy it removed: that is the evidence the loop's
:class:`~voicecoach.core.echo_guard.EchoGuard` weighs against what the coach
was saying when a command fired.

Everything here runs on the hearing thread, which owns the canceller.
"""

from __future__ import annotations

import numpy as np

from voicecoach.adapters.echo import EchoCanceller, EchoOptions
from voicecoach.adapters.reference import ReferenceRing
from voicecoach.core.echo_guard import EchoEvidence

#: How much audio before a command's end to judge it by (the phrase itself).
EVIDENCE_SECONDS = 0.8


class EchoPath:
    """A canceller fed from the speaker's reference ring; one owner thread."""

    def __init__(self, reference: ReferenceRing, reference_rate: int, mic_rate: int) -> None:
        self._reference = reference
        self._canceller = EchoCanceller(EchoOptions(rate=mic_rate, reference_rate=reference_rate))

    def clean(self, samples: np.ndarray, adc: float) -> np.ndarray:
        """Feed what was played since the last call, then cancel it from ``samples``."""
        for block in self._reference.drain():
            self._canceller.feed_reference(block.samples, block.t)
        return self._canceller.feed_mic(samples, adc)

    def evidence(self, end: float) -> EchoEvidence:
        """What the canceller saw over the phrase that ended at ``end`` (monotonic)."""
        return self._canceller.evidence(end - EVIDENCE_SECONDS, end)

    @property
    def delay(self) -> float:
        """Playback-to-capture delay in use, seconds (for the log)."""
        return self._canceller.delay

    def close(self) -> None:
        self._canceller.close()
