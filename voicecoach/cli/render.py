"""``voicecoach render ROUTINE -o FILE.wav``: the whole session as one audio file."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "render", help="render a routine, paced as a session, into one WAV file",
        description="Render ROUTINE as an uninterrupted session (speech, cues, holds, rests) "
                    "into a WAV file any player can play.",
    )
    parser.add_argument("routine", metavar="ROUTINE",
                        help="routine name (see `voicecoach list`) or script file path")
    parser.add_argument("-o", "--output", type=Path, required=True, help="WAV file to write")
    parser.add_argument("--voice", help="espeak-ng voice id (default: from the routine language)")
    parser.add_argument("--rate", type=float, default=1.0, help="speech rate factor (default 1)")
    parser.add_argument("--sample-rate", type=int, default=22050, help="output rate in Hz")
    parser.add_argument("--no-earcons", action="store_true", help="leave out breath/hold sounds")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import time

    from voicecoach.adapters.audio import write_wav
    from voicecoach.adapters.phrase_cache import PhraseCache
    from voicecoach.adapters.session_render import render_session
    from voicecoach.adapters.synth import Synthesizer
    from voicecoach.adapters.tts import DEFAULT_WPM, Pyttsx3Renderer, voice_for_language
    from voicecoach.core.library import load_routine
    from voicecoach.errors import VoicecoachError

    routine = load_routine(args.routine).routine
    if not 8000 <= args.sample_rate <= 96000:
        raise VoicecoachError(f"--sample-rate {args.sample_rate} is out of range",
                              "use e.g. 22050, 44100 or 48000")
    started = time.perf_counter()
    with Pyttsx3Renderer() as renderer:
        voice = args.voice or voice_for_language(routine.language, renderer.voices())
        result = render_session(routine, Synthesizer(renderer, PhraseCache()), voice,
                                round(DEFAULT_WPM * args.rate), args.sample_rate,
                                earcons=not args.no_earcons)
    try:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        write_wav(args.output, result.audio)
    except OSError as exc:
        raise VoicecoachError(f"Cannot write {args.output}: {exc.strerror}") from None
    took = time.perf_counter() - started
    minutes, seconds = divmod(result.audio.duration, 60)
    print(f"{args.output}: {int(minutes)} min {seconds:04.1f} s, {result.utterances} utterances, "
          f"rendered in {took:.1f} s" + ("" if result.finished else
                                          " (the session waits for the person at the end)"))
    return 0
