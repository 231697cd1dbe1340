"""Turn the history into the next session's options: screening, resume, step up.

``voicecoach run`` asks the store three questions (the routine's history, the
last interrupted session, the last passed screening), hands the answers to
:func:`plan_session`, and passes the resulting :class:`SessionPlan` to the
session engine (``screening_due``, ``resume_from``, ``step_up``), and
``plan.routine`` to :meth:`SQLiteHistory.start_session` so the load actually
run is recorded. Pure: the clock enters as ``now``.
"""

from __future__ import annotations

from dataclasses import dataclass

from voicecoach.core.history import InterruptedSession, RoutineHistory
from voicecoach.core.progression import (
    DEFAULT_SETTINGS,
    DecisionKind,
    ProgressionDecision,
    ProgressionSettings,
    apply_loads,
    current_loads,
    decide,
)
from voicecoach.core.routine import Routine
from voicecoach.core.screening import SCREENING_INTERVAL_DAYS, SCREENING_VERSION, screening_due

__all__ = ["RESUME_WINDOW", "SessionPlan", "plan_session"]

#: Offer to resume an interrupted session only within this many seconds of
#: its last activity; a day later, the person starts again from the top.
RESUME_WINDOW = 12 * 3600.0


@dataclass(frozen=True, slots=True)
class SessionPlan:
    """Everything the history decides about the next session."""

    routine: Routine
    """The routine at the load to run (progression applied; step back included)."""
    screening_due: bool
    """Ask the screening questions before the first exercise."""
    resume_from: int | None
    """Offer to continue at this exercise index (an interrupted session), or None."""
    resumed_session: int | None
    """The interrupted session's id, to pass as ``resumed_from`` if the offer is taken."""
    step_up: Routine | None
    """A slightly harder routine to offer by voice (yes / no), or None."""
    decision: ProgressionDecision
    """The progression decision, with its spoken sentence."""


def plan_session(
    routine: Routine,
    history: RoutineHistory,
    *,
    now: float,
    interrupted: InterruptedSession | None = None,
    last_screening_at: float | None = None,
    screening_version: int | None = SCREENING_VERSION,
    settings: ProgressionSettings = DEFAULT_SETTINGS,
    screening_interval_days: float = SCREENING_INTERVAL_DAYS,
    resume_window: float = RESUME_WINDOW,
) -> SessionPlan:
    """Decide screening, resume and progression for ``routine`` (as written) at ``now``.

    The screening is due by :func:`voicecoach.core.screening.screening_due`:
    never passed, passed with an older question set (``screening_version``),
    or longer ago than the interval.
    """
    due = screening_due(last_screening_at, now, screening_version, screening_interval_days)
    resumable = (
        interrupted is not None
        and interrupted.routine_id == history.routine_id
        and interrupted.routine_version == routine.version
        and 0 < interrupted.resume_from < len(routine.exercises)
        and now - interrupted.last_activity_at <= resume_window
    )
    if resumable and interrupted is not None:
        # Continue at the interrupted session's load; no change of load mid-way.
        loads = current_loads(routine, history)
        if loads:
            current = apply_loads(routine, loads)
        else:
            current = decide(routine, history, settings).current
        keep = ProgressionDecision(DecisionKind.KEEP, current, current)
        return SessionPlan(
            current, due, interrupted.resume_from, interrupted.session_id, None, keep
        )
    decision = decide(routine, history, settings)
    step_up = decision.routine if decision.kind is DecisionKind.STEP_UP else None
    return SessionPlan(decision.current, due, None, None, step_up, decision)
