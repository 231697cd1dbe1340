"""The physiotherapist's report: HTML content, embedded and written PNGs, CSV."""

from __future__ import annotations

import base64
import csv
import re
import stat
import struct
from pathlib import Path

import pytest

from tests.history_data import DAY, T0, fill_history, run_session
from voicecoach.adapters.history import SQLiteHistory
from voicecoach.adapters.report import CSV_COLUMNS, build_report, collect, export_csv

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk, after checking it is a PNG."""
    assert data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    tmp = tmp_path_factory.mktemp("report")
    with SQLiteHistory(tmp / "h.sqlite3") as store:
        fill_history(store)
        data = collect(store, now=T0 + 42 * DAY)
    files = build_report(data, tmp / "out" / "report.html")
    return tmp, (data, files)


def test_html_has_sessions_pain_and_screening(report: tuple[Path, object]) -> None:
    _, (data, files) = report
    page = files.html.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page
    sessions_section = page.split("<h2>Sessions</h2>")[1].split("<h2>")[0]
    assert sessions_section.count("<tr>") == len(data.sessions) + 1  # + header
    assert len(data.sessions) == 33
    for word in ("completed", "interrupted", "finished early", "stopped: warning symptom"):
        assert word in sessions_section
    pain_section = page.split("<h2>Pain reports and warning symptoms</h2>")[1].split("<h2>")[0]
    assert pain_section.count("<td>pain</td>") == 2
    assert "symptom: dizziness" in pain_section and "Knee to chest" in pain_section
    assert "Do you have a fever?" in page
    assert "does not replace a doctor" in page
    assert "<td>Knee to chest</td><td>3</td><td>5</td>" in page  # current load table


def test_plots_are_embedded_and_written(report: tuple[Path, object]) -> None:
    _, (_, files) = report
    page = files.html.read_text(encoding="utf-8")
    embedded = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(embedded) == 3
    assert [p.name for p in files.plots] == ["report-adherence.png", "report-load.png",
                                             "report-pain.png"]
    for b64, path in zip(embedded, files.plots, strict=True):
        data = path.read_bytes()
        assert data == base64.b64decode(b64)
        width, height = png_size(data)
        assert width == 800 and 200 <= height <= 600
        assert len(data) > 5000  # drawn, not blank
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(files.html.stat().st_mode) == 0o600


def test_csv_export(report: tuple[Path, object], tmp_path: Path) -> None:
    _, (data, _) = report
    rows = export_csv(data, tmp_path / "s.csv")
    with open(tmp_path / "s.csv", newline="", encoding="utf-8") as f:
        table = list(csv.DictReader(f))
    assert rows == len(table) == 2 * len(data.sessions)
    assert tuple(table[0]) == CSV_COLUMNS
    interrupted = [r for r in table if r["outcome"] == "interrupted"]
    assert {(r["exercise"], r["done_reps"], r["prescribed_reps"]) for r in interrupted} == {
        ("Knee to chest", "6", "6"), ("Pelvic tilt", "0", "4")}
    assert sum(int(r["pain_reports"]) for r in table) == 2


def test_values_are_escaped_and_empty_history_renders(tmp_path: Path) -> None:
    with SQLiteHistory(tmp_path / "h.sqlite3") as store:
        data = collect(store, now=T0)
        empty = build_report(data, tmp_path / "empty.html")
        assert "No sessions in this period." in empty.html.read_text()
        sid = store.start_session("x", "<script>alert(1)</script>", 1, T0)
        store.end_session(sid, T0 + 1, "completed")  # type: ignore[arg-type]
        run_session(store, T0 + DAY)
        page = build_report(collect(store, now=T0 + DAY), tmp_path / "r.html").html.read_text()
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
