"""The coach's own voice, taken out of what the microphone hears.

The speaker's reference tap (:class:`~voicecoach.adapters.reference.ReferenceRing`)
collects every block as it was played, with its DAC time; the hearing thread
drains it before each microphone chunk and hands both to the
:class:`~voicecoach.adapters.echo.EchoCanceller`, so the recognizer hears the
room with the coach mostly removed. The canceller also keeps, per frame, how
much energy it removed: that is the evidence the loop's
:class:`~voicecoach.core.echo_guard.EchoGuard` weighs against what the coach
was saying when a command fired.

Setting ``VOICECOACH_ECHO_RECORD=FILE.npz`` records the microphone blocks
with their ADC times, the reference blocks with their DAC times and the
cleaned audio of a live session, so a problem seen live can be replayed
offline through the same canceller (``python -m benchmarks.echo_replay``).

Everything here runs on the hearing thread, which owns the canceller.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from voicecoach.adapters.echo import EchoCanceller, EchoOptions
from voicecoach.adapters.reference import ReferenceRing
from voicecoach.core.echo_guard import EchoEvidence

#: How much audio before a command's end to judge it by (the phrase itself).
EVIDENCE_SECONDS = 0.8
#: Environment variable naming an ``.npz`` file to record the echo path's streams into.
RECORD_ENV = "VOICECOACH_ECHO_RECORD"


class EchoRecording:
    """Every block the echo path saw, kept in memory and saved as one ``.npz``.

    Arrays: ``mic`` (int16 at the microphone rate), ``mic_blocks`` (start
    index, ADC time per block), ``ref`` (float32 at the speaker rate),
    ``ref_blocks`` (start index, DAC time, microphone blocks fed before it:
    the order the hearing thread saw them in), ``out`` (the cleaned audio,
    int16), and the two rates.
    """

    def __init__(self, path: Path, reference_rate: int, mic_rate: int) -> None:
        self.path = path
        self.rates = (reference_rate, mic_rate)
        self._mic: list[np.ndarray] = []
        self._mic_blocks: list[tuple[int, float]] = []
        self._ref: list[np.ndarray] = []
        self._ref_blocks: list[tuple[int, float, int]] = []
        self._out: list[np.ndarray] = []
        self._mic_n = 0
        self._ref_n = 0

    def reference(self, samples: np.ndarray, t: float) -> None:
        self._ref_blocks.append((self._ref_n, t, len(self._mic_blocks)))
        self._ref.append(np.asarray(samples, np.float32).reshape(-1))
        self._ref_n += len(self._ref[-1])

    def mic(self, samples: np.ndarray, t: float, out: np.ndarray) -> None:
        self._mic_blocks.append((self._mic_n, t))
        self._mic.append(np.asarray(samples).reshape(-1).copy())
        self._mic_n += len(self._mic[-1])
        self._out.append(np.asarray(out).reshape(-1).copy())

    def save(self) -> None:
        def cat(parts: list[np.ndarray], dtype: type) -> np.ndarray:
            return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)

        np.savez_compressed(
            self.path,
            mic=cat(self._mic, np.int16), mic_blocks=np.array(self._mic_blocks, np.float64),
            ref=cat(self._ref, np.float32), ref_blocks=np.array(self._ref_blocks, np.float64),
            out=cat(self._out, np.int16),
            reference_rate=self.rates[0], mic_rate=self.rates[1],
        )


class EchoPath:
    """A canceller fed from the speaker's reference ring; one owner thread."""

    def __init__(
        self,
        reference: ReferenceRing,
        reference_rate: int,
        mic_rate: int,
        record: Path | None = None,
    ) -> None:
        self._reference = reference
        self._canceller = EchoCanceller(EchoOptions(rate=mic_rate, reference_rate=reference_rate))
        if record is None and os.environ.get(RECORD_ENV):
            record = Path(os.environ[RECORD_ENV])
        self._recording = (
            None if record is None else EchoRecording(record, reference_rate, mic_rate)
        )

    def clean(self, samples: np.ndarray, adc: float) -> np.ndarray:
        """Feed what was played since the last call, then cancel it from ``samples``."""
        for block in self._reference.drain():
            self._canceller.feed_reference(block.samples, block.t)
            if self._recording is not None:
                self._recording.reference(block.samples, block.t)
        out = self._canceller.feed_mic(samples, adc)
        if self._recording is not None:
            self._recording.mic(samples, adc, out)
        return out

    def evidence(self, end: float) -> EchoEvidence:
        """What the canceller saw over the phrase that ended at ``end`` (monotonic)."""
        return self._canceller.evidence(end - EVIDENCE_SECONDS, end)

    @property
    def delay(self) -> float:
        """Playback-to-capture delay in use, seconds (for the log)."""
        return self._canceller.delay

    def close(self) -> None:
        self._canceller.close()
        if self._recording is not None:
            self._recording.save()
