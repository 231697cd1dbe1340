"""A virtual-time driver: a whole session in milliseconds, as a timeline.

:class:`VirtualDriver` plays the part of the live loop and the speaker: it
plays utterances one after another for a duration estimated from their words
and the speech rate, reports :meth:`Session.speech_done` when each ends, calls
:meth:`Session.advance` exactly at each deadline, and applies scripted
commands at their times. ``StopSpeaking`` drops what is playing and queued;
the driver then reports each dropped utterance as interrupted, as a real
speaker would.

Where the session waits for the person, the driver answers like a willing
person when ``auto`` is on: "ready" when asked to get in position, "no" to
screening questions and offers. Pause, stop and pain dialogs are never
answered automatically; the timeline then ends with the session waiting.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from voicecoach.core.actions import Action, Record, SetRate, SetVolume, Speak, StopSpeaking
from voicecoach.core.intents import Command, Intent, Source
from voicecoach.core.session.engine import Session
from voicecoach.core.session.plan import estimate_speech
from voicecoach.core.session.state import SessionState

#: Seconds the simulated person takes to answer when the driver answers for them.
AUTO_DELAY = 1.0
#: Give up after this much virtual time (a routine may not last longer).
MAX_SECONDS = 6 * 3600.0

#: Words accepted in ``--commands`` besides the intent names.
ALIASES = {
    "continue": Intent.RESUME,
    "go on": Intent.RESUME,
    "wait": Intent.PAUSE,
    "skip": Intent.NEXT,
    "next exercise": Intent.NEXT,
    "back": Intent.PREVIOUS,
    "go back": Intent.PREVIOUS,
    "it hurts": Intent.PAIN,
    "hurts": Intent.PAIN,
    "ouch": Intent.PAIN,
    "quit": Intent.FINISH,
    "end": Intent.FINISH,
}

_AUTO = {
    SessionState.WAITING_READY: Intent.READY,
    SessionState.SCREENING: Intent.NO,
    SessionState.OFFER: Intent.NO,
}


@dataclass(frozen=True, slots=True)
class TimedCommand:
    """A scripted command: at ``t`` seconds, ``intent`` (with ``detail``)."""

    t: float
    """Session time."""
    intent: Intent
    """What the person says."""
    detail: str | None = None
    """E.g. the symptom for ``Intent.SYMPTOM``."""
    text: str = ""
    """The words, if they matter ("next exercise")."""
    unconfirmed: bool = False
    """Heard where the coach's own voice could explain it (:attr:`Command.unconfirmed`)."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of the timeline: at ``t``, this action took effect."""

    t: float
    """Session time (for speech: when it started playing)."""
    action: Action
    """What happened."""


@dataclass
class Simulation:
    """The outcome of a run."""

    timeline: list[Entry] = field(default_factory=list)
    """Everything in time order."""
    end: float = 0.0
    """Session time when the run stopped."""
    state: SessionState = SessionState.IDLE
    """The session's final state."""
    speeches: int = 0
    """Utterances that started playing."""

    @property
    def finished(self) -> bool:
        """Whether the session ended (rather than waiting for the person)."""
        return self.state is SessionState.FINISHED


def parse_commands(spec: str) -> list[TimedCommand]:
    """Parse ``"12.5:pause,20:resume,30:symptom=dizziness"`` (raises ValueError)."""
    commands = []
    for item in filter(None, (p.strip() for p in spec.split(","))):
        time_text, sep, what = item.partition(":")
        if not sep:
            raise ValueError(f"{item!r}: write TIME:INTENT, e.g. 12.5:pause")
        try:
            t = float(time_text)
        except ValueError:
            raise ValueError(f"{item!r}: {time_text!r} is not a time in seconds") from None
        name, _, detail = what.strip().partition("=")
        words = " ".join(name.replace("_", " ").lower().split())
        try:
            intent = ALIASES.get(words) or Intent(words)
        except ValueError:
            known = ", ".join([i.value for i in Intent] + sorted(ALIASES))
            raise ValueError(f"{item!r}: unknown command {name!r}; use one of {known}") from None
        if t < 0:
            raise ValueError(f"{item!r}: time cannot be negative")
        commands.append(TimedCommand(t, intent, detail.strip() or None, text=words))
    return sorted(commands, key=lambda c: c.t)


class VirtualDriver:
    """Drive one :class:`Session` in virtual time."""

    def __init__(self, session: Session, auto: bool = True, words_per_second: float = 2.5,
                 start_delay: float = 0.0) -> None:
        self.session = session
        self.auto = auto
        self.words_per_second = words_per_second
        #: Seconds between a line reaching the speaker and its first sound (a busy machine).
        self.start_delay = start_delay
        self._sounding = False
        self._starts = 0.0
        self.t = 0.0
        self.rate = 1.0
        self.volume = 1.0
        self._queue: deque[Speak] = deque()
        self._playing: Speak | None = None
        self._ends = 0.0
        self._pending: list[tuple[float, int, TimedCommand]] = []
        self.result = Simulation()
        #: Every action at the moment the session emitted it (speech too).
        self.emitted: list[Entry] = []

    @property
    def playing(self) -> Speak | None:
        """What the simulated speaker is saying now (None when silent)."""
        return self._playing

    def duration(self, speak: Speak) -> float:
        """How long ``speak`` takes at the current rate."""
        return estimate_speech(speak.text, self.rate) * 2.5 / self.words_per_second

    # ------------------------------------------------------------- actions
    def apply(self, actions: Iterable[Action]) -> None:
        """Act on the session's output at the current time."""
        dropped: list[Speak] = []
        actions = list(actions)
        self.emitted += [Entry(self.t, a) for a in actions]
        for action in actions:
            if isinstance(action, Speak):
                self._queue.append(action)
                continue
            self.result.timeline.append(Entry(self.t, action))
            if isinstance(action, StopSpeaking):
                if self._playing is not None:
                    dropped.append(self._playing)
                    self._playing = None
                dropped += self._queue
                self._queue.clear()
            elif isinstance(action, SetRate):
                self.rate = action.factor
            elif isinstance(action, SetVolume):
                self.volume = action.level
        for speak in dropped:
            self.apply(self.session.speech_done(speak.id, self.t, interrupted=True))
        self._play_next()

    def _play_next(self) -> None:
        if self._playing is None and self._queue:
            self._playing = self._queue.popleft()
            self._sounding = self.start_delay <= 0
            self._starts = self.t + self.start_delay
            self._ends = self._starts + self.duration(self._playing)
            if self._sounding:
                self.session.speech_started(self._playing.id, self.t)
            self.result.timeline.append(Entry(self.t, self._playing))
            self.result.speeches += 1

    # ---------------------------------------------------------------- run
    def start(self, commands: Iterable[TimedCommand] = ()) -> None:
        """Start the session; ``commands`` are applied at their times by :meth:`step`."""
        self._pending = [(c.t, i, c) for i, c in enumerate(commands)]
        heapq.heapify(self._pending)
        self.apply(self.session.start(self.t))

    def add(self, command: TimedCommand) -> None:
        """Schedule one more command."""
        heapq.heappush(self._pending, (command.t, len(self._pending) + 10**9, command))

    def next_event(self) -> float | None:
        """When the next thing happens, or None if the session waits for good."""
        event = self._next()
        return event[0] if event is not None else None

    def _next(self) -> tuple[float, int] | None:
        options: list[tuple[float, int]] = []
        if self._playing is not None:
            options.append((self._ends if self._sounding else self._starts, 0))
        deadline = self.session.next_deadline
        if deadline is not None:
            options.append((max(deadline, self.t), 1))
        if self._pending:
            options.append((max(self._pending[0][0], self.t), 2))
        if self._auto_intent() is not None:
            options.append((self.t + AUTO_DELAY, 3))
        return min(options) if options else None

    def step(self, until: float = MAX_SECONDS) -> bool:
        """Process the next event; False when there is none before ``until``."""
        event = self._next()
        if event is None or event[0] > until:
            return False
        session = self.session
        self.t, kind = event
        if kind == 0 and not self._sounding and self._playing is not None:
            self._sounding = True
            session.speech_started(self._playing.id, self.t)
        elif kind == 0:
            done, self._playing = self._playing, None
            if done is not None:
                self.apply(session.speech_done(done.id, self.t))
            self._play_next()
        elif kind == 1:
            self.apply(session.advance(self.t))
        elif kind == 2:
            _, _, cmd = heapq.heappop(self._pending)
            self.apply(
                session.command(
                    Command(
                        cmd.intent,
                        self.t,
                        text=cmd.text or cmd.intent.value,
                        source=Source.SCRIPT,
                        detail=cmd.detail,
                        unconfirmed=cmd.unconfirmed,
                    )
                )
            )
        else:
            auto = self._auto_intent()
            if auto is not None:
                self.apply(
                    session.command(Command(auto, self.t, text=auto.value, source=Source.SCRIPT))
                )
        return True

    def say(self, intent: Intent, detail: str | None = None, text: str = "") -> list[Action]:
        """The person says something right now; returns the session's answer."""
        actions = self.session.command(
            Command(intent, self.t, text=text or intent.value, source=Source.SCRIPT, detail=detail)
        )
        self.apply(actions)
        return actions

    def run(self, commands: Iterable[TimedCommand] = (), until: float = MAX_SECONDS) -> Simulation:
        """Start the session and run until it ends, waits for good, or ``until``."""
        self.start(commands)
        while self.step(until):
            pass
        return self.finish()

    def finish(self) -> Simulation:
        """The result so far."""
        self.result.end = self.t
        self.result.state = self.session.state
        return self.result

    def _auto_intent(self) -> Intent | None:
        session = self.session
        if not self.auto or self._playing is not None or session.next_deadline is not None:
            return None
        return _AUTO.get(session.state)


def simulate(
    session: Session, commands: Iterable[TimedCommand] = (), auto: bool = True
) -> Simulation:
    """Run ``session`` to its end (or until it waits for the person) in virtual time."""
    return VirtualDriver(session, auto=auto).run(commands)


def entry_json(entry: Entry) -> dict[str, object]:
    """One timeline entry as a JSON-ready dict: ``t``, ``type`` and the fields."""
    a = entry.action
    t = round(entry.t, 3)
    if isinstance(a, Speak):
        return {
            "t": t,
            "type": "say",
            "text": a.text,
            "id": a.id,
            "priority": a.priority.name.lower(),
            "interruptible": a.interruptible,
            "cue": a.cue.value if a.cue else None,
        }
    if isinstance(a, StopSpeaking):
        return {"t": t, "type": "stop", "reason": a.reason}
    if isinstance(a, SetVolume):
        return {"t": t, "type": "volume", "level": a.level}
    if isinstance(a, SetRate):
        return {"t": t, "type": "rate", "factor": a.factor}
    record: Record = a
    return {
        "t": round(record.t, 3),
        "type": "record",
        "kind": record.kind.value,
        "exercise": record.exercise,
        "exercise_index": record.exercise_index,
        "side": record.side,
        "set": record.set,
        "rep": record.rep,
        "data": record.data,
    }


def entry_text(entry: Entry) -> str:
    """One timeline entry as a readable line: ``  12.5s  say  "Inhale, ..."``."""
    a = entry.action
    head = f"{entry.t:8.1f}s  "
    if isinstance(a, Speak):
        cue = f" [{a.cue.value}]" if a.cue else ""
        return f'{head}say  "{a.text}"{cue}'
    if isinstance(a, StopSpeaking):
        return f"{head}stop speaking ({a.reason})"
    if isinstance(a, SetVolume):
        return f"{head}volume {a.level:.2f}"
    if isinstance(a, SetRate):
        return f"{head}rate {a.factor:.2f}"
    where = [
        f"{k}={v}"
        for k, v in (("exercise", a.exercise), ("side", a.side), ("set", a.set), ("rep", a.rep))
        if v is not None
    ]
    data = [f"{k}={v}" for k, v in a.data.items() if v is not None and v != ""]
    return f"{head}{a.kind.value}  " + " ".join(where + data)
