"""A streaming echo canceller that lines the coach's voice up with the microphone.

:class:`SpeexEcho` needs the reference (what the speaker played) and the
microphone frame by frame, aligned so that the echo arrives shortly after
the reference sample that caused it. Real devices give neither alignment
nor a common rate: the speaker may run at 22.05 or 48 kHz, the microphone at
16 kHz, and the audio travels through two sets of buffers and the air.

:class:`EchoCanceller` puts both streams on one timeline at the microphone's
rate (blocks carry their DAC / ADC times; within a contiguous run the sample
count is trusted over jittery timestamps), resamples the reference with
soxr, measures the remaining delay with GCC-PHAT while the coach speaks
(again every second, moving the delay line only when a new delay is
confirmed twice), and keeps a short log of how much energy each frame lost,
so the live loop can tell echo from the person (see
:mod:`voicecoach.core.echo_guard`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import soxr

from voicecoach.adapters.echo.delay import DelayEstimate, gcc_phat
from voicecoach.adapters.echo.speex import SpeexEcho
from voicecoach.core.echo_guard import EchoEvidence

__all__ = ["EchoCanceller", "EchoOptions"]


@dataclass(frozen=True, slots=True)
class EchoOptions:
    """How the canceller is shaped; the defaults suit 16 kHz speech recognition."""

    rate: int = 16000
    """Microphone rate, and the rate everything is processed at."""
    reference_rate: int | None = None
    """Rate of the reference blocks; None means the same as ``rate``."""
    frame_ms: float = 16.0
    """Frame the canceller works on (256 samples at 16 kHz: a fast FFT size)."""
    filter_ms: float = 256.0
    """Echo path length the adaptive filter models (reverb tail plus margin)."""
    margin_ms: float = 8.0
    """The reference is aligned this much early, so the echo onset stays inside
    the filter (delay changes are followed by the drift tracking, so a little
    headroom is enough; more would have to be read ahead when the stamps put
    the echo before the reference)."""
    initial_delay_ms: float = 0.0
    """Delay assumed until the first measurement."""
    min_delay_ms: float = -100.0
    """Smallest delay searched: the stamps may put the echo before the reference
    (seen through PulseAudio: 11-32 ms before it; it is read ahead then)."""
    max_delay_ms: float = 800.0
    """Largest delay searched."""
    estimate_window_s: float = 2.0
    """Microphone audio correlated per delay measurement."""
    estimate_every_s: float = 1.0
    """How often the delay is measured while the coach speaks."""
    min_confidence: float = 25.0
    """GCC-PHAT peak-to-median ratio below which a measurement is ignored."""
    echo_suppress_db: int = -40
    """Residual echo suppression when only the coach is heard."""
    echo_suppress_active_db: int = -15
    """Residual echo suppression while the person is talking too (gentler)."""
    gate_db: float | None = 15.0
    """Non-linear processing: a frame the canceller made this much quieter while
    the coach spoke is pure residual echo, and is replaced by comfort noise at
    the room's noise floor. Recognizers normalize their input level, so
    residual echo 30 dB down still sounds like speech to them; the person's
    voice is never this far below the microphone level, so the gate opens for
    them at once. None turns it off."""
    gate_floor_db: float = 35.0
    """Also gate frames left this far below the loudest microphone level of the
    last two seconds while the coach speaks (residual echo at word onsets)."""
    gate_hold_ms: float = 80.0
    """The gate stays open this long after the last frame that was not echo."""
    history_s: float = 30.0
    """How much per-frame energy history is kept for :meth:`EchoCanceller.evidence`."""
    converge_s: float = 2.5
    """Seconds of coach speech the filter needs after a (re)start before its
    energy evidence can tell echo from the person."""
    mute_while_learning: bool = True
    """Until converged, treat every frame within reach of the coach's voice as
    echo (the person is heard in the coach's pauses only): unlearned echo
    makes recognizers hear "numb" or "it hurts" in the coach's first words."""
    lost_db: float = 6.0
    """The filter removing less than this from the median frame of the coach's voice
    at the microphone (over ``lost_window_s``) has lost the echo: its evidence then
    says not converged (the guard lets words and timing decide) until it removes more."""
    lost_window_s: float = 3.0
    """How much of the coach's voice at the microphone the lost-echo check looks at."""
    lost_echo_db: float = 35.0
    """Frames where the microphone is more than this below the reference do not count
    for the check (no echo path there: headphones, a speaker far away)."""
    reference_wait_ms: float = 40.0
    """How long a microphone frame waits for a reference that is late."""
    gap_tolerance_ms: float = 30.0
    """A microphone stamp this much later than the running sample count (three
    blocks in a row) is a gap."""
    reference_step_ms: float = 10.0
    """A speaker stamp this much earlier or later than the running sample count
    (three blocks in a row) is a step in the sound. The player's clock is
    smooth and only steps where the sound did (see
    :meth:`voicecoach.adapters.player.Player._dac_clock`), so a small step is
    believed: PulseAudio was seen to play 34-40 ms less of the stream than it
    was given, and the echo came that much earlier from then on."""
    track_s: float = 30.0
    """Delay measurements of the last this many seconds give the clock drift."""
    max_slew: float = 4.0
    """Fastest the delay line moves to catch up with a measurement, samples per second."""

    def samples(self, ms: float) -> int:
        """Milliseconds as a whole number of samples at :attr:`rate`."""
        return int(round(ms * self.rate / 1000))


class _Timeline:
    """A growing, trimmed buffer of samples indexed by timeline position."""

    def __init__(self) -> None:
        self.base = 0
        self.data = np.zeros(0, dtype=np.float32)

    @property
    def end(self) -> int:
        return self.base + len(self.data)

    def write(self, index: int, block: np.ndarray) -> None:
        if index + len(block) <= self.base:
            return
        if index < self.base:
            block = block[self.base - index :]
            index = self.base
        if not len(self.data):
            self.base = index
        stop = index + len(block)
        if stop > self.end:
            self.data = np.concatenate([self.data, np.zeros(stop - self.end, np.float32)])
        self.data[index - self.base : stop - self.base] = block

    def read(self, start: int, length: int) -> np.ndarray:
        """Samples ``[start, start + length)``; zeros where nothing was written."""
        out = np.zeros(length, dtype=np.float32)
        lo, hi = max(start, self.base), min(start + length, self.end)
        if hi > lo:
            out[lo - start : hi - start] = self.data[lo - self.base : hi - self.base]
        return out

    def trim(self, keep_from: int) -> None:
        if keep_from > self.base:
            cut = min(keep_from - self.base, len(self.data))
            self.data = self.data[cut:]
            self.base += cut


class _Run:
    """Places a stream of blocks on the timeline, trusting sample counts over timestamps.

    A block's timestamp only says where a *gap* is (dropped input, an output
    underrun): a sudden jump ahead of the previous block's stamp that holds
    for three blocks in a row (the stream is then moved by the least of the
    three). A late callback or a burst of them is not a gap, and neither is
    a slow creep: the speaker's DAC times were seen to wander 50 ms over a
    few seconds and back, a microphone block to be stamped 35 ms late on
    its own, and the two clocks to drift 80 ppm apart. Re-anchoring on
    stamps like these moved the echo 30-70 ms away from where the filter
    had learned it, every few seconds of a live session; the drift is
    followed from the signals instead (see :meth:`EchoCanceller._steer`).

    With ``steps_back`` (the speaker's stamps, which come from the player's
    smoothed clock) a sudden step *back* that holds for three blocks is taken
    too: the sound server played less than it was given, and the echo comes
    earlier from then on.
    """

    #: Blocks in a row that must agree before a jump in the stamps counts as a gap.
    CONFIRM = 3

    def __init__(self, in_rate: int, out_rate: int, gap_s: float, steps_back: bool = False) -> None:
        self.in_rate, self.out_rate, self.gap_s = in_rate, out_rate, gap_s
        self.steps_back = steps_back
        self.early: list[float] = []  # offsets of the blocks since a sudden step back
        self.start_time: float | None = None
        self.in_count = 0
        self.out_index = 0
        self.resampler: soxr.ResampleStream | None = None
        self.settled = 0.0  # the stamps' offset from the sample count, as of the last block
        self.late: list[float] = []  # offsets of the blocks since a sudden jump
        self.gaps = 0  # gaps taken so far (the canceller re-measures the delay after one)

    def _new_resampler(self) -> soxr.ResampleStream | None:
        if self.in_rate == self.out_rate:
            return None
        return soxr.ResampleStream(self.in_rate, self.out_rate, 1, dtype="float32")

    def _step(self, jump: float) -> None:
        """Move the stream by ``jump`` seconds (the least of the confirming blocks' offsets)."""
        assert self.start_time is not None  # only called once the stream has started
        self.start_time += jump
        self.out_index += int(round(jump * self.out_rate))
        self.gaps += 1

    def place(self, block: np.ndarray, time: float, origin: float) -> list[tuple[int, np.ndarray]]:
        """Return ``(timeline index, samples)`` pieces to write for this block."""
        pieces: list[tuple[int, np.ndarray]] = []
        expected = (
            None if self.start_time is None else self.start_time + self.in_count / self.in_rate
        )
        if expected is not None and self.start_time is not None:
            error = time - expected
            if error - self.settled > self.gap_s:
                self.late.append(error)
                self.early = []
                if len(self.late) >= self.CONFIRM:  # a real gap: the stream went on later
                    self._step(min(self.late) - self.settled)
                    self.late = []
            elif error - self.settled < -1.0:
                expected = None  # far back in time: a new stream
            elif self.steps_back and error - self.settled < -self.gap_s:
                self.early.append(error)
                self.late = []  # "in a row": a block the other way ends a run of late ones
                if len(self.early) >= self.CONFIRM:  # the stream went on earlier
                    self._step(max(self.early) - self.settled)
                    self.early = []
            else:
                self.late, self.early = [], []
                self.settled = error
        if expected is None:
            if self.resampler is not None:
                tail = self.resampler.resample_chunk(np.zeros(0, np.float32), last=True)
                if len(tail):
                    pieces.append((self.out_index, tail))
            self.start_time = time
            self.in_count = 0
            self.settled = 0.0
            self.late, self.early = [], []
            self.out_index = int(round((time - origin) * self.out_rate))
            self.resampler = self._new_resampler()
        self.in_count += len(block)
        out = block if self.resampler is None else self.resampler.resample_chunk(block)
        if len(out):
            pieces.append((self.out_index, out))
            self.out_index += len(out)
        return pieces


def _as_float(block: np.ndarray) -> np.ndarray:
    block = np.asarray(block)
    if block.ndim == 2:
        block = block.mean(axis=1) if block.shape[1] > 1 else block[:, 0]
    if block.ndim != 1:
        raise ValueError(f"audio blocks must be mono (n,) or (n, channels), got {block.shape}")
    if block.dtype == np.int16:
        return block.astype(np.float32) / 32768.0
    return block.astype(np.float32, copy=False)


class EchoCanceller:
    """Removes the coach's voice from the microphone signal, block by block.

    Two ways to feed it:

    * :meth:`process` with a microphone block and the reference block played
      at the same moment (files, or a device that records both in step);
    * :meth:`feed_reference` with each block the speaker played and its DAC
      time, and :meth:`feed_mic` with each captured block and its ADC time
      (the live loop), both on one clock.

    Both return the cleaned microphone audio that is ready (whole frames,
    up to one frame late) in the microphone block's dtype. One owner thread.
    """

    def __init__(self, options: EchoOptions | None = None, *, library: Sequence[str] | None = None):
        self.options = opts = options or EchoOptions()
        self.frame = opts.samples(opts.frame_ms)
        self._filter = max(self.frame, opts.samples(opts.filter_ms))
        self._speex = SpeexEcho(
            self.frame,
            self._filter,
            opts.rate,
            echo_suppress_db=opts.echo_suppress_db,
            echo_suppress_active_db=opts.echo_suppress_active_db,
            library=library,
        )
        ref_rate = opts.reference_rate or opts.rate
        gap_s = opts.gap_tolerance_ms / 1000
        # The speaker's stamps (the player's clock) only step where the sound
        # did, both ways; the microphone's are raw and only gaps are believed.
        self._ref_run = _Run(ref_rate, opts.rate, opts.reference_step_ms / 1000, steps_back=True)
        self._mic_run = _Run(opts.rate, opts.rate, gap_s)
        self._ref = _Timeline()
        self._mic = _Timeline()
        self._origin: float | None = None
        self._next_frame: int | None = None
        self._holes: deque[tuple[int, int]] = deque()  # gaps in the input: (start, end)
        self._ref_clock = 0.0
        self._mic_clock = 0.0
        self._delay = opts.samples(opts.initial_delay_ms)
        self._line_at = float(max(0, self._delay - opts.samples(opts.margin_ms)))
        self._drift = 0.0  # samples the line moves per sample (two clocks' rate difference)
        self._catch_up = 0.0  # samples the line still has to move to meet the measurements
        self._track: deque[tuple[int, float]] = deque(maxlen=64)
        self._offset = 0.0  # where in the filter the echo sits while tracked
        self._pending_at = 0
        self._pending: DelayEstimate | None = None
        self._measured: DelayEstimate | None = None
        self._since_estimate = 0
        self._gap_at: int | None = None  # where a gap in the stamps was taken, until re-measured
        frames_kept = int(opts.history_s * opts.rate / self.frame) + 1
        self._gain = 1.0
        self._hangover = 0
        self._held: tuple[np.ndarray, bool] | None = None
        self._previous: tuple[int, float, float, float] | None = None
        self._floor: deque[float] = deque(maxlen=max(1, int(5 * opts.rate / self.frame)))
        self._noise = np.random.default_rng(0)
        self._recent_ref: deque[float] = deque(maxlen=self._filter // self.frame + 1)
        self._recent_mic: deque[float] = deque(maxlen=max(1, int(2 * opts.rate / self.frame)))
        self._log: deque[tuple[int, float, float, float, bool]] = deque(maxlen=frames_kept)
        self._learned = 0  # samples of coach speech the filter has learned from since a reset
        # Per-frame removal (dB) of the last frames where the coach's voice reached the
        # microphone: a filter that removes almost nothing there has lost the echo.
        self._health: deque[float] = deque(maxlen=max(1, int(opts.lost_window_s * opts.rate
                                                             / self.frame)))
        self._lost = False

    # -- feeding -----------------------------------------------------------

    def process(self, mic: np.ndarray, reference: np.ndarray) -> np.ndarray:
        """Cancel the echo of ``reference`` (played now) from ``mic`` (captured now)."""
        ref_rate = self.options.reference_rate or self.options.rate
        self.feed_reference(reference, self._ref_clock)
        self._ref_clock += len(reference) / ref_rate
        out = self.feed_mic(mic, self._mic_clock)
        self._mic_clock += len(mic) / self.options.rate
        return out

    def feed_reference(self, block: np.ndarray, dac_time: float) -> None:
        """Record that ``block`` left the speaker at ``dac_time`` (seconds, the mic's clock)."""
        data = _as_float(block)
        if self._origin is None:
            self._origin = dac_time
        for index, piece in self._place(self._ref_run, data, dac_time):
            self._ref.write(index, piece)

    def feed_mic(self, block: np.ndarray, adc_time: float) -> np.ndarray:
        """Add a captured block (first sample at ``adc_time``); return cleaned audio ready."""
        raw = np.asarray(block)
        int_out = raw.dtype == np.int16
        data = _as_float(raw)
        if self._origin is None:
            self._origin = adc_time
        for index, piece in self._place(self._mic_run, data, adc_time):
            end = self._mic.end
            self._mic.write(index, piece)
            if self._next_frame is None:
                self._next_frame = index
            elif index > end + self.frame * 4:
                # A gap (input dropped): the frames before it are still to be
                # cleaned, then the hole is skipped. (Judged from where cleaning
                # stood instead, frames held back for a reference read ahead
                # looked like a gap: 13.5 s of a 9.5-minute live session lost.)
                self._holes.append((end, index))
        cleaned = [self._process_frame(start) for start in self._ready_frames()]
        out = np.concatenate(cleaned) if cleaned else np.zeros(0, np.float32)
        self._trim()
        if int_out:
            return np.clip(np.round(out * 32768.0), -32768, 32767).astype(np.int16)
        return out

    def flush(self) -> np.ndarray:
        """Process what is left (the last partial frame, zero-padded); returns float32 audio."""
        if self._next_frame is None or self._previous is None:
            return np.zeros(0, np.float32)
        # The preprocessor runs one frame behind and the gate looks one frame
        # ahead: push frames of silence through until every sample is out.
        lag = self.frame * (2 if self.options.gate_db is not None else 1)
        needed = lag + self._mic.end - self._next_frame
        out: list[np.ndarray] = []
        start = self._next_frame
        while sum(len(o) for o in out) < needed:
            out.append(self._process_frame(start))
            start += self.frame
        self._next_frame = None
        self._holes.clear()
        return np.concatenate(out)[:needed]

    # -- state -------------------------------------------------------------

    @property
    def delay(self) -> float:
        """The playback-to-capture delay in use, in seconds."""
        if self._track:
            return self._track[-1][1] / self.options.rate
        return self._delay / self.options.rate

    @property
    def drift_ppm(self) -> float:
        """How fast the echo delay drifts (the two devices' clocks), parts per million."""
        return self._drift * 1e6

    @property
    def measured(self) -> DelayEstimate | None:
        """The last accepted delay measurement, or None before the coach spoke."""
        return self._measured

    def evidence(self, start: float, end: float) -> EchoEvidence:
        """Energy in, energy out and reference level over ``[start, end]`` seconds.

        A span the canceller removed most energy from was echo; a span it
        left alone was the person (or noise).
        """
        # Times are microphone stamps; the timeline counts samples. They part
        # when the input loses a little audio now and then (an overloaded
        # machine): seen live, 1.2 s apart after 7 minutes, and every command
        # then found "nothing known" (a false "ouch" was kept for it).
        origin = (self._origin or 0.0) + self._mic_run.settled
        lo = int(round((start - origin) * self.options.rate))
        hi = int(round((end - origin) * self.options.rate))
        rows = [r for r in self._log if r[0] + self.frame > lo and r[0] < hi]
        if not rows:  # nothing known about that span: say so, trust nothing
            return EchoEvidence(-120.0, -120.0, -120.0, converged=False)
        mic, out, ref = (float(np.mean([r[i] for r in rows])) for i in (1, 2, 3))
        # The loudest quarter of what came out: the person's word when there.
        loudest = sorted(rows, key=lambda r: r[2])[-max(1, len(rows) // 4):]
        peak_mic, peak_out = (float(sum(r[i] for r in loudest)) for i in (1, 2))
        return EchoEvidence(
            mic_db=float(10 * np.log10(mic + 1e-12)),
            out_db=float(10 * np.log10(out + 1e-12)),
            reference_db=float(10 * np.log10(ref + 1e-12)),
            converged=all(r[4] for r in rows),
            peak_removed_db=float(10 * np.log10((peak_mic + 1e-12) / (peak_out + 1e-12))),
        )

    def close(self) -> None:
        """Free the native canceller."""
        self._speex.close()

    def __enter__(self) -> EchoCanceller:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals ---------------------------------------------------------

    def _ready_frames(self) -> list[int]:
        starts: list[int] = []
        if self._next_frame is None:
            return starts
        wait = self.options.samples(self.options.reference_wait_ms)
        while True:
            while self._holes and self._next_frame >= self._holes[0][0]:
                self._next_frame = max(self._next_frame, self._holes.popleft()[1])
            if self._next_frame + self.frame > self._mic.end:
                break
            # The reference this frame needs may still be on its way (the
            # resampler holds some back, the speaker's callback may run
            # late): wait for it, but not longer than ``reference_wait_ms``.
            needed = self._next_frame + self.frame - self._line() + _TAPS // 2
            if needed > self._ref_run.out_index and self._mic.end - needed < wait:
                break
            starts.append(self._next_frame)
            self._next_frame += self.frame
        return starts

    def _process_frame(self, start: int) -> np.ndarray:
        """Feed the frame at ``start``; return the cleaned previous frame.

        libspeexdsp's preprocessor (the residual echo suppressor) returns each
        frame one frame late. The stream is realigned here, so that output
        sample ``k`` is microphone sample ``k`` and command times line up.
        """
        opts = self.options
        mic = self._mic.read(start, self.frame)
        ref = self._read_reference(start)
        mic16 = np.clip(np.round(mic * 32768.0), -32768, 32767).astype(np.int16)
        ref16 = np.clip(np.round(ref * 32768.0), -32768, 32767).astype(np.int16)
        out = self._speex.process(mic16, ref16).astype(np.float32) / 32768.0
        self._since_estimate += self.frame
        every = opts.estimate_every_s / (1 if self._gap_at is None else 2)
        if self._since_estimate >= opts.samples(every * 1000):
            self._since_estimate = 0
            self._estimate(start + self.frame)
        previous = self._previous
        linear = self._speex.linear.astype(np.float32) / 32768.0
        self._previous = (
            start, float(np.mean(mic**2)), float(np.mean(ref**2)), float(np.mean(linear**2))
        )
        if previous is None:
            return np.zeros(0, np.float32)
        prev_start, mic_p, ref_p, lin_p = previous
        out_p = float(np.mean(out**2))
        if ref_p > 1e-8:
            self._learned += self.frame
        self._check_health(mic_p, lin_p, ref_p)
        learned = self._learned >= opts.samples(opts.converge_s * 1000)
        # A lost echo is reported to the guard (words and timing decide then), but
        # the audio is left as it is: muting it changed what the recognizer heard
        # around the muted stretch, and residue that had decoded as "skip" then
        # decoded as "that hurts" (replayed live recording).
        self._log.append((prev_start, mic_p, out_p, ref_p, learned and not self._lost))
        if opts.gate_db is None:
            return out
        echo_only = self._echo_only(mic_p, out_p, ref_p)
        if opts.mute_while_learning and not learned and max(self._recent_ref) > 1e-8:
            # The filter has not learned the room yet (the session's first
            # seconds of coach speech): what comes out is mostly the coach.
            echo_only = True
        return self._gate(out, echo_only)

    def _check_health(self, mic_p: float, lin_p: float, ref_p: float) -> None:
        """Notice when the filter has lost the echo, and when it has it again.

        It has lost it when, over the last ``lost_window_s`` of frames where
        the coach's voice was loud at the microphone, the adaptive filter
        removed less than ``lost_db`` in the median frame, after a delay had
        been measured (so there is an echo path). Then the guard gets
        ``converged=False`` and judges by words and timing alone. Seen live
        under load: the two timelines parted by 1-2 s, the filter removed
        0.1-0.4 dB, and the coach obeyed its own "stop" and "next" as if a
        person had said them.
        """
        opts = self.options
        if ref_p < 1e-5 or mic_p < ref_p * 10 ** (-opts.lost_echo_db / 10) or mic_p < 1e-7:
            return  # the coach is quiet, or its voice does not reach the microphone
        self._health.append(float(10 * np.log10((mic_p + 1e-12) / (lin_p + 1e-12))))
        full = len(self._health) == self._health.maxlen
        if not full or self._measured is None:
            self._lost = False
            return
        self._lost = float(np.median(self._health)) < opts.lost_db

    @property
    def lost(self) -> bool:
        """Whether the filter has lost the echo (see ``EchoOptions.lost_db``)."""
        return self._lost

    def _echo_only(self, mic_p: float, out_p: float, ref_p: float) -> bool:
        """Whether a cleaned frame holds nothing but residual echo.

        It does when the coach played something within the filter's reach
        and the canceller either removed ``gate_db`` or more, or left it
        ``gate_floor_db`` below the loudest microphone level of late.
        """
        opts = self.options
        self._floor.append(out_p)
        self._recent_ref.append(ref_p)
        self._recent_mic.append(mic_p)
        removed = 10 * np.log10((mic_p + 1e-12) / (out_p + 1e-12))
        below = 10 * np.log10((max(self._recent_mic) + 1e-12) / (out_p + 1e-12))
        return max(self._recent_ref) > 1e-8 and (
            removed >= (opts.gate_db or 0.0) or below >= opts.gate_floor_db
        )

    def _gate(self, out: np.ndarray, echo_only: bool) -> np.ndarray:
        """Replace residual-echo-only frames by comfort noise; returns the previous frame.

        The gate looks one frame ahead and stays open a little after the
        person stops, so the first consonant of a word ("p" of "pause", "s"
        of "stop") and its last ("t" of "it hurts") are never cut: a
        recognizer misses a command far more easily without them. It opens
        at once and closes over about 50 ms.
        """
        held, self._held = self._held, (out, echo_only)
        if held is None:
            return np.zeros(0, np.float32)
        frame, frame_echo = held
        if not frame_echo or not echo_only:
            self._hangover = self.options.samples(self.options.gate_hold_ms) // self.frame
        elif self._hangover > 0:
            self._hangover -= 1
        target = 0.0 if frame_echo and self._hangover == 0 else 1.0
        gain = target if target >= self._gain else max(target, self._gain * 0.3)
        ramp = np.linspace(self._gain, gain, len(frame), dtype=np.float32)
        self._gain = gain
        if gain == 1.0 and ramp[0] == 1.0:
            return frame
        level = np.sqrt(min(self._floor))
        noise = self._noise.standard_normal(len(frame)).astype(np.float32) * level
        return ramp * frame + (1.0 - ramp) * noise

    def _read_reference(self, start: int) -> np.ndarray:
        """The reference for the microphone frame at ``start``, through the delay line.

        The line is fractional: it follows the clock drift between the two
        devices a fraction of a sample at a time (a windowed-sinc
        interpolator), because an echo path that jumps by whole samples
        costs the adaptive filter most of what it learned above 2 kHz.
        """
        line = self._line_at
        self._line_at += self._drift * self.frame
        if self._catch_up:
            step = float(np.clip(self._catch_up, *(np.array([-1, 1]) * self._max_step())))
            self._line_at += step
            self._catch_up -= step
        whole = int(np.floor(line))
        fraction = line - whole
        if fraction < 1e-4:
            return self._ref.read(start - whole, self.frame)
        # Reading ``fraction`` later in the reference means a delay line ``fraction``
        # shorter: sample k is ref[start - whole + k - fraction].
        half = _TAPS // 2
        segment = self._ref.read(start - whole - half, self.frame + _TAPS - 1)
        return np.correlate(segment, _interpolator(1.0 - fraction), "valid").astype(np.float32)

    def _max_step(self) -> float:
        return self.options.max_slew * self.frame / self.options.rate

    def _place(self, run: _Run, data: np.ndarray, time: float) -> list[tuple[int, np.ndarray]]:
        """Where a block goes on the timeline; a gap taken on the way starts a re-measure."""
        gaps = run.gaps
        pieces = run.place(data, time, self._origin or 0.0)
        if run.gaps != gaps:
            self._gap()
        return pieces

    def _gap(self) -> None:
        """A stream was moved for a gap: measure the delay again soon, from after it.

        The stamps' gaps are not to be trusted (a 53 ms jump in the
        speaker's DAC times was a 51 ms gap in the sound, an 80 ms jump a
        52 ms gap): until a measurement from audio after the gap says where
        the echo is now, the filter may be cancelling the wrong place.
        """
        if self._next_frame is not None:
            self._gap_at = self._next_frame + self.options.samples(100.0)
            self._pending = None

    def _estimate(self, end: int) -> None:
        opts = self.options
        window = opts.samples(opts.estimate_window_s * 1000)
        if self._gap_at is not None:
            # Only audio after the gap tells where the echo is now.
            since = end - self._gap_at
            if since < opts.samples(750.0):
                return
            window = min(window, since)
        lo_d, hi_d = opts.samples(opts.min_delay_ms), opts.samples(opts.max_delay_ms)
        mic = self._mic.read(end - window, window)
        ref = self._ref.read(end - window - hi_d, window + hi_d - lo_d)
        if float(np.mean(ref**2)) < 1e-7 or float(np.mean(mic**2)) < 1e-9:
            return  # the coach was silent: nothing to measure
        found = gcc_phat(mic, ref, min_delay=lo_d - hi_d, max_delay=0, rate=opts.rate)
        fine = (found.delay if found.fine is None else found.fine) + hi_d
        estimate = DelayEstimate(found.delay + hi_d, found.confidence, fine)
        if estimate.confidence < opts.min_confidence:
            return
        at = end - window // 2
        close = opts.samples(2.0)
        if self._track and abs(fine - self._predict(at)) <= close:
            # The same echo path, a little earlier or later than before: follow it.
            self._pending = None
            self._measured = estimate
            self._gap_at = None
            self._track.append((at, fine))
            self._steer(end)
            return
        # Two measurements in a row must agree, the first one too: with no
        # echo path (headphones, a speaker far away) the only sound in the
        # window may be the person, and a one-off peak correlating them with
        # the coach would move the delay line, reset the filter and mute the
        # person while it "learns" (seen live: a "wait" lost this way).
        pending, self._pending = self._pending, estimate
        pending_at, self._pending_at = self._pending_at, at
        if pending is not None and abs(pending.delay - estimate.delay) <= close:
            self._measured = estimate
            self._gap_at = None
            if not self._fits(estimate.delay):
                # The echo now falls outside the part of the filter that can
                # model it: move the delay line, and start learning afresh
                # (the old filter describes a path that is no longer there).
                self._delay = estimate.delay
                # Negative when the stamps make the echo lead the reference: the
                # reference is then read ahead (it is tapped before it is played).
                self._line_at = float(self._delay - opts.samples(opts.margin_ms))
                self._speex.reset()
                self._learned = 0
                self._health.clear()
            self._pending = None
            self._track.clear()
            self._track.append((pending_at, pending.fine or float(pending.delay)))
            self._track.append((at, fine))
            self._drift = self._catch_up = 0.0
            self._offset = fine - self._line_at
            self._steer(end)

    def _predict(self, at: int) -> float:
        """The echo delay expected at timeline position ``at`` from the recent measurements."""
        fit = self._fit()
        if fit is None:
            return self._track[-1][1]
        slope, intercept = fit
        return intercept + slope * at

    def _fit(self) -> tuple[float, float] | None:
        """A straight line through the recent measurements (slope: the drift), if enough."""
        opts = self.options
        newest = self._track[-1][0]
        points = [(t, d) for t, d in self._track if newest - t <= opts.samples(opts.track_s * 1000)]
        if len(points) < 3 or points[-1][0] - points[0][0] < opts.samples(3000):
            return None
        t = np.array([p[0] for p in points], np.float64)
        d = np.array([p[1] for p in points], np.float64)
        slope, intercept = np.polyfit(t - t[0], d, 1)
        keep = np.abs(d - (intercept + slope * (t - t[0]))) <= 3.0  # one-off bad peaks
        if keep.sum() >= 3 and not keep.all():
            slope, intercept = np.polyfit(t[keep] - t[0], d[keep], 1)
        return float(slope), float(intercept - slope * t[0])

    def _steer(self, now: int) -> None:
        """Set the delay line's drift and catch-up so the echo stays where the filter has it.

        Two sound cards (or a sound server resampling between them) never run
        at exactly the same rate: seen here, 80 ppm between the speaker and
        the microphone, 1.3 samples a second. An adaptive filter chasing a
        path that moves that fast cancels 13-19 dB instead of 30.
        """
        fit = self._fit()
        if fit is not None:
            self._drift = float(np.clip(fit[0], -2e-3, 2e-3))
        target = self._predict(now) - self._offset
        self._catch_up = target - self._line_at

    def _fits(self, delay: int) -> bool:
        """Whether echo arriving ``delay`` samples late is well inside the filter as aligned.

        The direct sound must land after a little headroom and in the first
        half of the filter, leaving the second half for the reverberation.
        """
        opts = self.options
        offset = delay - self._line()
        return opts.samples(opts.margin_ms) // 2 <= offset <= self._filter // 2

    def _line(self) -> int:
        """Whole samples by which the reference is delayed before the canceller sees it."""
        return int(np.floor(self._line_at))

    def _trim(self) -> None:
        opts = self.options
        if self._next_frame is None:
            return
        keep = opts.samples(opts.estimate_window_s * 1000 + opts.max_delay_ms + 100)
        self._mic.trim(self._next_frame - keep)
        self._ref.trim(self._next_frame - keep - opts.samples(opts.max_delay_ms))


#: Length of the fractional-delay interpolator (even).
_TAPS = 16


def _interpolator(fraction: float) -> np.ndarray:
    """Kaiser-windowed sinc taps for the point ``fraction`` past the middle pair of taps.

    ``np.correlate(segment, taps, "valid")[k]`` is the band-limited value of
    ``segment`` at ``k + _TAPS // 2 - 1 + fraction`` (``0 < fraction <= 1``).
    """
    half = _TAPS // 2
    n = np.arange(_TAPS) - (half - 1) - fraction
    window = np.i0(6.0 * np.sqrt(np.clip(1.0 - (n / half) ** 2, 0.0, 1.0))) / np.i0(6.0)
    return (np.sinc(0.95 * n) * 0.95 * window).astype(np.float32)
