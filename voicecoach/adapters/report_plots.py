"""The report's three plots, drawn with matplotlib's Agg backend into PNG bytes.

Figures are built with :class:`matplotlib.figure.Figure` and an Agg canvas
directly, never through ``pyplot``: no global state, no display needed, safe
on a headless Raspberry Pi and in parallel tests.
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from voicecoach.core.history import SAFETY_OUTCOMES, PainReport, SessionOutcome, SessionSummary

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Outcome groups and their colours (colour-blind safe: Okabe-Ito).
GROUPS: tuple[tuple[str, frozenset[SessionOutcome], str], ...] = (
    ("completed", frozenset({SessionOutcome.COMPLETED}), "#009E73"),
    (
        "finished early / interrupted",
        frozenset({SessionOutcome.FINISHED_EARLY, SessionOutcome.INTERRUPTED}),
        "#E69F00",
    ),
    ("stopped: pain or symptom", frozenset(SAFETY_OUTCOMES), "#D55E00"),
    ("stopped at screening", frozenset({SessionOutcome.SCREENING}), "#999999"),
)


def _figure(height: float = 3.2) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8.0, height), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def _x(values: list[date] | list[datetime]) -> Any:
    """Dates as matplotlib's day numbers (the axis is told it holds dates)."""
    from matplotlib.dates import date2num

    return date2num(values)


def _week(day: date) -> date:
    return day - timedelta(days=day.weekday())


def adherence_png(sessions: list[SessionSummary], first: date, last: date) -> bytes:
    """Sessions per week, stacked by outcome, against the daily target."""
    weeks = []
    week = _week(first)
    while week <= last:
        weeks.append(week)
        week += timedelta(days=7)
    fig = _figure()
    ax = fig.add_subplot()
    bottom = [0] * len(weeks)
    for label, outcomes, colour in GROUPS:
        counts = Counter(
            _week(datetime.fromtimestamp(s.started_at).date())
            for s in sessions
            if s.outcome in outcomes
        )
        heights = [counts.get(w, 0) for w in weeks]
        if any(heights):
            ax.bar(_x(weeks), heights, width=5, bottom=bottom, color=colour, label=label,
                   align="edge")
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    days_per_week = Counter(
        _week(day) for day in {datetime.fromtimestamp(s.started_at).date() for s in sessions}
    )
    distinct = [days_per_week.get(w, 0) for w in weeks]
    ax.plot(_x(weeks) + 2.5, distinct, "k.-", lw=1,
            label="days with a session")
    ax.axhline(7, color="#0072B2", ls="--", lw=1, label="daily target")
    ax.set_ylabel("per week")
    ax.set_title("Adherence: sessions per week")
    ax.set_ylim(0, max([7, *bottom]) + 3)
    ax.legend(fontsize=7, loc="upper left", ncols=3)
    for axis in fig.axes:
        axis.xaxis_date()
    fig.autofmt_xdate()
    return _png(fig)


def load_png(sessions: list[SessionSummary]) -> bytes:
    """Completed versus prescribed repetitions and holds, session by session."""
    fig = _figure(4.2)
    top, bottom = fig.subplots(2, 1, sharex=True)
    when = _x([datetime.fromtimestamp(s.started_at) for s in sessions])
    width = 0.8 if len(sessions) < 60 else 0.9
    reps = ([s.prescribed_reps for s in sessions], [s.done_reps for s in sessions])
    holds = ([s.prescribed_holds for s in sessions], [s.done_holds for s in sessions])
    for ax, what, (prescribed, done) in ((top, "repetitions", reps), (bottom, "holds", holds)):
        ax.bar(when, prescribed, width=width, color="#56B4E9", alpha=0.45, label="prescribed")
        ax.bar(when, done, width=width * 0.55, color="#0072B2", label="done")
        ax.set_ylabel(what)
        ax.set_ylim(0, max([1, *prescribed, *done]) * 1.35)
        ax.legend(fontsize=7, loc="upper left", ncols=2)
    top.set_title("Load: completed versus prescribed, per session")
    for axis in fig.axes:
        axis.xaxis_date()
    fig.autofmt_xdate()
    return _png(fig)


def pain_png(reports: list[PainReport], first: date, last: date) -> bytes:
    """Each pain report and warning symptom, by day and exercise."""
    names = sorted({r.exercise or "(between exercises)" for r in reports})
    fig = _figure(max(2.4, 1.2 + 0.35 * len(names)))
    ax = fig.add_subplot()
    row = {name: i for i, name in enumerate(names)}
    for kind, marker, colour in (("pain", "X", "#D55E00"), ("symptom", "^", "#CC79A7")):
        chosen = [r for r in reports if r.kind == kind]
        if chosen:
            ax.scatter(
                _x([datetime.fromtimestamp(r.at) for r in chosen]),
                [row[r.exercise or "(between exercises)"] for r in chosen],
                marker=marker, s=60, color=colour,
                label="pain report" if kind == "pain" else "warning symptom",
            )
    if names:
        ax.set_yticks(range(len(names)), names, fontsize=8)
        ax.set_ylim(-0.7, len(names) - 0.3)
        ax.legend(fontsize=7, loc="upper left")
    else:
        ax.set_yticks([])
        ax.text(0.5, 0.5, "No pain reports in this period", ha="center", va="center",
                transform=ax.transAxes, fontsize=12, color="#009E73")
    ax.set_xlim(*_x([first, last + timedelta(days=1)]))
    ax.set_title("Pain reports and warning symptoms")
    for axis in fig.axes:
        axis.xaxis_date()
    fig.autofmt_xdate()
    return _png(fig)
