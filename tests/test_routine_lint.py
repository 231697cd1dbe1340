"""The breath rule and the other warnings: shown by validate, never blocking a load."""

from __future__ import annotations

from pathlib import Path

from voicecoach.core.diagnostics import Severity
from voicecoach.core.loader import load_routine_text

HEAD = """\
title: Lint test
exercises:
  - name: Lift
    setup: Lie on your back.
    reps: 3
    steps:
"""


def _warnings(steps: str, extra: str = "") -> list[tuple[int, str, str]]:
    loaded = load_routine_text(HEAD + steps + extra, file="lint.yaml")
    for warning in loaded.warnings:
        assert warning.severity is Severity.WARNING
        assert warning.file == "lint.yaml"
        assert warning.hint
    return [(w.line, w.field, w.code) for w in loaded.warnings]


def test_effort_on_inhale_return_on_exhale_is_clean() -> None:
    steps = "      - inhale: Lift.\n      - hold: 5s\n      - exhale: Lower.\n"
    assert _warnings(steps) == []


def test_hold_right_after_exhale() -> None:
    steps = "      - inhale: Lift.\n      - exhale: Lower.\n      - say: Now.\n      - hold: 5s\n"
    assert _warnings(steps) == [(10, "exercises[0].steps[3]", "breath-hold-after-exhale")]


def test_hold_without_inhale() -> None:
    steps = "      - say: Lift your leg.\n      - hold: 5s\n      - say: Lower it.\n"
    assert _warnings(steps) == [(8, "exercises[0].steps[1]", "breath-hold-without-inhale")]


def test_effort_never_released() -> None:
    steps = "      - inhale: Lift.\n      - hold: 5s\n"
    assert _warnings(steps) == [(7, "exercises[0].steps[0]", "breath-no-exhale")]


def test_double_inhale_and_exhale_first() -> None:
    steps = (
        "      - exhale: Breathe out.\n"
        "      - inhale: Lift.\n"
        "      - inhale: Higher.\n"
        "      - exhale: Lower.\n"
    )
    assert _warnings(steps) == [
        (7, "exercises[0].steps[0]", "breath-exhale-first"),
        (9, "exercises[0].steps[2]", "breath-double-inhale"),
    ]


def test_breathing_only_exercise_is_clean() -> None:
    assert _warnings("      - breaths: 3\n") == []


def test_long_sentence_and_missing_setup() -> None:
    long = " ".join(["word"] * 25) + "."
    text = (
        HEAD.replace("    setup: Lie on your back.\n", "")
        + f"      - inhale: {long}\n      - exhale: Down.\n"
    )
    loaded = load_routine_text(text)
    assert [(w.line, w.code) for w in loaded.warnings] == [(3, "no-setup"), (6, "long-sentence")]
    assert "25 words" in loaded.warnings[1].message


def test_estimate_over_max_duration() -> None:
    steps = "      - inhale: Lift.\n      - hold: 10s\n      - exhale: Lower.\n"
    extra = "    limits:\n      max_duration: 30s\n"
    assert _warnings(steps, extra)[-1][2] == "over-max-duration"


def test_cli_validate_shows_warnings_and_strict_fails(tmp_path: Path, cli) -> None:
    path = tmp_path / "warn.yaml"
    path.write_text(HEAD + "      - say: Lift your leg.\n      - hold: 5s\n")
    result = cli("validate", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{path}:8:9: warning: exercises[0].steps[1]: hold without an inhale" in result.stdout
    assert f"{path}: ok (1 warning)" in result.stdout
    strict = cli("validate", "--strict", str(path))
    assert strict.returncode == 1
    assert f"{path}: invalid (1 warning)" in strict.stdout


def test_a_hold_line_longer_than_the_hold() -> None:
    """'Hold for three seconds. Keep the arch. Let the chair hold you.' outlasts 3 s."""
    long_cue = ("      - inhale: Lift.\n      - hold: 3s\n"
                "        cue: Keep the arch. Let the chair hold you.\n      - exhale: Lower.\n")
    assert _warnings(long_cue) == [(9, "exercises[0].steps[1].cue", "hold-line-too-long")]
    short_cue = long_cue.replace("Keep the arch. Let the chair hold you.", "Keep the arch.")
    assert _warnings(short_cue) == []
    long_hold = long_cue.replace("hold: 3s", "hold: 8s")
    assert _warnings(long_hold) == []


def test_the_hold_line_estimate_agrees_with_the_voice() -> None:
    """The flagged line really takes longer than its hold in the product's voice, and
    the shortened one does not (pyttsx3 + espeak-ng at the default rate)."""
    from voicecoach.adapters.tts import DEFAULT_WPM, Pyttsx3Renderer

    with Pyttsx3Renderer() as renderer:
        flagged = renderer.render("Hold for three seconds. Keep the arch. Let the chair hold you.",
                                  None, DEFAULT_WPM)
        kept = renderer.render("Hold for three seconds. Keep the arch.", None, DEFAULT_WPM)
    assert flagged.duration > 3.0 + 0.5
    assert kept.duration < 3.0 + 0.5
