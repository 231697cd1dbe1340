"""voicecoach service: the user unit, install / uninstall / status (systemd does not run here)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli
from voicecoach.service import AudioStack, audio_notes, detect_audio_stack, render_unit
from voicecoach.service.unit import exec_command, unit_path


def home_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return {"HOME": str(home), "XDG_CONFIG_HOME": "", "VOICECOACH_CONFIG": "",
            "VOICECOACH_HISTORY": "", "USER": "pi", **extra}


def fake_systemctl(tmp_path: Path, exit_code: int = 0) -> tuple[Path, Path]:
    """A stand-in ``systemctl`` (no systemd in this container) that logs its arguments."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "systemctl.log"
    script = bin_dir / "systemctl"
    script.write_text(f'#!/bin/sh\necho "$@" >> {log}\n'
                      f'[ {exit_code} -eq 0 ] || echo "Failed to connect to bus" >&2\n'
                      f"exit {exit_code}\n")
    script.chmod(0o755)
    return bin_dir, log


def test_unit_path_follows_xdg() -> None:
    assert unit_path({"HOME": "/home/pi"}) == Path("/home/pi/.config/systemd/user/"
                                                   "voicecoach.service")
    assert unit_path({"HOME": "/h", "XDG_CONFIG_HOME": "/c"}) == Path(
        "/c/systemd/user/voicecoach.service")


def test_render_quotes_and_escapes() -> None:
    text = render_unit(["/opt/my venv/bin/python", "-m", "voicecoach", "--config",
                        "/home/pi/100%.toml", "serve"], {"VOICECOACH_HISTORY": "/x y/h.db"})
    assert ('ExecStart="/opt/my venv/bin/python" -m voicecoach --config /home/pi/100%%.toml '
            "serve") in text
    assert 'Environment="VOICECOACH_HISTORY=/x y/h.db"' in text
    assert "@" not in text
    assert exec_command(Path("c.toml"), python="/usr/bin/python3")[-1] == "serve"


def test_audio_detection_and_notes(tmp_path: Path) -> None:
    runtime = tmp_path / "run"
    (runtime / "pulse").mkdir(parents=True)
    (runtime / "pulse" / "native").touch()
    assert detect_audio_stack({"XDG_RUNTIME_DIR": str(runtime)}) is AudioStack.PULSEAUDIO
    (runtime / "pipewire-0").touch()
    assert detect_audio_stack({"XDG_RUNTIME_DIR": str(runtime)}) is AudioStack.PIPEWIRE
    assert any("wpctl set-default" in n for n in audio_notes(AudioStack.PIPEWIRE))
    assert any("usermod -aG audio" in n for n in audio_notes(AudioStack.ALSA))


def test_install_dry_run_changes_nothing(tmp_path: Path) -> None:
    env = home_env(tmp_path, VOICECOACH_ROUTINES="/home/pi/routines")
    out = run_cli("service", "install", "--dry-run", "--audio", "pipewire", env=env)
    assert out.returncode == 0, out.stderr
    unit = tmp_path / "home" / ".config" / "systemd" / "user" / "voicecoach.service"
    lines = out.stdout.splitlines()
    assert lines[0] == f"would write {unit}"
    assert f"    | ExecStart={sys.executable} -m voicecoach serve" in lines
    assert "    | Environment=VOICECOACH_ROUTINES=/home/pi/routines" in lines
    assert f"    | Environment=PYTHONPATH={ROOT}" in lines  # a source checkout
    assert "would run systemctl --user daemon-reload" in lines
    assert "would run systemctl --user enable --now voicecoach.service" in lines
    assert "note: to start at boot without anyone logging in, run once: " \
           "sudo loginctl enable-linger pi" in lines
    assert any(line.startswith("note: audio: PipeWire.") for line in lines)
    assert not (tmp_path / "home" / ".config").exists()


def test_install_with_config_checks_it_first(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[speech]\nengine = 'whisper'\n")
    out = run_cli("service", "install", "--dry-run", "--config", str(config),
                  env=home_env(tmp_path))
    assert out.returncode == 2
    assert f"{config}:2: speech.engine: 'whisper' is not one of auto, vosk, sphinx" in out.stderr
    config.write_text("[speech]\nengine = 'sphinx'\n")
    good = run_cli("service", "install", "--dry-run", "--no-start", "--config", str(config),
                   env=home_env(tmp_path))
    assert f"-m voicecoach --config {config} serve" in good.stdout
    assert "would run systemctl --user enable voicecoach.service" in good.stdout


def test_install_and_uninstall_with_systemctl(tmp_path: Path) -> None:
    bin_dir, log = fake_systemctl(tmp_path)
    env = home_env(tmp_path, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    unit = tmp_path / "home" / ".config" / "systemd" / "user" / "voicecoach.service"
    out = run_cli("service", "install", env=env)
    assert out.returncode == 0, out.stderr
    assert unit.exists() and "ExecStart=" in unit.read_text()
    assert log.read_text().splitlines() == ["--user daemon-reload",
                                            "--user enable --now voicecoach.service"]
    status = run_cli("service", "status", env=env)
    assert status.stdout.splitlines()[0] == f"unit file: {unit}"
    assert "enabled: " in status.stdout
    gone = run_cli("service", "uninstall", env=env)
    assert gone.returncode == 0 and not unit.exists()
    assert log.read_text().splitlines()[-2:] == ["--user disable --now voicecoach.service",
                                                 "--user daemon-reload"]


def test_install_without_a_user_manager_says_what_to_do(tmp_path: Path) -> None:
    bin_dir, _log = fake_systemctl(tmp_path, exit_code=1)
    env = home_env(tmp_path, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    out = run_cli("service", "install", env=env)
    assert out.returncode == 2
    assert "systemctl --user daemon-reload: Failed to connect to bus" in out.stderr
    assert "systemctl --user status" in out.stderr and "Traceback" not in out.stderr


def test_status_when_not_installed(tmp_path: Path) -> None:
    out = run_cli("service", "status", env=home_env(tmp_path))
    assert out.returncode == 0
    assert out.stdout.splitlines()[0].endswith("voicecoach.service (not installed)")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    unit = tmp_path / "voicecoach.service"
    unit.write_text(render_unit(exec_command(None), {"VOICECOACH_HISTORY": "/tmp/h d.db"}))
    out = subprocess.run(["systemd-analyze", "verify", "--user", str(unit)],
                         env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)},
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
