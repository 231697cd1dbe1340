"""The ``--events FILE`` log: one JSON object per line, flushed as it happens.

Each line carries ``t`` (seconds since the session started) and ``type``.
Lines are written and flushed one by one so that a crash or SIGKILL loses
at most the line in flight (power cuts are the SQLite history's job: it
syncs; this log does not, to keep fsync off the live loop's path), and so a test (or a curious user
with ``tail -f``) can follow a live session.
"""

from __future__ import annotations

import dataclasses
import json
from enum import Enum
from pathlib import Path
from typing import IO, Any

from voicecoach.core.actions import Record, SetRate, SetVolume, Speak, StopSpeaking


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, float):
        return round(value, 3)
    return value


def action_fields(action: object) -> dict[str, Any]:
    """The JSON fields for an engine action (``type`` plus its own fields)."""
    if isinstance(action, Record):
        fields: dict[str, Any] = {"type": action.kind.value}
        for name in ("exercise", "exercise_index", "side", "set", "rep"):
            value = getattr(action, name)
            if value is not None:
                fields[name] = value
        fields.update({k: _plain(v) for k, v in action.data.items()})
        return fields
    names = {Speak: "speak", StopSpeaking: "stop_speaking", SetVolume: "volume", SetRate: "rate"}
    kind = names.get(type(action), type(action).__name__.lower())
    fields = {"type": kind}
    if dataclasses.is_dataclass(action):
        for spec in dataclasses.fields(action):
            fields[spec.name] = _plain(getattr(action, spec.name))
    return fields


class EventLog:
    """Append-only JSON-lines writer; a no-op when no path is given."""

    def __init__(self, path: Path | None) -> None:
        self._file: IO[str] | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file = path.open("a", encoding="utf-8", buffering=1)

    def write(self, t: float, type_: str, **fields: Any) -> None:
        """Write one event now."""
        if self._file is None:
            return
        line = {"t": round(t, 3), "type": type_}
        line.update({k: _plain(v) for k, v in fields.items() if k not in ("t", "type")})
        self._file.write(json.dumps(line, ensure_ascii=False) + "\n")
        self._file.flush()

    def action(self, t: float, action: object) -> None:
        """Write an engine action as an event."""
        fields = action_fields(action)
        self.write(t, fields.pop("type"), **fields)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
