"""A report for the physiotherapist: one self-contained HTML page, PNGs, CSV.

The page has inline CSS and its plots embedded as base64 PNG, so it can be
mailed or printed as a single file; the same PNGs are also written beside it
for slides or notes. Every value from the history is HTML-escaped. The files
are health data and are created owner-only (``0600``), like the history.
"""

from __future__ import annotations

import base64
import csv
import html
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from voicecoach.adapters import report_plots
from voicecoach.adapters.history import SQLiteHistory
from voicecoach.core.history import PainReport, SessionOutcome, SessionSummary

__all__ = ["ReportData", "ReportFiles", "build_report", "collect", "export_csv", "render_html"]

OUTCOME_WORDS = {
    SessionOutcome.COMPLETED: "completed",
    SessionOutcome.FINISHED_EARLY: "finished early",
    SessionOutcome.INTERRUPTED: "interrupted",
    SessionOutcome.PAIN: "stopped: pain",
    SessionOutcome.SYMPTOM: "stopped: warning symptom",
    SessionOutcome.SCREENING: "stopped at screening",
}


@dataclass(frozen=True, slots=True)
class ReportData:
    """Everything the report shows, read from the history once."""

    sessions: list[SessionSummary]
    """Sessions in the period, oldest first."""
    reports: list[PainReport]
    """Pain reports and warning symptoms in the period, oldest first."""
    screening: list[tuple[float, str, str]]
    """Every screening answer (answered_at, question, answer), oldest first."""
    first: date
    """First day of the period."""
    last: date
    """Last day of the period."""


@dataclass(frozen=True, slots=True)
class ReportFiles:
    """What :func:`build_report` wrote."""

    html: Path
    """The self-contained page."""
    plots: tuple[Path, ...]
    """The PNGs beside it."""


def collect(
    store: SQLiteHistory, since: float | None = None, now: float | None = None
) -> ReportData:
    """Read the period's sessions, pain reports and screening answers."""
    sessions = store.sessions_since(since)
    reports = store.pain_reports(since)
    end = datetime.fromtimestamp(now).date() if now is not None else date.today()
    if since is not None:
        first = datetime.fromtimestamp(since).date()
    elif sessions:
        first = datetime.fromtimestamp(sessions[0].started_at).date()
    else:
        first = end
    if sessions:
        end = max(end, datetime.fromtimestamp(sessions[-1].started_at).date())
    return ReportData(sessions, reports, store.screening_answers(), first, end)


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def build_report(data: ReportData, out: Path) -> ReportFiles:
    """Write ``out`` (HTML) and ``<stem>-adherence.png`` etc. beside it."""
    plots = {
        "adherence": report_plots.adherence_png(data.sessions, data.first, data.last),
        "load": report_plots.load_png(data.sessions),
        "pain": report_plots.pain_png(data.reports, data.first, data.last),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, png in plots.items():
        path = out.with_name(f"{out.stem}-{name}.png")
        _write_private(path, png)
        paths.append(path)
    _write_private(out, render_html(data, plots).encode("utf-8"))
    return ReportFiles(out, tuple(paths))


def _when(ts: float, with_time: bool = True) -> str:
    return datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")


def _table(headers: Iterable[str], rows: Iterable[Iterable[object]], empty: str) -> str:
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    if not body:
        return f'<p class="empty">{html.escape(empty)}</p>'
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _blank(v: object) -> object:
    return "" if v is None else v


def render_html(data: ReportData, plots: dict[str, bytes]) -> str:
    """The page as a string (plots embedded)."""
    s = data.sessions
    days = (data.last - data.first).days + 1
    active = len({datetime.fromtimestamp(x.started_at).date() for x in s})
    completed = sum(1 for x in s if x.outcome is SessionOutcome.COMPLETED)
    pains = sum(1 for r in data.reports if r.kind == "pain")
    symptoms = len(data.reports) - pains
    reps_p, reps_d = sum(x.prescribed_reps for x in s), sum(x.done_reps for x in s)
    summary = _table(
        ["period", "sessions", "completed", "days with a session", "repetitions done",
         "pain reports", "warning symptoms"],
        [[f"{data.first} to {data.last} ({days} days)", len(s), completed,
          f"{active} of {days} ({100 * active / max(days, 1):.0f}%)",
          f"{reps_d} of {reps_p} prescribed", pains, symptoms]],
        "",
    )
    sessions = _table(
        ["date", "routine", "version", "outcome", "reps done / prescribed",
         "holds done / prescribed", "pauses", "skips", "pain", "symptoms"],
        [[_when(x.started_at), x.routine_title, x.routine_version, OUTCOME_WORDS[x.outcome],
          f"{x.done_reps} / {x.prescribed_reps}", f"{x.done_holds} / {x.prescribed_holds}",
          x.pauses, x.skips, x.pain_reports, x.symptoms] for x in reversed(s)],
        "No sessions in this period.",
    )
    pain = _table(
        ["date and time", "what", "exercise", "side", "set", "repetition", "minute of session"],
        [[_when(r.at), "pain" if r.kind == "pain" else f"symptom: {r.detail or 'unspecified'}",
          _blank(r.exercise), _blank(r.side), _blank(r.set), _blank(r.rep), f"{r.t / 60:.1f}"]
         for r in data.reports],
        "No pain reports or warning symptoms in this period.",
    )
    loads = _table(
        ["exercise", "repetitions per set", "longest hold (s)", "last done"],
        _latest_loads(s),
        "No exercise loads recorded yet.",
    )
    screening = _table(
        ["date", "question", "answer"],
        [[_when(at, False), q, a] for at, q, a in data.screening[-40:]],
        "No screening answers recorded.",
    )
    images = "".join(
        f'<figure><img alt="{html.escape(name)} plot" src="data:image/png;base64,'
        f'{base64.b64encode(png).decode("ascii")}"></figure>'
        for name, png in plots.items()
    )
    return _PAGE.format(
        generated=html.escape(datetime.now().strftime("%Y-%m-%d %H:%M")),
        summary=summary, images=images, sessions=sessions, pain=pain, loads=loads,
        screening=screening,
    )


def _latest_loads(sessions: list[SessionSummary]) -> list[list[object]]:
    latest: dict[str, list[object]] = {}
    for x in sessions:  # oldest first, so later sessions overwrite
        for e in x.exercises:
            if e.load is not None:
                hold = "" if e.load.hold is None else f"{e.load.hold:g}"
                latest[e.name] = [e.name, e.load.reps, hold, _when(x.started_at, False)]
    return list(latest.values())


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>voicecoach: exercise report</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em auto; max-width: 60em; color: #222; }}
h1 {{ font-size: 1.5em; }} h2 {{ font-size: 1.15em; margin-top: 1.6em; }}
table {{ border-collapse: collapse; width: 100%; font-size: 0.9em; }}
th, td {{ border: 1px solid #ccc; padding: 0.3em 0.5em; text-align: left; }}
th {{ background: #f0f4f8; }} tr:nth-child(even) td {{ background: #fafafa; }}
figure {{ margin: 1em 0; }} img {{ max-width: 100%; }}
.note, .empty {{ color: #555; font-size: 0.9em; }}
@media print {{ body {{ margin: 0; }} }}
</style></head><body>
<h1>Exercise report for the physiotherapist</h1>
<p class="note">Generated by voicecoach on {generated}. Recorded by the person's own
coach at home; voicecoach does not replace a doctor or physiotherapist.</p>
<h2>Summary</h2>{summary}
<h2>Plots</h2>{images}
<h2>Sessions</h2>{sessions}
<h2>Pain reports and warning symptoms</h2>{pain}
<h2>Current load per exercise</h2>{loads}
<h2>Screening answers</h2>{screening}
</body></html>
"""


CSV_COLUMNS = (
    "session_id", "started_at", "ended_at", "routine_id", "routine_title", "routine_version",
    "outcome", "exercise_index", "exercise", "reps_per_set", "hold_seconds", "prescribed_reps",
    "done_reps", "prescribed_holds", "done_holds", "skipped", "pain_reports",
)


def export_csv(data: ReportData, out: Path) -> int:
    """One row per exercise per session (sessions without exercises get one row)."""
    rows = 0
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(CSV_COLUMNS)
        for x in data.sessions:
            head = [x.id, _iso(x.started_at), _iso(x.ended_at), x.routine_id, x.routine_title,
                    x.routine_version, x.outcome.value]
            for e in x.exercises or (None,):
                if e is None:
                    writer.writerow(head + [""] * (len(CSV_COLUMNS) - len(head)))
                else:
                    load = e.load
                    writer.writerow(head + [
                        e.index, e.name, "" if load is None else load.reps,
                        "" if load is None or load.hold is None else load.hold,
                        e.prescribed_reps, e.done_reps, e.prescribed_holds, e.done_holds,
                        int(e.skipped), e.pain_reports,
                    ])
                rows += 1
    return rows


def _iso(ts: float | None) -> str:
    return "" if ts is None else datetime.fromtimestamp(ts).astimezone().isoformat(
        timespec="seconds")
