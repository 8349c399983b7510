"""Narration text rules (sentences, speakable text, chunks, timing lookups) and the audio cache."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tale_desktop.domain.speech import (
    chunk_text,
    group_chunks,
    quick_start,
    sentence_index_at,
    sentence_index_for_char,
    sentences_of,
    speakable,
    timing,
)
from tale_desktop.providers.elevenlabs import translate_error
from tale_desktop.providers.errors import AuthError, QuotaError, RateLimited
from tale_desktop.providers.http import retry_after_seconds as _retry_after
from tale_desktop.storage.audio_cache import AudioCache, AudioCacheError, cache_key, file_sha256


def test_sentences_keep_their_place_in_the_story():
    content = "Once upon a time. A fox 🦊 lived here!\n\n«Hello», said the owl. 🌙"
    sentences = sentences_of(content)
    assert [content[s.start:s.end] for s in sentences] == ["Once upon a time.", "A fox 🦊 lived here!",
                                                         "«Hello», said the owl. 🌙"]
    assert [s.text for s in sentences[1:]] == ["A fox lived here!", "«Hello», said the owl."]


def test_long_sentence_is_cut_at_soft_breaks():
    content = ", ".join(["the little lamp glowed"] * 60) + "."
    sentences = sentences_of(content, max_chars=200)
    assert all(len(s.text) <= 200 for s in sentences) and len(sentences) > 5
    assert "".join(content[s.start:s.end] for s in sentences) == content


def test_speakable_drops_symbols_and_keeps_words():
    assert speakable("Hi 👋🏽 there ✨ *friend* #1") == "Hi there friend 1"
    assert speakable("Привет, мир! 你好") == "Привет, мир! 你好"
    # joiners, variation selectors, private-use and unassigned code points go; every kind of space collapses
    assert speakable("👨\u200d👩\u200d👧 family\ufe0f \ue000x\u0378y") == "family x y"
    assert speakable(" tab\tnew\nline\u00a0nbsp\u3000ideographic  ") == "tab new line nbsp ideographic"
    assert speakable("✨🌙⭐") == ""


@given(st.lists(st.text(alphabet="abc defg.", min_size=1, max_size=60), min_size=1, max_size=40),
       st.integers(min_value=20, max_value=400))
def test_chunks_keep_order_and_limits(parts, limit):
    content = " ".join(p.strip(" ") + "." for p in parts if p.strip(" ."))
    sentences = sentences_of(content)
    chunks = group_chunks(sentences, limit, first_limit=limit // 2)
    assert [s for c in chunks for s in c] == sentences
    for index, chunk in enumerate(chunks):
        cap = limit // 2 if index == 0 else limit
        assert len(chunk_text(chunk)) <= cap or len(chunk) == 1


def test_quick_start_splits_a_long_first_sentence_at_a_clause():
    content = ("On a rocky little island at the edge of the sea stood a white lighthouse with a red roof, and in "
               "the lighthouse lived a fox named Pip. Pip was happy.")
    sentences = quick_start(content, sentences_of(content))
    assert [content[s.start:s.end] for s in sentences] == [
        "On a rocky little island at the edge of the sea stood a white lighthouse with a red roof, ",
        "and in the lighthouse lived a fox named Pip.", "Pip was happy."]
    assert [s.index for s in sentences] == [0, 1, 2]
    short = sentences_of("A short start. Then more.")
    assert quick_start("A short start. Then more.", short) == short


def test_timing_lookups():
    sentences = sentences_of("One. Two. Three.")
    timings = [timing(s, i * 1.0, i * 1.0 + 0.8) for i, s in enumerate(sentences)]
    assert sentence_index_at(timings, -1) is None
    assert [sentence_index_at(timings, t) for t in (0, 0.9, 1.0, 2.5, 99)] == [0, 0, 1, 2, 2]
    assert [sentence_index_for_char(timings, c) for c in (0, 5, 6, 12)] == [0, 1, 1, 2]
    assert sentence_index_at([], 1) is None


def test_error_translation_tells_quota_from_bad_key():
    from elevenlabs.core.api_error import ApiError

    quota = ApiError(status_code=401, body={"detail": {"status": "quota_exceeded", "message": "no credits"}})
    bad_key = ApiError(status_code=401, body={"detail": {"status": "invalid_api_key", "message": "Invalid"}})
    assert isinstance(translate_error(quota), QuotaError)
    assert isinstance(translate_error(bad_key), AuthError)
    limited = translate_error(ApiError(status_code=429, headers={"Retry-After": "7"}, body={}))
    assert isinstance(limited, RateLimited) and limited.retry_after == 7
    assert _retry_after({"retry-after-ms": "1500"}) == 1.5
    assert _retry_after({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0


def test_cache_writes_atomically_and_detects_damage(tmp_path):
    cache = AudioCache(tmp_path / "audio")
    key = cache_key("text", "piper", "joe", {"length_scale": 1.3})
    assert key != cache_key("text!", "piper", "joe", {"length_scale": 1.3})
    assert key != cache_key("text", "piper", "joe", {"length_scale": 1.0})
    path, sha, size = cache.write(cache.path_for("story-1", key), b"audio bytes")
    assert path.read_bytes() == b"audio bytes" and size == 11 and file_sha256(path) == sha
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp file left behind
    assert cache.verified(path, sha) == path
    path.write_bytes(b"audio bytez")
    assert cache.verified(path, sha) is None and not path.exists()
    assert cache.verified(tmp_path / "missing.mp3", sha) is None


def test_cache_rejects_odd_story_ids_and_removes_story_audio(tmp_path):
    cache = AudioCache(tmp_path / "audio")
    with pytest.raises(AudioCacheError):
        cache.story_dir("../etc")
    cache.write(cache.path_for("s1", "k1"), b"1")
    parts = cache.parts_dir("s1", "k1")
    cache.write_part(parts, "0000.wav", b"w")
    cache.remove_story("s1")
    assert not (tmp_path / "audio" / "s1").exists()


def test_full_disk_gives_a_clear_message(tmp_path, monkeypatch):
    cache = AudioCache(tmp_path / "audio")

    def full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(AudioCacheError, match="disk is full"):
        cache.write(cache.path_for("s1", "k"), b"data")
    assert list(Path(tmp_path / "audio" / "s1").iterdir()) == []
