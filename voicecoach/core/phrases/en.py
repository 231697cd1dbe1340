"""English: every phrase of PRODUCT.md's table, plus the seeds' warning symptoms."""

from voicecoach.core.intents import Intent, Symptom
from voicecoach.core.phrases import Phrase, PhraseTable

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
_FILLER_TEXT = """the a and to of in is you that was for on are with as his they be at one have
    this from or had by word but some we can out other were all there when up use your
    how said an each she which do their time if will way about many then them would
    like so these her long make thing see him two has look more day could come did
    number sound most people my over know water than call first who may down side been
    now find work think get good well want very just really right know going"""
_FILLERS = tuple(_FILLER_TEXT.split())

_PHRASES = tuple(Phrase(t, i) for i, ts in _COMMANDS.items() for t in ts) + tuple(
    Phrase(t, Intent.SYMPTOM, s.value) for s, ts in _SYMPTOMS.items() for t in ts
)
_WORDS = {w for p in _PHRASES for w in p.words}

TABLE = PhraseTable(
    language="en",
    name="English",
    phrases=_PHRASES,
    fillers=tuple(dict.fromkeys(w for w in _FILLERS if w not in _WORDS)),
)
