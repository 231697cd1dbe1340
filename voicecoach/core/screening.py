"""The seeds' contraindications as yes/no screening questions.

The second seed lists conditions under which exercises for back pain "cannot
be done" (pregnancy, tuberculosis, malignant neoplasms, exacerbation of
gastrointestinal diseases, spinal injuries, kidney diseases, back pain that
gives into the leg) and conditions under which they are "not recommended"
(general exhaustion, high blood pressure, heart failure, diabetes, a tendency
to bleed). The session engine asks them by voice on the first run and again
after :data:`SCREENING_INTERVAL_DAYS`; the history decides when that is, with
:func:`screening_due`.

The spoken wording of each question lives in
:mod:`voicecoach.core.session.wording` under ``screening.<key>`` (and the
condition's name under ``condition.<key>``), so it is translated with the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How strongly a condition speaks against the exercises."""

    CONTRAINDICATED = "contraindicated"
    """The seeds: exercising is "not possible" with it."""
    NOT_ADVISED = "not_advised"
    """The seeds: exercising is "not recommended" with it."""


@dataclass(frozen=True, slots=True)
class ScreeningQuestion:
    """One contraindication, asked as a yes/no question."""

    key: str
    """Stable identifier, stored in the history with the answer."""
    severity: Severity
    """Whether a "yes" rules the exercises out or makes them inadvisable."""
    condition: str
    """The condition in plain English, for logs and reports."""


SCREENING_QUESTIONS: tuple[ScreeningQuestion, ...] = (
    ScreeningQuestion("pregnancy", Severity.CONTRAINDICATED, "pregnancy"),
    ScreeningQuestion("tuberculosis", Severity.CONTRAINDICATED, "tuberculosis"),
    ScreeningQuestion("tumour", Severity.CONTRAINDICATED, "malignant tumours"),
    ScreeningQuestion(
        "gastrointestinal", Severity.CONTRAINDICATED, "acute gastrointestinal disease"
    ),
    ScreeningQuestion("spinal_injury", Severity.CONTRAINDICATED, "spinal injury"),
    ScreeningQuestion("kidney", Severity.CONTRAINDICATED, "kidney disease"),
    ScreeningQuestion("leg_pain", Severity.CONTRAINDICATED, "back pain spreading into the leg"),
    ScreeningQuestion("exhaustion", Severity.NOT_ADVISED, "general exhaustion"),
    ScreeningQuestion("blood_pressure", Severity.NOT_ADVISED, "high blood pressure"),
    ScreeningQuestion("heart_failure", Severity.NOT_ADVISED, "heart failure"),
    ScreeningQuestion("diabetes", Severity.NOT_ADVISED, "diabetes"),
    ScreeningQuestion("bleeding", Severity.NOT_ADVISED, "tendency to bleed"),
)

#: Ask the screening again after this many days: health changes, and a
#: yearly-or-rarer check would miss a pregnancy or a new diagnosis.
SCREENING_INTERVAL_DAYS = 90

#: Bump when the questions change, so everyone is asked the new set.
SCREENING_VERSION = 1


def screening_due(
    last_passed: float | None,
    now: float,
    version: int | None = SCREENING_VERSION,
    interval_days: float = SCREENING_INTERVAL_DAYS,
) -> bool:
    """Whether to screen again, given when it was last passed (epoch seconds).

    Never passed, passed with an older question set, or passed longer ago than
    the interval: ask again. A clock that went backwards counts as "long ago".
    """
    if last_passed is None or version != SCREENING_VERSION:
        return True
    age = now - last_passed
    return age < 0 or age >= interval_days * 86400.0
