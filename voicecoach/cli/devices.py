"""``voicecoach devices``: the audio inputs and outputs PortAudio sees, the ones in use marked."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "devices", help="list audio input and output devices (* marks the ones in use)",
        description="List audio devices. '*' marks the devices voicecoach would use.",
    )
    parser.add_argument("--input", help="input device to mark (index or part of its name)")
    parser.add_argument("--output", help="output device to mark (index or part of its name)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from voicecoach.adapters.devices import NO_OUTPUT_HINT, list_devices, resolve
    from voicecoach.errors import DeviceError

    devices = list_devices()
    if not devices:
        raise DeviceError("No audio devices found.", NO_OUTPUT_HINT)
    for kind, spec in (("output", args.output), ("input", args.input)):
        try:
            in_use: int | None = resolve(spec, kind).index
        except DeviceError as exc:
            if spec:
                raise
            in_use = None
            note = f"  (none: {exc.message})"
        else:
            note = ""
        print(f"{kind.capitalize()} devices:{note}")
        for d in devices:
            channels = d.outputs if kind == "output" else d.inputs
            if channels <= 0:
                continue
            mark = "*" if d.index == in_use else " "
            print(f"  {mark} {d.index:>3}  {d.name}  [{d.hostapi}, {channels} ch, "
                  f"{d.default_rate:.0f} Hz]")
    return 0
