"""The live event loop: one thread drives the session; everything else feeds it.

The loop owns the :class:`~voicecoach.core.session.Session`. It waits on its
inbox (:mod:`voicecoach.runtime.inbox`) with a timeout set by the engine's
next deadline, turns what arrives into engine calls, and carries out the
actions the engine returns: speech to the speaker, records to the history and
the event log. Session time is the loop's monotonic clock minus its start.

Order matters for latency: a command's ``StopSpeaking`` reaches the speaker
before anything is logged or recorded, so the voice falls silent first.

The loop also owns the :class:`~voicecoach.core.echo_guard.EchoGuard`: it
knows what the coach is saying and since when (the speaker's events), so a
recognized command that was the coach's own words at that moment, with the
echo canceller's evidence agreeing, is logged as ``echo_dropped`` and never
reaches the session.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any, Protocol

from voicecoach.core.actions import (
    Action,
    Record,
    RecordKind,
    SetRate,
    SetVolume,
    Speak,
    StopSpeaking,
)
from voicecoach.core.echo_guard import EchoEvidence, EchoGuard, Utterance
from voicecoach.core.intents import Command, Intent, Source
from voicecoach.core.session import Session, SessionState
from voicecoach.runtime.eventlog import EventLog
from voicecoach.runtime.inbox import (
    Heard,
    InboxItem,
    Key,
    MicStatus,
    Shutdown,
    SpeakerFault,
    SpeechEnded,
    SpeechStarted,
)
from voicecoach.runtime.keys import KEYMAP, TOGGLE
from voicecoach.runtime.view import StatusView

#: How often the status line is redrawn when nothing else happens.
VIEW_INTERVAL = 0.25
#: After the session finishes, how long to let the closing words play.
CLOSING_GRACE = 30.0


class SpeakerPort(Protocol):
    """What the loop needs of a speaker (see :mod:`voicecoach.adapters.speaker`)."""

    def speak(self, id: int, text: str, cue=None) -> None: ...  # noqa: A002
    def stop(self) -> None: ...
    def set_volume(self, level: float) -> None: ...
    def set_rate(self, factor: float) -> None: ...


class RecorderPort(Protocol):
    """Where records go (the SQLite history); optional."""

    def record(self, record: Record) -> None: ...


@dataclass(frozen=True)
class LoopResult:
    """How the live session ended."""

    outcome: str
    """"completed", "ended" (finished early or for safety) or "interrupted"."""
    duration: float
    """Session seconds."""


class LiveLoop:
    """Runs one session to its end. Construct, then :meth:`run` on the main thread."""

    def __init__(
        self,
        session: Session,
        speaker: SpeakerPort,
        inbox: queue.Queue[InboxItem],
        *,
        log: EventLog | None = None,
        recorder: RecorderPort | None = None,
        view: StatusView | None = None,
        clock: Callable[[], float] = time.monotonic,
        health: Callable[[], dict[str, Any]] | None = None,
    ) -> None:
        self.session = session
        self.speaker = speaker
        self.inbox = inbox
        self.log = log or EventLog(None)
        self.recorder = recorder
        self.view = view
        self._clock = clock
        self._health = health
        self._t0 = 0.0
        self._speaking: dict[int, str] = {}
        self._own_id = 0
        self._last_view = 0.0
        self.guard = EchoGuard()

    # ----------------------------------------------------------- clock
    def now(self) -> float:
        """Seconds since the session started."""
        return self._clock() - self._t0

    # ----------------------------------------------------------- running
    def run(self) -> LoopResult:
        """Drive the session until it finishes or a shutdown arrives."""
        self._t0 = self._clock()
        self.log.write(0.0, "loop_started")
        self.apply(self.session.start(0.0))
        outcome = "interrupted"
        while True:
            if self.session.finished:
                outcome = "completed" if self._completed() else "ended"
                break
            item = self._next_item()
            if isinstance(item, Shutdown):
                self._shutdown(item)
                break
            # Timers due before the item arrived fire first, so a command meets
            # the session as it is now (the engine does not advance on its own).
            self.apply(self.session.advance(self.now()))
            if item is not None:
                self.handle(item)
                self.apply(self.session.advance(self.now()))
            self._refresh_view()
        if outcome != "interrupted":
            self._drain_closing()
        duration = self.now()
        if self._health is not None:
            # How the devices held up (a speaker that underran also sounded lines late).
            self.log.write(duration, "audio_health", **self._health())
        self.log.write(duration, "loop_ended", outcome=outcome)
        return LoopResult(outcome, duration)

    def _next_item(self) -> InboxItem | None:
        deadline = self.session.next_deadline
        timeout = VIEW_INTERVAL
        if deadline is not None:
            timeout = max(0.0, min(timeout, deadline - self.now()))
        try:
            return self.inbox.get(timeout=timeout)
        except queue.Empty:
            return None

    def handle(self, item: InboxItem) -> None:
        """React to one inbox item."""
        t = self.now()
        if isinstance(item, Heard):
            cmd = item.command
            if item.at is not None:
                verdict = self.guard.judge(replace(cmd, time=item.at), item.evidence)
                if verdict.drop:
                    self.log.write(
                        t, "echo_dropped", intent=cmd.intent.value, text=cmd.text,
                        match=verdict.match.value, reason=verdict.reason,
                        **_evidence_fields(item.evidence),
                    )
                    return
                # Kept on words and timing alone, over the coach's voice: the
                # session asks before a warning symptom ends it.
                cmd = replace(cmd, unconfirmed=verdict.unsure)
            # The session's clock, not the audio's: its word times mean nothing there.
            live = replace(cmd, time=t, said_until=None)
            actions = self.session.command(live)
            self.apply(actions)  # silence first, then tell
            extra: dict[str, bool] = {"ignored": True} if _ignored(actions) else {}
            if cmd.unconfirmed:
                extra["unconfirmed"] = True
            self.log.write(
                t, "heard", intent=cmd.intent.value, text=cmd.text,
                confidence=cmd.confidence, source=cmd.source.value, engine=item.engine,
                audio_time=cmd.time, detail=cmd.detail, **extra,
                **_evidence_fields(item.evidence),
            )
            if self.view:
                self.view.heard(cmd.text, cmd.intent.value, item.engine)
        elif isinstance(item, Key):
            intent = self._key_intent(item.char)
            if intent is not None:
                key = Command(intent, t, f"key {item.char!r}", 1.0, Source.KEY)
                self.handle(Heard(key, "keys"))
        elif isinstance(item, SpeechStarted):
            text = self._speaking.get(item.id, "")
            start = item.words_at if item.words_at is not None else item.t
            self.guard.spoke(Utterance(text, start, item.words_seconds))
            self.session.speech_started(item.id, item.t - self._t0)
            # When the first sample reached the speaker, on the session clock (the
            # event itself is logged when the loop gets to it, a little later).
            self.log.write(t, "speech_started", id=item.id, text=text,
                           audio_time=round(item.t - self._t0, 3))
        elif isinstance(item, SpeechEnded):
            text = self._speaking.pop(item.id, "")
            if item.interrupted:
                self.guard.stopped(item.t)
            self.log.write(t, "speech_stopped", id=item.id, text=text, interrupted=item.interrupted)
            if item.id >= 0:
                self.apply(self.session.speech_done(item.id, t, item.interrupted))
        elif isinstance(item, SpeakerFault):
            self.log.write(t, "speaker_fault", message=item.message, hint=item.hint)
            if self.view:
                hint = f" ({item.hint})" if item.hint else ""
                self.view.note(f"speaker: {item.message}{hint}")
        elif isinstance(item, MicStatus):
            self.log.write(t, "microphone", ok=item.ok, message=item.message, detail=item.detail)
            if self.view:
                self.view.note(f"microphone: {item.message} {item.detail}".rstrip())
            self.say_own(item.message)

    def _key_intent(self, char: str) -> Intent | None:
        if char == TOGGLE:
            paused = self.session.state in (
                SessionState.PAUSED, SessionState.STOP_DIALOG, SessionState.SYMPTOM_CHECK)
            return Intent.RESUME if paused else Intent.PAUSE
        return KEYMAP.get(char)

    def apply(self, actions: Iterable[Action]) -> None:
        """Carry out engine actions: devices first, then the log and the history."""
        actions = list(actions)
        t = self.now()
        for action in actions:
            if isinstance(action, StopSpeaking):
                self.speaker.stop()
            elif isinstance(action, Speak):
                self._speaking[action.id] = action.text
                self.speaker.speak(action.id, action.text, action.cue)
                if self.view:
                    self.view.say(action.text)
            elif isinstance(action, SetVolume):
                self.speaker.set_volume(action.level)
            elif isinstance(action, SetRate):
                self.speaker.set_rate(action.factor)
        for action in actions:
            self.log.action(t, action)
            if isinstance(action, Record) and self.recorder is not None:
                self.recorder.record(action)

    def say_own(self, text: str) -> None:
        """Say something of the runtime's own (device news); never fed to the engine."""
        if not text:
            return
        self._own_id -= 1
        self._speaking[self._own_id] = text
        self.speaker.speak(self._own_id, text, None)

    def _completed(self) -> bool:
        return self.session.outcome == "completed"

    def _shutdown(self, item: Shutdown) -> None:
        t = self.now()
        self.speaker.stop()
        self.log.write(t, "shutdown", reason=item.reason)
        self.apply(self.session.interrupt(t, item.reason))

    def _drain_closing(self) -> None:
        """Let the closing summary play out (or stop waiting on shutdown)."""
        deadline = self.now() + CLOSING_GRACE
        while self._speaking and self.now() < deadline:
            try:
                item = self.inbox.get(timeout=0.1)
            except queue.Empty:
                continue
            if isinstance(item, Shutdown):
                self.speaker.stop()
                return
            if isinstance(item, (SpeechStarted, SpeechEnded)):
                self.handle(item)

    def _refresh_view(self) -> None:
        if self.view is None:
            return
        t = self.now()
        if t - self._last_view < VIEW_INTERVAL:
            return
        self._last_view = t
        self.view.status(status_line(self.session, t))


def _ignored(actions: Iterable[Action]) -> bool:
    """Whether the engine let a heard command pass without acting on it.

    An answer ("yes", "ready", "go on") while the coach runs and asks nothing
    changes nothing; the engine keeps it in the history marked ignored. The
    ``heard`` event says so too, so that the log (and whoever reads it for
    commands the coach obeyed) tells a command acted on from one let pass.
    """
    return any(
        isinstance(a, Record) and a.kind is RecordKind.COMMAND and a.data.get("ignored") is True
        for a in actions
    )


def _evidence_fields(evidence: EchoEvidence | None) -> dict[str, object]:
    """The canceller's view of a command, for the event log."""
    if evidence is None:
        return {}
    return {
        "mic_db": round(evidence.mic_db, 1), "out_db": round(evidence.out_db, 1),
        "reference_db": round(evidence.reference_db, 1), "converged": evidence.converged,
        "peak_removed_db": (None if evidence.peak_removed_db is None
                            else round(evidence.peak_removed_db, 1)),
    }


def status_line(session: Session, t: float) -> str:
    """One line for the terminal: where the person is and what runs."""
    st = session.status(t)
    parts = [f"{int(t) // 60:02d}:{int(t) % 60:02d}", st.state.value]
    if st.exercise:
        parts.append(f"{(st.exercise_index or 0) + 1}/{st.exercise_count} {st.exercise}")
    if st.side:
        parts.append(st.side)
    if st.rep and st.reps:
        parts.append(f"rep {st.rep}/{st.reps}")
    if st.countdown is not None:
        parts.append(f"{st.countdown:.0f}s left")
    if st.step:
        parts.append(st.step)
    return " · ".join(parts)


__all__ = ["LiveLoop", "LoopResult", "RecordKind", "status_line"]
