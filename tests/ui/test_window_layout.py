"""Every page of the window at small and large sizes: no cut-off words, no sideways scroll bar; the minimum size;
day and night really look light and dark."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QApplication

from tale_desktop import settings as cfg
from tale_desktop.domain.models import Child
from tale_desktop.ui.common import theme
from tale_desktop.ui.listen.player import PlayerState
from tale_desktop.ui.shell.main_window import MIN_HEIGHT, MIN_WIDTH
from tests.library_helpers import make_story
from tests.ui.helpers import until
from tests.ui.layout_checks import clipped

pytestmark = pytest.mark.asyncio(loop_factories=["qasync"])

# 900x600, 1280x800, 1920x1080, and 1920x1080 at 200 % scale (960x540 device-independent pixels).
SIZES = [(900, 600), (1280, 800), (1920, 1080), (960, 540)]
LONG_TITLE = "The Very Long Night When Mia and the Lighthouse Fox Counted Every Single Star Above the Sea"
LONG_TEXT = "\n\n".join(
    f"Paragraph {n}. Mia and Pip walked along the shore, counting the waves and the stars, and the wind told "
    "them stories of faraway islands where the lighthouses sing." for n in range(60))


async def settle(window) -> None:
    import asyncio

    for _ in range(5):
        await asyncio.sleep(0.02)


async def open_long_story(window, ctx):
    mia = await ctx.library.save_child(Child(name="Mia", age_band="3-5", gender="female", interests=["stars"]))
    story = await ctx.library.save_story(make_story(LONG_TITLE, LONG_TEXT, child=mia, moral="perseverance",
                                                    theme="ocean", minutes=10))
    window.banner.dismiss()
    window.open_story(story.id)
    await until(lambda: window.reader.story_id == story.id and window.details.isVisible(), what="story open")
    return story


def check(window, what: str) -> list[str]:
    window.centralWidget().layout().activate()
    return [f"{what}: {problem}" for problem in clipped(window)]


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
async def test_every_page_fits(window, ctx, size):
    width, height = size
    await open_long_story(window, ctx)
    window.resize(width, height)
    await settle(window)
    assert (window.width(), window.height()) == (width, height)
    problems = check(window, "reader")

    bar = window.narration.bar  # the player bar as it is while a story plays
    bar.set_duration(3725)
    bar.set_position(1234)
    bar.set_state(PlayerState.PLAYING)
    bar.set_available(True)
    await settle(window)
    problems += check(window, "player playing")

    bar.filters = window.library_features.filters
    bar.filters.filters_button.setChecked(True)
    await settle(window)
    problems += check(window, "library filters")
    bar.filters.filters_button.setChecked(False)

    window.storyteller_ui.new_story()
    await until(lambda: window.storyteller_ui.panel.form.child.findText("Mia") >= 0, what="form loaded")
    await settle(window)
    problems += check(window, "new story")
    assert window.storyteller_ui.panel.form.generate_button.isVisible()

    window.show_center_page(None)
    for panel in (window.children_panel, window.heroes_panel):
        window.left_tabs.setCurrentWidget(panel)
        await settle(window)
        problems += check(window, f"profiles {panel.objectName()}")
    window.left_tabs.setCurrentWidget(window.library)

    dialog = window.open_settings()
    dialog.resize(min(dialog.width(), width - 20), min(dialog.height(), height - 20))
    await until(lambda: dialog.loaded, what="settings loaded")
    for name in dialog.pages:
        dialog.show_page(name)
        await settle(window)
        dialog.layout().activate()
        problems += [f"settings {name}: {p}" for p in clipped(dialog)]
    dialog.reject()
    assert problems == []


async def test_the_window_does_not_shrink_below_a_sensible_minimum(window):
    assert MIN_WIDTH <= 900 and MIN_HEIGHT <= 600
    window.resize(640, 400)
    await settle(window)
    assert window.width() >= MIN_WIDTH and window.height() >= MIN_HEIGHT
    assert window.minimumSizeHint().width() <= MIN_WIDTH  # the content really fits in the minimum


def brightness(image: QImage) -> float:
    """Mean lightness (0 dark .. 1 light) of a grid of pixels across the image."""
    values = []
    for x in range(5, image.width(), max(1, image.width() // 40)):
        for y in range(5, image.height(), max(1, image.height() // 30)):
            values.append(image.pixelColor(x, y).lightnessF())
    return sum(values) / len(values)


async def test_night_is_dark_and_day_is_light(window, ctx):
    await open_long_story(window, ctx)
    window.resize(1280, 800)
    window.theme.set_choice(theme.NIGHT, remember=False)
    await settle(window)
    night = window.grab().toImage()
    assert brightness(night) < 0.25
    window.theme.set_choice(theme.DAY, remember=False)
    await settle(window)
    assert brightness(window.grab().toImage()) > 0.8
    for name in COLOURS_NO_WHITE:
        assert theme.COLOURS[theme.NIGHT][name].lower() not in ("#ffffff", "#000000")


COLOURS_NO_WHITE = tuple(theme.COLOURS[theme.NIGHT])


async def test_theme_from_the_environment_menu_and_the_system(window, ctx, monkeypatch):
    monkeypatch.setenv("TALE_THEME", "night")
    assert theme.ThemeManager(cfg.Settings()).theme == theme.NIGHT
    monkeypatch.setenv("TALE_THEME", "day")
    assert theme.ThemeManager(cfg.Settings()).theme == theme.DAY

    # The offscreen test platform has no colour scheme of its own: play the desktop's part (its scheme and
    # the QStyleHints.colorSchemeChanged signal the window listens to).
    hints = QGuiApplication.styleHints()
    scheme = {"now": Qt.ColorScheme.Light}
    monkeypatch.setattr(hints, "colorScheme", lambda: scheme["now"], raising=False)

    def desktop_switches_to(value: Qt.ColorScheme) -> None:
        scheme["now"] = value
        hints.colorSchemeChanged.emit(value)

    window.actions["theme_system"].trigger()
    try:
        desktop_switches_to(Qt.ColorScheme.Dark)
        await until(lambda: window.theme.theme == theme.NIGHT, what="follows the system to night")
        assert QApplication.palette().window().color().lightnessF() < 0.2
        desktop_switches_to(Qt.ColorScheme.Light)
        await until(lambda: window.theme.theme == theme.DAY, what="follows the system to day")
        window.actions["theme_night"].trigger()
        assert window.theme.theme == theme.NIGHT and window.actions["theme_night"].isChecked()
        assert ctx.settings._qsettings.value(cfg.UI_THEME.name) == "night"  # remembered for the next start
        desktop_switches_to(Qt.ColorScheme.Light)
        await settle(window)
        assert window.theme.theme == theme.NIGHT  # a chosen theme stays, whatever the system does
    finally:
        window.theme.set_choice(theme.DAY, remember=False)


async def test_the_checks_see_what_is_cut_off(qtbot):
    from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QScrollArea, QWidget

    root = QWidget()
    qtbot.addWidget(root)
    row = QHBoxLayout(root)
    label, button, combo = QLabel("A label far too long for its room"), QPushButton("Generate the story"), QComboBox()
    combo.addItem("The child and the hero together")
    area = QScrollArea()
    inner = QWidget()
    inner.setMinimumWidth(900)
    area.setWidget(inner)
    for widget in (label, button, combo, area):
        widget.setMaximumWidth(60)
        row.addWidget(widget)
    root.resize(400, 100)
    root.show()
    problems = clipped(root)
    assert any("A label far" in p for p in problems) and any("Generate the story" in p for p in problems)
    assert any("The child and the hero" in p for p in problems) and any("sideways" in p for p in problems)


async def test_the_start_up_frame_guesses_the_system_theme_from_its_palette(qapp):
    """Before the first paint the system's light or dark comes from the palette it gives the application (its
    colour scheme is asked once the window is built: the Qt namespace costs ~40 ms on first use)."""
    from PySide6.QtGui import QColor, QGuiApplication, QPalette

    saved = QGuiApplication.palette()
    try:
        dark = QPalette(saved)
        dark.setColor(QPalette.ColorRole.Window, QColor("#202124"))
        QGuiApplication.setPalette(dark)
        assert theme.resolve(theme.SYSTEM, guess=True) == theme.NIGHT
        light = QPalette(saved)
        light.setColor(QPalette.ColorRole.Window, QColor("#f4efe6"))
        QGuiApplication.setPalette(light)
        assert theme.resolve(theme.SYSTEM, guess=True) == theme.DAY
        assert theme.resolve(theme.NIGHT, guess=True) == theme.NIGHT  # a stored or given choice wins
    finally:
        QGuiApplication.setPalette(saved)
