"""``voicecoach serve``: wait for "coach, start ..." (the Raspberry Pi service runs this)."""

from __future__ import annotations

import argparse
import sys
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
    parser.add_argument("--quiet", action="store_true", help="do not say when ready")
    parser.set_defaults(handler=run)


def build_grammar(settings: Any) -> Any:
    """The start-phrase grammar over every valid routine in the library."""
    from voicecoach.core.library import list_routines
    from voicecoach.serve import RoutineName, ServeGrammar

    routines = [RoutineName(e.file.id, e.title) for e in list_routines() if e.valid]
    return ServeGrammar(routines, settings.routine, settings.wake_word, settings.start_words)


def run(args: argparse.Namespace) -> int:
    """Wait, start, wait again, until interrupted."""
    import logging

    from voicecoach.adapters.speaker import VoiceSettings, open_speaker
    from voicecoach.config import load_settings
    from voicecoach.serve import GateSettings, SphinxUtteranceRecognizer, Waiter, serve
    from voicecoach.serve.source import microphone_blocks

    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    settings = load_settings({"input_device": args.input, "output_device": args.output},
                             getattr(args, "config", None))
    grammar = build_grammar(settings)
    waiter = Waiter(grammar, SphinxUtteranceRecognizer(grammar),
                    GateSettings(level_db=settings.voice_level))
    voice = VoiceSettings(voice=settings.voice, language=settings.language, rate=settings.rate,
                          volume=settings.volume, earcons=settings.earcons)

    def say(text: str) -> None:
        print(f"coach: {text}", file=sys.stderr, flush=True)
        with open_speaker(settings.output_device, voice, warm=()) as speaker:
            _say_and_wait(speaker, text)

    def start_session(routine: str) -> None:
        # One whole live session (the lead's runtime), microphone closed here meanwhile;
        # a session that fails is said and logged, and the coach goes back to waiting.
        from voicecoach.errors import VoicecoachError
        from voicecoach.runtime.app import LiveOptions, run_live

        print(f"start: {routine}", file=sys.stderr, flush=True)
        try:
            result = run_live(settings, LiveOptions(routine=routine, keys=False))
            print(f"session ended: {result.outcome}", file=sys.stderr, flush=True)
        except VoicecoachError as exc:
            print(f"voicecoach: {exc}", file=sys.stderr, flush=True)
            say("Sorry, that routine could not start.")

    print("ready", file=sys.stderr, flush=True)
    serve(waiter, lambda: microphone_blocks(settings.input_device), say, start_session,
          announce=settings.announce and not args.quiet)
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
