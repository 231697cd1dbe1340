"""Warnings for routines that load but probably do not say what was meant.

The seeds' breath rule is "exercise is performed on inspiration, and the
initial position is taken on exhalation": the effort (and any hold of it)
belongs to the inhale, the return to the exhale. A routine can break that
rule and still be valid data, and there are legitimate exceptions, so these
are *warnings*: ``voicecoach validate`` shows them, loading still succeeds.

Also checked, because every text is heard rather than read: sentences too
long to follow by ear, hold lines that take longer to say than the hold, and
exercises that never say the starting position.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from voicecoach.core.diagnostics import Diagnostic, Severity, format_path
from voicecoach.core.durations import format_duration
from voicecoach.core.estimate import exercise_seconds, speech_seconds
from voicecoach.core.routine import Exercise, Routine, StepKind
from voicecoach.core.session.wording import Wording
from voicecoach.core.yamlsafe import DataPath, Mark

#: A spoken sentence longer than this is hard to follow lying on the floor.
MAX_SENTENCE_WORDS = 20
#: A hold's line may outlast the hold by this much before "And release." is late
#: enough to notice.
HOLD_LINE_SLACK_SECONDS = 0.5

Locate = Callable[[DataPath], Mark | None]
"""Finds where a path is in the file (None when unknown)."""

_BREATHS = (StepKind.INHALE, StepKind.EXHALE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def lint_routine(
    routine: Routine, file: str = "<routine>", locate: Locate | None = None
) -> list[Diagnostic]:
    """Every warning for ``routine``, located through ``locate`` when given."""
    found: list[tuple[DataPath, str, str, str]] = []
    wording = Wording(routine.language)
    for index, exercise in enumerate(routine.exercises):
        base: DataPath = ("exercises", index)
        found += [((*base, *sub), msg, hint, code) for sub, msg, hint, code in _breath(exercise)]
        found += [((*base, *sub), msg, hint, code) for sub, msg, hint, code in _speech(exercise)]
        found += [((*base, *sub), msg, hint, code)
                  for sub, msg, hint, code in _hold_lines(exercise, wording)]
        found += [((*base, *sub), msg, hint, code) for sub, msg, hint, code in _other(exercise)]
    out = []
    for path, message, hint, code in found:
        mark = locate(path) if locate else None
        line, column = (mark.line, mark.column) if mark else (0, 0)
        out.append(
            Diagnostic(file, line, column, format_path(path), message, hint, Severity.WARNING, code)
        )
    return out


Finding = tuple[DataPath, str, str, str]


def _breath(exercise: Exercise) -> list[Finding]:
    found: list[Finding] = []
    previous_breath: StepKind | None = None  # the last inhale/exhale seen in this rep
    seen_inhale = False
    for i, step in enumerate(exercise.steps):
        kind = step.kind
        if kind is StepKind.HOLD:
            if not seen_inhale:
                found.append(
                    (
                        ("steps", i),
                        "hold without an inhale before it: the effort, and holding it, belong "
                        "to the inhale",
                        "add '- inhale: <the movement>' before the hold",
                        "breath-hold-without-inhale",
                    )
                )
            elif previous_breath is StepKind.EXHALE:
                found.append(
                    (
                        ("steps", i),
                        "hold right after an exhale: the seeds hold the effort made on the inhale "
                        "and return on the exhale",
                        "move the hold between the inhale and the exhale",
                        "breath-hold-after-exhale",
                    )
                )
        elif kind is StepKind.INHALE:
            if previous_breath is StepKind.INHALE:
                found.append(
                    (
                        ("steps", i),
                        "two inhales with no exhale between them",
                        "add '- exhale: <return to the start>' between them",
                        "breath-double-inhale",
                    )
                )
            seen_inhale = True
            previous_breath = kind
        elif kind is StepKind.EXHALE:
            if previous_breath is None and any(s.kind is StepKind.INHALE for s in exercise.steps):
                found.append(
                    (
                        ("steps", i),
                        "the repetition starts with an exhale: the movement starts on the inhale "
                        "and returns on the exhale",
                        "start with the inhale step, end with the exhale",
                        "breath-exhale-first",
                    )
                )
            previous_breath = kind
    if seen_inhale and previous_breath is StepKind.INHALE:
        last = max(i for i, s in enumerate(exercise.steps) if s.kind is StepKind.INHALE)
        found.append(
            (
                ("steps", last),
                "the effort on the inhale is never released: no exhale follows it",
                "add '- exhale: <return to the start>' after it",
                "breath-no-exhale",
            )
        )
    return found


def _speech(exercise: Exercise) -> list[Finding]:
    found: list[Finding] = []
    for path, text in exercise.spoken_fields():
        for sentence in _SENTENCE_END.split(text):
            words = len(sentence.split())
            if words > MAX_SENTENCE_WORDS:
                found.append(
                    (
                        path,
                        f"a sentence of {words} words is hard to follow by ear",
                        f"split it into short sentences (at most {MAX_SENTENCE_WORDS} words), "
                        "one instruction each",
                        "long-sentence",
                    )
                )
    return found


def _hold_lines(exercise: Exercise, w: Wording) -> list[Finding]:
    """Holds whose spoken line ("Hold for three seconds." and the cue) outlasts them.

    The hold counts from when its line starts to sound, and "And release." waits
    for the line to end: a long cue on a short hold makes the person hold longer
    than written (seen in hour-long live runs: 3- and 4-second holds of the sitting
    routines released 0.5-1.9 s late). Estimated at the calm pace of
    :mod:`voicecoach.core.estimate`, before any ``{side}`` is filled in.
    """
    found: list[Finding] = []
    for i, step in enumerate(exercise.steps):
        if step.kind is not StepKind.HOLD or not step.cue:
            continue
        line = w.hold(step.seconds, step.cue)
        said = speech_seconds(line)
        if said > step.seconds + HOLD_LINE_SLACK_SECONDS:
            found.append(
                (
                    ("steps", i, "cue"),
                    f"the hold's line (\"{line}\") takes about {said:.1f} s to say, longer "
                    f"than the {format_duration(step.seconds)} hold, so \"release\" comes late",
                    "shorten the cue to a few words, or lengthen the hold",
                    "hold-line-too-long",
                )
            )
    return found


def _other(exercise: Exercise) -> list[Finding]:
    found: list[Finding] = []
    if not exercise.setup:
        found.append(
            (
                ("name",),
                "no starting position: the person hears a movement without knowing where to start",
                "add 'setup: <the starting position>'",
                "no-setup",
            )
        )
    limit = exercise.limits.max_duration
    if limit is not None:
        unlimited = exercise.model_copy(
            update={"limits": exercise.limits.model_copy(update={"max_duration": None})}
        )
        estimate = exercise_seconds(unlimited)
        if estimate > limit:
            found.append(
                (
                    ("limits", "max_duration"),
                    f"the exercise as written takes about {format_duration(round(estimate))}, more "
                    f"than limits.max_duration {format_duration(limit)}; it will be cut short",
                    "use fewer reps or sets, or shorter holds and rests",
                    "over-max-duration",
                )
            )
    return found
