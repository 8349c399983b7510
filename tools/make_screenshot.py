"""Make the README pictures (day and night) from the running app, or a whole set for looking at the layout.

Run under a virtual screen with a fresh library:
    TALE_DATA_DIR=$(mktemp -d) TALE_CONFIG_DIR=$(mktemp -d) TALE_NO_KEYRING=1 \
        xvfb-run -a -s "-screen 0 1920x1200x24" python tools/make_screenshot.py
writes ``resources/screenshot-day.png`` and ``resources/screenshot-night.png``. With ``--all DIR`` it writes every
page (library and reader with a long story, new story, profiles, each Settings page, the player playing) at
900x600, 1280x800 and 1920x1080 in both themes into DIR. It starts the real window, adds a child profile, opens a
starter story in the reader and grabs the window.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_API", "pyside6")

STORY = "Pip and the Windblown Seagull"
SIZES = ((900, 600), (1280, 800), (1920, 1080), (960, 540))


async def settle(app, seconds: float = 0.3) -> None:
    for _ in range(int(seconds / 0.02)):
        await asyncio.sleep(0.02)


async def until(app, condition, seconds: float = 6.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)


async def open_story(app, window) -> None:
    await until(app, lambda: window.library.model.rowCount() >= 4)
    model = window.library.model
    story_id = next(model.story_id_at(r) for r in range(model.rowCount()) if model.index(r).data() == STORY)
    window.library.select_story(story_id)
    await until(app, lambda: window.reader.story_id == story_id)
    await settle(app)


async def shoot(app, out: Path, every: bool) -> None:
    from tale_desktop.context import AppContext
    from tale_desktop.domain.models import Child
    from tale_desktop.ui.common import theme
    from tale_desktop.ui.shell.main_window import MainWindow

    ctx = await asyncio.to_thread(AppContext.create)
    await ctx.start()
    await ctx.library.save_child(Child(name="Mia", age_band="3-5", gender="female",
                                       interests=["dragons", "space", "baking"]))
    from tale_desktop.ui.sync.sync_wiring import install_sync_ui

    window = MainWindow(ctx)
    install_sync_ui(window, ctx, background=False)  # as the app does: the Account page, the status
    window.banner.dismiss()
    window.resize(1280, 800)
    window.show()
    window.start()
    try:
        await open_story(app, window)
        if not every:
            for name in (theme.DAY, theme.NIGHT):
                window.theme.set_choice(name, remember=False)
                await settle(app, 0.5)
                path = out / f"screenshot-{name}.png"
                window.grab().save(str(path), "PNG")
                print(f"saved {path} ({path.stat().st_size // 1024} KiB)")
            return
        out.mkdir(parents=True, exist_ok=True)
        for name in (theme.DAY, theme.NIGHT):
            window.theme.set_choice(name, remember=False)
            for width, height in SIZES:
                window.resize(width, height)
                await settle(app)
                tag = f"{name}-{width}x{height}"
                window.show_center_page(None)
                window.left_tabs.setCurrentWidget(window.library)
                await settle(app)
                window.grab().save(str(out / f"{tag}-reader.png"))
                window.storyteller_ui.new_story()
                await settle(app)
                window.grab().save(str(out / f"{tag}-compose.png"))
                window.show_center_page(None)
                window.left_tabs.setCurrentWidget(window.children_panel)
                await settle(app)
                window.grab().save(str(out / f"{tag}-children.png"))
                window.left_tabs.setCurrentWidget(window.library)
                window.library_features.filters.filters_button.setChecked(True)
                await settle(app)
                window.grab().save(str(out / f"{tag}-filters.png"))
                window.library_features.filters.filters_button.setChecked(False)
                dialog = window.open_settings()
                dialog.resize(min(820, width - 40), min(620, height - 40))
                for page in dialog.pages:
                    dialog.show_page(page)
                    await settle(app)
                    dialog.grab().save(str(out / f"{tag}-settings-{page}.png"))
                dialog.reject()
                await settle(app, 0.1)
        print(f"saved the set in {out}")
    finally:
        window.close()
        await ctx.aclose()


def main() -> None:
    import qasync

    from tale_desktop.app import _make_application

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=ROOT / "resources")
    parser.add_argument("--all", action="store_true", help="every page, size and theme")
    args = parser.parse_args()
    app = _make_application()
    with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
        runner.run(shoot(app, args.out, args.all))


if __name__ == "__main__":
    main()
