"""Locale rules for the languages we speak: plural categories, numbers, dates and durations (pure Python).

The window uses ``QLocale`` for dates and numbers where it has Qt; exports, the CLI and services use these
functions, so a Russian story's PDF reads "1 января 2026 г." and "423 слова" whatever the machine's locale.
The plural categories are CLDR's (``one``, ``few``, ``many``, ``other``), so catalogue entries can be written
the way translators know them. Adding a language means adding its rule to :data:`PLURAL_RULES`, its month
names to :data:`MONTHS_GENITIVE` and its separators to :data:`NUMBER_SYMBOLS` (docs/i18n.md).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import date, datetime

from tale_desktop.domain.languages import DEFAULT_LANGUAGE

NBSP = "\u00a0"


def _plural_en(n: float) -> str:
    return "one" if n == 1 else "other"


def _plural_ru(n: float) -> str:
    if n != int(n):
        return "other"  # 1,5 минуты
    i = int(abs(n))
    if i % 10 == 1 and i % 100 != 11:
        return "one"
    if 2 <= i % 10 <= 4 and not 12 <= i % 100 <= 14:
        return "few"
    return "many"


PLURAL_RULES: dict[str, Callable[[float], str]] = {"en": _plural_en, "ru": _plural_ru}


def plural_category(n: float, language: str) -> str:
    return PLURAL_RULES.get(language, _plural_en)(n)


def plural_form(n: float, forms: Mapping[str, str], language: str) -> str:
    """Pick a form by the CLDR category of ``n``; a missing category falls back to ``other``, then ``many``."""
    category = plural_category(n, language)
    return forms.get(category) or forms.get("other") or forms.get("many") or next(iter(forms.values()))


# -- numbers ----------------------------------------------------------------------------------------------------
#: (group separator, decimal separator) per language (CLDR).
NUMBER_SYMBOLS = {"en": (",", "."), "ru": (NBSP, ",")}


def format_number(value: float, language: str, *, decimals: int = 0) -> str:
    """``1234`` -> ``"1,234"`` (en) / ``"1 234"`` (ru, no-break space); ``2.5`` -> ``"2,5"`` (ru)."""
    group, point = NUMBER_SYMBOLS.get(language, NUMBER_SYMBOLS[DEFAULT_LANGUAGE])
    text = f"{value:,.{decimals}f}"
    whole, _, fraction = text.partition(".")
    if language == "ru" and len(whole.lstrip("-").replace(",", "")) <= 4:
        whole = whole.replace(",", "")  # CLDR ru: no grouping below 10 000 ("1234", "12 345")
    whole = whole.replace(",", group)
    return f"{whole}{point}{fraction}" if fraction else whole


def count_phrase(n: int, forms: Mapping[str, Mapping[str, str]], language: str) -> str:
    """``count_phrase(5, WORD_FORMS, "ru")`` -> ``"5 слов"``."""
    table = forms.get(language) or forms[DEFAULT_LANGUAGE]
    lang = language if language in forms else DEFAULT_LANGUAGE
    return f"{format_number(n, lang)}{NBSP if lang == 'ru' else ' '}{plural_form(n, table, lang)}"


# -- dates ------------------------------------------------------------------------------------------------------
MONTHS_GENITIVE = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"],
    "ru": ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
           "ноября", "декабря"],
}
_DATE_PATTERNS = {"en": "{day} {month} {year}", "ru": "{day} {month} {year} г."}


def parse_stamp(stamp: str | None) -> datetime | None:
    """A stored UTC ISO-8601 stamp (``...Z``) as a local-time ``datetime``; ``None`` if it is not one."""
    if not stamp:
        return None
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return None
    return moment.astimezone() if moment.tzinfo else moment


def format_date(value: date | datetime | str | None, language: str) -> str:
    """``"12 March 2026"`` / ``"12 марта 2026 г."``; an unreadable stamp gives ``""``."""
    if isinstance(value, str) or value is None:
        value = parse_stamp(value)
        if value is None:
            return ""
    lang = language if language in MONTHS_GENITIVE else DEFAULT_LANGUAGE
    return _DATE_PATTERNS[lang].format(day=value.day, month=MONTHS_GENITIVE[lang][value.month - 1],
                                       year=value.year)


# -- durations --------------------------------------------------------------------------------------------------
_UNITS = {"en": {"h": "h", "min": "min", "s": "s"}, "ru": {"h": "ч", "min": "мин", "s": "с"}}


def format_duration(seconds: float, language: str) -> str:
    """Exact to the second: ``170`` -> ``"2 min 50 s"`` / ``"2 мин 50 с"``; ``3725`` -> ``"1 h 2 min 5 s"``."""
    units = _UNITS.get(language, _UNITS[DEFAULT_LANGUAGE])
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [(hours, units["h"]), (minutes, units["min"]), (secs, units["s"])]
    shown = [f"{value}{NBSP}{unit}" for value, unit in parts if value]
    return " ".join(shown) or f"0{NBSP}{units['s']}"


def format_minutes(minutes: float, language: str) -> str:
    """A rounded length for reading estimates: ``2.8`` -> ``"3 min"`` / ``"3 мин"`` (at least 1)."""
    units = _UNITS.get(language, _UNITS[DEFAULT_LANGUAGE])
    whole = max(1, math.floor(minutes + 0.5))
    if whole >= 60:
        hours, rest = divmod(whole, 60)
        return f"{hours}{NBSP}{units['h']}" + (f" {rest}{NBSP}{units['min']}" if rest else "")
    return f"{whole}{NBSP}{units['min']}"
