"""Routine discovery: path, user folder, bundled; clashes reported; list and its CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT
from voicecoach.core.diagnostics import RoutineError, Severity
from voicecoach.core.library import (
    DEFAULT_ROUTINE,
    ROUTINES_ENV,
    Origin,
    find_routine,
    list_routines,
    load_routine,
    user_folder,
)
from voicecoach.errors import VoicecoachError

SMALL = """\
title: My own routine
language: de
exercises:
  - name: Atmen
    setup: Leg dich auf den Rücken.
    safety: [Langsam.]
    steps:
      - breaths: 2
"""


@pytest.fixture
def user_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "routines"
    folder.mkdir()
    monkeypatch.setenv(ROUTINES_ENV, str(folder))
    return folder


def test_user_folder_defaults_to_platform_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ROUTINES_ENV, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", "/tmp/xdg-data")
    assert user_folder() == Path("/tmp/xdg-data/voicecoach/routines")


def test_default_routine_loads_from_bundled(user_dir: Path) -> None:
    loaded = load_routine()
    assert loaded.id == DEFAULT_ROUTINE
    assert loaded.path == ROOT / "scripts" / f"{DEFAULT_ROUTINE}.yaml"


def test_user_routine_is_found_by_name(user_dir: Path) -> None:
    (user_dir / "mine.yaml").write_text(SMALL)
    loaded = load_routine("mine")
    assert (loaded.id, loaded.path, loaded.routine.language) == (
        "mine",
        user_dir / "mine.yaml",
        "de",
    )
    found, clashes = find_routine("mine")
    assert found.origin is Origin.USER and clashes == []


def test_explicit_path_wins_and_keeps_its_stem(tmp_path: Path, user_dir: Path) -> None:
    path = tmp_path / "elsewhere" / "try-it.yaml"
    path.parent.mkdir()
    path.write_text(SMALL)
    loaded = load_routine(str(path))
    assert loaded.path == path and loaded.id == "try-it"
    assert loaded.routine.title == "My own routine"
    assert load_routine(path).routine.title == "My own routine"


def test_name_clash_is_reported_naming_both_files(user_dir: Path) -> None:
    (user_dir / "try-it.yaml").write_text(SMALL)
    loaded = load_routine("try-it")
    assert loaded.path == user_dir / "try-it.yaml"
    clash = [w for w in loaded.warnings if w.code == "name-clash"]
    assert len(clash) == 1 and clash[0].severity is Severity.WARNING
    assert str(user_dir / "try-it.yaml") in clash[0].message
    assert str(ROOT / "scripts" / "try-it.yaml") in clash[0].message


def test_yaml_and_yml_with_one_name_clash(user_dir: Path) -> None:
    (user_dir / "twin.yaml").write_text(SMALL)
    (user_dir / "twin.yml").write_text(SMALL)
    found, clashes = find_routine("twin")
    assert found.path.name == "twin.yaml"
    assert "twin.yml" in clashes[0].message


def test_unknown_name_suggests(user_dir: Path) -> None:
    with pytest.raises(VoicecoachError) as info:
        load_routine("siting")
    assert "no routine named 'siting'" in info.value.message
    assert "did you mean 'sitting'" in (info.value.hint or "")


def test_invalid_user_routine_is_listed_not_hidden(user_dir: Path) -> None:
    (user_dir / "broken.yaml").write_text("title: [\n")
    (user_dir / "mine.yaml").write_text(SMALL)
    entries = {e.file.id: e for e in list_routines()}
    assert not entries["broken"].valid
    assert entries["broken"].errors[0].code == "yaml-syntax"
    mine = entries["mine"]
    assert (mine.title, mine.language, mine.exercises, mine.file.origin) == (
        "My own routine",
        "de",
        1,
        Origin.USER,
    )
    # 7 words spoken at 2.5 words/s, 2 paced breaths of 6 s, one rep count.
    assert mine.seconds == pytest.approx(7 / 2.5 + 2 * 6 + 1)
    assert entries["try-it"].file.origin is Origin.BUNDLED
    with pytest.raises(RoutineError):
        load_routine("broken")


def test_cli_list(user_dir: Path, cli) -> None:
    (user_dir / "try-it.yaml").write_text(SMALL)
    (user_dir / "broken.yaml").write_text("title: [\n")
    env = {ROUTINES_ENV: str(user_dir)}
    result = cli("list", env=env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["name", "title", "lang", "exercises", "about", "source"]
    assert any(line.startswith("sitting ") and "Pain when sitting" in line for line in lines)
    assert any(line.startswith("broken ") and "INVALID" in line for line in lines)
    assert "routine name 'try-it' is also used by" in result.stdout
    rows = json.loads(cli("list", "--json", env=env).stdout)
    by_name = {row["name"]: row for row in rows}
    assert by_name["try-it"]["source"] == "user" and by_name["try-it"]["default"]
    assert by_name["lying-standing"]["exercises"] == 5
    assert by_name["broken"]["valid"] is False


def test_bundled_copy_in_user_folder_is_still_valid(user_dir: Path) -> None:
    shutil.copy(ROOT / "scripts" / "sitting.yaml", user_dir / "my-sitting.yaml")
    assert load_routine("my-sitting").routine.title == "Pain when sitting"
