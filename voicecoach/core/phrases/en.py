"""English: every phrase of PRODUCT.md's table, plus the seeds' warning symptoms."""

from voicecoach.core.intents import Intent, Symptom
from voicecoach.core.phrases import Phrase, PhraseTable
from voicecoach.core.phrases.en_common import COMMON_WORDS

_I = Intent
_S = Symptom

_COMMANDS: dict[Intent, tuple[str, ...]] = {
    _I.PAUSE: ("pause", "wait", "hold on"),
    _I.RESUME: ("resume", "continue", "go on"),
    _I.NEXT: ("next", "skip", "next exercise"),
    _I.PREVIOUS: ("go back", "previous"),
    _I.REPEAT: ("repeat", "say again", "repeat that"),
    _I.STOP: ("stop",),
    _I.FINISH: ("finish", "end session", "quit"),
    _I.PAIN: ("it hurts", "that hurts", "ouch", "pain"),
    _I.SLOWER: ("slower", "slow down"),
    _I.FASTER: ("faster", "speed up"),
    _I.LOUDER: ("louder", "speak up"),
    _I.QUIETER: ("quieter", "softer"),
    _I.STATUS: ("how many left", "status"),
    _I.HELP: ("help", "what can i say"),
    _I.YES: ("yes",),
    _I.NO: ("no",),
    _I.READY: ("ready", "i'm ready"),
}

_SYMPTOMS: dict[Symptom, tuple[str, ...]] = {
    _S.DIZZINESS: ("i feel dizzy", "dizzy", "i'm dizzy"),
    _S.HEADACHE: ("headache", "i have a headache", "my head hurts"),
    _S.NAUSEA: ("i feel sick", "nausea", "i'm going to be sick"),
    _S.WEAKNESS: ("i feel weak", "my leg is weak", "weakness"),
    _S.NUMBNESS: ("numb", "my leg is numb", "numbness", "tingling"),
    _S.LEG_PAIN: ("my leg hurts", "pain in my leg", "leg pain"),
}

#: Frequent English words, the garbage path for grammar-mode models with no [unk].
_FILLERS = COMMON_WORDS

_PHRASES = tuple(Phrase(t, i) for i, ts in _COMMANDS.items() for t in ts) + tuple(
    Phrase(t, Intent.SYMPTOM, s.value) for s, ts in _SYMPTOMS.items() for t in ts
)
_WORDS = {w for p in _PHRASES for w in p.words}

TABLE = PhraseTable(
    language="en",
    name="English",
    phrases=_PHRASES,
    fillers=tuple(dict.fromkeys(w for w in _FILLERS if w not in _WORDS)),
    interjections=("oh", "ah", "ow", "aw", "uh", "um", "hey", "okay", "god", "yeah", "please",
                   "oops", "wow"),
)
