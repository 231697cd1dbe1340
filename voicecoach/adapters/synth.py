"""Text to speech audio: cleanup, chunking, the phrase cache and the renderer together.

Both the live speaker and ``voicecoach render`` need "this text, in this
voice, at this rate, as audio"; this is that one path, so a phrase rendered
for a file is warm for a session and the other way round.
"""

from __future__ import annotations

from collections.abc import Iterable

from voicecoach.adapters.audio import Clip, concat
from voicecoach.adapters.phrase_cache import PhraseCache, PhraseKey
from voicecoach.adapters.tts import Renderer
from voicecoach.adapters.tts_text import clean_text, split_sentences

#: Phrases every session uses: counting, breath cues, hold and rest words,
#: acknowledgements. Rendered at start-up and pinned in memory.
WARM_PHRASES: tuple[str, ...] = (
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
    "eighteen", "nineteen", "twenty", "Last one.", "Inhale.", "Exhale.", "Hold.",
    "Breathe in.", "Breathe out.", "Relax.", "Rest.", "And relax.", "Paused.", "Resuming.",
    "Switch sides.", "Left side.", "Right side.", "Well done.", "Slowly.",
    "Stop. Slowly return to the starting position.", "Say resume when you are ready.",
)


class Synthesizer:
    """Cached speech synthesis for whole utterances."""

    def __init__(self, renderer: Renderer, cache: PhraseCache) -> None:
        self.renderer = renderer
        self.cache = cache

    def keys(self, text: str, voice: str | None, wpm: int) -> list[PhraseKey]:
        """The cache keys an utterance is made of (empty when nothing is speakable)."""
        return [PhraseKey(chunk, voice, int(wpm)) for chunk in split_sentences(clean_text(text))]

    def clip(self, text: str, voice: str | None, wpm: int) -> Clip | None:
        """The utterance as one clip at the engine's rate, or None if unspeakable.

        Raises :class:`voicecoach.errors.EngineError` when the engine fails.
        """
        keys = self.keys(text, voice, wpm)
        if not keys:
            return None
        clips = [self.phrase(key) for key in keys]
        return clips[0] if len(clips) == 1 else concat(clips, clips[0].rate)

    def phrase(self, key: PhraseKey) -> Clip:
        """One chunk, from the cache or freshly rendered (and then cached)."""
        clip = self.cache.get(key)
        if clip is None:
            clip = self.renderer.render(key.text, key.voice, key.wpm)
            self.cache.put(key, clip)
        return clip

    def is_cached(self, text: str, voice: str | None, wpm: int) -> bool:
        """Whether every chunk of ``text`` is in memory already."""
        return all(key in self.cache for key in self.keys(text, voice, wpm))

    def warm(self, texts: Iterable[str], voice: str | None, wpm: int, pin: bool = False) -> None:
        """Render (or load from disk) every chunk of ``texts`` now."""
        for text in texts:
            for key in self.keys(text, voice, wpm):
                if pin:
                    self.cache.pin(key)
                if key not in self.cache:
                    self.phrase(key)
