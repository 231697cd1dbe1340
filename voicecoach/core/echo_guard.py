"""Don't obey the coach: discount commands that were the coach's own words.

Echo cancellation removes most of the coach's voice from the microphone,
but not all of it: it needs a moment to converge, loud playback distorts,
and a recognizer primed for "stop" hears it in a faint residue of "if it
hurts, stop". The session knows what the coach is saying and when, so a
recognized command whose words the coach was saying at that very moment,
while the canceller reports that the sound was mostly echo, is the coach
and not the person.

The guard must not blind the recognizer to the person, who may well talk
over the coach. So it drops a command only when two independent signs agree
(the words match the coach's words near that time position, and the
energy the canceller removed says echo), and it keeps safety commands
("it hurts", "stop") unless the word-and-time match is strong.

Pure and clock-free: utterances and commands carry their own times.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, replace
from enum import StrEnum

from voicecoach.core.intents import SAFETY_INTENTS, Command, Intent

__all__ = [
    "EchoEvidence",
    "EchoGuard",
    "GuardOptions",
    "MatchStrength",
    "Utterance",
    "Verdict",
    "word_timings",
]

_WORD = re.compile(r"[a-z0-9']+")


def words_of(text: str) -> list[str]:
    """Lower-case words, punctuation dropped (``"It hurts!"`` -> ``["it", "hurts"]``)."""
    return _WORD.findall(text.lower().replace("\u2019", "'"))


@dataclass(frozen=True, slots=True)
class Utterance:
    """Something the coach said (or is saying), on the session clock."""

    text: str
    """The words as spoken."""
    start: float
    """When its first sample reached the speaker."""
    duration: float | None = None
    """Length of the rendered audio, if known; otherwise estimated from the text."""
    stopped_at: float | None = None
    """When playback was cut short, if it was."""

    def planned_duration(self, chars_per_second: float) -> float:
        """The rendered length, or an estimate from the number of characters."""
        if self.duration is not None:
            return self.duration
        return max(0.3, len(self.text) / chars_per_second)

    def end(self, chars_per_second: float) -> float:
        """When the coach fell silent (the cut, or the planned end)."""
        planned = self.start + self.planned_duration(chars_per_second)
        return planned if self.stopped_at is None else min(planned, self.stopped_at)


def word_timings(
    utterance: Utterance, chars_per_second: float = 14.0
) -> list[tuple[str, float, float]]:
    """Estimated ``(word, start, end)`` of every word in ``utterance``.

    Text-to-speech output is close to proportional to the number of
    characters, with extra time at punctuation; that is good to a few
    hundred milliseconds, which is all the guard needs.
    """
    tokens = re.findall(r"[A-Za-z0-9'\u2019]+|[,.;:!?]", utterance.text)
    weights: list[tuple[str | None, float]] = []
    for token in tokens:
        if token in ",;:":
            weights.append((None, 3.0))
        elif token in ".!?":
            weights.append((None, 5.0))
        else:
            weights.append((token.lower().replace("\u2019", "'"), len(token) + 1.0))
    total = sum(w for _, w in weights) or 1.0
    duration = utterance.planned_duration(chars_per_second)
    timings: list[tuple[str, float, float]] = []
    t = utterance.start
    for word, weight in weights:
        step = duration * weight / total
        if word is not None:
            timings.append((word, t, t + step))
        t += step
    return timings


@dataclass(frozen=True, slots=True)
class EchoEvidence:
    """What the echo canceller saw over a stretch of microphone audio."""

    mic_db: float
    """Microphone level before cancellation, dBFS."""
    out_db: float
    """Level after cancellation, dBFS."""
    reference_db: float
    """Level of the aligned reference (what the coach played), dBFS."""
    converged: bool = True
    """Whether the canceller had learned the echo path by then. Until it has,
    echo passes through nearly untouched and looks like the person."""
    peak_removed_db: float | None = None
    """How much the canceller removed over the loudest quarter of what it let through
    (None when unknown). The person's word, when there, is the loudest part of
    the output and the canceller cannot remove it: 0-9 dB measured with the person
    at the coach's level or 6 dB below it. What is left of the coach's own voice
    is loudest where the coach was, and still mostly removed there."""

    @property
    def removed_db(self) -> float:
        """How much quieter the canceller made it: large for echo, small for the person."""
        return self.mic_db - self.out_db


class MatchStrength(StrEnum):
    """How well a command matches what the coach was saying."""

    NONE = "none"
    """The command's words are not in any current utterance."""
    WEAK = "weak"
    """The words are in the utterance, but not where the coach was at that moment."""
    STRONG = "strong"
    """The words are in the utterance, right where the coach was at that moment."""
    SIMILAR = "similar"
    """Part of the command is a word the coach was saying at that moment ("go on"
    heard in "hold on"): residual echo misheard, unless a person clearly spoke."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """The guard's decision about one command."""

    drop: bool
    """True when the command is judged to be the coach's own voice."""
    match: MatchStrength
    """How well its words matched the coach's."""
    reason: str
    """Why, in a few words, for the event log."""
    unsure: bool = False
    """Kept, but over the coach's voice while the canceller could not vouch
    for it (``EchoEvidence.converged`` false): the words and timing alone kept it."""


@dataclass(frozen=True, slots=True)
class GuardOptions:
    """Tuning of :class:`EchoGuard`; defaults measured in ``benchmarks/echo.py``."""

    chars_per_second: float = 14.0
    """Speaking rate used when an utterance's duration is unknown (espeak-ng at 175 wpm)."""
    latency_s: float = 0.25
    """Typical time from the coach playing a word to the recognizer firing on its echo."""
    slack_s: float = 0.6
    """Timing tolerance of a strong match."""
    slack_fraction: float = 0.1
    """Extra tolerance per second of utterance (word timing is estimated)."""
    tail_s: float = 1.0
    """After an utterance ends, its echo and the recognizer's lag still count this long."""
    echo_removed_db: float = 10.0
    """The canceller removed at least this much: the sound was mostly echo."""
    person_removed_db: float = 4.0
    """The canceller removed less than this: someone other than the coach was speaking."""
    silent_reference_db: float = -60.0
    """Reference below this over a phrase: the coach played nothing then."""
    echo_only_db: float = 15.0
    """Removed this much with no word match, and ``echo_peak_db`` at the phrase's
    loudest quarter: pure echo; drops non-safety commands and "stop". The
    canceller's comfort-noise gate calls such frames pure echo too
    (``EchoOptions.gate_db``); residue heard as "repeat" in "Hold for three
    seconds" was 16 dB down, the person 6 dB below the coach 7-8 dB in
    simulated rooms (16-17 dB in kept live runs, hence the loudest quarter)."""
    echo_only_safety_db: float = 22.0
    """The same for pain and symptoms ("stop" only asks a question), set higher:
    measured 27-32 dB removed when a recognizer heard "numb" or "pain" in pure
    residual echo, 7-8 dB when the person said "it hurts" 6 dB below the coach."""
    echo_peak_db: float = 12.0
    """Between ``echo_only_db`` and ``echo_only_safety_db`` removed, what the
    loudest quarter of the phrase had removed decides
    (:attr:`EchoEvidence.peak_removed_db`): this much or more, echo, for every
    command (the coach's own voice heard as "dizzy" live, 17.9 dB removed,
    13.8 at its loudest; residue heard as "stop", "next", "tingling" in the
    kept runs, 15-20 at the loudest); less, the person (their "wait" and
    "repeat" under a coach 6 dB louder, re-lived with Vosk: 16.3-17.2 dB
    removed, 8.7-10.5 at the loudest; at most 11.5 for every command of
    theirs that was kept)."""
    keep_s: float = 30.0
    """How long utterances are remembered after they end."""


class EchoGuard:
    """Remembers what the coach said and judges recognized commands against it."""

    def __init__(self, options: GuardOptions | None = None) -> None:
        self.options = options or GuardOptions()
        self._utterances: deque[Utterance] = deque()

    def spoke(self, utterance: Utterance) -> None:
        """Tell the guard that the coach started saying something."""
        self._utterances.append(utterance)

    def stopped(self, at: float) -> None:
        """Playback was cut at ``at``: the rest of the current utterance was never said."""
        if self._utterances:
            last = self._utterances[-1]
            if last.stopped_at is None and at < last.end(self.options.chars_per_second):
                self._utterances[-1] = Utterance(last.text, last.start, last.duration, at)

    def active(self, time: float) -> list[Utterance]:
        """Utterances whose sound (or its echo, or the recognizer's lag) overlaps ``time``."""
        o = self.options
        return [
            u
            for u in self._utterances
            if u.start <= time <= u.end(o.chars_per_second) + o.tail_s + o.latency_s
        ]

    def _said(self, command: Command) -> float:
        """When the command's words were said: known, or about the recognizer's lag before."""
        if command.said_until is not None:
            return command.said_until
        return command.time - self.options.latency_s

    def match(self, command: Command) -> MatchStrength:
        """How well ``command``'s words match what the coach was saying at its time."""
        heard = words_of(command.text)
        if not heard:
            return MatchStrength.NONE
        o = self.options
        best = MatchStrength.NONE
        similar = False
        fired = self._said(command)  # when the words were said
        for utterance in self.active(fired + o.latency_s):
            timings = word_timings(utterance, o.chars_per_second)
            if utterance.stopped_at is not None:
                timings = [t for t in timings if t[1] < utterance.stopped_at]
            said = [w for w, _, _ in timings]
            slack = o.slack_s + o.slack_fraction * utterance.planned_duration(o.chars_per_second)
            similar = similar or any(
                word in heard and start - slack <= fired <= end + slack
                for word, start, end in timings
            )
            for i in range(len(said) - len(heard) + 1):
                if said[i : i + len(heard)] != heard:
                    continue
                first_start, last_end = timings[i][1], timings[i + len(heard) - 1][2]
                if first_start - slack <= fired <= last_end + slack:
                    return MatchStrength.STRONG
                best = MatchStrength.WEAK
        if best is MatchStrength.NONE and similar:
            return MatchStrength.SIMILAR
        return best

    def judge(self, command: Command, evidence: EchoEvidence | None = None) -> Verdict:
        """Decide whether ``command`` was the coach's own voice.

        ``evidence`` is the canceller's view of the command's audio span
        (:meth:`voicecoach.adapters.echo.EchoCanceller.evidence`), or None
        when no canceller runs: then the words and timing decide alone.
        A command kept while the canceller was learning over the coach's
        voice is marked :attr:`Verdict.unsure`.
        """
        verdict = self._judge(command, evidence)
        if not verdict.drop and _learning(evidence, self.options):
            return replace(verdict, unsure=True)
        return verdict

    def _judge(self, command: Command, evidence: EchoEvidence | None) -> Verdict:
        o = self.options
        horizon = command.time - o.keep_s
        while self._utterances and self._utterances[0].end(o.chars_per_second) < horizon:
            self._utterances.popleft()
        if not self.active(self._said(command) + o.latency_s) and not _playing(evidence, o):
            return Verdict(False, MatchStrength.NONE, "the coach was silent")
        strength = self.match(command)
        # "Stop" only halts and asks whether to go on: a false one costs a question,
        # and the coach says "stop" in its own instructions ("if it hurts, stop").
        # It is judged like other commands on the words the coach is saying; pain
        # and warning symptoms keep the strict rule (a missed one costs health).
        safety = command.intent in SAFETY_INTENTS and not (
            command.intent is Intent.STOP and strength is MatchStrength.WEAK
        )
        learning = _learning(evidence, o)
        # Pain and warning symptoms need purer echo to be dropped than "stop".
        pure = (o.echo_only_safety_db
                if command.intent in SAFETY_INTENTS and command.intent is not Intent.STOP
                else o.echo_only_db)
        if learning and evidence is not None:
            # The canceller is still learning the room (the session's first
            # seconds, or after the echo path changed): a small removal says
            # nothing yet, and the echo is loud. But a learning filter removes
            # less of the coach than it will and never the person, so a large
            # removal is echo even now (seen live: "stop" heard in "Start with
            # the left side" 19 dB down, right after a re-learn).
            if evidence.removed_db >= pure:
                return Verdict(True, strength, "only the coach's voice was heard")
            # Otherwise words and timing decide safety commands; other commands
            # wait until the coach is quiet (the person can repeat them).
            evidence = None
            if not safety and strength is MatchStrength.NONE:
                return Verdict(True, strength, "the canceller is still learning the room")
        removed = None if evidence is None else evidence.removed_db
        echo_like = removed is None or removed >= o.echo_removed_db
        person = removed is not None and removed < o.person_removed_db
        if strength is MatchStrength.STRONG:
            if person:
                # The person said what the coach was saying (they do echo
                # "pause" or "stop"): the canceller heard more than echo.
                return Verdict(False, strength, "the coach's words, but a person said them")
            return Verdict(True, strength, "the coach's words at that moment, echo")
        if strength is MatchStrength.WEAK and not safety and echo_like and not person:
            return Verdict(True, strength, "the coach's words, echo")
        partial = strength is MatchStrength.SIMILAR
        if partial and command.intent not in SAFETY_INTENTS and not person:
            # Residual echo misheard as a command that sounds like the coach's
            # words then (live: "go on" in "Hold on to it", 9.8 dB removed). A
            # safety command is never dropped on a partial match.
            return Verdict(True, strength, "partly the coach's words at that moment, echo")
        peak = None if evidence is None else evidence.peak_removed_db
        if removed is not None and removed >= o.echo_only_db:
            # The person under a louder coach loses 15-17 dB over the phrase
            # too, but not at its loudest, which is their word.
            loudest_echo = peak is not None and peak >= o.echo_peak_db
            if removed >= pure and (loudest_echo or peak is None
                                    or removed >= o.echo_only_safety_db):
                return Verdict(True, strength, "only the coach's voice was heard")
            if loudest_echo:
                return Verdict(True, strength, "only the coach's voice, even at its loudest")
        if strength is MatchStrength.WEAK:
            return Verdict(False, strength, "the coach's words, but not then")
        return Verdict(False, strength, "not the coach's words")


def _learning(evidence: EchoEvidence | None, options: GuardOptions) -> bool:
    """An unconverged canceller only matters if the coach's voice reached the
    microphone during the phrase: over a silent reference there is no echo to
    learn, and the person must not be ignored for it."""
    return evidence is not None and not evidence.converged and _playing(evidence, options)


def _playing(evidence: EchoEvidence | None, options: GuardOptions) -> bool:
    """Whether the canceller's reference says the coach's voice reached the microphone.

    The utterance log places the coach's lines by the speaker's clock. When
    that clock and the sound part (a loaded machine: the sound came seconds
    after the log said the line had ended), a command heard in the coach's
    echo looked like one said in a pause. The canceller's aligned reference
    is what was playing while the microphone captured the command: if it
    held the coach's voice, the coach was not silent, whatever the log says.
    """
    return evidence is not None and evidence.reference_db > options.silent_reference_db
