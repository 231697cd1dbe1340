"""What a person can ask of the coach, independent of language and engine.

An :class:`Intent` is what a spoken phrase (or a key) means. Recognizers turn
audio into :class:`Command` values; the session engine consumes them. Phrase
tables per language map words onto these intents.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Intent(StrEnum):
    """Every command the coach understands (see PRODUCT.md's phrase table)."""

    PAUSE = "pause"
    RESUME = "resume"
    NEXT = "next"
    PREVIOUS = "previous"
    REPEAT = "repeat"
    STOP = "stop"
    FINISH = "finish"
    PAIN = "pain"
    SLOWER = "slower"
    FASTER = "faster"
    LOUDER = "louder"
    QUIETER = "quieter"
    STATUS = "status"
    HELP = "help"
    YES = "yes"
    NO = "no"
    READY = "ready"
    #: A warning symptom from the seeds (headache, nausea, weakness,
    #: dizziness, numbness, pain running into the leg). The symptom itself is
    #: carried in :attr:`Command.detail`.
    SYMPTOM = "symptom"


#: Intents that concern the person's safety. Recognizers tune these for recall
#: (catch them even at some cost in false alarms); the engine lets them
#: outrank everything else.
SAFETY_INTENTS: frozenset[Intent] = frozenset({Intent.PAIN, Intent.STOP, Intent.SYMPTOM})


class Symptom(StrEnum):
    """Warning symptoms that end a session with advice to see a doctor."""

    HEADACHE = "headache"
    NAUSEA = "nausea"
    WEAKNESS = "weakness"
    DIZZINESS = "dizziness"
    NUMBNESS = "numbness"
    LEG_PAIN = "leg pain"


class Source(StrEnum):
    """Where a command came from."""

    VOICE = "voice"
    KEY = "key"
    SCRIPT = "script"


@dataclass(frozen=True, slots=True)
class Command:
    """One thing the person asked for, at one moment."""

    intent: Intent
    """What the person meant."""
    time: float
    """Seconds on the session's clock (audio time for voice) when it fired."""
    text: str = ""
    """The words heard, or the key pressed; for logs and the terminal view."""
    confidence: float = 1.0
    """The recognizer's confidence in [0, 1]; 1.0 for keys and scripts."""
    source: Source = Source.VOICE
    """Voice, keyboard or a scripted simulation."""
    detail: str | None = None
    """Extra meaning, e.g. which :class:`Symptom` for ``Intent.SYMPTOM``."""
    said_until: float | None = None
    """When the phrase's last word ended, on the same clock as ``time``, when the
    recognizer knows it (PocketSphinx's word segments; Vosk's word times in its
    end-of-utterance results, which can fire a second or more after the words),
    or when the phrase first appeared in partial results held for stability
    before firing. ``None``: shortly before ``time``.
    The echo guard judges the words by it: a command from the coach's own
    words that fired late must still be matched against what the coach said."""
    unconfirmed: bool = False
    """Heard over the coach's voice while the echo canceller could not tell the
    coach from the person (it is still learning the room, or has lost the
    echo), with no word of the coach's to match it: it may be the coach's own
    voice misheard. The session asks before it ends for a warning symptom."""
