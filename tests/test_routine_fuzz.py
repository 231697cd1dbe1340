"""Property tests: mutated bundled routines never raise anything but RoutineError."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import ROOT
from voicecoach.core.diagnostics import RoutineError, Severity
from voicecoach.core.loader import LoadedRoutine, load_routine_bytes
from voicecoach.core.routine import STEP_KINDS

SOURCES = [p.read_bytes() for p in sorted((ROOT / "scripts").glob("*.yaml"))]
#: Problems that concern the whole file, so they have no line.
FILE_LEVEL = {"too-many-problems", "file-too-large"}
#: Bytes that mean something to YAML, plus a few that mean trouble.
SPECIAL = [
    b":",
    b"-",
    b"&a",
    b"*a",
    b"!!python/object:os.system",
    b"[",
    b"]",
    b"{",
    b"}",
    b'"',
    b"'",
    b"\t",
    b"\n",
    b"#",
    b"|",
    b">",
    b"---\n",
    b"? ",
    b"\x00",
    b"\xff",
    b"\xc3",
    b"  ",
    b"10s",
    b"-5",
    b"yes",
    b"null",
    b"{side}",
    b"{",
    b"1e999",
]
KEYS = [
    b"title",
    b"language",
    b"exercises",
    b"name",
    b"setup",
    b"sides",
    b"reps",
    b"sets",
    b"steps",
    b"rest",
    b"safety",
    b"limits",
    b"max_reps",
    b"max_hold",
    b"reason",
    b"ready",
    *[k.encode() for k in STEP_KINDS],
]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SOURCES)))
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["flip", "delete", "insert", "rename", "duplicate"]))
        if action == "flip":
            data[at] = draw(st.one_of(st.integers(32, 126), st.integers(0, 255)))
        elif action == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        elif action == "insert":
            data[at:at] = draw(st.sampled_from(SPECIAL))
        elif action == "rename":
            old = draw(st.sampled_from(KEYS)) + b":"
            new = draw(st.sampled_from([*KEYS, b"nmae", b"inhal", b"Reps", b"x y", b"on"])) + b":"
            data = bytearray(bytes(data).replace(old, new, draw(st.integers(1, 3))))
        else:
            start = bytes(data).rfind(b"\n", 0, at) + 1
            end = bytes(data).find(b"\n", at)
            end = len(data) if end < 0 else end + 1
            data[end:end] = data[start:end]
    return bytes(data)


def _check(raw: bytes) -> None:
    try:
        loaded = load_routine_bytes(raw, file="fuzz.yaml")
    except RoutineError as exc:
        diagnostics = exc.diagnostics
        assert any(d.severity is Severity.ERROR for d in diagnostics)
    else:
        assert isinstance(loaded, LoadedRoutine)
        diagnostics = list(loaded.warnings)
    for diag in diagnostics:
        assert diag.file == "fuzz.yaml"
        assert diag.message
        if diag.code not in FILE_LEVEL:
            assert diag.line >= 1, diag.format()
        assert "Traceback" not in diag.format()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_routines_fail_only_with_located_routine_errors(raw: bytes) -> None:
    _check(raw)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_fail_only_with_routine_errors(raw: bytes) -> None:
    _check(raw)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(":-[]{}&*!|>'\"#? \n\tabc019")), max_size=300))
def test_yaml_punctuation_soup_fails_only_with_routine_errors(text: str) -> None:
    _check(text.encode())


def test_sources_are_present() -> None:
    assert len(SOURCES) >= 4
    assert all(isinstance(s, bytes) and s for s in SOURCES)
    assert Path(ROOT / "scripts").is_dir()
