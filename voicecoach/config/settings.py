"""The effective settings: defaults, then the config file, then the environment, then options.

:func:`load_settings` reads the TOML file (stdlib :mod:`tomllib`), checks
every value against :data:`~voicecoach.config.fields.FIELDS`, and reports
*all* problems at once as a :class:`ConfigError` whose lines read
``config.toml:12: speech.rate: 3.5 is out of range (0.5 to 2); use a value
from 0.5 to 2``, with "did you mean" for misspelled keys. The result is a
frozen :class:`Settings` that remembers where each value came from, so
``voicecoach config`` can say why the coach talks so fast.

Precedence, lowest first: default, config file, environment variable,
command line. The file is ``$VOICECOACH_CONFIG`` or the ``--config`` option
when given (it must exist then), else ``config.toml`` in the platform config
folder (``~/.config/voicecoach/config.toml`` on Linux; it may be missing).
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from enum import StrEnum
from pathlib import Path

from voicecoach.config.fields import FIELDS, FIELDS_BY_KEY, SECTIONS, BadValue, Engine, convert
from voicecoach.config.locate import key_lines
from voicecoach.core.progression import ProgressionSettings
from voicecoach.errors import VoicecoachError

__all__ = [
    "CONFIG_ENV",
    "ConfigError",
    "ConfigProblem",
    "Origin",
    "Settings",
    "Source",
    "default_config_path",
    "load_settings",
    "resolve_config_path",
]

#: Environment variable naming the config file.
CONFIG_ENV = "VOICECOACH_CONFIG"
#: Largest config file read (a config file is a few KB; anything bigger is a mistake).
MAX_CONFIG_BYTES = 256 * 1024
NEWLINE = b"\n"


class Origin(StrEnum):
    """Where an effective value came from, lowest precedence first."""

    DEFAULT = "default"
    FILE = "config file"
    ENV = "environment"
    COMMAND_LINE = "command line"


@dataclass(frozen=True, slots=True)
class Source:
    """Where one value came from, precisely."""

    origin: Origin
    """Which layer."""
    detail: str = ""
    """``config.toml:12``, ``$VOICECOACH_HISTORY`` or ``--rate``; empty for defaults."""

    def __str__(self) -> str:
        return f"{self.origin} ({self.detail})" if self.detail else str(self.origin)


@dataclass(frozen=True, slots=True)
class ConfigProblem:
    """One bad value or key."""

    where: str
    """``file:line``, ``$VARIABLE`` or ``--option``."""
    key: str
    """The dotted key."""
    problem: str
    """What is wrong."""
    fix: str
    """What to write instead."""

    def format(self) -> str:
        """``where: key: problem; fix``."""
        head = f"{self.where}: {self.key}: " if self.key else f"{self.where}: "
        return f"{head}{self.problem}; {self.fix}"


class ConfigError(VoicecoachError):
    """The config file, an environment variable or an option holds values that cannot be used."""

    def __init__(self, problems: list[ConfigProblem], path: Path | None = None) -> None:
        self.problems = tuple(problems)
        self.path = path
        lines = "\n".join(p.format() for p in self.problems)
        count = len(self.problems)
        summary = f"{count} problem{'s' if count != 1 else ''} in the settings"
        hint = "correct the values named above"
        if path is not None:
            hint += f" (the config file is {path}), then check with: voicecoach config"
        super().__init__(f"{lines}\n{summary}", hint)


@dataclass(frozen=True, slots=True)
class Settings:
    """Every effective setting, with :attr:`sources` saying where each came from.

    Field names are the attributes of :data:`~voicecoach.config.fields.FIELDS`;
    the ``progression.*`` keys are gathered into :attr:`progression`.
    """

    input_device: str | None
    """Microphone: device number or part of its name; None: system default."""
    output_device: str | None
    """Speaker: device number or part of its name; None: system default."""
    output_latency: float
    """Seconds of audio the speaker's stream keeps buffered (PortAudio latency)."""
    earcons: bool
    """Short sounds before breath and hold cues."""
    language: str
    """Language tag used when a routine names none."""
    engine: Engine
    """Recognizer choice: auto, vosk or sphinx."""
    model: Path | None
    """Vosk model folder (an explicit path for the models locator); None: search."""
    voice: str | None
    """espeak-ng voice id; None: chosen by language."""
    rate: float
    """Speaking rate factor, 0.5 to 2."""
    volume: float
    """Output gain, 0 to 1."""
    routine: str
    """Default routine name (or path)."""
    history: Path | None
    """History database file; None: the default place (``resolve_history_path``)."""
    progression: ProgressionSettings
    """The progression rules' numbers."""
    wake_word: str
    """Waiting mode: the word that addresses the coach."""
    start_words: tuple[str, ...]
    """Waiting mode: words that start a routine."""
    announce: bool
    """Waiting mode: say when ready."""
    voice_level: float
    """Waiting mode: dBFS above which sound counts as speech."""
    config_path: Path
    """The config file consulted (it may not exist)."""
    config_found: bool
    """Whether that file exists and was read."""
    sources: Mapping[str, Source]
    """Dotted key -> where its value came from."""

    def value(self, key: str) -> object:
        """The effective value of a dotted key (``speech.rate``, ``progression.rep_step``)."""
        spec = FIELDS_BY_KEY[key]
        if spec.section == "progression":
            return getattr(self.progression, spec.attr)
        return getattr(self, spec.attr)

    def source(self, key: str) -> Source:
        """Where the value of a dotted key came from."""
        return self.sources[key]


def default_config_path() -> Path:
    """``config.toml`` in the platform config folder (``~/.config/voicecoach`` on Linux)."""
    import platformdirs

    return Path(platformdirs.user_config_dir("voicecoach", appauthor=False)) / "config.toml"


def resolve_config_path(config_path: str | os.PathLike[str] | None = None,
                        env: Mapping[str, str] | None = None) -> tuple[Path, bool]:
    """The config file to read and whether the person named it (then it must exist)."""
    environ = os.environ if env is None else env
    if config_path is not None:
        return Path(config_path).expanduser(), True
    named = environ.get(CONFIG_ENV, "").strip()
    if named:
        return Path(named).expanduser(), True
    return default_config_path(), False


def _alias(key: str) -> str | None:
    """Accept ``speech.rate``, ``rate`` (the Settings attribute) or ``rate`` with dashes."""
    key = key.replace("-", "_")
    if key in FIELDS_BY_KEY:
        return key
    for spec in FIELDS:
        if spec.attr == key:
            return spec.key
    return None


def _option_name(key: str) -> str:
    return "--" + FIELDS_BY_KEY[key].name.replace("_", "-")


def load_settings(overrides: Mapping[str, object] | None = None,
                  config_path: str | os.PathLike[str] | None = None,
                  env: Mapping[str, str] | None = None) -> Settings:
    """Read the effective settings; raise :class:`ConfigError` listing every bad value.

    ``overrides`` are command-line values keyed by dotted key (``speech.rate``)
    or by :class:`Settings` attribute (``rate``, ``output_device``); ``None``
    values are ignored, so an argparse namespace's unset options can be passed
    as they are. Strings are parsed as on the command line (``"0.9"``,
    ``"yes"``, ``"start,begin"``). ``env`` defaults to :data:`os.environ`.
    """
    environ = os.environ if env is None else env
    path, named = resolve_config_path(config_path, environ)
    problems: list[ConfigProblem] = []
    values: dict[str, object] = {spec.key: spec.default for spec in FIELDS}
    sources: dict[str, Source] = {spec.key: Source(Origin.DEFAULT) for spec in FIELDS}

    found = _read_file(path, named, values, sources, problems)
    for spec in FIELDS:
        text = environ.get(spec.env, "") if spec.env else ""
        if spec.env and text.strip():
            _take(spec.key, text, True, Source(Origin.ENV, f"${spec.env}"), values, sources,
                  problems)
    for name, raw in (overrides or {}).items():
        if raw is None:  # an option not given
            continue
        key = _alias(name)
        if key is None:
            close = difflib.get_close_matches(name, list(FIELDS_BY_KEY), n=1, cutoff=0.6)
            problems.append(ConfigProblem(
                "command line", name, "unknown setting",
                f"did you mean {close[0]!r}?" if close else "see voicecoach config"))
            continue
        _take(key, raw, isinstance(raw, str), Source(Origin.COMMAND_LINE, _option_name(key)),
              values, sources, problems)
    if problems:
        raise ConfigError(problems, path)
    return _build(values, sources, path, found)


def _take(key: str, raw: object, from_text: bool, source: Source, values: dict[str, object],
          sources: dict[str, Source], problems: list[ConfigProblem]) -> None:
    try:
        values[key] = convert(FIELDS_BY_KEY[key], raw, from_text)
    except BadValue as bad:
        where = source.detail or str(source.origin)
        problems.append(ConfigProblem(where, key, bad.problem, bad.fix))
        return
    sources[key] = source


def _read_file(path: Path, named: bool, values: dict[str, object], sources: dict[str, Source],
               problems: list[ConfigProblem]) -> bool:
    """Apply the file's values; False when there is no file (fine unless it was named)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        if named:
            problems.append(ConfigProblem(str(path), "", "no such config file",
                                          "check the path, or create it with: voicecoach config "
                                          f"--init --config {path}"))
        return False
    except OSError as exc:
        problems.append(ConfigProblem(str(path), "", f"cannot read the file ({exc.strerror})",
                                      "check its permissions"))
        return False
    if len(data) > MAX_CONFIG_BYTES:
        problems.append(ConfigProblem(str(path), "", f"file is {len(data)} bytes, larger than "
                                      f"{MAX_CONFIG_BYTES}", "is this the right file?"))
        return True
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(NEWLINE) + 1
        problems.append(ConfigProblem(f"{path}:{line}", "", "not UTF-8 text",
                                      "save the file as UTF-8"))
        return True
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.append(_syntax_problem(path, exc))
        return True
    lines = key_lines(text)

    def where(key: str) -> str:
        line = lines.get(key) or lines.get(key.split(".", 1)[0], 0)
        return f"{path}:{line}" if line else str(path)

    for section, body in table.items():
        if section not in SECTIONS:
            problems.append(_unknown(where(section), section, is_section=True))
            continue
        if not isinstance(body, dict):
            problems.append(ConfigProblem(where(section), section,
                                          "expected a table of settings",
                                          f"write it as a [{section}] header with key = value "
                                          "lines under it"))
            continue
        for name, raw in body.items():
            key = f"{section}.{name}"
            if key not in FIELDS_BY_KEY:
                problems.append(_unknown(where(key), key, is_section=False))
                continue
            _take(key, raw, False, Source(Origin.FILE, where(key)), values, sources, problems)
            value = values[key]
            if isinstance(value, Path) and not value.is_absolute():
                # relative to the file, so the file means the same from any folder
                values[key] = path.parent / value
    return True


_SYNTAX_AT = re.compile(r"^(.*?)\s*\(at line (\d+), column (\d+)\)\s*$")


def _syntax_problem(path: Path, exc: tomllib.TOMLDecodeError) -> ConfigProblem:
    message = str(exc)
    match = _SYNTAX_AT.match(message)
    if match:
        where = f"{path}:{match.group(2)}:{match.group(3)}"
        message = match.group(1)
    else:
        where = str(path)
    return ConfigProblem(where, "", f"TOML syntax: {message}",
                         'write settings as key = value, text in "quotes" '
                         "(see voicecoach config --init)")


def _unknown(where: str, key: str, is_section: bool) -> ConfigProblem:
    if is_section:
        close = difflib.get_close_matches(key, SECTIONS, n=1, cutoff=0.6)
        fix = f"did you mean [{close[0]}]?" if close else f"known sections: {', '.join(SECTIONS)}"
        return ConfigProblem(where, key, "unknown section", fix)
    section, name = key.split(".", 1)
    same = [f.name for f in FIELDS if f.section == section]
    close = difflib.get_close_matches(name, same, n=1, cutoff=0.6)
    if close:
        fix = f"did you mean {close[0]!r}?"
    else:
        elsewhere = [f.key for f in FIELDS if f.name == name]
        anywhere = elsewhere or difflib.get_close_matches(
            name, [f.name for f in FIELDS], n=1, cutoff=0.7)
        if elsewhere:
            fix = f"it belongs in [{elsewhere[0].split('.')[0]}]"
        elif anywhere:
            match = next(f for f in FIELDS if f.name == anywhere[0])
            fix = f"did you mean {match.key!r}?"
        else:
            fix = f"known keys in [{section}]: {', '.join(same)}"
    return ConfigProblem(where, key, "unknown key", fix)


def _build(values: dict[str, object], sources: dict[str, Source], path: Path,
           found: bool) -> Settings:
    progression = ProgressionSettings(**{  # type: ignore[arg-type]
        f.attr: values[f.key] for f in FIELDS if f.section == "progression"})
    plain = {f.attr: values[f.key] for f in FIELDS if f.section != "progression"}
    plain["engine"] = Engine(str(plain["engine"]))
    expected = {f.name for f in fields(Settings)} - {
        "progression", "config_path", "config_found", "sources"}
    if set(plain) != expected:  # a FIELDS row without its Settings attribute: a bug here
        raise RuntimeError(f"config fields and Settings differ: {set(plain) ^ expected}")
    return Settings(progression=progression, config_path=path, config_found=found,
                    sources=dict(sources), **plain)  # type: ignore[arg-type]
