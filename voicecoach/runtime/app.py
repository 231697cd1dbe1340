"""Assemble and run one live session: ``voicecoach run``.

This is the only place that knows every part: it loads the routine, asks the
history what this session should be (screening, resume, step up or back),
opens the voice and the microphone, starts the hearing thread and the key
reader, installs signal handlers, and runs :class:`LiveLoop` on the main
thread. Whatever happens, everything is closed again and the session's end is
recorded.

Startup failures a person can fix (no speaker, no speech engine, no model for
the language, a bad routine file) surface as :class:`VoicecoachError` with a
fix, before anything is spoken. A missing *microphone* is not fatal: the
coach says so and the session runs on the keyboard until one appears.
"""

from __future__ import annotations

import logging
import queue
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from voicecoach.adapters.audio_source import DEFAULT_SAMPLE_RATE as MIC_RATE
from voicecoach.adapters.audio_source import MicrophoneSource
from voicecoach.adapters.history import SQLiteHistory, plan_next
from voicecoach.adapters.recognizers import open_recognizer
from voicecoach.adapters.reference import ReferenceRing
from voicecoach.adapters.speaker import VoiceSettings, open_speaker
from voicecoach.config import Settings
from voicecoach.core.history import SessionOutcome
from voicecoach.core.library import load_routine
from voicecoach.core.progression import DecisionKind
from voicecoach.core.session import Session, SessionOptions
from voicecoach.runtime.echo import EchoPath
from voicecoach.runtime.eventlog import EventLog
from voicecoach.runtime.inbox import InboxItem, Key, Shutdown
from voicecoach.runtime.keys import KEY_HELP, KeyReader
from voicecoach.runtime.listener import Listener
from voicecoach.runtime.loop import LiveLoop, LoopResult
from voicecoach.runtime.recorder import BackgroundRecorder
from voicecoach.runtime.view import StatusView

if TYPE_CHECKING:
    from voicecoach.models import CatalogEntry

log = logging.getLogger(__name__)

#: Microphone block in the live session. The recognizer can only decide that a
#: word has ended at a block boundary, so the block is part of the reaction time:
#: 20 ms blocks cut the end-of-word -> silence path by about 50 ms against 50 ms
#: blocks (298 -> 250 ms median, 364 -> 311 ms p95) for about 3.6 % of one core
#: more (`python -m benchmarks.live`; README "Live session").
LIVE_CHUNK_SECONDS = 0.02

#: How the loop's outcome words map onto the history's outcomes.
_OUTCOMES = {
    "completed": SessionOutcome.COMPLETED,
    "finished": SessionOutcome.FINISHED_EARLY,
    "pain": SessionOutcome.PAIN,
    "symptom": SessionOutcome.SYMPTOM,
    "interrupted": SessionOutcome.INTERRUPTED,
}


@dataclass(frozen=True)
class LiveOptions:
    """What ``voicecoach run`` was asked for beyond the settings."""

    routine: str | None = None
    """Routine name or path; None: the configured default."""
    events: Path | None = None
    """Write one JSON line per event here."""
    keys: bool = True
    """Read keyboard commands when there is a terminal."""
    listen: bool = True
    """Open the microphone and a recognizer (off: keyboard only)."""


def run_live(settings: Settings, options: LiveOptions) -> LoopResult:
    """Run one live session to its end and return how it ended."""
    loaded = load_routine(options.routine or settings.routine)
    routine = loaded.routine
    language = routine.language or settings.language
    inbox: queue.Queue[InboxItem] = queue.Queue()
    view = StatusView()
    log_file = EventLog(options.events)
    closers: list = [log_file.close]
    reference = ReferenceRing()
    try:
        speaker = open_speaker(
            settings.output_device,
            VoiceSettings(
                voice=settings.voice, language=language, rate=settings.rate,
                volume=settings.volume, earcons=settings.earcons,
            ),
            on_event=inbox.put,
            tap=reference,
            latency=settings.output_latency,
        )
        closers.append(speaker.close)
        listener = None
        if options.listen:
            model = offer_model_download(settings.engine, language, settings.model)
            listener = Listener(
                lambda: MicrophoneSource(device=settings.input_device,
                                         chunk_seconds=LIVE_CHUNK_SECONDS),
                lambda: open_recognizer(settings.engine, language, model),
                inbox,
                open_echo=lambda: EchoPath(reference, speaker.output_rate, MIC_RATE),
            )
            listener.start()  # the model loads here; a ModelError stops us before speaking
            closers.append(listener.close)
            view.note(f"listening: {listener.description or listener.engine_name}")
            if listener.echo_problem:
                view.note(f"echo cancellation off: {listener.echo_problem}")
        history = SQLiteHistory(settings.history)
        closers.append(history.close)
        now = time.time()
        plan = plan_next(history, loaded.id, routine, now, settings.progression)
        sid = history.start_planned(loaded.id, plan, now)
        recorder = BackgroundRecorder(history, sid)
        closers.append(recorder.close)
        session = Session(
            plan.routine,
            SessionOptions(
                screening_due=plan.screening_due, resume_from=plan.resume_from,
                step_up=plan.step_up, volume=settings.volume, rate=settings.rate,
            ),
        )
        def health() -> dict[str, Any]:
            return {"output_underflows": speaker.player.underflows,
                    "input_overflows": listener.overflows if listener is not None else None}

        loop = LiveLoop(session, speaker, inbox, log=log_file, recorder=recorder, view=view,
                        health=health)
        if plan.decision.kind is DecisionKind.STEP_BACK and plan.decision.sentence:
            loop.say_own(plan.decision.sentence)
        keys = KeyReader(lambda ch: inbox.put(Key(ch)))
        if options.keys and keys.start():
            closers.append(keys.close)
            view.note("keys: " + KEY_HELP)
        restore = _install_signals(inbox)
        closers.append(restore)
        result = loop.run()
        outcome = _OUTCOMES.get(session.outcome or "interrupted", SessionOutcome.FINISHED_EARLY)
        recorder.close()
        history.end_session(sid, time.time(), outcome)
        return result
    finally:
        for close in reversed(closers):
            try:
                close()
            except Exception as exc:  # noqa: BLE001 - closing must go on for the others
                log.warning("while closing: %s", exc)
        view.close()


def offer_model_download(
    engine: str, language: str, model: Path | None, ask: Callable[[str], str] = input
) -> Path | None:
    """The first time a session needs a Vosk model that is missing, offer to fetch it.

    Only at a terminal, and only with the person's yes: the catalog entry's
    size and licence are shown first, and the download is verified like
    ``voicecoach models download``. Without a terminal (a service) nothing is
    fetched; the recognizer then fails with the command that fixes it. English
    needs no download: PocketSphinx's model ships with the package.
    """
    if engine == "sphinx" or (engine == "auto" and language.split("-")[0] == "en"):
        return model
    from voicecoach.models import Progress, ensure_model, find_model

    if find_model(language, model) is not None or not sys.stdin.isatty():
        return model

    def consent(entry: CatalogEntry) -> bool:
        answer = ask(
            f"No speech model for '{language}' is installed. Download {entry.name} "
            f"({entry.archive_bytes / 1e6:.0f} MB, {entry.licence}) now? [y/N] "
        )
        return answer.strip().lower() in ("y", "yes")

    return ensure_model(language, consent, model, progress=Progress(sys.stderr)).path


def _install_signals(inbox: queue.Queue[InboxItem]):
    """Ctrl-C and SIGTERM become a Shutdown in the inbox; returns a restorer."""

    def handler(signum: int, _frame: FrameType | None) -> None:
        inbox.put(Shutdown(signal.Signals(signum).name.lower()))

    saved = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}

    def restore() -> None:
        for s, h in saved.items():
            signal.signal(s, h)

    return restore
