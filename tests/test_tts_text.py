"""Text cleanup: what reaches espeak-ng is always speakable and reasonably sized."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from voicecoach.adapters.tts_text import clean_text, split_sentences


def test_empty_and_whitespace_and_symbols_only_are_unspeakable():
    for text in (None, "", "   ", "\n\t", "...", "🙂", "🙂👍🏽", "<br/>", "** **", "\u200d"):
        assert clean_text(text) == ""


def test_markup_and_emoji_are_stripped_keeping_the_words():
    assert clean_text("<speak>Inhale <b>slowly</b></speak> 🙂") == "Inhale slowly"
    assert clean_text("**Hold** for *ten* seconds 👍🏽!") == "Hold for ten seconds!"
    assert clean_text("See [the guide](http://example.org/x) now") == "See the guide now"
    assert clean_text("Rest &amp; breathe\x00\x07 out") == "Rest and breathe out"
    assert clean_text("# Knee to chest\n- lie down") == "Knee to chest lie down"


def test_non_latin_text_is_kept():
    assert clean_text("숨을 들이쉬세요 🙂") == "숨을 들이쉬세요"


def test_long_text_splits_at_sentence_ends_and_short_ones_stay_whole():
    assert split_sentences("Inhale. Hold.") == ["Inhale. Hold."]
    text = " ".join(f"Sentence number {i} is here." for i in range(40))
    chunks = split_sentences(text, max_chars=100)
    assert len(chunks) > 5
    assert all(len(c) <= 100 for c in chunks)
    assert all(c.endswith(".") for c in chunks)
    assert " ".join(chunks) == text


def test_a_word_longer_than_a_chunk_is_cut_hard():
    chunks = split_sentences("a" * 250, max_chars=100)
    assert [len(c) for c in chunks] == [100, 100, 50]


@given(st.text(max_size=600))
def test_cleaned_chunks_are_bounded_and_keep_every_word(text):
    cleaned = clean_text(text)
    chunks = split_sentences(cleaned, max_chars=120)
    assert all(0 < len(c) <= 120 for c in chunks)
    assert "".join(chunks).replace(" ", "") == cleaned.replace(" ", "")
