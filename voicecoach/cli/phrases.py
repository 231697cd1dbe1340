"""``voicecoach phrases``: the command phrases a language understands."""

from __future__ import annotations

import argparse
import json


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("phrases", help="print the spoken command phrases of a language")
    p.add_argument("--language", "-l", default="en", help="language code (default: en)")
    p.add_argument("--json", action="store_true", help="one JSON object with every phrase")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from voicecoach.core.phrases import phrase_table

    table = phrase_table(args.language)
    if args.json:
        print(json.dumps({
            "language": table.language,
            "name": table.name,
            "phrases": [
                {"text": p.text, "intent": p.intent.value, "detail": p.detail,
                 "safety": p.is_safety}
                for p in table.phrases
            ],
        }, ensure_ascii=False, indent=2))
        return 0
    print(f"{table.name} ({table.language})")
    width = max(len(i.value) for i in table.by_intent())
    for intent, phrases in table.by_intent().items():
        if intent.value == "symptom":
            for p in phrases:
                print(f"  {intent.value:<{width}}  {p.text}  [{p.detail}]")
        else:
            print(f"  {intent.value:<{width}}  " + " · ".join(p.text for p in phrases))
    return 0
