"""``voicecoach serve``: wait for "coach, start ..." (the Raspberry Pi service runs this)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from voicecoach.cli.config import add_config_option


def register(subparsers: Any) -> None:
    """Add the ``serve`` command."""
    parser = subparsers.add_parser(
        "serve", help="waiting mode: listen for \"coach, start ...\", run it, wait again",
        description=(
            "Listen with little CPU (recognition runs only while someone speaks) for "
            "\"coach, start\", \"coach, start the sitting routine\", \"start\" said alone, or "
            "\"coach, what routines are there\"; run the session; then wait again."
        ),
    )
    add_config_option(parser)
    parser.add_argument("--input", help="microphone: device number or part of its name")
    parser.add_argument("--output", help="speaker: device number or part of its name")
    parser.add_argument("--engine", help="auto, vosk or sphinx (as for voicecoach run)")
    parser.add_argument("--language", help="language tag (en, ko...): start phrases and voice")
    parser.add_argument("--model", help="Vosk model folder")
    parser.add_argument("--events", type=Path, metavar="FILE",
                        help="append every session's events to FILE, one JSON object a line")
    parser.add_argument("--quiet", action="store_true", help="do not say when ready")
    parser.set_defaults(handler=run)


def build_grammar(settings: Any) -> Any:
    """The start-phrase grammar over every valid routine in the library, in the language.

    ``serve.wake_word`` and ``serve.start_words`` left at their (English)
    defaults give way to the language's own ("코치", "시작" for Korean).
    """
    from voicecoach.config import Origin
    from voicecoach.core.library import list_routines
    from voicecoach.serve import RoutineName, ServeGrammar
    from voicecoach.serve.language import serve_language

    lang = serve_language(settings.language)
    wake = settings.wake_word if settings.source("serve.wake_word").origin is not \
        Origin.DEFAULT else None
    starts = settings.start_words if settings.source("serve.start_words").origin is not \
        Origin.DEFAULT else None
    routines = [RoutineName(e.file.id, e.title) for e in list_routines() if e.valid]
    return ServeGrammar(routines, settings.routine, wake, starts, language=lang)


def run(args: argparse.Namespace) -> int:
    """Wait, start, wait again, until interrupted."""
    import logging
    import signal
    import threading

    from voicecoach.adapters.speaker import VoiceSettings, open_speaker
    from voicecoach.config import load_settings
    from voicecoach.serve import GateSettings, Waiter, serve
    from voicecoach.serve.recognize import open_utterance_recognizer
    from voicecoach.serve.source import microphone_blocks

    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    settings = load_settings({"input_device": args.input, "output_device": args.output,
                              "engine": args.engine, "language": args.language,
                              "model": args.model}, getattr(args, "config", None))
    grammar = build_grammar(settings)
    # the session's own engine selection: a language no engine serves fails here, at once
    recognizer, info = open_utterance_recognizer(grammar, settings.engine, settings.language,
                                                 settings.model)
    print(f"listening: {info.describe()}", file=sys.stderr, flush=True)
    waiter = Waiter(grammar, recognizer, GateSettings(level_db=settings.voice_level))
    voice = VoiceSettings(voice=settings.voice, language=settings.language, rate=settings.rate,
                          volume=settings.volume, earcons=settings.earcons)

    def say(text: str) -> None:
        # the session's speaker, opened per sentence: the device is free while waiting
        print(f"coach: {text}", file=sys.stderr, flush=True)
        with open_speaker(settings.output_device, voice, warm=()) as speaker:
            _say_and_wait(speaker, text)

    stopping = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        print(f"stopping ({signal.Signals(signum).name})", file=sys.stderr, flush=True)
        stopping.set()

    for sig in (signal.SIGTERM, signal.SIGINT):  # a session installs its own, then restores
        signal.signal(sig, on_signal)

    def start_session(routine: str) -> None:
        # One whole live session (the lead's runtime), microphone closed here meanwhile;
        # a session that fails is said and logged, and the coach goes back to waiting.
        from voicecoach.errors import VoicecoachError
        from voicecoach.runtime.app import LiveOptions, run_live

        print(f"start: {routine}", file=sys.stderr, flush=True)
        try:
            result = run_live(settings, LiveOptions(routine=routine, keys=False,
                                                    events=args.events))
            print(f"session ended: {result.outcome}", file=sys.stderr, flush=True)
            if result.outcome == "interrupted":  # SIGTERM or Ctrl-C reached the session:
                stopping.set()  # the service is being stopped, not just the session
        except VoicecoachError as exc:
            print(f"voicecoach: {exc}", file=sys.stderr, flush=True)
            say(grammar.lang.cannot_start)

    print("ready", file=sys.stderr, flush=True)
    serve(waiter, lambda: microphone_blocks(settings.input_device), say, start_session,
          announce=settings.announce and not args.quiet, should_stop=stopping.is_set)
    print("stopped", file=sys.stderr, flush=True)
    return 0


def _say_and_wait(speaker: Any, text: str) -> None:
    import queue

    from voicecoach.adapters.speaker import SpeechEnded

    speaker.speak(1, text)
    while True:
        try:
            event = speaker.events.get(timeout=60)
        except queue.Empty:
            return
        if isinstance(event, SpeechEnded) and event.id == 1:
            return
