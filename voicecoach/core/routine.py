"""The routine model: what a routine script file may say, and its safety rules.

A routine is written by a physiotherapist as YAML (see ``scripts/``) and
validated here with pydantic, ``extra="forbid"`` everywhere so that a
misspelled key is an error rather than a silently ignored instruction.

The seeds' rules are enforced as validation, not left to convention:

* the effort is on the inhale, the return on the exhale (checked as a lint in
  :mod:`voicecoach.core.lint`, because wording can legitimately vary);
* at first no more than 10 repetitions and holds of at most 10 seconds, unless
  the routine raises its ``limits`` *and* says why (``limits.reason``).

Every text field is spoken aloud. ``{side}`` in a text is replaced with the
current side (``left`` / ``right``) for exercises that have ``sides``.
"""

from __future__ import annotations

import re
import string
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from voicecoach.core.durations import Duration

#: The seeds' starting limits: "Each element is initially executed no more
#: than 10 times"; "The duration of each effort is not more than 10 seconds".
DEFAULT_MAX_REPS = 10
DEFAULT_MAX_HOLD = 10.0

#: Spoken text: stripped, non-empty, and short enough to say in one breath or
#: two. Long paragraphs belong in ``description``.
SpokenText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=400)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
LanguageCode = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
]

_PLACEHOLDERS = {"side"}

FieldPath = tuple[str | int, ...]
"""A path below the model being validated, e.g. ``("steps", 2, "hold")``."""


class RoutineValueError(ValueError):
    """Every rule a model broke, each with the field it concerns.

    Pydantic passes the exception through in the error's ``ctx``, so the
    loader can point at ``steps[2].hold`` (and report all of them together)
    instead of at the whole exercise. Each message reads "what is wrong; how
    to fix it".
    """

    def __init__(self, problems: list[tuple[FieldPath, str]]) -> None:
        super().__init__("\n".join(message for _, message in problems))
        self.problems = problems


class StrictModel(BaseModel):
    """Base for every routine model: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class StepKind(StrEnum):
    """What a step does. Exactly one of these keys appears in each step."""

    SAY = "say"
    """Say a sentence (an instruction or encouragement)."""
    INHALE = "inhale"
    """Breathe in while doing the movement (the effort)."""
    EXHALE = "exhale"
    """Breathe out while returning (the release)."""
    HOLD = "hold"
    """Hold the position for a duration, with a countdown."""
    REST = "rest"
    """Rest for a duration, with a countdown."""
    BREATHS = "breaths"
    """Take a number of slow breaths, paced by the coach."""
    READY = "ready"
    """Wait until the person says "ready" (text, or ``true`` for the default prompt)."""


STEP_KINDS: tuple[str, ...] = tuple(k.value for k in StepKind)

#: How long a movement takes after its cue is spoken, when the routine does
#: not say. Slow and smooth, as the seeds ask.
DEFAULT_MOVE_SECONDS = {StepKind.INHALE: 3.0, StepKind.EXHALE: 3.0, StepKind.SAY: 0.0}


class Step(StrictModel):
    """One step of a repetition, e.g. ``- inhale: Lift the {side} knee.``"""

    # Editors learn "exactly one kind per step" from the schema too.
    model_config = ConfigDict(
        json_schema_extra={"oneOf": [{"required": [kind.value]} for kind in StepKind]}
    )

    say: SpokenText | None = None
    inhale: SpokenText | None = None
    exhale: SpokenText | None = None
    hold: Duration | None = Field(default=None, gt=0)
    rest: Duration | None = Field(default=None, gt=0)
    breaths: int | None = Field(default=None, ge=1, le=30)
    ready: SpokenText | Literal[True] | None = None
    duration: Duration | None = Field(
        default=None,
        description="How long the movement takes after its cue (inhale, exhale, say).",
    )
    cue: SpokenText | None = Field(
        default=None,
        description=(
            "For hold: the position to keep, said when the hold starts and again "
            "on resume, e.g. 'Keep the knee lifted.'"
        ),
    )

    @model_validator(mode="before")
    @classmethod
    def _one_kind_only(cls, data: object) -> object:
        # Checked on the raw mapping, whose keys keep the file's order, so the
        # error points at the second kind as written.
        if isinstance(data, dict):
            present = [k for k in data if k in STEP_KINDS and data[k] is not None]
            if len(present) > 1:
                raise RoutineValueError(
                    [
                        (
                            (present[1],),
                            f"a step has one kind, this one has {' and '.join(present)}; "
                            "split it into separate steps, one '- ' each",
                        )
                    ]
                )
        return data

    @model_validator(mode="after")
    def _exactly_one_kind(self) -> Step:
        present = [k for k in STEP_KINDS if getattr(self, k) is not None]
        if len(present) != 1:
            raise RoutineValueError(
                [((), f"a step needs one of {', '.join(STEP_KINDS)}; write e.g. '- hold: 10s'")]
            )
        kind = StepKind(present[0])
        problems: list[tuple[FieldPath, str]] = []
        if self.cue is not None and kind is not StepKind.HOLD:
            problems.append(
                (("cue",), "'cue' belongs to a hold step; use a 'say' step for other text")
            )
        if self.duration is not None and kind not in DEFAULT_MOVE_SECONDS:
            problems.append(
                (
                    ("duration",),
                    f"'duration' applies to inhale, exhale and say steps; a {kind} step "
                    "takes its time from its own value, so remove 'duration'",
                )
            )
        if problems:
            raise RoutineValueError(problems)
        return self

    @property
    def kind(self) -> StepKind:
        """Which kind of step this is."""
        for k in StepKind:
            if getattr(self, k.value) is not None:
                return k
        raise AssertionError("validated step without a kind")  # pragma: no cover

    @property
    def text(self) -> str | None:
        """The step's own spoken text, if it has one."""
        value = getattr(self, self.kind.value)
        if isinstance(value, str):
            return value
        return None

    @property
    def seconds(self) -> float:
        """How long the step lasts beyond its spoken cue (0 for ready)."""
        kind = self.kind
        if kind is StepKind.HOLD:
            return float(self.hold or 0.0)
        if kind is StepKind.REST:
            return float(self.rest or 0.0)
        if kind is StepKind.BREATHS:
            return float(self.breaths or 0) * BREATH_SECONDS
        if kind is StepKind.READY:
            return 0.0
        if self.duration is not None:
            return float(self.duration)
        return DEFAULT_MOVE_SECONDS[kind]


#: One slow breath, in and out, when pacing ``breaths`` steps.
BREATH_SECONDS = 6.0


class Limits(StrictModel):
    """Ceilings for this exercise, now and as the load is raised later.

    The seeds start at 10 repetitions and 10-second holds. A routine may go
    higher only by saying why in ``reason`` (e.g. a physiotherapist's plan).
    Progression never raises the load past these limits.
    """

    max_reps: int = Field(default=DEFAULT_MAX_REPS, ge=1, le=100)
    max_hold: Duration = Field(default=DEFAULT_MAX_HOLD, gt=0)
    max_sets: int = Field(default=6, ge=1, le=20)
    max_duration: Duration | None = Field(
        default=None,
        gt=0,
        description="Longest time the whole exercise may take, e.g. 20m for walking on all fours.",
    )
    reason: SpokenText | None = Field(
        default=None,
        description="Required when max_reps is above 10 or max_hold above 10s: why it is safe.",
    )

    @model_validator(mode="after")
    def _raised_limits_need_a_reason(self) -> Limits:
        if self.reason:
            return self
        problems: list[tuple[FieldPath, str]] = []
        if self.max_reps > DEFAULT_MAX_REPS:
            problems.append(
                (
                    ("max_reps",),
                    f"max_reps {self.max_reps} is above the safe starting {DEFAULT_MAX_REPS} "
                    "without a reason; add 'reason:' saying why it is safe, or lower it",
                )
            )
        if self.max_hold > DEFAULT_MAX_HOLD:
            problems.append(
                (
                    ("max_hold",),
                    f"max_hold {self.max_hold:g}s is above the safe starting "
                    f"{DEFAULT_MAX_HOLD:g}s without a reason; add 'reason:' saying why it is "
                    "safe, or lower it",
                )
            )
        if problems:
            raise RoutineValueError(problems)
        return self


class Exercise(StrictModel):
    """One exercise: a starting position, then ``sets`` x ``reps`` of ``steps`` per side."""

    name: Name
    setup: SpokenText | None = Field(
        default=None, description="The starting position, spoken first."
    )
    ready: bool = Field(
        default=False,
        description="After the setup, wait until the person says 'ready' before the first rep.",
    )
    sides: list[Name] = Field(default_factory=list, max_length=4)
    reps: int = Field(default=1, ge=1)
    sets: int = Field(default=1, ge=1)
    steps: list[Step] = Field(min_length=1, max_length=50)
    rest_between_sets: Duration = Field(default=20.0)
    rest: Duration | None = Field(
        default=None, description="Rest after this exercise; defaults to the routine's."
    )
    safety: list[SpokenText] = Field(
        default_factory=list, max_length=10, description="Safety notes spoken before the first rep."
    )
    limits: Limits = Field(default_factory=Limits)
    notes: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = Field(
        default="",
        description=(
            "For the reader and the physiotherapist (sources, later progressions); never spoken."
        ),
    )

    @model_validator(mode="after")
    def _within_limits(self) -> Exercise:
        problems: list[tuple[FieldPath, str]] = []
        if self.reps > self.limits.max_reps:
            problems.append(
                (
                    ("reps",),
                    f"reps {self.reps} is above limits.max_reps {self.limits.max_reps}; lower "
                    "reps, or raise limits.max_reps and give limits.reason",
                )
            )
        if self.sets > self.limits.max_sets:
            problems.append(
                (
                    ("sets",),
                    f"sets {self.sets} is above limits.max_sets {self.limits.max_sets}; lower "
                    "sets, or raise limits.max_sets",
                )
            )
        for index, step in enumerate(self.steps):
            if step.hold is not None and step.hold > self.limits.max_hold:
                problems.append(
                    (
                        ("steps", index, "hold"),
                        f"hold {step.hold:g}s is above limits.max_hold "
                        f"{self.limits.max_hold:g}s; shorten the hold, or raise "
                        "limits.max_hold and give limits.reason",
                    )
                )
        if len(set(self.sides)) != len(self.sides):
            problems.append(
                (("sides",), "sides are repeated; list each side once, e.g. [left, right]")
            )
        for path, text in self.spoken_fields():
            problems += [(path, message) for message in self._placeholder_problems(text)]
        if problems:
            raise RoutineValueError(problems)
        return self

    def _placeholder_problems(self, text: str) -> list[str]:
        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
        except ValueError as exc:  # unbalanced braces
            return [
                f"{text!r} has an unbalanced brace ({exc}); write {{side}} exactly, or remove it"
            ]
        problems = []
        for field in fields:
            if field not in _PLACEHOLDERS:
                problems.append(
                    f"unknown placeholder {{{field}}} in {text!r}; the only placeholder is {{side}}"
                )
            elif not self.sides:
                problems.append(
                    f"{text!r} uses {{side}} but the exercise has no sides; add "
                    "'sides: [left, right]' or remove {side}"
                )
        return problems

    def spoken_fields(self) -> list[tuple[FieldPath, str]]:
        """Every spoken text of this exercise with the field it comes from."""
        out: list[tuple[FieldPath, str]] = [(("name",), self.name)]
        if self.setup:
            out.append((("setup",), self.setup))
        out += [(("safety", i), note) for i, note in enumerate(self.safety)]
        for i, step in enumerate(self.steps):
            if step.text:
                out.append((("steps", i, step.kind.value), step.text))
            if step.cue:
                out.append((("steps", i, "cue"), step.cue))
        return out

    def spoken_texts(self) -> list[str]:
        """Every text of this exercise that will be spoken (for checks and caching)."""
        return [text for _, text in self.spoken_fields()]


def fill_side(text: str, side: str | None) -> str:
    """Replace ``{side}`` in a spoken text (already validated to be the only field)."""
    if side is None:
        return re.sub(r"\s*\{side\}", "", text)
    return text.replace("{side}", side)


class Routine(StrictModel):
    """A whole routine script file."""

    title: Name
    language: LanguageCode = "en"
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""
    version: int = Field(default=1, ge=1, description="Bump when the routine changes.")
    tags: list[Name] = Field(default_factory=list, max_length=20)
    rest_between_exercises: Duration = Field(default=30.0)
    exercises: list[Exercise] = Field(min_length=1, max_length=100)

    def rest_after(self, index: int) -> float:
        """Rest after exercise ``index`` (none after the last)."""
        if index >= len(self.exercises) - 1:
            return 0.0
        ex = self.exercises[index]
        return float(ex.rest if ex.rest is not None else self.rest_between_exercises)
