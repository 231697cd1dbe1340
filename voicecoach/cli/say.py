"""``voicecoach say TEXT``: speak through the configured output device, as a session would."""

from __future__ import annotations

import argparse
import queue
import sys
from typing import Any

from voicecoach.core.actions import Cue


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "say", help="speak a sentence through the output device (checks speaker and voice)",
        description="Speak TEXT with the coach's voice through the output device.",
    )
    parser.add_argument("text", metavar="TEXT", nargs="+", help="what to say")
    parser.add_argument("--voice", help="espeak-ng voice id, e.g. gmw/en-us or ko")
    parser.add_argument("--language", help="pick a voice for this language tag (e.g. ko)")
    parser.add_argument("--rate", type=float, default=1.0,
                        help="speech rate factor, 0.5 to 2 (default 1)")
    parser.add_argument("--volume", type=float, default=0.8,
                        help="output gain 0 to 1 (default 0.8)")
    parser.add_argument("--device", help="output device index or part of its name")
    parser.add_argument("--cue", choices=[c.value for c in Cue],
                        help="play a breath/hold sound first")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from voicecoach.adapters.speaker import (
        SpeakerFault,
        SpeechEnded,
        VoiceSettings,
        open_speaker,
    )
    from voicecoach.adapters.tts_text import clean_text
    from voicecoach.errors import VoicecoachError

    text = " ".join(args.text)
    cue = Cue(args.cue) if args.cue else None
    if not clean_text(text) and cue is None:
        print("voicecoach: nothing speakable in that text", file=sys.stderr)
        return 1
    if not 0.0 <= args.volume <= 1.0:
        raise VoicecoachError(f"--volume {args.volume} is out of range", "use a value from 0 to 1")
    settings = VoiceSettings(voice=args.voice, language=args.language, rate=args.rate,
                             volume=args.volume)
    with open_speaker(args.device, settings, warm=()) as speaker:
        speaker.speak(1, text, cue)
        fault: SpeakerFault | None = None
        while True:
            try:
                event = speaker.events.get(timeout=60)
            except queue.Empty:
                raise VoicecoachError("Speech did not finish within a minute.") from None
            if isinstance(event, SpeakerFault):
                fault = event
            elif isinstance(event, SpeechEnded) and event.id == 1:
                break
    if fault is not None:
        raise VoicecoachError(fault.message, fault.hint)
    return 0
