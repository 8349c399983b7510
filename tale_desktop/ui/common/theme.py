"""Day and night themes: one colour table each, applied as a QPalette plus the style sheet template.

``resources/styles/app.qss`` names colours as ``@token``; :func:`style_sheet` fills them from the table of the
chosen theme. :class:`ThemeManager` holds the parent's choice (``day``, ``night`` or ``system``; ``TALE_THEME``
beats the stored setting), follows ``QStyleHints.colorScheme`` live while the choice is ``system`` and emits
``theme_changed(name)`` with the theme really shown. :func:`icon` recolours the monochrome SVG icons in
``resources/icons/ui`` with the theme's text colour, so they stay legible on both backgrounds.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QObject, QRectF, QSize, Signal
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

from tale_desktop import settings as cfg
from tale_desktop.resources_path import resource

if TYPE_CHECKING:
    from PySide6.QtCore import Qt

log = logging.getLogger(__name__)

DAY, NIGHT, SYSTEM = "day", "night", "system"
CHOICES = (SYSTEM, DAY, NIGHT)

COLOURS: dict[str, dict[str, str]] = {
    DAY: {
        "window": "#f7f3ec", "surface": "#fffdf8", "surface_alt": "#fbf8f2", "border": "#e2dacb",
        "border_strong": "#cfc6b4", "text": "#2f2a3a", "text_strong": "#2b2540", "muted": "#6b6478",
        "faint": "#8a8396", "accent": "#4a5fa3", "accent_hover": "#3c4f8c", "accent_text": "#fffdf8",
        "selection": "#dfe5f7", "selection_text": "#1f2747", "hover": "#efe8db", "banner": "#eef1fb",
        "banner_border": "#c9d2ef", "error": "#b03a2e", "error_bg": "#fff5f3", "ok": "#2e7d4f",
        "highlight": "#ffe8a3", "heading": "#2b3a67", "disabled": "#aaa3b5", "chip": "#ece5d7",
    },
    NIGHT: {  # dark, warm and low contrast: no pure white, no pure black
        "window": "#1d1916", "surface": "#24201c", "surface_alt": "#2a2521", "border": "#3a332d",
        "border_strong": "#4b423a", "text": "#d8cdbf", "text_strong": "#e4d8c7", "muted": "#a79a8b",
        "faint": "#8c8073", "accent": "#c49a5e", "accent_hover": "#d1a96f", "accent_text": "#1d1916",
        "selection": "#40362a", "selection_text": "#ecdfcc", "hover": "#2f2924", "banner": "#2b251f",
        "banner_border": "#4a3f33", "error": "#e0907f", "error_bg": "#3a2622", "ok": "#9cc49a",
        "highlight": "#5c4a28", "heading": "#e2c596", "disabled": "#6f655b", "chip": "#332c26",
    },
}


def colour(theme: str, token: str) -> QColor:
    return QColor(COLOURS[theme][token])


def style_sheet(theme: str) -> str:
    """The application style sheet with the colours of ``theme``."""
    template = resource("styles", "app.qss").read_text(encoding="utf-8")
    table = COLOURS[theme]
    return re.sub(r"@([a-z_]+)", lambda m: table.get(m.group(1), m.group(0)), template)


def palette(theme: str) -> QPalette:
    c = COLOURS[theme]
    pal = QPalette()
    role = QPalette.ColorRole
    for r, token in ((role.Window, "window"), (role.WindowText, "text"), (role.Base, "surface"),
                     (role.AlternateBase, "surface_alt"), (role.Text, "text"), (role.Button, "surface"),
                     (role.ButtonText, "text"), (role.ToolTipBase, "surface_alt"), (role.ToolTipText, "text"),
                     (role.Highlight, "accent"), (role.HighlightedText, "accent_text"), (role.Link, "accent"),
                     (role.PlaceholderText, "faint"), (role.BrightText, "text_strong"), (role.Mid, "border"),
                     (role.Midlight, "border"), (role.Dark, "border_strong"), (role.Light, "surface_alt"),
                     (role.Shadow, "border_strong")):
        pal.setColor(r, QColor(c[token]))
    for r in (role.WindowText, role.Text, role.ButtonText):
        pal.setColor(QPalette.ColorGroup.Disabled, r, QColor(c["disabled"]))
    return pal


def system_theme() -> str:
    # Imported here: the first use of the Qt namespace builds all its enums (~40 ms), not to be paid at import.
    from PySide6.QtCore import Qt

    scheme = QGuiApplication.styleHints().colorScheme()
    return NIGHT if scheme == Qt.ColorScheme.Dark else DAY


def guessed_system_theme() -> str:
    """The system's light or dark, read from the palette it gives the application: for the start-up frame,
    before the Qt namespace exists (``system_theme`` asks the colour scheme itself once the window is built)."""
    window = QGuiApplication.palette().color(QPalette.ColorRole.Window)
    return NIGHT if window.lightness() < 128 else DAY


def resolve(choice: str, *, guess: bool = False) -> str:
    if choice in (DAY, NIGHT):
        return choice
    return guessed_system_theme() if guess else system_theme()


_current = DAY


def current() -> str:
    """The theme shown now (``day`` or ``night``)."""
    return _current


# Icons drawn so far, by (name, colour token, theme): an action's icon is set again each time a story opens, and
# reading and rendering the SVG at six sizes each time cost a few ms on the loop thread.
_icons: dict[tuple[str, str, str], QIcon] = {}


def icon(name: str, token: str = "text", theme: str | None = None) -> QIcon:
    """``resources/icons/ui/NAME.svg`` drawn in the theme's ``token`` colour (crisp at 1x and 2x)."""
    key = (name, token, theme or _current)
    made = _icons.get(key)
    if made is None:
        made = _icons[key] = _draw_icon(name, COLOURS[key[2]][token])
    return made


def _draw_icon(name: str, colour_text: str) -> QIcon:
    svg = resource("icons", "ui", f"{name}.svg").read_text(encoding="utf-8")
    svg = svg.replace("currentColor", colour_text)
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    result = QIcon()
    for size in (16, 20, 24, 32, 48, 64):
        pixmap = QPixmap(QSize(size, size))
        pixmap.fill(QColor(0, 0, 0, 0))
        painter = QPainter(pixmap)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        result.addPixmap(pixmap)
    return result


def apply(app: QApplication, theme: str) -> None:
    """Show ``theme`` (day or night) in the whole application."""
    global _current
    _current = theme
    app.setPalette(palette(theme))
    try:
        app.setStyleSheet(style_sheet(theme))
    except OSError:
        log.warning("The style sheet is missing; using the plain style")


class ThemeManager(QObject):
    """The parent's theme choice, applied to the app; follows the system scheme while the choice is ``system``."""

    theme_changed = Signal(str)  # "day" or "night", the theme shown now

    def __init__(self, settings: cfg.Settings, parent: QObject | None = None):
        super().__init__(parent)
        self.settings = settings
        choice = settings.get(cfg.UI_THEME).strip().lower()
        self._choice = choice if choice in CHOICES else SYSTEM
        self._shown = ""
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._system_changed)
        self.refresh()

    @property
    def choice(self) -> str:
        return self._choice

    @property
    def theme(self) -> str:
        return self._shown

    def set_choice(self, choice: str, *, remember: bool = True) -> None:
        if choice not in CHOICES:
            raise ValueError(choice)
        self._choice = choice
        if remember:
            try:
                self.settings.set(cfg.UI_THEME, choice)
            except Exception:  # a read-only config folder must not stop the change
                log.warning("Could not remember the theme", exc_info=True)
        self.refresh()

    def refresh(self) -> None:
        theme = resolve(self._choice)
        if theme == self._shown:
            return
        self._shown = theme
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply(app, theme)
        self.theme_changed.emit(theme)

    def _system_changed(self, _scheme: Qt.ColorScheme) -> None:
        if self._choice == SYSTEM:
            self.refresh()
