"""One running timer with its spoken countdown, and its frozen form for pause.

Times are absolute session seconds while running and offsets while frozen, so
a pause of any length changes nothing but the offset: a hold paused 3.25 s
into 10 s ends exactly 6.75 s after resume.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Tick:
    """A countdown word due at ``t``."""

    t: float
    """When to say it (absolute while running, offset while frozen)."""
    text: str
    """What to say ("five")."""


@dataclass(slots=True)
class Timer:
    """A running timer: ends at ``end``, says each tick on its second."""

    start: float
    """When it started (or resumed)."""
    end: float
    """When it ends."""
    ticks: list[Tick] = field(default_factory=list)
    """Countdown words still to say, in time order."""
    cue_id: int | None = None
    """The utterance that announces this timer ("Hold for ten seconds..."), until it
    is heard: the times above are provisional until then (see :meth:`heard_at`)."""

    @property
    def deadline(self) -> float:
        """The next moment something happens."""
        return self.ticks[0].t if self.ticks else self.end

    def heard_at(self, t: float) -> None:
        """The announcing utterance's first sound reached the speaker at ``t``.

        A hold counts from when the person hears "Hold", not from when the line
        was queued: on a busy machine a line can start a second or more late,
        and the hold the person did would be that much short. Everything still
        to come moves by the delay; a line that started early moves nothing.
        """
        self.cue_id = None
        late = t - self.start
        if late <= 0:
            return
        self.start, self.end = t, self.end + late
        self.ticks = [Tick(k.t + late, k.text) for k in self.ticks]

    def remaining(self, now: float) -> float:
        """Seconds until the end, never negative."""
        return max(0.0, self.end - now)

    def freeze(self, now: float) -> FrozenTimer:
        """Keep what is left, to the millisecond and beyond."""
        return FrozenTimer(
            remaining=self.remaining(now),
            ticks=tuple(Tick(max(0.0, k.t - now), k.text) for k in self.ticks),
        )

    def rescale(self, now: float, factor: float) -> None:
        """Stretch what is left by ``factor`` (pace change); ticks keep their offset to the end."""
        old_end = self.end
        self.end = now + self.remaining(now) * factor
        self.ticks = [Tick(self.end - (old_end - k.t), k.text) for k in self.ticks]
        self.ticks = [k for k in self.ticks if k.t >= now]


@dataclass(frozen=True, slots=True)
class FrozenTimer:
    """A paused timer: what was left and when each countdown word falls."""

    remaining: float
    """Seconds left at the pause."""
    ticks: tuple[Tick, ...] = ()
    """Countdown words with offsets from the pause."""

    def thaw(self, now: float) -> Timer:
        """Run again from ``now``."""
        return Timer(
            start=now,
            end=now + self.remaining,
            ticks=[Tick(now + k.t, k.text) for k in self.ticks],
        )


def countdown_ticks(start: float, seconds: float, numbers: list[tuple[int, str]]) -> list[Tick]:
    """Ticks for ``numbers`` (seconds-before-the-end, word), in time order."""
    end = start + seconds
    ticks = [Tick(end - n, word) for n, word in numbers if 0 < n < seconds]
    return sorted(ticks, key=lambda k: k.t)
