"""Every setting the config file knows: its TOML key, type, default, bounds and help.

One table (:data:`FIELDS`) drives everything else: checking a file, reading
environment variables and command-line overrides, ``voicecoach config``'s
listing and the commented file ``voicecoach config --init`` writes. A new
setting is one new row here and one new attribute on
:class:`~voicecoach.config.settings.Settings`.

Values are converted by :func:`convert`, which raises :class:`BadValue` with
what is wrong and how to fix it; the caller adds *where* (file and line,
environment variable, or command-line option).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from voicecoach.core.library import DEFAULT_ROUTINE
from voicecoach.core.progression import DEFAULT_SETTINGS as PROGRESSION

__all__ = ["FIELDS", "FIELDS_BY_KEY", "SECTIONS", "BadValue", "Engine", "Field", "Kind", "convert"]


class Engine(StrEnum):
    """Which speech recognizer to use."""

    AUTO = "auto"
    """Vosk when a model for the language is found, else PocketSphinx (English)."""
    VOSK = "vosk"
    """Vosk only (needs a model: ``voicecoach models``)."""
    SPHINX = "sphinx"
    """PocketSphinx only (US English, ships inside its wheel)."""


class Kind(StrEnum):
    """How a value is read and checked."""

    TEXT = "text"
    """A non-empty string."""
    OPTIONAL_TEXT = "optional text"
    """A string; empty means "not set" (TOML has no null)."""
    PATH = "path"
    """A file or folder path; empty means "not set"; ``~`` is expanded."""
    BOOL = "bool"
    """``true`` or ``false``."""
    INT = "int"
    """A whole number within bounds."""
    FLOAT = "float"
    """A number within bounds."""
    CHOICE = "choice"
    """One of a fixed set of words."""
    WORDS = "words"
    """A list of non-empty strings (phrases)."""
    LANGUAGE = "language"
    """A language tag such as ``en`` or ``en-us``."""


class BadValue(ValueError):
    """A value that cannot be used: ``problem`` says why, ``fix`` what to write instead."""

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.fix = fix


@dataclass(frozen=True, slots=True)
class Field:
    """One setting."""

    key: str
    """Dotted TOML key: ``section.name``."""
    attr: str
    """Attribute on :class:`Settings` (or on ``ProgressionSettings`` for ``progression.*``)."""
    kind: Kind
    """How it is read and checked."""
    default: object
    """Value when nothing sets it."""
    help: str
    """One line for ``config --init`` and ``config``."""
    env: str | None = None
    """Environment variable that sets it (between the file and the command line)."""
    low: float | None = None
    """Smallest allowed number."""
    high: float | None = None
    """Largest allowed number."""
    choices: tuple[str, ...] = field(default=())
    """Allowed words for :attr:`Kind.CHOICE`."""

    @property
    def section(self) -> str:
        """The TOML table the key lives in."""
        return self.key.split(".", 1)[0]

    @property
    def name(self) -> str:
        """The key inside its table."""
        return self.key.split(".", 1)[1]


def _p(name: str, kind: Kind, low: float, high: float, help: str) -> Field:
    """A progression row: the default comes from ``core.progression``'s own defaults."""
    return Field(f"progression.{name}", name, kind, getattr(PROGRESSION, name), help,
                 low=low, high=high)


#: Every setting, in the order ``config`` lists them and ``--init`` writes them.
FIELDS: tuple[Field, ...] = (
    Field("audio.input", "input_device", Kind.OPTIONAL_TEXT, None,
          "microphone: device number or part of its name (voicecoach devices); "
          "empty: the system default", env="VOICECOACH_INPUT"),
    Field("audio.output", "output_device", Kind.OPTIONAL_TEXT, None,
          "speaker: device number or part of its name; empty: the system default",
          env="VOICECOACH_OUTPUT"),
    Field("audio.output_latency", "output_latency", Kind.FLOAT, 0.04,
          "speaker buffer in seconds: less answers sooner, more survives a busy machine "
          "(0.02 underran 114-233 times a minute on a loaded 2-core machine)",
          low=0.005, high=0.5),
    Field("audio.earcons", "earcons", Kind.BOOL, True,
          "short sounds before breath and hold cues"),
    Field("speech.language", "language", Kind.LANGUAGE, "en",
          "language of commands and voice when a routine does not name one (en, de, ko...)"),
    Field("speech.engine", "engine", Kind.CHOICE, Engine.AUTO.value,
          "recognizer: auto (Vosk if a model is found, else PocketSphinx), vosk or sphinx",
          env="VOICECOACH_ENGINE", choices=tuple(e.value for e in Engine)),
    Field("speech.model", "model", Kind.PATH, None,
          "Vosk model folder; empty: search (voicecoach models path)",
          env="VOICECOACH_VOSK_MODEL"),
    Field("speech.voice", "voice", Kind.OPTIONAL_TEXT, None,
          "espeak-ng voice id (voicecoach say --voice); empty: chosen by language"),
    Field("speech.rate", "rate", Kind.FLOAT, 1.0,
          "speaking rate as a multiple of normal, 0.5 to 2", low=0.5, high=2.0),
    Field("speech.volume", "volume", Kind.FLOAT, 0.8,
          "output volume, 0 to 1", low=0.0, high=1.0),
    Field("session.routine", "routine", Kind.TEXT, DEFAULT_ROUTINE,
          "routine started when none is named (voicecoach list)"),
    Field("session.history", "history", Kind.PATH, None,
          "history database file; empty: the user data folder", env="VOICECOACH_HISTORY"),
    _p("step_up_after", Kind.INT, 1, 100,
       "pain-free sessions at one load before a step up is offered"),
    _p("rep_step", Kind.INT, 0, 10, "repetitions added by a step up"),
    _p("hold_step", Kind.FLOAT, 0, 30, "seconds added to holds by a step up"),
    _p("raise_holds_first", Kind.BOOL, 0, 0, "raise holds before repetitions"),
    _p("min_reps_to_raise", Kind.INT, 1, 100,
       "exercises done fewer times than this never get more repetitions"),
    _p("back_reps", Kind.INT, 0, 50, "repetitions taken off after pain"),
    _p("back_hold", Kind.FLOAT, 0, 60, "seconds taken off holds after pain"),
    _p("min_reps", Kind.INT, 1, 100, "stepping back never goes below this many repetitions"),
    _p("min_hold", Kind.FLOAT, 0, 60, "stepping back never makes holds shorter than this"),
    _p("start_max_reps", Kind.INT, 1, 50,
       "most repetitions in a first session (the seeds: no more than 10)"),
    _p("start_max_hold", Kind.FLOAT, 1, 60,
       "longest hold in a first session, seconds (the seeds: at most 10)"),
    Field("serve.wake_word", "wake_word", Kind.TEXT, "coach",
          "waiting mode: a start command begins with this word (\"coach, start my back "
          "routine\"); a bare \"start\" said on its own works too"),
    Field("serve.start_words", "start_words", Kind.WORDS, ("start", "begin"),
          "waiting mode: words that start a routine"),
    Field("serve.announce", "announce", Kind.BOOL, True,
          "waiting mode: say when it is ready to listen"),
    Field("serve.voice_level", "voice_level", Kind.FLOAT, -45.0,
          "waiting mode: loudness (dBFS) that counts as someone speaking; the recognizer "
          "runs only above it", low=-80.0, high=-10.0),
)

FIELDS_BY_KEY: dict[str, Field] = {f.key: f for f in FIELDS}
#: Table names in file order.
SECTIONS: tuple[str, ...] = tuple(dict.fromkeys(f.section for f in FIELDS))

_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:[-_][a-z0-9]{2,8})?$", re.IGNORECASE)
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


def _type_name(value: object) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, str):
        return f"text {value!r}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def convert(spec: Field, value: object, from_text: bool = False) -> object:
    """Check and convert ``value`` for ``spec``.

    ``from_text`` is for environment variables and command-line options,
    where everything arrives as a string: ``"0.9"`` is then a number and
    ``"yes"`` a boolean. In a TOML file types must be right, and the error
    says how to write the value.
    """
    kind = spec.kind
    if kind is Kind.BOOL:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and from_text and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise BadValue(f"expected true or false, got {_type_name(value)}",
                       "write true or false, without quotes")
    if kind in (Kind.INT, Kind.FLOAT):
        return _number(spec, value, from_text)
    if kind is Kind.WORDS:
        return _words(value, from_text)
    if not isinstance(value, str):
        raise BadValue(f"expected text, got {_type_name(value)}", "put the value in quotes")
    text = value.strip()
    if kind is Kind.TEXT:
        if not text:
            raise BadValue("must not be empty", f"remove the line to use {spec.default!r}")
        return text
    if kind is Kind.OPTIONAL_TEXT:
        return text or None
    if kind is Kind.PATH:
        return Path(text).expanduser() if text else None
    if kind is Kind.LANGUAGE:
        if not _LANGUAGE.match(text):
            raise BadValue(f"{text!r} is not a language tag", "write a tag such as en, de or en-us")
        return text.lower().replace("_", "-")
    # Kind.CHOICE
    if text.lower() not in spec.choices:
        import difflib

        close = difflib.get_close_matches(text.lower(), spec.choices, n=1, cutoff=0.5)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise BadValue(f"{text!r} is not one of {', '.join(spec.choices)}",
                       f"{hint}write one of {', '.join(spec.choices)}")
    return text.lower()


def _number(spec: Field, value: object, from_text: bool) -> int | float:
    want_int = spec.kind is Kind.INT
    what = "a whole number" if want_int else "a number"
    number: int | float
    if isinstance(value, str) and from_text:
        try:
            number = int(value) if want_int else float(value)
        except ValueError:
            raise BadValue(f"expected {what}, got {value!r}", f"write {what}") from None
    elif isinstance(value, bool) or not isinstance(value, int | float):
        fix = f"write {what} without quotes" if isinstance(value, str) else f"write {what}"
        raise BadValue(f"expected {what}, got {_type_name(value)}", fix)
    elif want_int and isinstance(value, float):
        raise BadValue(f"expected a whole number, got {value}", f"write {round(value)}")
    else:
        number = value
    if isinstance(number, float) and not math.isfinite(number):
        raise BadValue(f"{number} is not a usable number", f"write {what}")
    low, high = spec.low, spec.high
    if (low is not None and number < low) or (high is not None and number > high):
        lo, hi = f"{low:g}", f"{high:g}"
        raise BadValue(f"{number} is out of range ({lo} to {hi})",
                       f"use a value from {lo} to {hi}")
    return int(number) if want_int else float(number)


def _words(value: object, from_text: bool) -> tuple[str, ...]:
    if isinstance(value, str) and from_text:
        items: list[object] = [part for part in value.split(",")]
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise BadValue(f"expected a list of words, got {_type_name(value)}",
                       'write a list such as ["start", "begin"]')
    words: list[str] = []
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise BadValue(f"every entry must be a non-empty word, got {_type_name(item)}",
                           'write a list such as ["start", "begin"]')
        words.append(" ".join(item.lower().split()))
    if not words:
        raise BadValue("the list is empty", "give at least one word, or remove the line")
    return tuple(words)
