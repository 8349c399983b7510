from pathlib import Path

import keyring
from keyring.backend import KeyringBackend

from tale_desktop import settings as S
from tale_desktop.settings import Settings


def make(tale_env, **extra) -> Settings:
    return Settings({**tale_env, "TALE_NO_KEYRING": "1", **extra})


def test_defaults_and_paths(tale_env):
    s = make(tale_env)
    assert s.data_dir == Path(tale_env["TALE_DATA_DIR"]) and s.config_dir == Path(tale_env["TALE_CONFIG_DIR"])
    assert s.get(S.LLM_BASE_URL) == "https://openrouter.ai/api/v1"
    assert s.get(S.LLM_MODEL) == "openai/gpt-4o-mini"
    assert s.source(S.LLM_MODEL) == "default"
    assert not s.llm_configured and not s.elevenlabs_configured and not s.supabase_configured


def test_environment_beats_stored_value(tale_env):
    stored = make(tale_env)
    stored.set(S.LLM_MODEL, "stored/model")
    assert make(tale_env).get(S.LLM_MODEL) == "stored/model"
    env = make(tale_env, TALE_LLM_MODEL="env/model")
    assert env.get(S.LLM_MODEL) == "env/model" and env.source(S.LLM_MODEL) == "environment"


def test_local_server_needs_no_key(tale_env):
    assert make(tale_env, TALE_LLM_BASE_URL="http://127.0.0.1:11434/v1").llm_configured


def test_secrets_never_reach_the_settings_file(tale_env):
    s = make(tale_env)
    s.set(S.OPENROUTER_API_KEY, "sk-or-secret-123")
    s.set(S.LLM_MODEL, "m")
    assert s.get(S.OPENROUTER_API_KEY) == "sk-or-secret-123" and s.llm_configured
    text = (Path(tale_env["TALE_CONFIG_DIR"]) / "settings.ini").read_text()
    assert "sk-or-secret" not in text and "m" in text
    assert make(tale_env).get(S.OPENROUTER_API_KEY) == ""  # memory only with TALE_NO_KEYRING=1


class _MemoryKeyring(KeyringBackend):
    priority = 10

    def __init__(self):
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.items.get((service, username))

    def set_password(self, service, username, password):
        self.items[(service, username)] = password

    def delete_password(self, service, username):
        self.items.pop((service, username), None)


def test_keyring_is_used_when_allowed(tale_env):
    backend = _MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        env = {**tale_env, "TALE_NO_KEYRING": "0"}
        Settings(env).set(S.ELEVENLABS_API_KEY, "el-key")
        assert backend.items == {("tale-desktop", "elevenlabs_api_key"): "el-key"}
        again = Settings(env)
        assert again.get(S.ELEVENLABS_API_KEY) == "el-key" and again.source(S.ELEVENLABS_API_KEY) == "keyring"
        again.set(S.ELEVENLABS_API_KEY, "")
        assert backend.items == {}
    finally:
        keyring.set_keyring(previous)


def test_missing_keyring_backend_warns_once_and_keeps_secret_in_memory(tale_env, caplog):
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        s = Settings({**tale_env, "TALE_NO_KEYRING": "0"})
        assert s.secrets.warning and "No system keyring" in s.secrets.warning
        assert sum("No system keyring" in r.message for r in caplog.records) == 1
        s.set(S.OPENROUTER_API_KEY, "k")
        assert s.get(S.OPENROUTER_API_KEY) == "k" and not s.secrets.persistent
    finally:
        keyring.set_keyring(previous)
