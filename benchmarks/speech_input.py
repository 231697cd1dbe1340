"""Speech input: recall per noise condition, false commands, latency, speed, memory.

Run: ``/work/venv/bin/python -m benchmarks.speech_input [--quick] [--language en|ko|all]
[--engines NAME,...] [--soak MINUTES]``. Prints Markdown tables.

The corpus is synthesized here (nothing is downloaded):

* **commands**: every phrase of the language's table, spoken by several voices
  and rates (Piper ``joe`` and espeak-ng variants for English; espeak-ng for
  Korean), laid end to end with 1.2 s gaps, one stream per voice, fed to one
  recognizer per condition exactly as a microphone would (50 ms chunks);
* **conditions**: clean, pink noise and babble (five TTS talkers) at 10 and
  5 dB SNR; the noise runs through the gaps too (the room does not go quiet);
* **distractors**: TTS conversation sentences (many contain command words:
  "wait for the next bus"); for English also 60 more sentences
  (``CONVERSATION_EN_MORE``, some opening with a command phrase and a comma:
  "Go on, tell me ...") and human read speech from Debian
  ``pocketsphinx-testdata`` (LibriVox and the other recordings there). False
  commands are also counted per group.

A phrase counts as heard when a command of its intent (and symptom) fires
between its start and 1 s after its end; latency is fire time minus the
phrase's last sample. Every other command is *extra* (in command streams) or
*false* (in distractors, reported per hour). RTF is decode time over audio
time; memory is the resident set a forked child grows by while loading the
engine and running everything. ``--soak`` feeds that many minutes of mixed
audio to one recognizer and reports RSS every tenth of the run.
"""

from __future__ import annotations

import argparse
import glob
import multiprocessing
import os
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache

import numpy as np

from benchmarks.speech_corpus import (
    CONVERSATION_EN,
    CONVERSATION_EN_MORE,
    CONVERSATION_KO,
    RATE,
    Placed,
    Voice,
    babble,
    mix,
    pink_noise,
    place,
    say,
)
from voicecoach.core.intents import SAFETY_INTENTS, Command
from voicecoach.core.phrases import Phrase, PhraseTable, phrase_table
from voicecoach.core.session.engine import ANSWERS

HUMAN_GLOBS = ("/usr/share/pocketsphinx/test/data/librivox/*.wav",
               "/usr/share/pocketsphinx/test/data/cards/*.wav",
               "/usr/share/pocketsphinx/test/data/*.raw")
CHUNK = 0.05
WINDOW_AFTER = 1.0


# -- corpus -------------------------------------------------------------------------


def bench_voices(language: str, quick: bool) -> list[Voice]:
    """Voices for the command corpus: varied engines, timbres and rates."""
    if language == "en":
        vs = [Voice("piper", "joe", 1.0), Voice("espeak", "en-us+f3", 0.9),
              Voice("piper", "joe", 1.25), Voice("piper", "joe", 0.85),
              Voice("espeak", "en-us+klatt", 1.0), Voice("espeak", "en-us", 0.85)]
    else:
        vs = [Voice("espeak", language, 1.0), Voice("espeak", f"{language}+f2", 0.85),
              Voice("espeak", language, 1.2)]
    return vs[:2] if quick else vs


def conditions(quick: bool) -> list[tuple[str, float | None]]:
    """(noise kind, SNR dB) pairs; ``None`` SNR is clean."""
    if quick:
        return [("clean", None), ("pink", 10.0), ("babble", 5.0)]
    return [("clean", None), ("pink", 10.0), ("pink", 5.0), ("babble", 10.0), ("babble", 5.0)]


def human_speech() -> list[np.ndarray]:
    """Real read speech from pocketsphinx-testdata (16 kHz mono), if installed."""
    from voicecoach.adapters.audio_source import read_wav

    out = []
    for pattern in HUMAN_GLOBS:
        for path in sorted(glob.glob(pattern)):
            if path.endswith(".raw"):
                out.append(np.fromfile(path, "<i2").astype(np.int16))
            else:
                out.append(read_wav(path, RATE))
    return out


@dataclass
class Stream:
    """One recording fed to a fresh recognizer."""

    label: str
    audio: np.ndarray
    placed: list[Placed]
    phrases: list[Phrase | None]
    """The phrase at each placed position (``None`` in distractor streams)."""


def command_streams(table: PhraseTable, quick: bool) -> list[Stream]:
    """One clean stream per voice with every phrase, in a fixed shuffled order."""
    rng = np.random.default_rng(7)
    out = []
    for voice in bench_voices(table.language, quick):
        order = list(table.phrases)
        rng.shuffle(order)  # type: ignore[arg-type]
        audio, placed = place([(p.text, say(p.text, voice)) for p in order], gap=1.2)
        out.append(Stream(voice.label, audio, placed, list(order)))
    return out


def distractor_streams(table: PhraseTable, quick: bool) -> list[Stream]:
    """Conversation by every bench voice, plus human read speech for English."""
    sentences = CONVERSATION_EN if table.language == "en" else CONVERSATION_KO
    out = []
    for voice in bench_voices(table.language, quick):
        audio, placed = place([(s, say(s, voice)) for s in sentences], gap=0.6)
        out.append(Stream(f"conversation {voice.label}", audio, placed, [None] * len(placed)))
    if table.language == "en":
        for voice in bench_voices(table.language, quick):
            audio, placed = place([(s, say(s, voice)) for s in CONVERSATION_EN_MORE], gap=0.6)
            out.append(Stream(f"more conversation {voice.label}", audio, placed,
                              [None] * len(placed)))
        human = human_speech()
        if human:
            audio, placed = place([("human", h) for h in human], gap=0.6)
            out.append(Stream("human read speech", audio, placed, [None] * len(placed)))
    return out


def noisy(stream: Stream, kind: str, snr: float | None, language: str) -> Stream:
    """``stream`` with ``kind`` noise at ``snr`` dB under the whole recording."""
    if snr is None:
        return stream
    n = len(stream.audio)
    noise = pink_noise(n, seed=3) if kind == "pink" else babble(n, language, seed=3)
    return Stream(stream.label, mix(stream.audio, noise, snr), stream.placed, stream.phrases)


# -- running ------------------------------------------------------------------------


@dataclass
class Outcome:
    """What one recognizer did on one stream."""

    hits: int = 0
    safety_hits: int = 0
    safety_total: int = 0
    total: int = 0
    latencies: list[float] = field(default_factory=list)
    extra: list[Command] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)
    audio_seconds: float = 0.0
    decode_seconds: float = 0.0


def run_stream(rec, stream: Stream) -> Outcome:  # noqa: ANN001 - any Recognizer
    """Feed ``stream`` in live-sized chunks (plus 1 s of quiet) and score it."""
    rec.reset()
    audio = np.concatenate([stream.audio, np.zeros(RATE, np.int16)])
    step = round(CHUNK * RATE)
    fired: list[Command] = []
    t0 = time.process_time()
    for i in range(0, len(audio), step):
        fired += rec.accept(audio[i : i + step], i / RATE)
    out = Outcome(audio_seconds=len(audio) / RATE, decode_seconds=time.process_time() - t0)
    used: set[int] = set()
    for placed, phrase in zip(stream.placed, stream.phrases, strict=True):
        if phrase is None:
            continue
        out.total += 1
        out.safety_total += phrase.is_safety
        for k, cmd in enumerate(fired):
            if (k not in used and cmd.intent is phrase.intent and cmd.detail == phrase.detail
                    and placed.start <= cmd.time <= placed.end + WINDOW_AFTER):
                used.add(k)
                out.hits += 1
                out.safety_hits += phrase.is_safety
                out.latencies.append(cmd.time - placed.end)
                break
        else:
            out.misses.append(phrase.text)
    out.extra = [c for k, c in enumerate(fired) if k not in used]
    return out


def merge(outcomes: list[Outcome]) -> Outcome:
    total = Outcome()
    for o in outcomes:
        total.hits += o.hits
        total.safety_hits += o.safety_hits
        total.safety_total += o.safety_total
        total.total += o.total
        total.latencies += o.latencies
        total.extra += o.extra
        total.misses += o.misses
        total.audio_seconds += o.audio_seconds
        total.decode_seconds += o.decode_seconds
    return total


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


# -- engines --------------------------------------------------------------------------


def _sphinx(**kw) -> Callable[[PhraseTable], object]:  # noqa: ANN003
    def build(table: PhraseTable) -> object:
        from voicecoach.adapters.sphinx_engine import SphinxRecognizer, SphinxTuning

        return SphinxRecognizer(table, tuning=SphinxTuning(**kw))
    return build


def _vosk(**kw) -> Callable[[PhraseTable], object]:  # noqa: ANN003
    def build(table: PhraseTable) -> object:
        from voicecoach.adapters.recognizers import find_vosk_model
        from voicecoach.adapters.vosk_engine import VoskModel, VoskRecognizer
        from voicecoach.core.spotting import SpotterConfig

        path = find_vosk_model(table.language)
        if path is None:
            raise SystemExit(f"no Vosk model for {table.language}")
        spot = {k: v for k, v in kw.items() if k in SpotterConfig.__dataclass_fields__}
        rest = {k: v for k, v in kw.items() if k not in spot}
        spotting = replace(SpotterConfig.for_language(table.language), **spot)
        return VoskRecognizer(VoskModel(path), table, spotter_config=spotting, **rest)
    return build


#: Engine name -> (language, builder). ``-nocheck`` variants switch the second opinion off.
ENGINES: dict[str, tuple[str, Callable[[PhraseTable], object]]] = {
    "sphinx": ("en", _sphinx()),
    "sphinx-nocheck": ("en", _sphinx(second_opinion=False)),
    "vosk": ("ko", _vosk()),
    "vosk-nocheck": ("ko", _vosk(isolate=False, isolate_safety=False)),
    "vosk-en": ("en", _vosk()),
    "vosk-en-nocheck": ("en", _vosk(isolate=False, isolate_safety=False)),
    "vosk-en-s15": ("en", _vosk(safety_stable_seconds=0.15)),
    "vosk-en-raw": ("en", _vosk(denoise_db=0)),
    "vosk-en-h15": ("en", _vosk(stable_seconds=0.15)),
    "vosk-en-q15": ("en", _vosk(quiet_seconds=0.15)),
    "vosk-en-q20": ("en", _vosk(quiet_seconds=0.2)),
    "vosk-en-hold": ("en", _vosk(quiet_seconds=None)),
    "vosk-q15": ("ko", _vosk(quiet_seconds=0.15)),
    "vosk-en-always": ("en", _vosk(denoise_gate_db=None)),
    "vosk-always": ("ko", _vosk(denoise_gate_db=None)),
}


# -- report ---------------------------------------------------------------------------


def _ms(values: list[float]) -> str:
    if not values:
        return "- | -"
    v = sorted(values)
    p95 = v[min(len(v) - 1, round(0.95 * (len(v) - 1)))]
    return f"{1000 * statistics.median(v):.0f} | {1000 * p95:.0f}"


@cache
def corpus(language: str, quick: bool) -> tuple[dict, list[Stream]]:
    """Command streams per condition, and distractor streams (built once, before forking)."""
    table = phrase_table(language)
    cmd_streams = command_streams(table, quick)
    noisy_streams = {(k, s): [noisy(st, k, s, language) for st in cmd_streams]
                     for k, s in conditions(quick)}
    return noisy_streams, distractor_streams(table, quick)


def evaluate(name: str, quick: bool, verbose: bool) -> dict:
    """Everything about one engine, as a plain dict (runs in a forked child)."""
    language, build = ENGINES[name]
    table = phrase_table(language)
    noisy_streams, distractors = corpus(language, quick)
    before = rss_mb()
    t_load = time.perf_counter()
    rec = build(table)
    load = time.perf_counter() - t_load
    per_cond: dict[str, Outcome] = {}
    per_voice: dict[str, Outcome] = {}
    for (kind, snr), streams in noisy_streams.items():
        label = "clean" if snr is None else f"{kind} {snr:g} dB"
        results = [run_stream(rec, st) for st in streams]
        per_cond[label] = merge(results)
        if snr is None:
            per_voice = {st.label: r for st, r in zip(streams, results, strict=True)}
    false_runs = [run_stream(rec, st) for st in distractors]
    false = merge(false_runs)
    groups: dict[str, list[float]] = {}
    for st, o in zip(distractors, false_runs, strict=True):
        g = groups.setdefault(_group(st.label), [0.0, 0.0])
        g[0] += len(o.extra)
        g[1] += o.audio_seconds
    everything = merge([*per_cond.values(), false])
    if verbose:
        for label, o in per_cond.items():
            print(f"[{name}] {label} misses: {sorted(o.misses)}", file=sys.stderr)
            print(f"[{name}] {label} extra: {[c.text for c in o.extra]}", file=sys.stderr)
        print(f"[{name}] false: {[c.text for c in false.extra]}", file=sys.stderr)
    hours = false.audio_seconds / 3600
    return {
        "name": name,
        "language": language,
        "recall": {k: (o.hits / o.total, o.safety_hits / max(1, o.safety_total), len(o.extra))
                   for k, o in per_cond.items()},
        "voices": {k: o.hits / o.total for k, o in per_voice.items()},
        "false_per_hour": len(false.extra) / hours,
        "false_nonsafety_per_hour": sum(c.intent not in SAFETY_INTENTS
                                        for c in false.extra) / hours,
        "false_cutting_per_hour": sum(c.intent not in SAFETY_INTENTS and c.intent not in ANSWERS
                                      for c in false.extra) / hours,
        "false_intents": dict(Counter(c.intent.value for c in false.extra).most_common()),
        "distractor_seconds": false.audio_seconds,
        "false_groups": {k: (int(n), sec) for k, (n, sec) in groups.items()},
        "latency": _ms(per_cond["clean"].latencies),
        "latency_all": _ms(merge(list(per_cond.values())).latencies),
        "rtf": everything.decode_seconds / everything.audio_seconds,
        "rss": rss_mb() - before,
        "load": load,
    }


def _group(label: str) -> str:
    """Distractor stream label -> its group (the voice is dropped)."""
    return label.rsplit(" ", 1)[0] if label.startswith(("conversation", "more")) else label


def _child(name: str, quick: bool, verbose: bool, q) -> None:  # noqa: ANN001
    q.put(evaluate(name, quick, verbose))


def _result_of(p, q) -> dict | None:  # noqa: ANN001
    """The child's result, or ``None`` when it died without one (a crash in a native engine).

    A bare ``q.get()`` waited forever for a child that had died.
    """
    import queue

    while True:
        try:
            result = q.get(timeout=1.0)
        except queue.Empty:
            if not p.is_alive():
                p.join()
                return None
            continue
        p.join()
        return result


def soak(name: str, minutes: float) -> None:
    """Feed ``minutes`` of commands and conversation to one recognizer; print RSS."""
    language, build = ENGINES[name]
    table = phrase_table(language)
    pieces = [st.audio for st in command_streams(table, True) + distractor_streams(table, True)]
    loop = np.concatenate(pieces)
    rec = build(table)
    total = int(minutes * 60 * RATE)
    step = round(CHUNK * RATE)
    marks = {int(total * k / 10) // step * step for k in range(1, 10)} | {total - step}
    print(f"| {name}: audio minutes | RSS MB | commands so far |\n|---|---|---|")
    fired = 0
    t0 = time.process_time()
    for i in range(0, total, step):
        j = i % len(loop)
        fired += len(rec.accept(loop[j : j + step], i / RATE))  # type: ignore[attr-defined]
        if i in marks:
            print(f"| {(i + step) / RATE / 60:.0f} | {rss_mb():.1f} | {fired} |", flush=True)
    print(f"\nRTF over the soak: {(time.process_time() - t0) / (total / RATE):.3f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="2 voices, 3 conditions")
    ap.add_argument("--language", choices=["en", "ko", "all"], default="all")
    ap.add_argument("--engines", help="comma-separated: " + ", ".join(ENGINES))
    ap.add_argument("--verbose", "-v", action="store_true", help="list misses and false commands")
    ap.add_argument("--soak", type=float, metavar="MINUTES",
                    help="instead: feed MINUTES of audio to the first engine, print RSS")
    args = ap.parse_args(argv)
    names = args.engines.split(",") if args.engines else [
        n for n, (lang, _) in ENGINES.items() if args.language in ("all", lang)]
    if args.soak:
        soak(names[0], args.soak)
        return 0
    ctx = multiprocessing.get_context("fork")
    results = []
    for name in names:
        corpus(ENGINES[name][0], args.quick)  # synthesized once, inherited by the children
        q = ctx.Queue()
        p = ctx.Process(target=_child, args=(name, args.quick, args.verbose, q))
        p.start()
        result = _result_of(p, q)
        if result is None:
            print(f"{name}: the engine's process died (exit code {p.exitcode}); "
                  "left out of the table", file=sys.stderr)
        else:
            results.append(result)
    if not results:
        return 1
    _print(results, args.quick)
    return 0


def _print(results: list[dict], quick: bool) -> None:
    labels = list(results[0]["recall"])
    print(f"Recall (all phrases / safety phrases; extra commands) — "
          f"{'quick' if quick else 'full'} corpus\n")
    print("| engine | " + " | ".join(labels) + " |")
    print("|---|" + "---|" * len(labels))
    for r in results:
        cells = [f"{a:.3f} / {s:.3f}; {e}" for a, s, e in r["recall"].values()]
        print(f"| {r['name']} ({r['language']}) | " + " | ".join(cells) + " |")
    print("\n| engine | false cmds/h (non-safety/h) | distractor s | latency clean "
          "median/p95 ms | latency all | RTF | RSS MB | load s |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['name']} | {r['false_per_hour']:.0f} ({r['false_nonsafety_per_hour']:.0f}) "
              f"| {r['distractor_seconds']:.0f} | {r['latency'].replace(' | ', ' / ')} "
              f"| {r['latency_all'].replace(' | ', ' / ')} | {r['rtf']:.3f} "
              f"| {r['rss']:.0f} | {r['load']:.1f} |")
    print("\nFalse commands by intent; the non-safety ones that still cut a running coach "
          "(resume, ready, yes and no are ignored while it runs and asks nothing)\n")
    for r in results:
        print(f"- {r['name']}: " + ", ".join(f"{k} {n}" for k, n in r["false_intents"].items())
              + f"; cutting the running coach, non-safety: {r['false_cutting_per_hour']:.0f}/h")
    print("\nFalse commands per distractor group (count in seconds of audio)\n")
    for r in results:
        print(f"- {r['name']}: " + ", ".join(f"{k} {n} in {sec:.0f} s"
                                            for k, (n, sec) in r["false_groups"].items()))
    print("\nClean recall per voice\n")
    for r in results:
        print(f"- {r['name']}: " + ", ".join(f"{k} {v:.2f}" for k, v in r["voices"].items()))


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    raise SystemExit(main())
