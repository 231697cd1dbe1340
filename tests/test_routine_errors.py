"""A corpus of broken routine files: each gives the expected located message, never a traceback."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from voicecoach.core.diagnostics import Diagnostic, RoutineError, Severity
from voicecoach.core.loader import load_routine_bytes, load_routine_file, load_routine_text

GOOD = """\
title: Test routine
language: en
exercises:
  - name: Knee to chest
    setup: Lie on your back.
    sides: [left, right]
    reps: 5
    steps:
      - inhale: Pull your {side} knee toward your chest.
      - hold: 5s
      - exhale: Lower the leg slowly.
"""


@dataclass(frozen=True)
class Case:
    """One broken file and what its first error must say."""

    id: str
    text: str
    line: int
    field: str
    words: tuple[str, ...]
    column: int | None = None
    count: int = 1


def _swap(old: str, new: str) -> str:
    assert old in GOOD, old
    return GOOD.replace(old, new)


CASES = [
    Case(
        "key-typo",
        _swap("language:", "langauge:"),
        2,
        "langauge",
        ("unknown key", "did you mean 'language'"),
    ),
    Case("key-case", _swap("title:", "Title:"), 1, "Title", ("did you mean 'title'",)),
    Case(
        "step-kind-typo",
        _swap("- inhale:", "- inhal:"),
        9,
        "exercises[0].steps[0].inhal",
        ("unknown step kind 'inhal'", "did you mean 'inhale'"),
        column=9,
    ),
    Case(
        "step-kind-breath",
        _swap("- hold: 5s", "- breath: 3"),
        10,
        "exercises[0].steps[1].breath",
        ("did you mean 'breaths'",),
    ),
    Case(
        "unknown-step-kind",
        _swap("- hold: 5s", "- jump: high"),
        10,
        "exercises[0].steps[1].jump",
        ("unknown step kind 'jump'", "a step is one of: say, inhale, exhale, hold"),
    ),
    Case(
        "reps-text",
        _swap("reps: 5", "reps: five"),
        7,
        "exercises[0].reps",
        ("expected a whole number", "'five'"),
    ),
    Case(
        "reps-float", _swap("reps: 5", "reps: 2.5"), 7, "exercises[0].reps", ("whole number", "2.5")
    ),
    Case(
        "reps-zero",
        _swap("reps: 5", "reps: 0"),
        7,
        "exercises[0].reps",
        ("must be at least 1", "got 0"),
    ),
    Case(
        "reps-over-limit",
        _swap("reps: 5", "reps: 12"),
        7,
        "exercises[0].reps",
        ("reps 12 is above limits.max_reps 10", "give limits.reason"),
    ),
    Case(
        "hold-over-limit",
        _swap("hold: 5s", "hold: 15s"),
        10,
        "exercises[0].steps[1].hold",
        ("hold 15s is above limits.max_hold 10s",),
    ),
    Case(
        "raised-limit-no-reason",
        GOOD + "    limits:\n      max_reps: 15\n",
        13,
        "exercises[0].limits.max_reps",
        ("max_reps 15 is above the safe starting 10", "add 'reason:'"),
    ),
    Case(
        "negative-duration",
        _swap("hold: 5s", "hold: -5s"),
        10,
        "exercises[0].steps[1].hold",
        ("cannot be negative",),
    ),
    Case(
        "negative-number",
        _swap("hold: 5s", "hold: -5"),
        10,
        "exercises[0].steps[1].hold",
        ("cannot be negative",),
    ),
    Case(
        "bad-duration",
        _swap("hold: 5s", "hold: five seconds"),
        10,
        "exercises[0].steps[1].hold",
        ("cannot read 'five seconds' as a duration", "10s"),
    ),
    Case(
        "empty-hold",
        _swap("hold: 5s", "hold:"),
        10,
        "exercises[0].steps[1]",
        ("a step needs one of", "'hold' has no value"),
    ),
    Case(
        "two-kinds",
        _swap("- hold: 5s", "- hold: 5s\n        say: Hold it."),
        11,
        "exercises[0].steps[1].say",
        ("a step has one kind", "hold and say"),
    ),
    Case(
        "missing-title",
        GOOD.replace("title: Test routine\n", ""),
        1,
        "title",
        ("missing required key 'title'",),
    ),
    Case(
        "missing-steps",
        GOOD.split("    steps:")[0],
        4,
        "exercises[0].steps",
        ("missing required key 'steps'",),
    ),
    Case(
        "missing-name",
        _swap("  - name: Knee to chest\n    setup:", "  - setup:"),
        4,
        "exercises[0].name",
        ("missing required key 'name'",),
    ),
    Case(
        "empty-steps",
        GOOD.split("    steps:")[0] + "    steps: []\n",
        8,
        "exercises[0].steps",
        ("at least 1 item",),
    ),
    Case(
        "sides-not-list",
        _swap("sides: [left, right]", "sides: left"),
        6,
        "exercises[0].sides",
        ("expected a list", "[left, right]"),
    ),
    Case(
        "text-is-bool",
        _swap("setup: Lie on your back.", "setup: yes"),
        5,
        "exercises[0].setup",
        ("expected text, got true", "in quotes"),
    ),
    Case(
        "text-is-number",
        _swap("title: Test routine", "title: 42"),
        1,
        "title",
        ("expected text, got 42",),
    ),
    Case(
        "text-empty",
        _swap("setup: Lie on your back.", "setup: ''"),
        5,
        "exercises[0].setup",
        ("text is empty",),
    ),
    Case(
        "step-is-text",
        _swap("- hold: 5s", "- Hold it"),
        10,
        "exercises[0].steps[1]",
        ("expected a mapping", "'Hold it'"),
    ),
    Case(
        "ready-false",
        _swap("- hold: 5s", "- ready: false"),
        10,
        "exercises[0].steps[1].ready",
        ("expected text or true", "got false"),
    ),
    Case(
        "language-code",
        _swap("language: en", "language: English"),
        2,
        "language",
        ("not a language code", "en-GB"),
    ),
    Case(
        "placeholder-typo",
        _swap("{side} knee", "{sdie} knee"),
        9,
        "exercises[0].steps[0].inhale",
        ("unknown placeholder {sdie}",),
    ),
    Case(
        "side-without-sides",
        _swap("    sides: [left, right]\n", ""),
        8,
        "exercises[0].steps[0].inhale",
        ("uses {side} but the exercise has no sides",),
    ),
    Case(
        "exercises-not-list",
        "title: T\nexercises: Knee to chest\n",
        2,
        "exercises",
        ("expected a list",),
    ),
    Case("top-level-list", "- title: T\n", 1, "", ("a routine file is a mapping", "not a list")),
    Case(
        "top-level-text",
        "just some words\n",
        1,
        "",
        ("a routine file is a mapping", "single value"),
    ),
    Case("empty-file", "", 1, "", ("file is empty",)),
    Case("comments-only", "# nothing here\n", 1, "", ("file is empty",)),
    Case(
        "colon-in-text",
        _swap("setup: Lie on your back.", "setup: Note: lie on your back."),
        5,
        "",
        ("YAML syntax", "mapping values are not allowed", "put in quotes"),
        column=16,
    ),
    Case(
        "tab-indent",
        _swap("    setup: Lie", "\tsetup: Lie"),
        5,
        "",
        ("YAML syntax", "spaces, not tabs"),
    ),
    Case(
        "unclosed-quote",
        _swap("setup: Lie on your back.", "setup: 'Lie on your back."),
        5,
        "",
        ("YAML syntax", "quote"),
    ),
    Case(
        "unclosed-bracket",
        _swap("sides: [left, right]", "sides: [left, right"),
        7,
        "",
        ("YAML syntax", "not closed with ']'"),
    ),
    Case("bad-indent", _swap("    setup: Lie", "   setup: Lie"), 5, "", ("YAML syntax",)),
    Case(
        "duplicate-key",
        _swap("    reps: 5\n", "    reps: 5\n    reps: 6\n"),
        8,
        "exercises[0].reps",
        ("duplicate key 'reps'", "first written at line 7"),
    ),
    Case("two-documents", GOOD + "---\ntitle: Second\n", 12, "", ("more than one YAML document",)),
    Case(
        "python-tag",
        "title: !!python/object/apply:os.system ['echo hi']\n",
        1,
        "",
        ("YAML tag", "not allowed"),
    ),
    Case("custom-tag", _swap("hold: 5s", "hold: !seconds 5"), 10, "", ("YAML tag '!seconds'",)),
    Case("anchor", "title: &t Test\nexercises: []\n", 1, "", ("YAML anchor '&t' is not allowed",)),
    Case("complex-key", "? [a, b]\n: c\n", 1, "", ("a key must be a plain name",)),
]


def _diagnostics(text: str | bytes) -> list[Diagnostic]:
    raw = text.encode() if isinstance(text, str) else text
    with pytest.raises(RoutineError) as info:
        load_routine_bytes(raw, file="broken.yaml")
    diags = info.value.diagnostics
    assert diags, "a RoutineError must carry diagnostics"
    for diag in diags:
        assert diag.file == "broken.yaml"
        assert diag.message
    return diags


def test_good_routine_loads() -> None:
    loaded = load_routine_text(GOOD, routine_id="good")
    assert loaded.id == "good"
    assert loaded.routine.exercises[0].steps[1].seconds == 5.0
    assert loaded.warnings == ()
    assert len(loaded.digest) == 64


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_broken_file_is_located(case: Case) -> None:
    diags = _diagnostics(case.text)
    first = diags[0]
    assert first.severity is Severity.ERROR
    assert first.line == case.line, first.format()
    assert first.field == case.field, first.format()
    if case.column is not None:
        assert first.column == case.column, first.format()
    text = first.format()
    for words in case.words:
        assert words in text, text
    assert text.startswith(f"broken.yaml:{case.line}")


def test_all_errors_in_a_file_are_reported_together() -> None:
    text = (
        _swap("language:", "langauge:")
        .replace("- inhale:", "- inhal:")
        .replace("hold: 5s", "hold: soon")
    )
    text += "  - name: Second\n    steps: []\n"
    diags = _diagnostics(text)
    assert [(d.line, d.field) for d in diags] == [
        (2, "langauge"),
        (9, "exercises[0].steps[0].inhal"),
        (10, "exercises[0].steps[1].hold"),
        (13, "exercises[1].steps"),
    ]
    message = str(RoutineError(diags, "broken.yaml"))
    assert "has 4 errors" in message
    assert "voicecoach validate broken.yaml" in message


def test_duplicate_keys_are_all_reported_with_validation_errors() -> None:
    text = GOOD.replace("title: Test routine", "title: A\ntitle: B").replace(
        "reps: 5", "reps: 5\n    reps: 6"
    )
    diags = _diagnostics(text)
    assert [d.code for d in diags] == ["duplicate-key", "duplicate-key"]
    assert [d.line for d in diags] == [2, 9]


def test_too_many_errors_are_capped() -> None:
    exercises = "".join(f"  - nmae: N{i}\n    stpes: []\n" for i in range(100))
    diags = _diagnostics(f"title: T\nexercises:\n{exercises}")
    assert len(diags) == 51  # 400 problems: 50 shown, then a count of the rest
    assert diags[0].line == 3
    assert diags[-1].message == "350 more problems not shown"


# --------------------------------------------------------------------------- hostile input

ALIAS_BOMB = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
    )
    + "title: *i\n"
)


def test_alias_bomb_is_refused_at_the_first_anchor() -> None:
    assert len(ALIAS_BOMB) < 2000
    diags = _diagnostics(ALIAS_BOMB)
    assert len(diags) == 1
    assert diags[0].code == "yaml-anchor"
    assert (diags[0].line, diags[0].column) == (1, 4)
    assert "anchor '&a' is not allowed" in diags[0].message


def test_alias_alone_is_refused() -> None:
    # An alias to an unknown anchor: refused as an alias, not a crash.
    diags = _diagnostics("title: *nowhere\n")
    assert diags[0].code == "yaml-alias"
    assert "alias '*nowhere'" in diags[0].message


def test_merge_key_is_just_an_unknown_key() -> None:
    diags = _diagnostics("<<: {}\ntitle: T\nexercises: []\n")
    assert diags[0].field == "<<"
    assert "unknown key" in diags[0].message


def test_deep_nesting_is_refused() -> None:
    text = "title: " + "[" * 100_000 + "]" * 100_000 + "\n"
    diags = _diagnostics(text)
    assert diags[0].code == "yaml-too-deep"
    assert diags[0].line == 1


def test_deep_block_nesting_is_refused() -> None:
    text = "".join("  " * i + f"k{i}:\n" for i in range(60))
    diags = _diagnostics(text)
    assert diags[0].code == "yaml-too-deep"
    assert diags[0].line == 21


def test_huge_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"title: T\n" + b"# padding\n" * 40_000)
    with pytest.raises(RoutineError) as info:
        load_routine_file(path)
    diag = info.value.diagnostics[0]
    assert diag.code == "file-too-large"
    assert "larger than 256 KB" in diag.message
    assert diag.file == str(path)


def test_many_values_are_refused() -> None:
    text = "title: [" + ",".join(["1"] * 60_000) + "]\n"
    assert len(text) < 256 * 1024
    diags = _diagnostics(text)
    assert diags[0].code == "yaml-too-many-values"


def test_binary_junk_is_refused() -> None:
    junk = bytes(range(256)) * 4
    diags = _diagnostics(junk)
    assert diags[0].code == "binary"
    assert "binary" in diags[0].message


def test_control_character_is_located() -> None:
    diags = _diagnostics(GOOD.replace("Lie on your back.", "Lie on\x07 your back."))
    assert diags[0].code == "binary"
    assert (diags[0].line, diags[0].column) == (5, 18)
    assert "U+0007" in diags[0].message


def test_latin1_is_refused_with_the_position() -> None:
    raw = GOOD.replace("Lie on your back.", "Allongez-vous, détendu.").encode("latin-1")
    diags = _diagnostics(raw)
    assert diags[0].code == "not-utf8"
    assert (diags[0].line, diags[0].column) == (5, 28)
    assert "byte 0xe9" in diags[0].message
    assert "Latin-1" in diags[0].message
    assert "save the file as UTF-8" in diags[0].hint


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_are_refused(encoding: str) -> None:
    diags = _diagnostics(GOOD.encode(encoding))
    assert diags[0].code == "not-utf8"
    assert "UTF-8" in diags[0].message


def test_utf8_with_bom_is_accepted() -> None:
    loaded = load_routine_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    assert loaded.routine.title == "Test routine"


def test_utf8_text_in_other_scripts_is_accepted() -> None:
    text = GOOD.replace("language: en", "language: ko").replace(
        "Lie on your back.", "바닥에 등을 대고 누우세요."
    )
    assert load_routine_text(text).routine.exercises[0].setup == "바닥에 등을 대고 누우세요."


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(RoutineError) as info:
        load_routine_file(tmp_path / "nope.yaml")
    assert info.value.diagnostics[0].code == "file-not-found"
    with pytest.raises(RoutineError) as info:
        load_routine_file(tmp_path)
    assert info.value.diagnostics[0].code == "file-unreadable"


def test_huge_integer_does_not_crash() -> None:
    diags = _diagnostics(_swap("reps: 5", "reps: " + "9" * 5000))
    assert diags[0].field == "exercises[0].reps"


def test_keys_stay_text() -> None:
    # YAML 1.1 would read the key "on" as True; keys are names, so it stays "on".
    diags = _diagnostics(_swap("title: Test routine", "title: Test routine\non: x"))
    assert diags[0].field == "on"
    assert "unknown key 'on'" in diags[0].message


def test_cli_validate_reports_broken_files(tmp_path: Path, cli) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(_swap("- inhale:", "- inhal:"))
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(ALIAS_BOMB)
    result = cli("validate", str(broken), str(bomb), "scripts/try-it.yaml")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert (
        f"{broken}:9:9: error: exercises[0].steps[0].inhal: unknown step kind 'inhal'"
        in result.stdout
    )
    assert f"{bomb}:1:4: error: YAML anchor '&a' is not allowed" in result.stdout
    assert "scripts/try-it.yaml: ok" in result.stdout
    assert "1 of 3 files valid" in result.stdout
