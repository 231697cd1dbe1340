"""``voicecoach listen``: what the recognizer hears, live or from WAV files."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from voicecoach.errors import VoicecoachError


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "listen", help="print the commands heard from the microphone or WAV files"
    )
    p.add_argument("files", nargs="*", metavar="FILE.wav",
                   help="WAV files to process as if live (default: the microphone)")
    p.add_argument("--engine", choices=["auto", "vosk", "sphinx"], default="auto",
                   help="auto: Vosk if a model for the language is found, else PocketSphinx")
    p.add_argument("--language", "-l", default="en", help="phrase table language (default: en)")
    p.add_argument("--model", metavar="PATH", help="Vosk model folder")
    p.add_argument("--device", help="input device (number or name) for the microphone")
    p.add_argument("--reference", metavar="PLAYED.wav",
                   help="what the speaker played while FILE.wav was recorded, starting at the "
                        "same moment: its echo is cancelled before recognition")
    p.add_argument("--json", action="store_true",
                   help='one JSON line per command: {"file","command","text","confidence","time"}')
    p.set_defaults(handler=run)


if TYPE_CHECKING:
    from voicecoach.adapters.audio_source import WavFileSource
    from voicecoach.adapters.echo import EchoCancelledSource


def run(args: argparse.Namespace) -> int:
    from voicecoach.adapters.audio_source import MicrophoneSource, WavFileSource
    from voicecoach.adapters.recognizers import open_recognizer

    if args.reference and not args.files:
        raise VoicecoachError("--reference needs the recorded microphone track: listen "
                              "--reference PLAYED.wav FILE.wav")
    recognizer = open_recognizer(args.engine, args.language, args.model)
    print(f"listening with {recognizer.info.describe()}", file=sys.stderr)
    if args.files:
        for name in args.files:
            source: WavFileSource | EchoCancelledSource
            source = WavFileSource(name, recognizer.sample_rate)
            if args.reference:
                from voicecoach.adapters.echo import EchoCancelledSource

                source = EchoCancelledSource(source, args.reference)
            recognizer.reset()
            _run_source(recognizer, source, name, args.json)
            # The end of a file is the room going quiet: let the recognizer
            # finish phrases that end right at the last sample.
            _flush(recognizer, source.duration, name, args.json)
        return 0
    device = int(args.device) if args.device and args.device.isdigit() else args.device
    mic = MicrophoneSource(recognizer.sample_rate, device=device)
    print("say a command (Ctrl-C to stop)", file=sys.stderr)
    try:
        _run_source(recognizer, mic, None, args.json)
    finally:
        mic.close()
        if mic.overflows:
            print(f"note: {mic.overflows} audio blocks were lost (CPU too slow?)", file=sys.stderr)
    return 0


def _flush(recognizer, t: float, name: str, as_json: bool, seconds: float = 0.6) -> None:
    import numpy as np

    step = round(0.05 * recognizer.sample_rate)
    for i in range(round(seconds / 0.05)):
        quiet = np.zeros(step, np.int16)
        _show(recognizer.accept(quiet, t + i * 0.05), name, as_json)


def _run_source(recognizer, source, name: str | None, as_json: bool) -> None:
    for chunk in source.chunks():
        _show(recognizer.accept(chunk.samples, chunk.time), name, as_json)


def _show(commands, name: str | None, as_json: bool) -> None:
    for cmd in commands:
        if as_json:
            print(json.dumps({"file": name, "command": cmd.intent.value, "text": cmd.text,
                              "confidence": cmd.confidence, "time": round(cmd.time, 3)},
                             ensure_ascii=False), flush=True)
        else:
            where = f"{name}  " if name else ""
            detail = f" [{cmd.detail}]" if cmd.detail else ""
            print(f"{where}{cmd.time:7.2f}s  {cmd.intent.value}{detail}  "
                  f"\"{cmd.text}\"  ({cmd.confidence:.2f})", flush=True)
