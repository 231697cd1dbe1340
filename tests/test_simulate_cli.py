"""``voicecoach simulate``: readable text and JSON lines."""

from __future__ import annotations

import json

import yaml

from tests.session_util import BASE


def write(tmp_path):
    path = tmp_path / "routine.yaml"
    path.write_text(yaml.safe_dump(BASE), encoding="utf-8")
    return path


def test_simulate_prints_a_readable_timeline(cli, tmp_path):
    res = cli("simulate", str(write(tmp_path)), "--commands", "30:pause,40:resume")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert any('say  "Exercise one of two: Knee to chest."' in line for line in lines)
    assert any("resumed" in line and "paused_for=10.0" in line for line in lines)
    assert any(line.strip().startswith("30.0s  paused") for line in lines)
    assert lines[-1].startswith("# session ended at")


def test_simulate_json_lines_with_symptom(cli, tmp_path):
    res = cli("simulate", str(write(tmp_path)), "--json", "--commands", "30:symptom=dizziness")
    assert res.returncode == 0, res.stderr
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert all({"t", "type"} <= row.keys() for row in rows)
    assert [r["t"] for r in rows] == sorted(r["t"] for r in rows)
    says = [r for r in rows if r["type"] == "say"]
    assert all(isinstance(r["text"], str) for r in says)
    symptom = [r for r in rows if r["type"] == "record" and r["kind"] == "symptom"]
    assert symptom[0]["t"] == 30.0 and symptom[0]["data"]["symptom"] == "dizziness"
    assert "warning sign" in says[-1]["text"]


def test_simulate_screening_and_bad_input(cli, tmp_path):
    path = write(tmp_path)
    res = cli("simulate", str(path), "--screening")
    assert "Are you pregnant?" in res.stdout and "screening_passed" in res.stdout
    res = cli("simulate", str(path), "--commands", "5:dance")
    assert res.returncode == 2 and "unknown command" in res.stderr
    res = cli("simulate", str(tmp_path / "missing.yaml"))
    assert res.returncode == 2 and "Traceback" not in res.stderr
