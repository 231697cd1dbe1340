"""``voicecoach say`` and ``voicecoach devices`` as a user runs them."""

from __future__ import annotations

import pytest

from tests.conftest import run_cli

# Outside the pulse fixture this machine has no audio device at all, which is
# exactly the "no output device" case a user can hit.
NO_PULSE = {"PULSE_SERVER": "unix:/nonexistent/native"}


def test_say_without_any_output_device_explains_the_fix():
    out = run_cli("say", "hello", env=NO_PULSE)
    assert out.returncode == 2
    assert "No audio output device" in out.stderr and "fix:" in out.stderr
    assert "Traceback" not in out.stderr


def test_unspeakable_text_is_refused_without_touching_a_device():
    out = run_cli("say", "🙂 ...", env=NO_PULSE)
    assert out.returncode == 1 and "nothing speakable" in out.stderr


@pytest.mark.audio
def test_say_devices_and_bad_device_or_voice(pulse_room, tmp_path):
    env = {**pulse_room.env, "VOICECOACH_CACHE_DIR": str(tmp_path / "cache")}
    out = run_cli("devices", env=env)
    assert out.returncode == 0, out.stderr
    assert "Output devices:" in out.stdout and "Input devices:" in out.stdout
    assert "pulse" in out.stdout and out.stdout.count("*") == 2
    out = run_cli("devices", "--output", "pulse", env=env)
    marked = [line for line in out.stdout.splitlines() if line.strip().startswith("*")]
    assert any("pulse" in line for line in marked)

    rec = pulse_room.record(tmp_path / "said.wav")
    out = run_cli("say", "Breathe <b>in</b> 🙂 slowly.", "--device", "pulse", "--cue", "inhale",
                  "--rate", "1.2", env=env)
    rec.terminate()
    rec.wait(timeout=10)
    assert out.returncode == 0, out.stderr
    assert out.stdout == "" and "Audio saved" not in out.stderr
    assert (tmp_path / "said.wav").stat().st_size > 16000  # something was heard
    assert list((tmp_path / "cache").rglob("*.wav"))  # and the phrase was cached

    out = run_cli("say", "hi", "--device", "no such device", env=env)
    assert out.returncode == 2 and "No audio output device matches" in out.stderr
    assert "pulse" in out.stderr  # names what does exist
    out = run_cli("say", "hi", "--voice", "klingon", env=env)
    assert out.returncode == 2 and "No voice 'klingon'" in out.stderr


def test_devices_without_any_device():
    out = run_cli("devices", env=NO_PULSE)
    assert out.returncode == 2 and "No audio devices found" in out.stderr


