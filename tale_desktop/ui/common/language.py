"""The interface language in the window: Qt translators for our strings and Qt's own, QLocale, and the edge
where service messages are translated.

``apply_language(code)`` installs ``resources/translations/tale_desktop_<code>.qm`` (compiled from the ``.ts``
kept in the repository) and Qt's ``qtbase_<code>.qm`` (standard buttons and dialogs: "Cancel", "Open"...),
sets ``QLocale.setDefault`` so dates and numbers follow the language, and remembers the code for
:func:`current_language` / :func:`localized`. English is the source language and needs no translator. Installing
or removing a translator makes Qt send ``QEvent.LanguageChange`` to every widget; the window re-reads the
language at the next start (Settings says so), see docs/i18n.md.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QObject, QTranslator, Signal

from tale_desktop.domain.languages import DEFAULT_LANGUAGE, INTERFACE_LANGUAGES, normalize
from tale_desktop.domain.messages import localize, localize_error
from tale_desktop.resources_path import resource

log = logging.getLogger(__name__)

QT_CATALOGUES = ("qtbase",)  # Qt's own strings we show (QMessageBox, QFileDialog, QLineEdit menus...)
_LOCALES = {"en": (QLocale.Language.English, QLocale.Country.UnitedKingdom),
            "ru": (QLocale.Language.Russian, QLocale.Country.Russia)}


def translations_dir():
    return resource("translations")


def qm_path(code: str):
    return translations_dir() / f"tale_desktop_{code}.qm"


class LanguageSwitch(QObject):
    """Owns the installed translators; one per application (see :func:`language_switch`)."""

    language_changed = Signal(str)
    restart_requested = Signal()  # "Restart now" after choosing another language: app.py closes and restarts

    def __init__(self) -> None:
        super().__init__()
        self.language = DEFAULT_LANGUAGE
        self.restart_pending = False
        self._translators: list[QTranslator] = []

    def request_restart(self) -> None:
        """Ask the app to close the window (as the parent would) and start again in the saved language."""
        self.restart_pending = True
        self.restart_requested.emit()

    def apply(self, code: str) -> bool:
        """Switch the interface to ``code`` (``en``/``ru``); returns False when its translation is missing."""
        code = normalize(code) or DEFAULT_LANGUAGE
        app = QCoreApplication.instance()
        for translator in self._translators:
            if app is not None:
                app.removeTranslator(translator)
        self._translators = []
        ok = True
        if code != DEFAULT_LANGUAGE and app is not None:
            ours = QTranslator(self)
            if ours.load(str(qm_path(code))):
                self._translators.append(ours)
            else:
                log.warning("The %s translation is missing (%s); the window stays English", code, qm_path(code))
                ok = False
            qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
            for catalogue in QT_CATALOGUES:
                theirs = QTranslator(self)
                if theirs.load(f"{catalogue}_{code}", qt_dir):
                    self._translators.append(theirs)
                else:
                    log.info("Qt's %s_%s.qm is not installed in %s", catalogue, code, qt_dir)
            for translator in self._translators:
                app.installTranslator(translator)
        language, country = _LOCALES.get(code, _LOCALES[DEFAULT_LANGUAGE])
        QLocale.setDefault(QLocale(language, country))
        changed = code != self.language
        self.language = code if ok else DEFAULT_LANGUAGE
        if changed:
            self.language_changed.emit(self.language)
        return ok


_switch: LanguageSwitch | None = None


def language_switch() -> LanguageSwitch:
    global _switch
    if _switch is None:
        _switch = LanguageSwitch()
    return _switch


def apply_language(code: str) -> bool:
    return language_switch().apply(code)


def current_language() -> str:
    """The interface language code (``en`` until :func:`apply_language` chose another)."""
    return _switch.language if _switch is not None else DEFAULT_LANGUAGE


def system_ui_languages() -> list[str]:
    """The system's preferred interface languages, as Qt reads them on every platform."""
    return list(QLocale.system().uiLanguages())


def available_languages() -> Iterable[str]:
    """Interface languages that can be chosen: English, and each one whose ``.qm`` is installed."""
    return [code for code in INTERFACE_LANGUAGES if code == DEFAULT_LANGUAGE or qm_path(code).is_file()]


def localized(text: str | None) -> str:
    """A service message (:class:`~tale_desktop.domain.messages.Message`) in the interface language."""
    return localize(text, current_language())


def localized_error(exc: BaseException, fallback: str = "") -> str:
    return localize_error(exc, current_language(), fallback=fallback)
