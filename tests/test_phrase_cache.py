"""The phrase cache: memory LRU with pinning, disk layer, location override."""

from __future__ import annotations

import numpy as np

from voicecoach.adapters.audio import Clip
from voicecoach.adapters.phrase_cache import PhraseCache, PhraseKey, default_cache_dir


def _clip(seconds: float, value: float = 0.25) -> Clip:
    return Clip(np.full(int(22050 * seconds), value, np.float32), 22050)


def test_memory_hit_after_put_and_disk_hit_in_a_new_cache(tmp_path):
    key = PhraseKey("Inhale.", None, 165)
    first = PhraseCache(tmp_path)
    assert first.get(key) is None and first.misses == 1
    first.put(key, _clip(0.5))
    assert first.get(key) is not None and first.hits == 1
    second = PhraseCache(tmp_path)  # the next session
    clip = second.get(key)
    assert clip is not None and second.disk_hits == 1
    assert clip.rate == 22050 and abs(clip.duration - 0.5) < 1e-3
    assert np.allclose(clip.samples, 0.25, atol=1e-4)


def test_keys_differ_by_text_voice_and_rate(tmp_path):
    cache = PhraseCache(tmp_path)
    cache.put(PhraseKey("one", None, 165), _clip(0.1))
    assert cache.get(PhraseKey("one", "ko", 165)) is None
    assert cache.get(PhraseKey("one", None, 200)) is None
    assert cache.get(PhraseKey("One", None, 165)) is None


def test_lru_evicts_oldest_but_never_pinned(tmp_path):
    one_second = _clip(1.0).nbytes
    cache = PhraseCache(tmp_path, memory_bytes=3 * one_second, disk=False)
    pinned = PhraseKey("one", None, 165)
    cache.pin(pinned)
    cache.put(pinned, _clip(1.0))
    for word in ("a", "b", "c", "d"):
        cache.put(PhraseKey(word, None, 165), _clip(1.0))
    assert pinned in cache
    assert PhraseKey("a", None, 165) not in cache and PhraseKey("b", None, 165) not in cache
    assert PhraseKey("d", None, 165) in cache
    assert len(cache) == 3


def test_corrupt_disk_entries_are_dropped_not_fatal(tmp_path):
    key = PhraseKey("two", None, 165)
    PhraseCache(tmp_path).put(key, _clip(0.2))
    files = list(tmp_path.rglob("*.wav"))
    assert len(files) == 1
    files[0].write_bytes(b"RIFF garbage")
    assert PhraseCache(tmp_path).get(key) is None
    assert not files[0].exists()


def test_unwritable_cache_dir_degrades_to_memory(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    cache = PhraseCache(blocker / "phrases")
    key = PhraseKey("three", None, 165)
    cache.put(key, _clip(0.2))
    assert cache.get(key) is not None


def test_cache_dir_env_override(tmp_path, monkeypatch):
    monkeypatch.setenv("VOICECOACH_CACHE_DIR", str(tmp_path / "c"))
    assert default_cache_dir() == tmp_path / "c"
    monkeypatch.delenv("VOICECOACH_CACHE_DIR")
    assert default_cache_dir().name == "phrases"
