"""The player's DAC clock after a stall: utterances are stamped when they sound.

A stream stalls when it starts and while the interpreter is busy (loading a
speech model holds the GIL for a second or two). The first utterance after
such a stall was stamped two seconds before it was even queued: the clock
waited 40 ms of late blocks to believe in the gap, and the utterance started
in those blocks. The event log, the timekeeping benchmark and the echo
canceller's reference all carry that time.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from voicecoach.adapters.player import (
    GAP_AT_ONCE_SECONDS,
    STEP_CONFIRM_SECONDS,
    Player,
    PlayEventKind,
)

RATE = 16000
BLOCK = 320  # 20 ms


def _clock(p: Player, t: float) -> float:
    return p._dac_clock(t, BLOCK)


def test_a_long_stall_moves_the_clock_on_its_first_late_block():
    p = Player()
    p.rate = RATE
    for k in range(5):  # the stream starts: five blocks, then nothing for 2 s
        _clock(p, k * BLOCK / RATE)
    resumed = 5 * BLOCK / RATE + 2.0
    assert _clock(p, resumed) == pytest.approx(resumed, abs=1e-6)
    # and it goes on from there, rising by a block each block
    assert _clock(p, resumed + BLOCK / RATE) == pytest.approx(resumed + BLOCK / RATE, abs=1e-3)


def test_a_burst_of_slightly_late_callbacks_is_still_not_a_gap():
    p = Player()
    p.rate = RATE
    for k in range(50):
        _clock(p, k * BLOCK / RATE)
    base = 50 * BLOCK / RATE
    late = min(0.07, GAP_AT_ONCE_SECONDS / 2)  # the 65-70 ms bursts seen on ALSA
    t = _clock(p, base + late)
    assert t == pytest.approx(base, abs=1e-3)  # one late block: the count is believed


@pytest.mark.audio
def test_an_utterance_after_the_interpreter_was_busy_is_stamped_when_it_plays(pulse_room):
    import sounddevice as sd

    sd._terminate()
    sd._initialize()
    p = Player("pulse")
    p.open()
    try:
        tone = (0.3 * np.sin(np.arange(4800) * 2 * np.pi * 440 / p.rate)).astype(np.float32)
        for attempt in range(3):
            end = time.monotonic() + 1.5
            while time.monotonic() < end:  # hold the GIL as a model load does
                sum(range(1000))
            queued = time.monotonic()
            p.play(attempt, tone)
            started = p.events.get(timeout=5)
            ended = p.events.get(timeout=5)
            assert started.kind is PlayEventKind.STARTED and ended.kind is PlayEventKind.ENDED
            # A sound cannot start before it was queued, nor long after on an idle
            # stream. The clock may lag by late callbacks it has not yet believed
            # to be a gap, never by a stall (GAP_AT_ONCE_SECONDS). The end is not
            # checked to the millisecond: on a loaded machine a real underrun
            # inside the tone lengthens it.
            assert queued - GAP_AT_ONCE_SECONDS <= started.t < queued + 1.0
            assert ended.t > started.t
    finally:
        p.close()


def test_sound_the_server_dropped_steps_the_clock_back_after_a_quarter_second():
    """PulseAudio now and then plays 30-40 ms less of the stream than it was given;
    from then on every block measures that much early. The clock used to slew
    there over two seconds, misplacing the echo canceller's reference meanwhile."""
    p = Player()
    p.rate = RATE
    for k in range(50):
        _clock(p, k * BLOCK / RATE)
    dropped = 0.035
    stamps = [_clock(p, (k * BLOCK) / RATE - dropped) for k in range(50, 80)]
    confirm = int(np.ceil(STEP_CONFIRM_SECONDS * RATE / BLOCK))
    # believed only once it has lasted STEP_CONFIRM_SECONDS; then it is a step, not a slew
    assert stamps[confirm - 2] == pytest.approx((50 + confirm - 2) * BLOCK / RATE, abs=1e-3)
    after = 50 + confirm + 1
    assert stamps[confirm + 1] == pytest.approx(after * BLOCK / RATE - dropped, abs=1e-3)


def test_a_burst_of_early_callbacks_does_not_move_the_clock_back():
    """Callbacks that catch up after a late one measure early for a few blocks; the
    sound itself went on, so the clock must not step."""
    p = Player()
    p.rate = RATE
    for k in range(50):
        _clock(p, k * BLOCK / RATE)
    for k in range(50, 55):  # 100 ms of blocks measuring 30-50 ms early
        _clock(p, k * BLOCK / RATE - 0.03 - 0.005 * (k - 50))
    t = _clock(p, 55 * BLOCK / RATE)
    assert t == pytest.approx(55 * BLOCK / RATE, abs=1e-3)
