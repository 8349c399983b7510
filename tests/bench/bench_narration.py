"""Narration first audio: seconds from Play to the first audio position, on the app's qasync loop with the real
player (QtMultimedia FFmpeg backend), against the time to make the whole narration.

    python tests/bench/bench_narration.py

Cases: offline English (piper; the first Play also loads the voice), offline Russian (espeak-ng), ElevenLabs
through the loopback server (no delay, and 0.4 s per request as a stand-in for the network), a cached narration.
Uses the starter stories (~400-480 words, ~3 minutes of audio).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.*=false;qt.qpa.*=false")
os.environ["TALE_NO_KEYRING"] = "1"
os.environ["QT_API"] = "pyside6"
_tmp = tempfile.TemporaryDirectory(prefix="tale-bench-narration-")
os.environ["TALE_DATA_DIR"] = str(Path(_tmp.name) / "data")
os.environ["TALE_CONFIG_DIR"] = str(Path(_tmp.name) / "config")
for name in ("ELEVENLABS_API_KEY", "TALE_ELEVENLABS_BASE_URL"):
    os.environ.pop(name, None)

from PySide6.QtWidgets import QApplication, QTextBrowser  # noqa: E402

from tale_desktop.context import AppContext  # noqa: E402
from tale_desktop.providers import offline_voice  # noqa: E402
from tale_desktop.ui.listen.narration_playback import NarrationPlayback  # noqa: E402
from tale_desktop.ui.listen.player import AudioPlayer  # noqa: E402
from tale_desktop.ui.reader.read_along import ReadAlong  # noqa: E402
from tests.fakes.elevenlabs_server import FakeElevenLabs  # noqa: E402

EN_STORY = "8d5a1e3c-2f7b-4c96-a0e4-1b9c6d3f7a28"
RU_STORY = "29b6f0e8-5c4a-4d71-b3e9-6f2a8c1d5e07"


def waiter(signal) -> asyncio.Future:
    future = asyncio.get_running_loop().create_future()

    def receive(value):
        if not future.done():
            future.set_result(value)

    signal.connect(receive)
    return future


async def measure(playback: NarrationPlayback, ctx: AppContext, story_id: str, *, again: bool) -> tuple:
    story = await ctx.library.get_story(story_id)
    first = waiter(playback.first_sound)
    ready = waiter(playback.narration_ready)
    started = time.perf_counter()
    playback.start(story, again=again)
    first_s = await asyncio.wait_for(first, 120)
    narration = await asyncio.wait_for(ready, 300)
    whole_s = time.perf_counter() - started
    playback.stop()
    return first_s, whole_s, narration


async def main() -> None:
    ctx = AppContext.create()
    await ctx.start()
    view = QTextBrowser()
    player = AudioPlayer(ctx.settings)
    playback = NarrationPlayback(ctx, player, ReadAlong(view))
    rows = []
    try:
        first_s, whole_s, narration = await measure(playback, ctx, EN_STORY, again=True)
        rows.append(("offline en (piper, voice not loaded yet)", first_s, whole_s, narration.duration_s))
        offline_voice.close_all()
        await ctx.narrator.prepare("en")  # what the window does when a story is shown
        for label, story_id in (("offline en (piper, after narrator.prepare)", EN_STORY),
                                ("offline ru (espeak-ng)", RU_STORY)):
            first_s, whole_s, narration = await measure(playback, ctx, story_id, again=True)
            rows.append((label, first_s, whole_s, narration.duration_s))
        for delay in (0.0, 0.4):
            with FakeElevenLabs(response_delay=delay) as fake:
                ctx.settings.env["ELEVENLABS_API_KEY"] = fake.api_key
                ctx.settings.env["TALE_ELEVENLABS_BASE_URL"] = fake.base_url
                from tale_desktop.settings import ELEVENLABS_VOICE_EN

                ctx.settings.set(ELEVENLABS_VOICE_EN, "voice-en-calm")
                first_s, whole_s, narration = await measure(playback, ctx, EN_STORY, again=True)
                rows.append((f"elevenlabs (loopback, {delay:.1f} s/request, "
                             f"{len(fake.tts_requests())} chunks)", first_s, whole_s, narration.duration_s))
        first_s, whole_s, narration = await measure(playback, ctx, EN_STORY, again=False)
        rows.append(("cached narration", first_s, whole_s, narration.duration_s))
    finally:
        playback.stop()
        await ctx.aclose()

    print(f"{'case':<52} {'Play->sound s':>13} {'whole file s':>12} {'audio s':>8}")
    for label, first_s, whole_s, audio_s in rows:
        print(f"{label:<52} {first_s:>13.2f} {whole_s:>12.2f} {audio_s:>8.1f}")
    print("goal: Play->sound <= 1.0 s")


if __name__ == "__main__":
    app = QApplication.instance() or QApplication(sys.argv)
    from tale_desktop.ui.asyncqt import QtEventLoop  # the app's loop

    with asyncio.Runner(loop_factory=QtEventLoop) as runner:
        runner.run(main())
