"""Typed settings: environment variables beat stored preferences (QSettings INI); secrets live in the keyring.

Secrets are never written to the settings file. With ``TALE_NO_KEYRING=1``, or when the OS has no keyring
backend, secrets are kept in memory for the running session only (and the parent is told so once).
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from tale_desktop import APP_NAME
from tale_desktop.domain.languages import interface_language

log = logging.getLogger(__name__)
KEYRING_SERVICE = APP_NAME
KEYRING_NOTICE_MARKER = "keyring-notice-shown"  # in the config dir: the "no keyring" notice is told once


@dataclass(frozen=True, slots=True)
class Key:
    name: str
    env: str | None = None
    default: str = ""
    secret: bool = False
    label: str = ""


# Stored preferences (and their environment overrides, DESIGN section 5).
LLM_BASE_URL = Key("llm/base_url", "TALE_LLM_BASE_URL", "https://openrouter.ai/api/v1", label="LLM base URL")
LLM_MODEL = Key("llm/model", "TALE_LLM_MODEL", "openai/gpt-4o-mini", label="LLM model")
LLM_FALLBACK_MODELS = Key("llm/fallback_models", None, "", label="Fallback models")
REVIEW_ENABLED = Key("review/enabled", None, "1", label="Review stories")
REVIEW_THRESHOLD = Key("review/threshold", None, "7", label="Review threshold")
REVIEW_ATTEMPTS = Key("review/attempts", None, "2", label="Review attempts")
ELEVENLABS_BASE_URL = Key("elevenlabs/base_url", "TALE_ELEVENLABS_BASE_URL", "https://api.elevenlabs.io",
                          label="ElevenLabs base URL")
ELEVENLABS_VOICE_EN = Key("elevenlabs/voice_en", None, "", label="English voice")
ELEVENLABS_VOICE_RU = Key("elevenlabs/voice_ru", None, "", label="Russian voice")
PIPER_VOICE_PATH = Key("offline/piper_voice", None, "", label="Own piper voice (.onnx)")
IMAGE_MODEL = Key("images/model", "TALE_IMAGE_MODEL", "", label="Image model")
IMAGE_STYLE = Key("images/style", None, "watercolour", label="Illustration style")
SUPABASE_URL = Key("supabase/url", "SUPABASE_URL", "", label="Supabase project URL")
SUPABASE_KEY = Key("supabase/key", "SUPABASE_KEY", "", label="Supabase anon key")
PLAYER_VOLUME = Key("player/volume", None, "0.8")
PLAYER_SPEED = Key("player/speed", None, "1.0")
BEDTIME_SOUND = Key("bedtime/sound", None, "")  # a soft sound under the story (rain, sea, ...); "" = none
BEDTIME_SOUND_VOLUME = Key("bedtime/sound_volume", None, "")  # 0..1; "" = the sound's own default
BEDTIME_THEN_MINUTES = Key("bedtime/then_minutes", None, "0")  # minutes of sound after the last story
UI_WINDOW_GEOMETRY = Key("ui/window_geometry", None, "")  # base64 of QMainWindow.saveGeometry()
UI_WINDOW_STATE = Key("ui/window_state", None, "")  # base64 of QMainWindow.saveState() (docks, toolbar)
UI_READER_FONT_PT = Key("ui/reader_font_pt", None, "14.5", label="Reader text size")
UI_THEME = Key("ui/theme", "TALE_THEME", "system", label="Theme")  # day | night | system
UI_LIBRARY_VISIBLE = Key("ui/library_visible", None, "1")
UI_DETAILS_VISIBLE = Key("ui/details_visible", None, "1")
UI_RECORDING_SPEAKER = Key("ui/recording_speaker", None, "")  # who reads in the family's recordings ("Mum")
# Interface language: "en", "ru", or "" to follow the system locale (domain/languages.py).
UI_LANGUAGE = Key("ui/language", "TALE_LANGUAGE", "", label="Interface language")

# Secrets (keyring).
OPENROUTER_API_KEY = Key("openrouter_api_key", "OPENROUTER_API_KEY", secret=True, label="OpenRouter API key")
ELEVENLABS_API_KEY = Key("elevenlabs_api_key", "ELEVENLABS_API_KEY", secret=True, label="ElevenLabs API key")
SUPABASE_EMAIL = Key("supabase_email", "TALE_SUPABASE_EMAIL", secret=True, label="Supabase email")
SUPABASE_PASSWORD = Key("supabase_password", "TALE_SUPABASE_PASSWORD", secret=True, label="Supabase password")
SUPABASE_SESSION = Key("supabase_session", None, secret=True, label="Supabase session")


class SecretStore:
    """The OS keyring, or an in-memory dict when it is disabled or unavailable.

    The keyring is looked up at the first secret read or write (finding its backend takes ~0.3 s): commands that
    never need a key do not pay for it."""

    def __init__(self, disabled: bool, notice_marker: Path | None = None):
        self._memory: dict[str, str] = {}
        self._keyring: Any = None
        self._warning: str | None = None
        self.locked = False
        self.notice_marker = notice_marker
        self._opened = disabled

    def _open(self) -> None:
        if self._opened:
            return
        self._opened = True
        try:
            import keyring
            from keyring.backends import fail

            backend = keyring.get_keyring()
            if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 1) <= 0:
                self._warning = ("No system keyring is available, so keys are kept only until you close the app. "
                                 "Install a keyring (e.g. GNOME Keyring or KWallet) to remember them.")
            else:
                self._keyring = keyring
        except Exception as exc:  # noqa: BLE001 - any keyring failure degrades to memory
            self._warning = f"The system keyring could not be used ({type(exc).__name__}); keys are kept in memory."
        if self._warning:
            self._tell(self._warning)

    @property
    def warning(self) -> str | None:
        self._open()
        return self._warning

    @warning.setter
    def warning(self, value: str | None) -> None:
        self._warning = value

    def _tell(self, message: str) -> None:
        """Log the notice loudly once per machine (a marker file in the config dir), quietly after that."""
        marker = self.notice_marker
        if marker is not None and marker.exists():
            log.info(message)
            return
        log.warning(message)
        if marker is not None:
            with contextlib.suppress(OSError):
                marker.parent.mkdir(parents=True, exist_ok=True)
                marker.write_text("The keyring notice was shown on this machine.\n", encoding="utf-8")

    @property
    def persistent(self) -> bool:
        self._open()
        return self._keyring is not None

    def get(self, name: str) -> str | None:
        if name in self._memory:
            return self._memory[name]
        self._open()
        if self._keyring is None:
            return None
        try:
            return self._keyring.get_password(KEYRING_SERVICE, name)
        except Exception as exc:  # noqa: BLE001
            self._degrade(exc)
            return None

    def set(self, name: str, value: str | None) -> None:
        self._open()
        if self._keyring is not None:
            try:
                if value:
                    self._keyring.set_password(KEYRING_SERVICE, name, value)
                else:
                    with contextlib.suppress(self._keyring.errors.PasswordDeleteError):
                        self._keyring.delete_password(KEYRING_SERVICE, name)
                self._memory.pop(name, None)
                return
            except Exception as exc:  # noqa: BLE001
                self._degrade(exc)
        if value:
            self._memory[name] = value
        else:
            self._memory.pop(name, None)

    def _degrade(self, exc: Exception) -> None:
        if self._keyring is not None:
            if _is_locked(exc):
                self.locked = True
                self.warning = ("The system keyring is locked (it could not be unlocked), so keys are kept only "
                                "until you close the app. Unlock the keyring and save them again to remember them.")
            else:
                self.warning = (f"The system keyring failed ({type(exc).__name__}), so keys are kept only until "
                                "you close the app.")
            log.warning(self.warning)
            self._keyring = None


def _is_locked(exc: BaseException) -> bool:
    try:
        from keyring.errors import KeyringLocked
    except ImportError:  # older keyring
        KeyringLocked = ()  # noqa: N806
    return isinstance(exc, KeyringLocked) or "locked" in f"{type(exc).__name__} {exc}".lower()


class Settings:
    def __init__(self, env: Mapping[str, str] | None = None):
        self.env = dict(os.environ if env is None else env)
        self.data_dir = Path(self.env.get("TALE_DATA_DIR") or platformdirs.user_data_dir(APP_NAME, appauthor=False))
        self.config_dir = Path(
            self.env.get("TALE_CONFIG_DIR") or platformdirs.user_config_dir(APP_NAME, appauthor=False)
        )
        self.audio_dir = self.data_dir / "audio"
        self._stored: Any = None
        self.secrets = SecretStore(disabled=self.env.get("TALE_NO_KEYRING") == "1",
                                   notice_marker=self.config_dir / KEYRING_NOTICE_MARKER)

    @property
    def _qsettings(self) -> Any:
        """The settings file, opened at the first stored-preference read: commands that only need the environment
        (e.g. ``stories list`` with ``TALE_DATA_DIR``) never import Qt."""
        if self._stored is None:
            from PySide6.QtCore import QSettings

            self._stored = QSettings(str(self.config_dir / "settings.ini"), QSettings.Format.IniFormat)
        return self._stored

    def get(self, key: Key) -> str:
        """Environment first, then the stored value (or keyring for secrets), then the default."""
        if key.env and self.env.get(key.env):
            return self.env[key.env]
        if key.secret:
            return self.secrets.get(key.name) or key.default
        value = self._qsettings.value(key.name, None)
        return key.default if value in (None, "") else str(value)

    def source(self, key: Key) -> str:
        """Where the current value comes from: ``environment``, ``keyring``, ``settings`` or ``default``."""
        if key.env and self.env.get(key.env):
            return "environment"
        if key.secret:
            return "keyring" if self.secrets.get(key.name) else "default"
        return "settings" if self._qsettings.contains(key.name) else "default"

    def set(self, key: Key, value: str | None) -> None:
        if key.secret:
            self.secrets.set(key.name, value or None)
            return
        if value in (None, ""):
            self._qsettings.remove(key.name)
        else:
            self._qsettings.setValue(key.name, str(value))
        self._qsettings.sync()

    def interface_language(self, system_names: Iterable[str] | None = None) -> str:
        """``TALE_LANGUAGE``, else the language saved in Settings, else the system locale, else English."""
        return interface_language(env=self.env, saved=self.stored(UI_LANGUAGE), system_names=system_names)

    def stored(self, key: Key) -> str:
        """The value saved in the settings file, ignoring the environment (what a Settings page shows)."""
        value = self._qsettings.value(key.name, None)
        return key.default if value in (None, "") else str(value)

    def get_bool(self, key: Key) -> bool:
        return self.get(key).strip().lower() in {"1", "true", "yes", "on"}

    def get_int(self, key: Key) -> int:
        try:
            return int(self.get(key))
        except ValueError:
            return int(key.default)

    def get_float(self, key: Key) -> float:
        try:
            return float(self.get(key))
        except ValueError:
            return float(key.default)

    def get_list(self, key: Key) -> list[str]:
        return [item.strip() for item in self.get(key).split(",") if item.strip()]

    @property
    def llm_configured(self) -> bool:
        """A key is set, or the base URL points away from OpenRouter (a local server needs no key)."""
        return bool(self.get(OPENROUTER_API_KEY)) or "openrouter.ai" not in self.get(LLM_BASE_URL)

    @property
    def elevenlabs_configured(self) -> bool:
        return bool(self.get(ELEVENLABS_API_KEY))

    @property
    def supabase_configured(self) -> bool:
        return bool(self.get(SUPABASE_URL) and self.get(SUPABASE_KEY))


def startup_interface_language(env: Mapping[str, str] | None = None,
                               system_names: Iterable[str] | None = None) -> str:
    """The interface language before the context exists (no keyring touched): reads only the settings file."""
    from PySide6.QtCore import QSettings

    env = dict(os.environ if env is None else env)
    config_dir = Path(env.get("TALE_CONFIG_DIR") or platformdirs.user_config_dir(APP_NAME, appauthor=False))
    stored = QSettings(str(config_dir / "settings.ini"), QSettings.Format.IniFormat).value(UI_LANGUAGE.name, "")
    return interface_language(env=env, saved=str(stored or ""), system_names=system_names)
