"""Doctor checks for speech recognition: the model the locator finds, and the engine loading it.

``auto`` uses Vosk when a model for the language is found and PocketSphinx
(US English, inside its wheel) otherwise, so a missing Vosk model is only a
warning for English. The recognizer is really loaded, by the same selection
``voicecoach run`` uses — a model folder that looks whole but does not load,
or lacks a word of the command phrases, is caught here, not in front of the
person.
"""

from __future__ import annotations

import time
from pathlib import Path

from voicecoach.config import Engine
from voicecoach.doctor.checks import CheckResult, Status
from voicecoach.errors import ModelError, VoicecoachError

__all__ = ["check_model", "check_recognizer", "is_english"]


def is_english(language: str) -> bool:
    """PocketSphinx's bundled model covers English only."""
    return language.lower().split("-")[0] == "en"


def check_model(engine: Engine, language: str, explicit: Path | None) -> tuple[CheckResult,
                                                                               Path | None]:
    """Find the Vosk model; return the check and the model folder to load (None: none)."""
    from voicecoach.models import find_model, require_model

    name = "speech model"
    if engine is Engine.SPHINX:
        return CheckResult(name, Status.SKIP, "not needed: speech.engine is sphinx"), None
    try:
        loc = require_model(language, explicit)
    except ModelError as exc:
        found = find_model(language, explicit)
        damaged = found is not None and not found.ok
        if engine is Engine.AUTO and is_english(language) and not damaged:
            return CheckResult(name, Status.WARN,
                               f"no Vosk model for {language!r}: PocketSphinx is used instead",
                               f"for better recognition: {exc.hint}", essential=False), None
        return CheckResult(name, Status.FAIL, exc.message, exc.hint), None
    detail = f"{loc.name} ({loc.origin}, about {loc.memory_mb()} MB) at {loc.path}"
    if loc.memory is not None and loc.memory.tight:
        return CheckResult(name, Status.WARN, f"{detail}; memory is tight",
                           "close other programs or use a smaller model", essential=False), \
            loc.path
    return CheckResult(name, Status.OK, detail), loc.path


def check_recognizer(engine: Engine, language: str, model: Path | None) -> CheckResult:
    """Load the recognizer a session would use, through the session's own selection.

    :func:`~voicecoach.adapters.recognizers.open_recognizer` picks the engine,
    finds and loads the model and builds the command grammar from the
    language's phrase table, so a phrase word missing from the model fails
    here exactly as it would when the session starts.
    """
    from voicecoach.adapters.recognizers import open_recognizer

    name = "recognizer"
    start = time.monotonic()
    try:
        recognizer = open_recognizer(engine, language, model)
    except ImportError as exc:
        return CheckResult(name, Status.FAIL, f"not installed: {exc}",
                           "pip install vosk pocketsphinx (or reinstall voicecoach)")
    except VoicecoachError as exc:  # no model for the language, unknown language, bad model
        return CheckResult(name, Status.FAIL, exc.message,
                           exc.hint or "voicecoach models list; download the model again")
    except Exception as exc:  # a damaged model raises anything the engine likes
        return CheckResult(name, Status.FAIL, f"failed to load: {exc}",
                           "voicecoach models list; download the model again")
    seconds = time.monotonic() - start
    return CheckResult(name, Status.OK, f"{recognizer.info.describe()}, loaded in {seconds:.1f} s")
