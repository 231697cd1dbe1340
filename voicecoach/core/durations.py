"""Durations as a physiotherapist writes them: ``10s``, ``1m30s``, ``20``.

A bare number means seconds. Units are ``h``, ``m``/``min``, ``s``/``sec``,
combined largest first (``1m30s``). Everything is converted to float seconds
at the boundary so the rest of the program never parses text again.
"""

from __future__ import annotations

import math
import re
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

#: Longest duration any single field may hold. A rest of a day is a typo, and
#: refusing it early keeps timers and estimates sane.
MAX_SECONDS = 3 * 3600.0

_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(hours?|h|minutes?|mins|min|m|seconds?|secs|sec|s)", re.I)
_UNIT_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0}
#: The same forms as :data:`_PART`, for editors (JSON Schema, ECMA regex syntax).
_SCHEMA_PATTERN = (
    r"^\s*\d+(\.\d+)?\s*$|^\s*(\d+(\.\d+)?\s*"
    r"(h|hours?|m|min|mins|minutes?|s|sec|secs|seconds?)\s*)+$"
)
_EXAMPLES = "write it like 10s, 1m30s or 20 (seconds)"


def parse_duration(value: object) -> float:
    """Parse a duration into seconds, raising ``ValueError`` with a fix.

    Accepts ints and floats (seconds) and strings such as ``"10s"``,
    ``"1m30s"``, ``"1 min 30 s"``, ``"1.5m"`` or ``"20"``. Booleans are
    refused: YAML reads ``yes`` and ``on`` as ``True``, which is never a time.
    """
    if isinstance(value, bool) or value is None:
        raise ValueError(f"expected a duration, got {value!r}; {_EXAMPLES}")
    if isinstance(value, (int, float)):
        seconds = float(value)
    elif isinstance(value, str):
        seconds = _parse_text(value)
    else:
        raise ValueError(f"expected a duration, got {type(value).__name__}; {_EXAMPLES}")
    if math.isnan(seconds) or math.isinf(seconds):
        raise ValueError(f"duration must be a finite number; {_EXAMPLES}")
    if seconds < 0:
        raise ValueError(f"duration cannot be negative ({value!r}); use a positive time like 10s")
    if seconds > MAX_SECONDS:
        raise ValueError(
            f"duration {value!r} is longer than {format_duration(MAX_SECONDS)}; "
            "split it into shorter steps"
        )
    return seconds


def _parse_text(text: str) -> float:
    raw = text.strip()
    if not raw:
        raise ValueError(f"duration is empty; {_EXAMPLES}")
    try:
        return float(raw)
    except ValueError:
        pass
    total = 0.0
    pos = 0
    compact = raw.replace(" ", "")
    for match in _PART.finditer(compact):
        if match.start() != pos:
            break
        unit = match.group(2).lower()[0]
        total += float(match.group(1)) * _UNIT_SECONDS[unit]
        pos = match.end()
    if pos != len(compact) or pos == 0:
        if compact.startswith("-"):
            raise ValueError(
                f"duration cannot be negative ({text!r}); use a positive time like 10s"
            )
        raise ValueError(f"cannot read {text!r} as a duration; {_EXAMPLES}")
    return total


def format_duration(seconds: float) -> str:
    """Format seconds back into the compact form (``90`` -> ``"1m30s"``)."""
    seconds = round(seconds, 3)
    if seconds < 60:
        return f"{seconds:g}s"
    minutes, rest = divmod(seconds, 60)
    hours, minutes = divmod(int(minutes), 60)
    parts = []
    if hours:
        parts.append(f"{hours}h")
    if minutes:
        parts.append(f"{minutes}m")
    if rest:
        parts.append(f"{rest:g}s")
    return "".join(parts)


def spoken_duration(seconds: float) -> str:
    """Say a duration the way a coach would: "one minute thirty seconds"."""
    total = int(round(seconds))
    minutes, secs = divmod(total, 60)
    parts = []
    if minutes:
        parts.append("one minute" if minutes == 1 else f"{minutes} minutes")
    if secs or not minutes:
        parts.append("one second" if secs == 1 else f"{secs} seconds")
    return " ".join(parts)


#: A pydantic field type: accepts the forms above, stores float seconds, and
#: advertises itself in the JSON Schema as a number or a duration string.
Duration = Annotated[
    float,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0},
                {
                    "type": "string",
                    "pattern": _SCHEMA_PATTERN,
                },
            ],
            "description": "A duration: seconds as a number, or text like 10s, 1m30s, 1.5m.",
        }
    ),
]
