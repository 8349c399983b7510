"""Which languages the interface speaks, and how the interface language is chosen (pure: no Qt, no I/O).

Order: ``TALE_LANGUAGE`` (environment) > the choice saved in Settings > the system locale > English. The
system locale is read the way gettext and Qt read it on Unix: ``LANGUAGE`` (a colon-separated preference list),
then ``LC_ALL``, ``LC_MESSAGES``, ``LANG``. The window passes Qt's ``QLocale.system().uiLanguages()`` instead,
which also covers Windows and macOS.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from tale_desktop.domain.enums import Language

DEFAULT_LANGUAGE = Language.EN.value
#: Languages the interface is translated into (a ``resources/translations/tale_desktop_<code>.qm`` exists).
INTERFACE_LANGUAGES: tuple[str, ...] = (Language.EN.value, Language.RU.value)
#: Each language named in itself (what a language picker shows, whatever the interface language).
NATIVE_NAMES = {Language.EN.value: "English", Language.RU.value: "Русский"}
#: The choice "follow the system" in Settings is stored as an empty value.
SYSTEM = ""


def normalize(code: str | None) -> str | None:
    """``"ru_RU.UTF-8"``, ``"ru-RU"``, ``"RU"`` -> ``"ru"``; ``None`` for what we do not speak or ``C``/``POSIX``."""
    if not code:
        return None
    base = code.strip().split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
    return base if base in INTERFACE_LANGUAGES else None


def first_supported(names: Iterable[str]) -> str | None:
    """The first of the preferred locale names that the interface speaks."""
    for name in names:
        if code := normalize(name):
            return code
    return None


def system_locale_names(env: Mapping[str, str]) -> list[str]:
    """The Unix locale preference list from the environment (``LANGUAGE`` only counts with a real locale)."""
    names: list[str] = []
    main = env.get("LC_ALL") or env.get("LC_MESSAGES") or env.get("LANG") or ""
    if main and main not in ("C", "POSIX") and not main.startswith("C."):
        names += [part for part in env.get("LANGUAGE", "").split(":") if part]
    if main:
        names.append(main)
    return names


def interface_language(*, env: Mapping[str, str], saved: str = SYSTEM,
                       system_names: Iterable[str] | None = None) -> str:
    """The interface language code: environment, then the saved choice, then the system, then English."""
    for choice in (env.get("TALE_LANGUAGE"), saved):
        if code := normalize(choice):
            return code
    names = system_locale_names(env) if system_names is None else list(system_names)
    return first_supported(names) or DEFAULT_LANGUAGE


def script_language(text: str | None) -> str | None:
    """``"ru"`` for a name written in Cyrillic, ``"en"`` for Latin letters, ``None`` when it says nothing."""
    cyrillic = sum(1 for ch in text or "" if "\u0400" <= ch <= "\u04ff")
    latin = sum(1 for ch in text or "" if ch.isascii() and ch.isalpha())
    if cyrillic > latin:
        return Language.RU.value
    if latin > cyrillic:
        return Language.EN.value
    return None


def suggested_story_language(default: str, *, hero_language: str | None = None, hero_name: str = "",
                             child_name: str = "") -> str:
    """The story language to preselect: the hero's own language, else the script of the hero's or the
    child's name, else ``default`` (the interface language)."""
    for code in (hero_language, script_language(hero_name), script_language(child_name)):
        if code in {member.value for member in Language}:
            return code
    return default
