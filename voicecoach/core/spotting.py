"""Deciding when a streaming word hypothesis holds a command: stable, isolated, once.

Grammar-mode recognizers (Vosk with a phrase grammar) revise their partial
hypothesis every few tens of milliseconds, and they map *any* speech onto the
grammar's words. Acting on the first partial would fire on flicker; waiting
for Vosk's end of utterance costs 0.5-1 s. This spotter sits between:

* a phrase must stay in the hypothesis, at the same position, for
  ``stable_seconds`` of audio (less for safety phrases) before it fires;
* the *second opinion* against grammar-mode false positives: the grammar
  has a garbage path (``[unk]`` or filler words), and a non-safety phrase
  fires only when it stands alone in its utterance (no garbage word before it
  and none after it while it stabilises). Conversation that happens to
  contain "next" or "wait" comes wrapped in garbage; a command does not.
  Safety phrases ("it hurts", "stop", symptoms) skip the isolation rule:
  missing one costs more than a false alarm;
* each phrase occurrence fires once; the final result of an utterance fires
  what partials had not yet made stable.

No clock inside: time is the audio time passed in, so tests are plain asserts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from voicecoach.core.intents import Command
from voicecoach.core.phrases import Match, PhraseTable, find_phrases

__all__ = ["GARBAGE_WORD", "SpotterConfig", "PartialSpotter"]

#: Vosk's out-of-vocabulary word, when a model has one.
GARBAGE_WORD = "[unk]"


@dataclass(frozen=True, slots=True)
class SpotterConfig:
    """How sure the spotter must be before a command fires."""

    stable_seconds: float = 0.15
    """Audio time a non-safety phrase must persist in the partial hypothesis
    (0.08 s cut the median latency on Korean from 302 to 264 ms but let a
    conversation word through as a command: precision first). English holds
    longer: see :meth:`for_language`."""
    quiet_seconds: float | None = None
    """A non-safety phrase also fires, before ``stable_seconds``, once it is in
    the hypothesis and the talker has been silent this long (the recognizer
    measures it: :meth:`PartialSpotter.feed`'s ``quiet_for``). The hold exists
    for the words that follow a command word in conversation, which reach the
    partial results a few tenths of a second late; after a pause there are
    none to wait for. ``None``: the hold alone decides."""
    safety_stable_seconds: float = 0.0
    """The same for safety phrases: the first partial that holds one fires (recall first)."""
    isolate: bool = True
    """Require non-safety phrases to stand alone in their utterance (the garbage check)."""
    isolate_safety: bool = True
    """Apply the isolation rule to safety phrases too, except that the table's
    interjections may come before them ("아, 아파"). Off: any garbage around a
    safety phrase is accepted (more recall, many false alarms on conversation)."""

    @classmethod
    def for_language(cls, language: str) -> SpotterConfig:
        """The settings measured for ``language``; the defaults where none were."""
        return _MEASURED.get(language, cls())


#: English conversation opens sentences with command words ("Hold on a second,
#: ...", "Slow down a little, ..."), and the next words reach Vosk's partial
#: results only a few tenths of a second later. Holding non-safety phrases
#: 0.25 s instead of 0.15 s, measured (``benchmarks.speech_input``, English,
#: npm Zamia model, full corpus): false commands 228 -> 169 an hour, those that
#: would cut a running coach 79 -> 41; recall clean 0.883 -> 0.886, pink noise
#: 0.950 / 0.857 -> 0.947 / 0.848, babble 0.535 / 0.237 -> 0.515 / 0.205; latency
#: median 44 -> 96 ms (p95 332 -> 423). Korean keeps 0.15 s: its conversation
#: gave no false command, and its latency is already 275 ms.
#: A phrase followed by 0.15 s of silence fires without waiting out the hold
#: (``quiet_seconds``; same benchmark): latency median / p95 96 / 423 -> 74 /
#: 195 ms, recall unchanged or up (pink 5 dB 0.848 -> 0.863), false commands
#: 169 -> 176 an hour ("louder", "quieter" and "finish" before a comma's pause);
#: live, end of "wait" to the coach cut, 567 -> 211-230 ms median. 0.2 s: 96 /
#: 227 ms, 171 an hour.
_MEASURED: dict[str, SpotterConfig] = {
    "en": SpotterConfig(stable_seconds=0.25, quiet_seconds=0.15),
}


@dataclass(slots=True)
class _Seen:
    first: float
    fired: bool = False


@dataclass(slots=True)
class PartialSpotter:
    """Turns successive word hypotheses of one stream into commands."""

    table: PhraseTable
    config: SpotterConfig = field(default_factory=SpotterConfig)
    _seen: dict[tuple[int, str], _Seen] = field(default_factory=dict)

    def reset(self) -> None:
        """Start a new utterance: forget every phrase seen so far."""
        self._seen.clear()

    def feed(
        self,
        words: Sequence[str],
        now: float,
        final: bool = False,
        confidence: float | None = None,
        ends: Sequence[float] | None = None,
        quiet_for: float | None = None,
    ) -> list[Command]:
        """Take the recognizer's current hypothesis for the utterance at audio time ``now``.

        ``final`` marks the recognizer's end-of-utterance result; the spotter
        then forgets the utterance. ``confidence`` is the recognizer's own
        score for final results, if it has one. ``ends``, one per word, are
        the audio times the words ended, when the recognizer knows them: a
        command then carries when it was said (:attr:`Command.said_until`).
        Without them, a command from partial results carries the time its
        phrase first appeared in them. ``quiet_for``: how long the talker has
        been silent at ``now`` (see :attr:`SpotterConfig.quiet_seconds`).
        """
        quiet = self.config.quiet_seconds
        ended = quiet is not None and quiet_for is not None and quiet_for + 1e-9 >= quiet
        matches = find_phrases(words, self.table)
        live = {(m.start, m.phrase.text) for m in matches}
        for key in [k for k, s in self._seen.items() if k not in live and not s.fired]:
            del self._seen[key]
        out: list[Command] = []
        for m in matches:
            key = (m.start, m.phrase.text)
            seen = self._seen.setdefault(key, _Seen(now))
            if seen.fired:
                continue
            lead_ok = self.table.interjections if m.phrase.is_safety else ()
            if self._isolation_applies(m) and not _isolated(m, words, self.table, lead_ok):
                # Garbage around the phrase: conversation, unless a later
                # revision drops it. The phrase must be stable *and* alone.
                seen.first = now
                continue
            need = (
                self.config.safety_stable_seconds if m.phrase.is_safety
                else self.config.stable_seconds
            )
            held = now - seen.first
            if final or held + 1e-9 >= need or ended:
                seen.fired = True
                conf = confidence if (final and confidence is not None) else _stability(held, need)
                if ends is not None and len(ends) >= m.end:
                    said: float | None = ends[m.end - 1]
                else:
                    # A partial result shows words that have been said: the
                    # phrase was there when it first appeared, however long
                    # it was held for stability after that.
                    said = None if final else seen.first
                out.append(
                    Command(
                        m.phrase.intent, now, m.phrase.text, conf, detail=m.phrase.detail,
                        said_until=said,
                    )
                )
        if final:
            self.reset()
        return out

    def _isolation_applies(self, m: Match) -> bool:
        if not self.config.isolate:
            return False
        return self.config.isolate_safety or not m.phrase.is_safety


def _isolated(m: Match, words: Sequence[str], table: PhraseTable,
              lead_ok: Sequence[str] = ()) -> bool:
    """True when every word of the utterance outside ``m`` belongs to some command.

    Words of ``lead_ok`` directly before the phrase are allowed too.
    """
    before = list(words[: m.start])
    while before and before[-1] in lead_ok:
        before.pop()
    other = [*before, *words[m.end :]]
    if not other:
        return True
    covered = sum(x.end - x.start for x in find_phrases(other, table))
    return covered == len(other)


def _stability(held: float, need: float) -> float:
    """A confidence for partial-result commands, which carry no engine score.

    Grows with how long past the threshold the phrase held; never 1.0 (only
    keys and scripts are certain).
    """
    if need <= 0:
        return 0.9
    return round(min(0.95, 0.75 + 0.2 * min(1.0, held / (2 * need))), 3)
