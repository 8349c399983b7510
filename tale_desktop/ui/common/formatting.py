"""Dates, numbers, counts and durations as the window shows them, in the interface language.

Dates and plain numbers go through ``QLocale()`` (its default is set to the interface language by
:mod:`tale_desktop.ui.common.language`); counted nouns, durations and enum display names come from the same pure tables
the exports use (:mod:`tale_desktop.domain.labels`, :mod:`tale_desktop.domain.locale_format`), so "2 истории"
and "5 историй" are right in both places.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime

from PySide6.QtCore import QCoreApplication, QDate, QDateTime, QLocale, QTime, QTimeZone

from tale_desktop.domain import labels
from tale_desktop.domain.locale_format import format_duration, format_minutes, parse_stamp
from tale_desktop.ui.common.language import current_language


def _qdatetime(stamp: str | None) -> QDateTime | None:
    moment = parse_stamp(stamp)
    if moment is None:
        return None
    moment = moment.astimezone(UTC)
    return QDateTime(QDate(moment.year, moment.month, moment.day),
                     QTime(moment.hour, moment.minute, moment.second), QTimeZone.utc()).toLocalTime()


def date_text(stamp: str | None) -> str:
    """``"12 March 2026"`` / ``"12 марта 2026"``; ``""`` for a missing or unreadable stamp."""
    value = _qdatetime(stamp)
    return QLocale().toString(value.date(), "d MMMM yyyy") if value is not None else ""


def short_date_text(stamp: str | None) -> str:
    """``"12 Mar 2026"`` / ``"12 мар. 2026"``. Remembered per stamp: the library paints it for every visible row
    on every repaint."""
    return _short_date_text(stamp, current_language())


@functools.lru_cache(maxsize=4096)
def _short_date_text(stamp: str | None, _language: str) -> str:
    value = _qdatetime(stamp)
    return QLocale().toString(value.date(), "d MMM yyyy") if value is not None else ""


def date_time_text(stamp: str | None) -> str:
    value = _qdatetime(stamp)
    if value is None:
        return ""
    return f"{date_text(stamp)}, {QLocale().toString(value.time(), QLocale.FormatType.ShortFormat)}"


def number_text(value: float, decimals: int = 0) -> str:
    locale = QLocale()
    return locale.toString(int(value)) if decimals == 0 else locale.toString(float(value), "f", decimals)


def words_text(count: int) -> str:
    return labels.words_phrase(count, current_language())


def stories_text(count: int) -> str:
    """``"5 stories"`` / ``"5 сказок"``."""
    return labels.tales_phrase(count, current_language())


def reading_text(minutes: float) -> str:
    """``"3 min read"`` / ``"3 мин чтения"``."""
    return labels.reading_phrase(minutes, current_language())


def minutes_text(minutes: float) -> str:
    return format_minutes(minutes, current_language())


def duration_text(seconds: float) -> str:
    """``"2 min 50 s"`` / ``"2 мин 50 с"``."""
    return format_duration(seconds, current_language())


def enum_text(kind: str, value: str | None) -> str:
    """The display name of a stored value (``"empathy"`` -> ``"Понимание других"``); a custom moral as written."""
    return labels.enum_label(kind, value, current_language())


def ago_text(stamp: str | None, now: datetime | None = None) -> str:
    """``"just now"``, ``"5 min ago"``, ``"2 h ago"``, else the date."""
    moment = parse_stamp(stamp)
    if moment is None:
        return ""
    seconds = ((now or datetime.now(UTC)) - moment.astimezone(UTC)).total_seconds()
    if seconds < 60:
        return QCoreApplication.translate("formatting", "just now")
    if seconds < 3600:
        return QCoreApplication.translate("formatting", "{minutes} min ago").format(minutes=int(seconds // 60))
    if seconds < 24 * 3600:
        return QCoreApplication.translate("formatting", "{hours} h ago").format(hours=int(seconds // 3600))
    return date_text(stamp)
