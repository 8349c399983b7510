"""Messages from services in any interface language: stable codes with parameters, one catalogue (pure Python).

Services and providers never build finished sentences for the window. They return a :class:`Message`: a ``str``
whose value is the English text (so logs, the CLI and older code keep working unchanged) that also carries its
``code`` and ``params``. The window translates at the edge with :func:`localize` (any text) or
:func:`localize_error` (an exception), in the interface language; the CLI prints the English value. Errors that
carry ``code`` and ``params`` attributes of their own (typed provider errors) plug into the same catalogue: add
their codes to :data:`CATALOGUE`. See docs/i18n.md.

A catalogue entry maps a language to a ``str.format`` template, or to a dict of CLDR plural categories
(``one``/``few``/``many``/``other``) chosen by the ``count`` parameter. Numbers in parameters are formatted for
the language ("1 234"); :class:`Message` parameters are localized too.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from tale_desktop.domain.languages import DEFAULT_LANGUAGE
from tale_desktop.domain.locale_format import format_number, plural_form

log = logging.getLogger(__name__)

Template = str | Mapping[str, str]

CATALOGUE: dict[str, Mapping[str, Template]] = {
    # Background work, as the Tasks panel names it.
    "task.write_story": {"en": "Writing a story", "ru": "Сочиняем сказку"},
    "task.write_story_for": {"en": "Writing a story for {name}", "ru": "Сочиняем сказку для: {name}"},
    "story.failed_unexpectedly": {
        "en": "Writing the story failed unexpectedly ({kind}). Details were written to the log.",
        "ru": "Сказку не удалось дописать из-за непредвиденной ошибки. Подробности записаны в журнал.",
    },
    "task.generation_stats": {"en": "Fetching generation statistics", "ru": "Получаем сведения о сказке"},
    "task.sync": {"en": "Sync with Supabase", "ru": "Синхронизация с Supabase"},
    "sync.not_set_up": {"en": "Supabase is not set up", "ru": "Supabase не настроен"},
    "sync.signed_out": {"en": "Signed out", "ru": "Вы вышли из учётной записи"},
    "sync.stopped": {"en": "Sync stopped unexpectedly; details are in the log.",
                     "ru": "Синхронизация неожиданно остановилась; подробности в журнале."},
    "task.prepare_connections": {"en": "Preparing connections", "ru": "Готовим подключения"},
    "task.cancelled": {"en": "Cancelled", "ru": "Отменено"},
    "task.failed_unexpectedly": {
        "en": "{title} failed unexpectedly ({kind}). Details were written to the log.",
        "ru": "«{title}»: непредвиденная ошибка. Подробности записаны в журнал.",
    },
    # Library and exports.
    "library.closed": {"en": "The library is closed.", "ru": "Библиотека закрыта."},
    "export.folder_missing": {
        "en": "The folder {folder} does not exist: create it or choose another place. Nothing was written.",
        "ru": "Папки {folder} нет: создайте её или выберите другое место. Ничего не записано.",
    },
    "export.not_a_folder": {
        "en": "{folder} is not a folder: choose another place. Nothing was written.",
        "ru": "{folder} — это не папка: выберите другое место. Ничего не записано.",
    },
    "export.cannot_write_in": {
        "en": "Cannot write to {folder} ({reason}): choose a folder you can write to. Nothing was written.",
        "ru": "Не удаётся записать в {folder} ({reason}): выберите папку, доступную для записи. "
              "Ничего не записано.",
    },
    "export.cannot_write": {
        "en": "Cannot write {path} ({reason}). Nothing was written.",
        "ru": "Не удаётся записать {path} ({reason}). Ничего не записано.",
    },
    "export.pdf_unavailable": {
        "en": "PDF export is not available here (no PDF renderer was set up).",
        "ru": "Сохранение в PDF здесь недоступно.",
    },
    "export.pdf_failed": {
        "en": "The PDF for '{title}' could not be rendered. Nothing was written.",
        "ru": "Не удалось подготовить PDF для «{title}». Ничего не записано.",
    },
    "narration.no_text": {"en": "This story has no text to narrate.", "ru": "В этой сказке нет текста для чтения."},
    # Validation (domain/models.py, domain/prompts.py): the English is what the CLI prints; {field} is a
    # "field.*" message, so it is translated too. Raw allowed values appear only in English (for the CLI).
    "validation.required": {"en": "{field} must not be empty", "ru": "Заполните поле «{field}»"},
    "validation.too_long": {"en": "{field} must be at most {max} characters (it has {count})",
                            "ru": "«{field}»: не больше {max} знаков (сейчас {count})"},
    "validation.choice": {"en": "{field} must be one of {allowed}", "ru": "«{field}»: выберите значение из списка"},
    "validation.list": {"en": "{field} must be a list of words", "ru": "«{field}»: перечислите слова через запятую"},
    "validation.too_few": {"en": {"one": "Add at least one to {field_lower}",
                                  "other": "Add at least {count} to {field_lower}"},
                           "ru": {"one": "«{field}»: нужно хотя бы одно значение",
                                  "few": "«{field}»: нужно хотя бы {count} значения",
                                  "many": "«{field}»: нужно хотя бы {count} значений",
                                  "other": "«{field}»: нужно хотя бы {count} значения"}},
    "validation.too_many": {"en": "{field} can have at most {max} items (there are {count})",
                            "ru": "«{field}»: не больше {max} (сейчас {count})"},
    "validation.controls": {"en": "{field} must not contain control characters (escape codes, text-direction marks)",
                            "ru": "«{field}»: уберите служебные символы (управляющие коды, знаки направления текста)"},
    "validation.controls_line": {"en": "{field} must not contain control characters (escape codes, line breaks, "
                                       "text-direction marks)",
                                 "ru": "«{field}»: уберите служебные символы (управляющие коды, переносы строк, "
                                       "знаки направления текста)"},
    "validation.item_controls": {"en": "Each of the {field_lower} must be plain text without control characters "
                                       "(escape codes, line breaks, text-direction marks)",
                                 "ru": "«{field}»: пишите каждое значение простым текстом, без служебных символов и "
                                       "переносов строк"},
    "validation.item_empty": {"en": "Each of the {field_lower} must not be empty",
                              "ru": "«{field}»: пустое значение (две запятые подряд?)"},
    "validation.item_too_long": {"en": "Each of the {field_lower} must be at most {max} characters "
                                       "(\"{item}…\" has {count})",
                                 "ru": "«{field}»: каждое значение — не больше {max} знаков («{item}…» — {count})"},
    "validation.bad_id": {"en": "Id must be a UUID", "ru": "Повреждён идентификатор записи"},
    "validation.rating": {"en": "Rating must be a whole number from {min} to {max}",
                          "ru": "Оценка — целое число от {min} до {max}"},
    "validation.minutes": {"en": "Length must be from {min} to {max} minutes",
                           "ru": "Длина — от {min} до {max} минут"},
    "validation.narration_story": {"en": "A narration must belong to a story",
                                   "ru": "Озвучка должна относиться к сказке"},
    "validation.needs_child": {"en": "A {story_type} story needs a child: pick one (or add a child profile first)",
                               "ru": "Для этой сказки нужен ребёнок: выберите его (или сначала добавьте профиль)"},
    "validation.needs_hero": {"en": "A {story_type} story needs a hero: pick one",
                              "ru": "Для этой сказки нужен герой: выберите его"},
    "validation.moral_missing": {"en": "Pick a moral or write your own", "ru": "Выберите мораль или напишите свою"},
    "validation.moral_too_long": {"en": "Your own moral must be at most {max} characters (it has {count}); one or "
                                        "two sentences are enough",
                                  "ru": "Своя мораль — не больше {max} знаков (сейчас {count}); хватит одного-двух "
                                        "предложений"},
    "field.name": {"en": "Name", "ru": "Имя"},
    "field.age_band": {"en": "Age band", "ru": "Возраст"},
    "field.gender": {"en": "Gender", "ru": "Пол"},
    "field.interests": {"en": "Interests", "ru": "Интересы"},
    "field.appearance": {"en": "Appearance", "ru": "Внешность"},
    "field.personality_traits": {"en": "Personality traits", "ru": "Черты характера"},
    "field.strengths": {"en": "Strengths", "ru": "Сильные стороны"},
    "field.language": {"en": "Language", "ru": "Язык"},
    "field.title": {"en": "Title", "ru": "Название"},
    "field.story_type": {"en": "Story type", "ru": "О ком сказка"},
    "field.status": {"en": "Status", "ru": "Статус"},
    "field.theme": {"en": "Theme", "ru": "Тема"},
    "field.moral": {"en": "Moral", "ru": "Мораль"},
    "field.provider": {"en": "Narration provider", "ru": "Голос для чтения"},
    # Counted things (also usable alone: msg("count.stories", count=5)).
    "count.stories": {"en": {"one": "{count} story", "other": "{count} stories"},
                      "ru": {"one": "{count} история", "few": "{count} истории", "many": "{count} историй",
                             "other": "{count} истории"}},
    "count.words": {"en": {"one": "{count} word", "other": "{count} words"},
                    "ru": {"one": "{count} слово", "few": "{count} слова", "many": "{count} слов",
                           "other": "{count} слова"}},
}


#: Translations of the typed provider errors' codes (their English sentences live with the errors, in
#: ``providers/errors.py``; an error whose code is missing here is shown with its English ``user_message``).
PROVIDER_CODES: dict[str, Mapping[str, str]] = {
    "net.timeout": {"ru": "{service} ({host}) не ответил вовремя (ждали {seconds} с). Проверьте подключение и "
                          "попробуйте снова."},
    "net.refused": {"ru": "Не удалось подключиться к {service} ({host}): соединение отклонено. Проверьте адрес "
                          "в настройках{local_hint} и попробуйте снова."},
    "net.unreachable": {"ru": "{service} ({host}) недоступен. Проверьте подключение к интернету и адрес в "
                              "настройках, затем попробуйте снова."},
    "net.reset": {"ru": "Соединение с {service} ({host}) прервалось. Попробуйте снова."},
    "net.cut_mid_answer": {"ru": "Соединение с {service} ({host}) оборвалось посреди ответа. Попробуйте снова."},
    "http.auth": {"ru": "{service} не принял ключ{detail_suffix}. Проверьте {key_hint} в настройках."},
    "http.forbidden": {"ru": "{service} отклонил запрос{detail_suffix}. Проверьте {key_hint} и его права в "
                             "настройках."},
    "http.quota": {"ru": "{service}: средства на счёте закончились. Пополните счёт и попробуйте снова."},
    "http.not_found": {"ru": "{service} ({host}) ответил «не найдено» (404){detail_suffix}. Проверьте адрес в "
                             "настройках."},
    "http.rate_limited": {"ru": "{service} сейчас получает слишком много запросов. Попробуйте чуть позже."},
    "http.server": {"ru": "У {service} ({host}) неполадки на сервере (ошибка {status}). Попробуйте через "
                          "несколько минут."},
    "http.rejected": {"ru": "{service} отклонил запрос (ошибка {status}{detail_colon})."},
    "http.unexpected": {"ru": "{service} ({host}) ответил что-то непонятное. Проверьте адрес в настройках и "
                              "попробуйте снова."},
    "http.wait_seconds": {"ru": "Попробуйте снова через {seconds} с."},
    "http.wait_minute": {"ru": "Попробуйте снова через минуту."},
    "llm.not_configured": {"ru": "Не задан ключ OpenRouter API. Добавьте его в настройках (или укажите адрес "
                                 "локального сервера, совместимого с OpenAI)."},
    "llm.auth": {"ru": "Сервис сказок ({host}) не принял ключ API{detail_suffix}. Проверьте ключ OpenRouter API "
                       "в настройках."},
    "llm.quota": {"ru": "На счёте OpenRouter закончились средства. Пополните его на "
                        "openrouter.ai/settings/credits или выберите бесплатную модель в настройках."},
    "llm.model_not_found": {"ru": "Модель «{model}» недоступна на {host}. Выберите другую модель в настройках."},
    "llm.base_url": {"ru": "Адрес сервиса сказок {base_url} похож на ошибочный: он ответил «не найдено» (404). "
                           "Адреса серверов, совместимых с OpenAI, обычно заканчиваются на /v1: попробуйте "
                           "{suggested}"},
    "llm.not_openai": {"ru": "Сервер {host} ответил не так, как отвечают серверы, совместимые с OpenAI. "
                             "Проверьте адрес в настройках."},
    "llm.no_text": {"ru": "Сервер {host} не прислал текст сказки. Проверьте адрес и модель в настройках."},
    "llm.stream_error": {"ru": "Модель остановилась с ошибкой во время написания ({detail}). Уже написанное "
                               "сохранено; попробуйте снова."},
    "llm.stream_quota": {"ru": "Во время написания на счёте OpenRouter закончились средства. Пополните его на "
                               "openrouter.ai/settings/credits."},
    "llm.stream_busy": {"ru": "Сервис модели сейчас перегружен. Попробуйте через минуту."},
    "llm.stream_cut": {"ru": "Соединение с сервисом сказок ({host}) оборвалось во время написания. Уже "
                             "написанное сохранено; попробуйте снова."},
    "elevenlabs.not_configured": {"ru": "Не задан ключ ElevenLabs API. Добавьте его в настройках."},
    "elevenlabs.auth": {"ru": "ElevenLabs не принял ключ API{detail_suffix}. Проверьте ключ ElevenLabs API в "
                              "настройках."},
    "elevenlabs.quota": {"ru": "Лимит ElevenLabs исчерпан: в этом месяце на ключе не осталось символов."},
    "elevenlabs.voice_not_found": {"ru": "Этого голоса ElevenLabs больше нет. Выберите другой голос в "
                                         "настройках."},
    "elevenlabs.no_voices": {"ru": "В этой учётной записи ElevenLabs нет голосов. Добавьте голос на "
                                   "elevenlabs.io."},
    "elevenlabs.rejected_text": {"ru": "ElevenLabs не смог озвучить этот текст{detail_colon}"},
    "elevenlabs.bad_audio": {"ru": "ElevenLabs прислал звук, который нельзя воспроизвести. Ничего не "
                                   "сохранено; попробуйте снова."},
    "narration.bad_audio": {"ru": "{voice} прислал звук, который нельзя воспроизвести ({reason}). Ничего не "
                                  "сохранено; попробуйте снова."},
    "elevenlabs.stream_cut": {"ru": "Поток звука от ElevenLabs оборвался. Попробуйте снова."},
    "supabase.not_configured": {"ru": "Supabase: укажите адрес проекта и анонимный ключ в настройках."},
}

#: English fragments that arrive inside parameters (service names, hints), by language.
FRAGMENTS: dict[str, Mapping[str, str]] = {
    "ru": {
        "Story service": "сервис сказок",
        "Offline voice": "офлайн-голос",
        "API key": "ключ API",
        "OpenRouter API key": "ключ OpenRouter API",
        "ElevenLabs API key": "ключ ElevenLabs API",
        "Supabase anon key": "анонимный ключ Supabase",
        " (is your local server running?)": " (запущен ли локальный сервер?)",
    },
}


def _format_param(value: Any, language: str) -> Any:
    if isinstance(value, Message):
        return value.in_language(language)
    if isinstance(value, str):
        return FRAGMENTS.get(language, {}).get(value, value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return format_number(value, language)
    if isinstance(value, float):
        return format_number(value, language, decimals=0 if value.is_integer() else 1)
    return value


def render(code: str, params: Mapping[str, Any], language: str) -> str:
    """The catalogue text for ``code`` in ``language`` (English when that language lacks it)."""
    entry = CATALOGUE[code]
    lang = language if language in entry else DEFAULT_LANGUAGE
    template = entry[lang]
    if not isinstance(template, str):
        template = plural_form(float(params.get("count", 0)), template, lang)
    values = {key: _format_param(value, lang) for key, value in params.items()}
    try:
        return template.format_map(values)
    except (KeyError, IndexError, ValueError):
        log.warning("Message %s in %s is missing a parameter", code, lang)
        return entry[DEFAULT_LANGUAGE] if isinstance(entry[DEFAULT_LANGUAGE], str) else code


class Message(str):
    """English text that remembers its catalogue ``code`` and ``params``, so the window can translate it."""

    code: str
    params: dict[str, Any]

    def __new__(cls, code: str, **params: Any) -> Message:
        if code not in CATALOGUE:
            raise KeyError(f"unknown message code {code!r}")
        self = super().__new__(cls, render(code, params, DEFAULT_LANGUAGE))
        self.code = code
        self.params = params
        return self

    def in_language(self, language: str) -> str:
        return render(self.code, self.params, language)

    def __reduce__(self):  # pickling/copying keeps the code (str's own reduce would drop it)
        return (_rebuild, (self.code, self.params))


def _rebuild(code: str, params: dict[str, Any]) -> Message:
    return Message(code, **params)


def msg(code: str, **params: Any) -> Message:
    return Message(code, **params)


class CodedText(str):
    """The English ``user_message`` of a typed error, with its ``code`` and ``params`` (see PROVIDER_CODES)."""

    code: str
    params: dict[str, Any]

    def __new__(cls, text: str, code: str, params: Mapping[str, Any]) -> CodedText:
        self = super().__new__(cls, text)
        self.code = code
        self.params = dict(params)
        return self

    def in_language(self, language: str) -> str:
        template = PROVIDER_CODES.get(self.code, {}).get(language)
        if template is None:
            return str(self)
        try:
            text = template.format_map({k: _format_param(v, language) for k, v in self.params.items()})
        except (KeyError, IndexError, ValueError):
            log.warning("Provider message %s in %s is missing a parameter", self.code, language)
            return str(self)
        return text[:1].upper() + text[1:]

    def __reduce__(self):
        return (CodedText, (str(self), self.code, self.params))


class MessageList(str):
    """Several messages shown together (a ValidationError's fields), joined with "; "."""

    parts: tuple[str, ...]

    def __new__(cls, parts: list[str]) -> MessageList:
        self = super().__new__(cls, "; ".join(parts))
        self.parts = tuple(parts)
        return self

    def in_language(self, language: str) -> str:
        return "; ".join(localize(part, language) for part in self.parts)

    def __reduce__(self):
        return (MessageList, (list(self.parts),))


def message_of(exc: BaseException) -> str:
    """What to tell the parent about ``exc``, as text that still knows how to translate itself ("" if nothing)."""
    errors = getattr(exc, "errors", None)  # a ValidationError: one message per field
    if isinstance(errors, dict) and errors:
        return MessageList([str(v) if not hasattr(v, "in_language") else v for v in errors.values()])
    message = getattr(exc, "user_message", None)
    if hasattr(message, "in_language"):
        return message
    code = getattr(exc, "code", None)
    params = getattr(exc, "params", None) or {}
    if isinstance(code, str) and code in CATALOGUE:
        return Message(code, **params)
    if message and isinstance(code, str) and code in PROVIDER_CODES:
        return CodedText(str(message), code, params)
    return str(message) if message else ""


def localize(text: str | None, language: str) -> str:
    """Service text in ``language``: a :class:`Message` (or any text that carries its code) is translated; any
    other text is shown as it is (names, story content, older messages)."""
    if text is None:
        return ""
    in_language = getattr(text, "in_language", None)
    return in_language(language) if callable(in_language) else str(text)


def localize_error(exc: BaseException, language: str, *, fallback: str = "") -> str:
    """What to tell the parent about ``exc`` in ``language``: by its code, else its ``user_message``."""
    return localize(message_of(exc), language) or fallback
