"""Make text safe and pleasant to hand to a speech engine.

espeak-ng (through pyttsx3) crashes or misbehaves on some inputs: empty text
makes pyttsx3 ``assert`` and espeak emit nothing, markup is read out as
"less than b greater than", emoji come out as long Unicode names ("smiling face
with smiling eyes") or as nothing, and one huge paragraph is synthesized as a
single blocking job that delays the first word. So everything the coach says
goes through :func:`clean_text` and :func:`split_sentences` first.
"""

from __future__ import annotations

import re
import unicodedata

#: Longest piece handed to the engine in one job. Short pieces start sooner
#: (the first sentence plays while the next renders) and a hung job loses less.
MAX_CHUNK_CHARS = 240

_TAG = re.compile(r"<[^<>]{0,200}>")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_URL = re.compile(r"\bhttps?://\S+", re.IGNORECASE)
_MD_MARKS = re.compile(r"(\*{1,3}|_{2,3}|`+|^#{1,6}\s+|^\s*[-*+>]\s+)", re.MULTILINE)
_SPACE = re.compile(r"\s+")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?])")
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+")
_ENTITIES = {"&amp;": " and ", "&lt;": " ", "&gt;": " ", "&nbsp;": " ", "&quot;": '"', "&#39;": "'"}

#: Unicode categories that are never speech: symbols (emoji live in "So"),
#: private use, unassigned, surrogates, and format characters such as the
#: zero-width joiner that glues emoji sequences together.
_DROP_CATEGORIES = frozenset({"So", "Sk", "Co", "Cn", "Cs", "Cf"})


def clean_text(text: str | None) -> str:
    """Return ``text`` ready for the engine, or ``""`` when nothing is speakable.

    Strips HTML/SSML tags, Markdown emphasis and links (keeping the link text),
    URLs, emoji and other pictographs, and control characters; collapses
    whitespace. Text with no letter or digit left (``"..."``, ``"🙂"``) is
    unspeakable and comes back empty, so callers skip it instead of sending
    espeak an empty job.
    """
    if not text:
        return ""
    out = _MD_LINK.sub(r"\1", text)
    out = _TAG.sub(" ", out)
    for entity, repl in _ENTITIES.items():
        out = out.replace(entity, repl)
    out = _URL.sub(" ", out)
    out = _MD_MARKS.sub(" ", out)
    kept = []
    for ch in out:
        cat = unicodedata.category(ch)
        if cat in _DROP_CATEGORIES or (cat.startswith("C") and ch not in "\t\n\r"):
            kept.append(" ")
        else:
            kept.append(ch)
    out = _SPACE.sub(" ", "".join(kept)).strip()
    out = _SPACE_BEFORE_PUNCT.sub(r"\1", out)
    if not any(ch.isalnum() for ch in out):
        return ""
    return out


def split_sentences(text: str, max_chars: int = MAX_CHUNK_CHARS) -> list[str]:
    """Split cleaned ``text`` into pieces of at most ``max_chars`` characters.

    Splits at sentence ends first, then at commas, then at spaces; a single
    word longer than ``max_chars`` is cut hard (espeak would spell it anyway).
    Short sentences are packed together so ordinary prompts stay one job.
    """
    if not text:
        return []
    pieces: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        pieces.extend(_split_long(sentence.strip(), max_chars))
    chunks: list[str] = []
    for piece in pieces:
        if not piece:
            continue
        if chunks and len(chunks[-1]) + 1 + len(piece) <= max_chars:
            chunks[-1] = f"{chunks[-1]} {piece}"
        else:
            chunks.append(piece)
    return chunks


def _split_long(sentence: str, max_chars: int) -> list[str]:
    if len(sentence) <= max_chars:
        return [sentence]
    for sep in (", ", " "):
        if sep in sentence:
            out: list[str] = []
            current = ""
            for part in sentence.split(sep):
                candidate = f"{current}{sep}{part}" if current else part
                if len(candidate) <= max_chars:
                    current = candidate
                    continue
                if current:
                    out.append(current + (sep.strip() if sep.strip() else ""))
                current = part
            if current:
                out.append(current)
            result: list[str] = []
            for piece in out:
                result.extend(_split_long(piece, max_chars) if len(piece) > max_chars else [piece])
            return result
    return [sentence[i : i + max_chars] for i in range(0, len(sentence), max_chars)]
