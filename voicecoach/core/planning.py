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

__all__ = ["RESUME_WINDOW", "SCREENING_INTERVAL", "SessionPlan", "plan_session"]

#: Ask the screening questions again after this long (seconds). The seeds ask
#: to see a doctor before starting; health changes, so the questions come
#: back monthly. (To be reconciled with ``voicecoach.core.screening``.)
SCREENING_INTERVAL = 30 * 86400.0

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
    settings: ProgressionSettings = DEFAULT_SETTINGS,
    screening_interval: float = SCREENING_INTERVAL,
    resume_window: float = RESUME_WINDOW,
) -> SessionPlan:
    """Decide screening, resume and progression for ``routine`` (as written) at ``now``."""
    screening_due = last_screening_at is None or now - last_screening_at >= screening_interval
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
            current, screening_due, interrupted.resume_from, interrupted.session_id, None, keep
        )
    decision = decide(routine, history, settings)
    step_up = decision.routine if decision.kind is DecisionKind.STEP_UP else None
    return SessionPlan(decision.current, screening_due, None, None, step_up, decision)
