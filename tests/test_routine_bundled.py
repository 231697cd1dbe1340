"""The bundled routines: valid, lint-clean, schema-valid, and true to the seeds."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import ROOT
from voicecoach.core.estimate import routine_seconds
from voicecoach.core.library import DEFAULT_ROUTINE, bundled_folder, load_routine
from voicecoach.core.loader import load_routine_file
from voicecoach.core.routine import DEFAULT_MAX_HOLD, DEFAULT_MAX_REPS, StepKind
from voicecoach.core.schema import routine_json_schema
from voicecoach.core.yamlsafe import load_file

BUNDLED = sorted((ROOT / "scripts").glob("*.yaml"))


def test_bundled_folder_is_the_checkout_scripts() -> None:
    assert bundled_folder() == ROOT / "scripts"
    assert {p.stem for p in BUNDLED} >= {"try-it", "lying-standing", "sitting", "any-position"}


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_bundled_routine_is_valid_and_lint_clean(path: Path) -> None:
    loaded = load_routine_file(path)
    assert loaded.warnings == (), [w.format() for w in loaded.warnings]
    assert loaded.id == path.stem
    routine = loaded.routine
    assert routine.language == "en"
    for exercise in routine.exercises:
        assert exercise.setup, f"{exercise.name}: every exercise says its starting position"
        assert exercise.safety, f"{exercise.name}: every exercise has a safety note"
        kinds = [step.kind for step in exercise.steps]
        assert StepKind.INHALE in kinds and StepKind.EXHALE in kinds or StepKind.BREATHS in kinds
        # The seeds' starting limits hold for every bundled exercise.
        assert exercise.reps <= DEFAULT_MAX_REPS
        assert all(s.hold is None or s.hold <= DEFAULT_MAX_HOLD for s in exercise.steps)


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_bundled_routine_matches_the_json_schema(path: Path) -> None:
    schema = routine_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    errors = [e.message for e in validator.iter_errors(load_file(path).data)]
    assert errors == []


def test_try_it_takes_about_two_minutes() -> None:
    seconds = routine_seconds(load_routine("try-it").routine)
    assert 90 <= seconds <= 180


def test_default_routine_is_gentle() -> None:
    routine = load_routine(None).routine
    assert load_routine(None).id == DEFAULT_ROUTINE
    assert routine_seconds(routine) < 5 * 60
    for exercise in routine.exercises:
        assert exercise.reps <= 5
        assert all(s.hold is None or s.hold <= 5 for s in exercise.steps)


def _all_text(name: str) -> str:
    routine = load_routine(name).routine
    parts = [routine.description]
    for ex in routine.exercises:
        parts += [*ex.spoken_texts(), ex.notes, ex.limits.reason or ""]
    return " ".join(parts).lower()


def test_seeds_exercises_are_all_there() -> None:
    lying = _all_text("lying-standing")
    sitting = _all_text("sitting")
    anywhere = _all_text("any-position")
    assert "never lift a straight leg" in lying
    assert "wall" in lying and "1.5 kg" in lying
    assert "do not touch" in lying and "ten seconds at most" in lying
    assert "raise your head" in lying and "raise your pelvis" in lying
    assert "knees toward your chest" in lying
    assert "chair with a high back" in sitting and "arch your lower back" in sitting
    assert "knees wide" in sitting and "between your feet" in sitting
    assert "back straight" in sitting and "buttocks" in sitting
    assert "hands and knees" in anywhere and "twenty minutes" in anywhere
    assert "to the {side}" in anywhere


def test_walking_on_all_fours_is_limited_to_twenty_minutes() -> None:
    walk = load_routine("any-position").routine.exercises[0]
    assert walk.limits.max_duration == 20 * 60
    assert walk.limits.reason


def test_floor_sit_is_limited_to_six_reps() -> None:
    floor_sit = load_routine("sitting").routine.exercises[1]
    assert 5 <= floor_sit.reps <= floor_sit.limits.max_reps == 6


def test_spoken_sentences_are_short() -> None:
    for path in BUNDLED:
        routine = load_routine_file(path).routine
        for exercise in routine.exercises:
            for text in exercise.spoken_texts():
                for sentence in text.split(". "):
                    assert len(sentence.split()) <= 16, f"{path.name}: {sentence!r}"


def test_cli_validate_bundled_scripts(cli) -> None:
    result = cli("validate", *[str(p.relative_to(ROOT)) for p in BUNDLED])
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(BUNDLED)} of {len(BUNDLED)} files valid" in result.stdout
    assert "warning" not in result.stdout


def test_cli_validate_by_name(cli) -> None:
    result = cli("validate", "try-it", "--strict")
    assert result.returncode == 0, result.stdout + result.stderr
    result = cli("validate", "try-ti")
    assert result.returncode == 1
    assert "no routine named 'try-ti'" in result.stdout
    assert "did you mean 'try-it'" in result.stdout


def test_cli_schema_validates_bundled_routines(cli, tmp_path: Path) -> None:
    result = cli("schema")
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    assert schema["$schema"].startswith("https://json-schema.org/draft/2020-12")
    validator = jsonschema.Draft202012Validator(schema)
    for path in BUNDLED:
        assert list(validator.iter_errors(load_file(path).data)) == []
    # Durations render as a number or a duration string, with the bound kept.
    hold = schema["$defs"]["Step"]["properties"]["hold"]["anyOf"][0]
    assert {b["type"] for b in hold["anyOf"]} == {"number", "string"}
    assert '"gt"' not in result.stdout
    # And the schema catches what an editor should underline.
    bad = {"title": "T", "exercises": [{"name": "N", "steps": [{"inhal": "x"}]}]}
    assert list(validator.iter_errors(bad))
    two_kinds = {"title": "T", "exercises": [{"name": "N", "steps": [{"say": "a", "hold": 3}]}]}
    assert list(validator.iter_errors(two_kinds))
    out = tmp_path / "routine.schema.json"
    assert cli("schema", "-o", str(out)).returncode == 0
    assert json.loads(out.read_text()) == schema


def test_readme_example_is_valid_and_its_errors_are_as_shown(tmp_path: Path) -> None:
    import re

    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Routine script files") : readme.index("## Session engine")]
    example = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert example is not None
    good = tmp_path / "my.yaml"
    good.write_text(example.group(1))
    assert load_routine_file(good).warnings == ()
    bad = (
        example.group(1)
        .replace("language:", "langauge:")
        .replace("- inhale:", "- inhal:")
        .replace("hold: 5s", "hold: five seconds")
        .replace("- exhale: Exhale, and put your {side} foot back down.", "- exhale: no")
    )
    good.write_text(bad)
    shown = [
        line for line in section.splitlines() if line.startswith("my.yaml:") and " error: " in line
    ]
    assert len(shown) == 4
    from voicecoach.core.loader import check_routine_file

    assert [d.format() for d in check_routine_file(good, display="my.yaml")] == shown
