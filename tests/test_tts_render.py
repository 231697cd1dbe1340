"""Rendering with the real pyttsx3 + espeak-ng worker: audio checks, watchdog, bad input."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import ROOT
from voicecoach.adapters.audio import Clip, write_wav
from voicecoach.adapters.phrase_cache import PhraseCache
from voicecoach.adapters.synth import Synthesizer
from voicecoach.adapters.tts import Pyttsx3Renderer, check_render, voice_for_language
from voicecoach.errors import EngineError


@pytest.fixture(scope="module")
def renderer():
    with Pyttsx3Renderer() as r:
        yield r


def _zero_crossing_rate(clip: Clip) -> float:
    s = np.sign(clip.samples)
    return float(np.mean(s[1:] != s[:-1])) * clip.rate / 2


def test_rendered_speech_has_plausible_length_level_and_rate(renderer):
    short = renderer.render("Hold.", None, 165)
    long = renderer.render("Inhale, and pull your left knee slowly toward your chest.", None, 165)
    for clip in (short, long):
        assert clip.rate == 22050
        assert clip.samples.dtype == np.float32
        assert 0.02 < clip.rms() < 0.5
        assert clip.peak() <= 1.0
        # speech, not a tone or noise: voiced energy mostly below 4 kHz
        assert 80 < _zero_crossing_rate(clip) < 4000
    assert 0.2 < short.duration < 1.2
    assert 2.0 < long.duration < 6.0
    # starts at once: leading silence is trimmed to a few milliseconds
    assert np.max(np.abs(long.samples[: int(0.02 * long.rate)])) > 0.001


def test_rate_changes_the_length(renderer):
    text = "Lower the leg slowly and breathe out."
    slow = renderer.render(text, None, 120)
    fast = renderer.render(text, None, 240)
    assert slow.duration > 1.5 * fast.duration


def test_the_last_buffer_is_not_lost(renderer):
    """pyttsx3's espeak driver drops the final synthesis buffer; the worker must not."""
    wav = Path(renderer._tmp) / "cli.wav"
    subprocess.run(["espeak-ng", "-s", "165", "-w", str(wav), "one"], check=True)
    reference = check_render(wav, "one")
    ours = renderer.render("one", None, 165)
    assert abs(ours.duration - reference.duration) < 0.05


def test_language_picks_a_matching_voice_and_it_speaks_korean(renderer):
    voices = renderer.voices()
    assert voice_for_language("ko", voices) == "ko"
    assert voice_for_language("en-US", voices) == "gmw/en-us"
    assert voice_for_language("en", voices) is not None
    assert voice_for_language("zz", voices) is None
    korean = renderer.render("숨을 천천히 들이쉬세요", "ko", 165)
    assert korean.duration > 1.0 and korean.rms() > 0.02


def test_a_killed_worker_is_replaced_and_the_next_render_works(renderer):
    renderer.render("warm up", None, 165)
    pid, starts = renderer.pid, renderer.starts
    os.kill(pid, signal.SIGKILL)
    clip = renderer.render("Still here after a crash.", None, 165)
    assert clip.duration > 0.5
    assert renderer.pid != pid and renderer.starts == starts + 1


def test_a_hung_worker_is_killed_by_the_watchdog(renderer):
    renderer.render("warm up", None, 165)
    pid, starts = renderer.pid, renderer.starts
    saved, renderer.timeout = renderer.timeout, 1.0
    try:
        os.kill(pid, signal.SIGSTOP)  # a real hang: the process stops answering
        clip = renderer.render("Still here after a hang.", None, 165)
    finally:
        renderer.timeout = saved
    assert clip.duration > 0.5
    assert renderer.starts == starts + 1
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_bad_text_is_cleaned_or_skipped(renderer, tmp_path):
    synth = Synthesizer(renderer, PhraseCache(tmp_path))
    for text in ("", "   ", "🙂", "<p></p>", "...", "\x00"):
        assert synth.clip(text, None, 165) is None
    emoji = synth.clip("Hold 🙂 <b>still</b>", None, 165)
    plain = synth.clip("Hold still", None, 165)
    assert emoji is not None and plain is not None
    assert abs(emoji.duration - plain.duration) < 0.05
    long = synth.clip(" ".join(["Breathe in slowly, then breathe out."] * 20), None, 200)
    assert long is not None and long.duration > 20
    with pytest.raises(ValueError):
        renderer.render("  ", None, 165)


def test_rejects_empty_truncated_and_silent_files(tmp_path):
    from voicecoach.adapters.tts import _WorkerFailed

    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    silent = tmp_path / "silent.wav"
    write_wav(silent, Clip(np.zeros(22050, np.float32), 22050))
    header_only = tmp_path / "header.wav"
    write_wav(header_only, Clip(np.zeros(0, np.float32), 22050))
    for path in (empty, silent, header_only, tmp_path / "missing.wav"):
        with pytest.raises(_WorkerFailed):
            check_render(path, "some words")


def test_engine_prints_never_reach_the_terminal():
    script = textwrap.dedent("""
        from voicecoach.adapters.tts import Pyttsx3Renderer
        with Pyttsx3Renderer() as r:
            r.render("Audio saved is what pyttsx3 would print.", None, 165)
    """)
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                         text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr
    assert out.stdout == "" and out.stderr == ""


def test_missing_espeak_is_an_engine_error_with_the_install_command(tmp_path):
    # espeak-ng cannot be uninstalled here, so the worker gets a pyttsx3 that fails
    # exactly as the real one does when libespeak-ng.so.1 is absent.
    fake = tmp_path / "pyttsx3"
    fake.mkdir()
    (fake / "__init__.py").write_text(
        "raise RuntimeError('This means you probably do not have eSpeak or eSpeak-ng "
        "installed!')\n")
    renderer = Pyttsx3Renderer(env={"PYTHONPATH": str(tmp_path)})
    try:
        with pytest.raises(EngineError) as err:
            renderer.render("hello", None, 165)
    finally:
        renderer.close()
    assert "espeak-ng" in str(err.value)
    assert "sudo apt install espeak-ng" in str(err.value)
