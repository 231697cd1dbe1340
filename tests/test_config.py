"""Settings: defaults, file, environment and command line, with located errors."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from voicecoach.config import (
    FIELDS,
    ConfigError,
    Engine,
    Origin,
    default_file_text,
    load_settings,
    write_default_file,
)
from voicecoach.config.locate import key_lines
from voicecoach.core.progression import DEFAULT_SETTINGS, ProgressionSettings
from voicecoach.errors import VoicecoachError

NO_ENV: dict[str, str] = {}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(exc: pytest.ExceptionInfo[ConfigError]) -> list[str]:
    return [p.format() for p in exc.value.problems]


def test_defaults_without_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    settings = load_settings({}, config_path=None, env=NO_ENV)
    assert settings.engine is Engine.AUTO
    assert settings.rate == 1.0 and settings.volume == 0.8
    assert settings.progression == DEFAULT_SETTINGS
    assert settings.start_words == ("start", "begin")
    assert all(settings.source(f.key).origin is Origin.DEFAULT for f in FIELDS)


def test_default_path_follows_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.delenv("VOICECOACH_CONFIG", raising=False)
    settings = load_settings({})
    assert settings.config_path == tmp_path / "voicecoach" / "config.toml"
    assert not settings.config_found


def test_file_values_and_their_lines(tmp_path: Path) -> None:
    path = write(tmp_path, (
        "# my settings\n"
        "[audio]\n"
        'input = "USB"\n'
        "earcons = false\n"
        "\n"
        "[speech]\n"
        'engine = "Vosk"\n'
        'model = "models/small"\n'
        "rate = 1.2\n"
        "[progression]\n"
        "step_up_after = 5\n"
        "hold_step = 1\n"
        "[serve]\n"
        'start_words = ["Start", "go  ahead"]\n'
    ))
    settings = load_settings({}, config_path=path, env=NO_ENV)
    assert settings.config_found
    assert settings.input_device == "USB" and settings.output_device is None
    assert settings.earcons is False
    assert settings.engine is Engine.VOSK
    assert settings.model == tmp_path / "models" / "small"  # relative to the file
    assert settings.rate == 1.2
    assert settings.progression == ProgressionSettings(step_up_after=5, hold_step=1.0)
    assert isinstance(settings.progression.hold_step, float)
    assert settings.start_words == ("start", "go ahead")
    assert str(settings.source("speech.rate")) == f"config file ({path}:9)"
    assert settings.source("progression.step_up_after").detail == f"{path}:11"
    assert settings.source("speech.volume").origin is Origin.DEFAULT


def test_environment_over_file_and_command_line_over_both(tmp_path: Path) -> None:
    path = write(tmp_path, '[session]\nhistory = "/a/history.db"\n[speech]\nengine = "vosk"\n')
    env = {"VOICECOACH_HISTORY": "/b/history.db", "VOICECOACH_ENGINE": "sphinx"}
    settings = load_settings({"engine": None, "history": "/c/h.db", "speech.rate": "0.7"},
                             config_path=path, env=env)
    assert settings.history == Path("/c/h.db")
    assert settings.source("session.history").origin is Origin.COMMAND_LINE
    assert settings.source("session.history").detail == "--history"
    assert settings.engine is Engine.SPHINX  # None override ignored: the environment stands
    assert settings.source("speech.engine").detail == "$VOICECOACH_ENGINE"
    assert settings.rate == 0.7


def test_config_file_named_by_environment(tmp_path: Path) -> None:
    path = write(tmp_path, "[speech]\nvolume = 0.3\n")
    settings = load_settings({}, env={"VOICECOACH_CONFIG": str(path)})
    assert settings.volume == 0.3 and settings.config_path == path


def test_every_bad_value_reported_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, (
        "[speech]\n"
        "rate = 3\n"
        'engin = "vosk"\n'
        "language = 5\n"
        'engine = "vosc"\n'
        "[audio]\n"
        "volume = 0.5\n"
        'earcons = "yes"\n'
        "[sesion]\n"
        "x = 1\n"
        "[progression]\n"
        "rep_step = 1.5\n"
        "min_reps = 0\n"
        "[serve]\n"
        "start_words = []\n"
    ))
    with pytest.raises(ConfigError) as exc:
        load_settings({}, config_path=path, env=NO_ENV)
    assert problems(exc) == [
        f"{path}:2: speech.rate: 3 is out of range (0.5 to 2); use a value from 0.5 to 2",
        f"{path}:3: speech.engin: unknown key; did you mean 'engine'?",
        f"{path}:4: speech.language: expected text, got the number 5; put the value in quotes",
        f"{path}:5: speech.engine: 'vosc' is not one of auto, vosk, sphinx; "
        "did you mean 'vosk'? write one of auto, vosk, sphinx",
        f"{path}:7: audio.volume: unknown key; it belongs in [speech]",
        f"{path}:8: audio.earcons: expected true or false, got text 'yes'; "
        "write true or false, without quotes",
        f"{path}:9: sesion: unknown section; did you mean [session]?",
        f"{path}:12: progression.rep_step: expected a whole number, got 1.5; write 2",
        f"{path}:13: progression.min_reps: 0 is out of range (1 to 100); use a value from 1 to 100",
        f"{path}:15: serve.start_words: the list is empty; give at least one word, "
        "or remove the line",
    ]
    assert "voicecoach config" in str(exc.value)


def test_syntax_error_has_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "[speech]\nrate = \n")
    with pytest.raises(ConfigError) as exc:
        load_settings({}, config_path=path, env=NO_ENV)
    assert problems(exc)[0].startswith(f"{path}:2:8: TOML syntax: Invalid value;")


def test_missing_named_file_unreadable_and_not_utf8(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        load_settings({}, config_path=tmp_path / "nope.toml", env=NO_ENV)
    path = tmp_path / "latin.toml"
    path.write_bytes(b'[speech]\nvoice = "\xe9"\n')
    with pytest.raises(ConfigError) as exc:
        load_settings({}, config_path=path, env=NO_ENV)
    assert problems(exc) == [f"{path}:2: not UTF-8 text; save the file as UTF-8"]


def test_bad_environment_and_command_line_values_are_named() -> None:
    with pytest.raises(ConfigError) as exc:
        load_settings({"volume": "loud", "speed": 2, "earcons": "maybe"},
                      env={"VOICECOACH_ENGINE": "whisper"})
    assert problems(exc) == [
        "$VOICECOACH_ENGINE: speech.engine: 'whisper' is not one of auto, vosk, sphinx; "
        "write one of auto, vosk, sphinx",
        "--volume: speech.volume: expected a number, got 'loud'; write a number",
        "command line: speed: unknown setting; see voicecoach config",
        "--earcons: audio.earcons: expected true or false, got text 'maybe'; "
        "write true or false, without quotes",
    ]


def test_command_line_text_forms() -> None:
    settings = load_settings({"earcons": "off", "start_words": "start, go", "step_up_after": "4",
                              "announce": False, "language": "EN_us"}, env=NO_ENV)
    assert settings.earcons is False and settings.announce is False
    assert settings.start_words == ("start", "go")
    assert settings.progression.step_up_after == 4
    assert settings.language == "en-us"


def test_default_file_parses_and_means_the_defaults(tmp_path: Path) -> None:
    text = default_file_text()
    tomllib.loads(text)
    path = write_default_file(tmp_path / "sub" / "config.toml")
    settings = load_settings({}, config_path=path, env=NO_ENV)
    assert settings.config_found
    assert all(settings.source(f.key).origin is Origin.DEFAULT for f in FIELDS)
    # uncommenting a line is all it takes
    path.write_text(text.replace("# rate = 1.0", "rate = 1.5"), encoding="utf-8")
    assert load_settings({}, config_path=path, env=NO_ENV).rate == 1.5
    with pytest.raises(VoicecoachError, match="already exists"):
        write_default_file(path)


def test_key_lines_scan() -> None:
    text = (
        'title = "x"\n'
        "[ speech ]  # comment\n"
        "words = [\n"
        '  "rate = 1",\n'
        "]\n"
        'note = """\n'
        "engine = 2\n"
        '"""\n'
        "engine = 'vosk'\n"
        'serve.wake_word = "hey"\n'
    )
    assert key_lines(text) == {
        "title": 1, "speech": 2, "speech.words": 3, "speech.note": 6, "speech.engine": 9,
        "speech.serve.wake_word": 10,
    }


def test_cli_config_shows_sources_and_errors(cli, tmp_path: Path) -> None:
    path = write(tmp_path, "[speech]\nrate = 1.25\n")
    out = cli("--config", str(path), "config", env={"VOICECOACH_HISTORY": "/tmp/h.db"})
    assert out.returncode == 0, out.stderr
    lines = {line.split()[0]: line for line in out.stdout.splitlines()[1:]}
    assert lines["speech.rate"].split()[1:] == ["1.25", "config", "file", f"({path}:2)"]
    assert "environment ($VOICECOACH_HISTORY)" in lines["session.history"]
    assert lines["speech.volume"].endswith("default")

    data = json.loads(cli("config", "--json", "--config", str(path)).stdout)
    assert {"key": "speech.rate", "value": 1.25, "origin": "config file",
            "where": f"{path}:2"} in data["settings"]

    path.write_text("[speech]\nrate = 'fast'\n", encoding="utf-8")
    bad = cli("config", "--config", str(path))
    assert bad.returncode == 2
    assert f"{path}:2: speech.rate: expected a number, got text 'fast'" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_cli_config_path_and_init(cli, tmp_path: Path) -> None:
    env = {"XDG_CONFIG_HOME": str(tmp_path), "VOICECOACH_CONFIG": ""}
    expected = tmp_path / "voicecoach" / "config.toml"
    assert cli("config", "--path", env=env).stdout.strip() == str(expected)
    made = cli("config", "--init", env=env)
    assert made.returncode == 0 and expected.exists()
    again = cli("config", "--init", env=env)
    assert again.returncode == 2 and "already exists" in again.stderr
    assert cli("config", "--init", "--force", env=env).returncode == 0
    shown = cli("config", env=env)
    assert shown.returncode == 0 and shown.stdout.startswith(f"config file: {expected}\n")
