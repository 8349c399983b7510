"""A narration made on another device (only its remote path is known here) is downloaded when played."""

from pathlib import Path

from tale_desktop.context import AppContext
from tale_desktop.domain.models import Narration, Story
from tale_desktop.providers.errors import NotConfigured
from tale_desktop.storage.audio_cache import file_sha256


async def test_latest_downloads_synced_audio_on_demand(tmp_path):
    ctx = AppContext.create()
    try:
        story = await ctx.library.save_story(Story(title="Moon", content="Sleep now, little moon."))
        audio = tmp_path / "remote.mp3"
        audio.write_bytes(b"ID3" + b"\x00" * 2048)
        narration = await ctx.library.store.save_narration(Narration(
            story_id=story.id, provider="elevenlabs", voice_id="v", language="en", format="mp3",
            sha256=file_sha256(audio), size=audio.stat().st_size, remote_path=f"u/{story.id}/x.mp3"))
        asked: list[str] = []

        async def fetch(narration_id: str) -> Path:
            asked.append(narration_id)
            return audio

        ctx.narrator.fetch_remote = fetch
        found = await ctx.narrator.latest(story.id)
        assert asked == [narration.id] and found is not None and found.local_file == str(audio)

        async def refuse(narration_id: str) -> Path:
            raise NotConfigured("Supabase", "Sign in to Supabase in Settings to fetch synced audio.")

        ctx.narrator.fetch_remote = refuse
        assert await ctx.narrator.latest(story.id) is None  # not signed in: no audio, no crash
    finally:
        await ctx.aclose()
