"""Make ``resources/screenshot.png`` from the running app (README picture).

Run under a virtual screen with a fresh library:
    TALE_DATA_DIR=$(mktemp -d) TALE_CONFIG_DIR=$(mktemp -d) TALE_NO_KEYRING=1 \
        xvfb-run -a -s "-screen 0 1280x860x24" python tools/make_screenshot.py [OUT.png]
It starts the real window, adds a child profile, opens a starter story in the reader and grabs the window.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_API", "pyside6")


async def shoot(app, out: Path) -> None:
    from tale_desktop.context import AppContext
    from tale_desktop.domain.models import Child
    from tale_desktop.ui.main_window import MainWindow

    ctx = await asyncio.to_thread(AppContext.create)
    await ctx.start()
    await ctx.library.save_child(Child(name="Mia", age_band="3-5", gender="female",
                                       interests=["dragons", "space", "baking"]))
    window = MainWindow(ctx)
    window.resize(1240, 800)
    window.show()
    window.start()
    try:
        for _ in range(300):
            if window.library.model.rowCount() >= 4:
                break
            await asyncio.sleep(0.01)
        window.library.select_story(next(
            window.library.model.story_id_at(r) for r in range(window.library.model.rowCount())
            if window.library.model.index(r).data() == "Pip and the Windblown Seagull"))
        for _ in range(300):
            if window.reader.story_id:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.5)
        app.processEvents()
        window.grab().save(str(out), "PNG")
        print(f"saved {out} ({out.stat().st_size // 1024} KiB)")
    finally:
        window.close()
        await ctx.aclose()


def main() -> None:
    import qasync

    from tale_desktop.app import _make_application

    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "resources" / "screenshot.png"
    app = _make_application()
    with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
        runner.run(shoot(app, out))


if __name__ == "__main__":
    main()
