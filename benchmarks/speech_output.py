"""Speech output latency and render speed, on real PortAudio into a PulseAudio null sink.

Run: ``/work/venv/bin/python -m benchmarks.speech_output`` (starts its own
private PulseAudio server; needs pulseaudio, espeak-ng). Prints a Markdown table.

* speak -> first sample at the device: ``SpeechStarted.t`` (the DAC time the
  player computes for the first sample) minus the time ``speak()`` was called;
* stop -> silence at the sink: the sink's monitor is captured in-process, each
  block stamped with its ADC time; the figure is the first moment after
  ``stop()`` from which the monitor stays below -50 dBFS;
* render real-time factor: seconds of synthesis per second of speech.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

N = 20
LONG = ("This is a long instruction that goes on for quite a while, so that there is "
        "plenty of time to cut it off in the middle of a word.")


def _ms(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
    return f"{1000 * statistics.median(values):.1f} | {1000 * p95:.1f}"


def _wait_started(sp, kinds):  # noqa: ANN001 - benchmark helper
    while True:
        event = sp.events.get(timeout=20)
        if isinstance(event, kinds):
            return event


def main() -> int:
    from tests.pulse import PulseRoom

    rows: list[tuple[str, str, str]] = []
    with PulseRoom(loopback=False) as room, tempfile.TemporaryDirectory() as tmp:
        os.environ["PULSE_SOURCE"] = "speaker.monitor"
        import sounddevice as sd

        sd._terminate()
        sd._initialize()
        from voicecoach.adapters.phrase_cache import PhraseCache
        from voicecoach.adapters.speaker import SpeechEnded, SpeechStarted, open_speaker
        from voicecoach.adapters.synth import Synthesizer
        from voicecoach.adapters.tts import Pyttsx3Renderer

        captured: list[tuple[float, np.ndarray]] = []

        def on_input(indata, frames, time_info, status):  # noqa: ANN001
            now = time.monotonic()
            captured.append((now + (time_info.inputBufferAdcTime - time_info.currentTime),
                             indata[:, 0].copy()))

        mic = sd.InputStream(device="pulse", samplerate=48000, channels=1, callback=on_input,
                             latency=0.01)
        mic.start()
        sp = open_speaker("pulse", cache=PhraseCache(Path(tmp) / "cache"), warm=("Hold.",))
        time.sleep(2.0)  # warm phrases rendered, both streams past their start-up stall

        cached: list[float] = []
        for i in range(N):
            t0 = time.monotonic()
            sp.speak(i, "Hold.")
            cached.append(_wait_started(sp, SpeechStarted).t - t0)
            _wait_started(sp, SpeechEnded)
        rows.append(("speak -> first sample at the device, cached phrase", _ms(cached),
                     "20 ms"))

        fresh: list[float] = []
        for i in range(N):
            t0 = time.monotonic()
            sp.speak(100 + i, f"Now a new sentence, number {i + 17}, never heard before.")
            fresh.append(_wait_started(sp, SpeechStarted).t - t0)
            _wait_started(sp, SpeechEnded)
        rows.append(("speak -> first sample at the device, new sentence", _ms(fresh), "150 ms"))

        to_dac: list[float] = []
        to_sink: list[float] = []
        for i in range(10):
            sp.speak(200 + i, LONG)
            _wait_started(sp, SpeechStarted)
            time.sleep(0.7 + 0.037 * i)  # stop at different points in the words
            captured.clear()
            t_stop = time.monotonic()
            sp.stop()
            ended = _wait_started(sp, SpeechEnded)
            to_dac.append(ended.t - t_stop)
            time.sleep(0.4)
            blocks = list(captured)
            if not blocks:
                continue
            signal = np.concatenate([b for _, b in blocks])
            t_first = blocks[0][0]
            win = 240  # 5 ms
            levels = np.sqrt(np.mean(signal[: len(signal) // win * win].reshape(-1, win) ** 2, 1))
            loud = np.flatnonzero(levels > 10 ** (-50 / 20))
            last_loud_end = t_first + ((loud[-1] + 1) * win / 48000 if len(loud) else 0.0)
            to_sink.append(max(0.0, last_loud_end - t_stop))
        rows.append(("stop -> fade done at the DAC (SpeechEnded.t)", _ms(to_dac), ""))
        rows.append(("stop -> silence at the sink (monitor capture)", _ms(to_sink), "50 ms"))
        underflows = sp.player.underflows
        sp.close()

        low = open_speaker("pulse", cache=PhraseCache(Path(tmp) / "cache"), warm=("Hold.",),
                           latency="low")
        time.sleep(1.0)
        cached_low: list[float] = []
        for i in range(N):
            t0 = time.monotonic()
            low.speak(i, "Hold.")
            cached_low.append(_wait_started(low, SpeechStarted).t - t0)
            _wait_started(low, SpeechEnded)
        rows.insert(1, ('speak -> first sample at the device, cached, latency "low"',
                        _ms(cached_low), "20 ms"))
        low_underflows = low.player.underflows
        low.close()
        mic.close()

        texts = [f"Exercise {i}: lift the bent knee slowly, hold, and lower it again."
                 for i in range(30)]
        with Pyttsx3Renderer() as renderer:
            renderer.start()
            synth = Synthesizer(renderer, PhraseCache(Path(tmp) / "rtf", disk=False))
            t0 = time.perf_counter()
            audio = sum(synth.clip(t, None, 165).duration for t in texts)  # type: ignore[union-attr]
            took = time.perf_counter() - t0
        rows.append(("render real-time factor (uncached sentences)", f"{took / audio:.4f}", ""))

    print("| measure | median (ms) | p95 (ms) | aim |")
    print("|---|---|---|---|")
    for name, value, aim in rows:
        if "|" in value:
            print(f"| {name} | {value} | {aim} |")
        else:
            print(f"| {name} | {value} | | |")
    from voicecoach.adapters.player import DEFAULT_LATENCY

    print(f"\n{N} runs each, {room.rate} Hz null sink, "
          f"output latency {DEFAULT_LATENCY * 1000:.0f} ms, "
          f"{underflows} output underflows ({low_underflows} at latency \"low\"); "
          f"Python {sys.version.split()[0]}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
