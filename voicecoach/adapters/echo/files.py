"""Echo cancellation for recorded tracks: a microphone file and what was played.

``voicecoach listen --reference PLAYED.wav FILE.wav`` runs the microphone
recording through the same :class:`EchoCanceller` the live loop uses, fed
chunk by chunk as if live, with the played signal as reference. The two
files must start at the same moment (a recording made by the product, or a
test's synthesized room); the canceller measures the remaining delay itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from voicecoach.adapters.echo.canceller import EchoCanceller, EchoOptions

__all__ = ["EchoCancelledSource", "cancel_chunks"]


def cancel_chunks(
    chunks: Iterable[tuple[np.ndarray, float]],
    reference: np.ndarray,
    rate: int,
    *,
    reference_rate: int | None = None,
    options: EchoOptions | None = None,
) -> Iterator[tuple[np.ndarray, float]]:
    """Yield ``(cleaned int16 samples, audio time of the first one)`` for each input chunk.

    ``chunks`` are ``(int16 samples at rate, time)`` pairs from a file
    source; ``reference`` is the played signal (int16 or float, mono) at
    ``reference_rate`` (default: ``rate``), time-aligned with the recording.
    Output times line up with input times: sample ``k`` out is sample ``k``
    in, and the stream ends with the last input sample.
    """
    ref_rate = reference_rate or rate
    opts = options or EchoOptions()
    if opts.rate != rate or (opts.reference_rate or opts.rate) != ref_rate:
        from dataclasses import replace

        opts = replace(opts, rate=rate, reference_rate=ref_rate)
    with EchoCanceller(opts) as canceller:
        emitted = 0
        total = 0
        start: float | None = None
        for samples, time in chunks:
            if start is None:
                start = time
            # Slice the reference by sample counts, not float times: one
            # sample dropped or repeated at a chunk edge would misalign it.
            lo = total * ref_rate // rate
            hi = (total + len(samples)) * ref_rate // rate
            piece = reference[lo:hi]
            if len(piece) < hi - lo:  # the reference ended before the recording
                piece = np.concatenate([piece, np.zeros(hi - lo - len(piece), piece.dtype)])
            cleaned = canceller.process(samples, piece)
            total += len(samples)
            if len(cleaned):
                yield cleaned, start + emitted / rate
                emitted += len(cleaned)
        rest = canceller.flush()[: max(0, total - emitted)]
        if len(rest) and start is not None:
            pcm = np.clip(np.round(rest * 32768.0), -32768, 32767).astype(np.int16)
            yield pcm, start + emitted / rate


class EchoCancelledSource:
    """A recorded microphone source with the coach's echo removed, chunk by chunk.

    Wraps any file source yielding ``AudioChunk`` values (``samples``,
    ``time``), such as :class:`voicecoach.adapters.audio_source.WavFileSource`,
    and is itself one: everything above it runs unchanged.
    """

    def __init__(
        self, source: Any, reference: Path | str, options: EchoOptions | None = None
    ) -> None:
        from voicecoach.adapters.audio_source import read_wav
        from voicecoach.adapters.echo.speex import load_speexdsp

        load_speexdsp()  # a missing library is reported before any audio is read
        self._source = source
        self.sample_rate: int = source.sample_rate
        self._reference = read_wav(reference, self.sample_rate)
        self._options = options

    @property
    def duration(self) -> float:
        """Length of the recording, in seconds."""
        return float(self._source.duration)

    def chunks(self) -> Iterator[Any]:
        from voicecoach.adapters.audio_source import AudioChunk

        pairs = ((c.samples, c.time) for c in self._source.chunks())
        for samples, time in cancel_chunks(
            pairs, self._reference, self.sample_rate, options=self._options
        ):
            yield AudioChunk(samples, time)

    def close(self) -> None:
        self._source.close()
