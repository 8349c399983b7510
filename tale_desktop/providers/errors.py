"""Typed errors shared by every provider; ``user_message`` names the service and the parent's next step.

Every error also carries a stable ``code`` (a message id such as ``"llm.auth"``, ``"elevenlabs.quota"`` or
``"net.timeout"``) and the ``params`` its sentence was made from, so the interface can render it in its own
language later; :data:`MESSAGES` holds the English sentences, which stay the default ``user_message``.
"""

from __future__ import annotations

from typing import Any

# English sentences by message id. ``{service}`` is the service's name, ``{host}`` the address it was reached at.
MESSAGES: dict[str, str] = {
    # transport (any service)
    "net.timeout": "{service} at {host} did not answer in time (waited {seconds:g} s). Check the connection "
                   "and try again.",
    "net.refused": "Could not connect: {service} at {host} refused the connection. Check the address in "
                   "Settings{local_hint}, then try again.",
    "net.unreachable": "{service} at {host} cannot be reached. Check your internet connection and the address "
                       "in Settings, then try again.",
    "net.reset": "{service} at {host} cut the connection before answering. Try again.",
    "net.cut_mid_answer": "{service} at {host} cut the connection in the middle of the answer. Try again.",
    # HTTP status (any service; a service can override a code with its own sentence below)
    "http.auth": "{service} refused the key{detail_suffix}. Check the {key_hint} in Settings.",
    "http.forbidden": "{service} refused this request{detail_suffix}. Check the {key_hint} and its permissions "
                      "in Settings.",
    "http.quota": "{service} says the credits are used up. Top up the account, then try again.",
    "http.not_found": "{service} at {host} answered 404 Not Found{detail_suffix}. Check the address in Settings.",
    "http.rate_limited": "{service} is receiving too many requests right now. {wait}",
    "http.server": "{service} at {host} is having trouble (a server error, {status}). Try again in a few minutes.",
    "http.rejected": "{service} rejected the request (error {status}{detail_colon}).",
    "http.unexpected": "{service} at {host} answered with something unexpected. Check the address in Settings, "
                       "then try again.",
    "http.wait_seconds": "Try again in {seconds} {seconds_word}.",
    "http.wait_minute": "Try again in a minute.",
    # the story service (OpenAI-compatible LLM)
    "llm.not_configured": "No OpenRouter API key is set. Add your key in Settings (or point the base URL at a "
                          "local OpenAI-compatible server).",
    "llm.auth": "The story service at {host} refused the API key{detail_suffix}. Check the OpenRouter API key in Settings.",
    "llm.quota": "Your OpenRouter account has run out of credits. Add credits at openrouter.ai/settings/credits, "
                 "or choose a free model in Settings.",
    "llm.model_not_found": "The model '{model}' is not available at {host}. Choose another model in Settings "
                           "(or with --model).",
    "llm.base_url": "The story service address {base_url} looks wrong: it answered 404 Not Found. "
                    "OpenAI-compatible servers usually end in /v1: try {suggested}",
    "llm.not_openai": "The server at {host} answered with something that is not an OpenAI-compatible response. "
                      "Check the base URL in Settings.",
    "llm.no_text": "The server at {host} sent no story text. Check the base URL and model in Settings.",
    "llm.stream_error": "The model stopped with an error while writing ({detail}). What was written so far is "
                        "kept; try again.",
    "llm.stream_quota": "Your OpenRouter account ran out of credits while writing. Add credits at "
                        "openrouter.ai/settings/credits.",
    "llm.stream_busy": "The model's provider is busy right now. Try again in a minute.",
    "llm.stream_cut": "The connection to the story service at {host} broke while it was writing. What was "
                      "written so far is kept; try again.",
    # ElevenLabs
    "elevenlabs.not_configured": "No ElevenLabs API key is set. Add one in Settings.",
    "elevenlabs.auth": "ElevenLabs refused the API key{detail_suffix}. Check the ElevenLabs API key in Settings.",
    "elevenlabs.quota": "ElevenLabs quota used up: no characters are left on this key this month.",
    "elevenlabs.voice_not_found": "{what} no longer exists. Choose another voice in Settings.",
    "elevenlabs.no_voices": "This ElevenLabs account has no voices. Add one on elevenlabs.io.",
    "elevenlabs.rejected_text": "ElevenLabs could not narrate this text{detail_colon}",
    "elevenlabs.bad_audio": "ElevenLabs answered with something unexpected: the audio it sent cannot be played "
                            "({reason}). Nothing was saved; try again.",
    "elevenlabs.stream_cut": "The ElevenLabs audio stream was cut off. Try again.",
    # any narrator
    "narration.bad_audio": "{voice} answered with something unexpected: the audio cannot be played ({reason}). "
                           "Nothing was saved; try again.",
    # Supabase
    "supabase.not_configured": "Supabase: enter the project URL and the anon key in Settings.",
}

PLURAL_SECONDS = ("second", "seconds")


def render(code: str, params: dict[str, Any]) -> str:
    """The English sentence for ``code`` (an unknown code or a missing parameter gives the code's family)."""
    template = MESSAGES.get(code)
    if template is None:
        return str(params.get("message") or code)
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template


def wait_phrase(seconds: float | None) -> str:
    """ "Try again in 1 second." / "Try again in 5 seconds." / "Try again in a minute." (plural-correct)."""
    if not seconds or seconds <= 0:
        return MESSAGES["http.wait_minute"]
    whole = max(1, round(seconds))
    word = PLURAL_SECONDS[0] if whole == 1 else PLURAL_SECONDS[1]
    return render("http.wait_seconds", {"seconds": whole, "seconds_word": word})


class ProviderError(Exception):
    kind = "error"

    def __init__(self, service: str, user_message: str, *, status: int | None = None, code: str = "",
                 params: dict[str, Any] | None = None):
        super().__init__(user_message)
        self.service = service
        self.user_message = user_message
        self.status = status
        self.code = code or f"{_slug(service)}.{self.kind}"
        self.params: dict[str, Any] = dict(params or {})

    @classmethod
    def of(cls, service: str, code: str, *, status: int | None = None, **params: Any) -> ProviderError:
        """An error whose sentence is the English text of ``code`` made from ``params``."""
        params.setdefault("service", service)
        return cls(service, render(code, params), status=status, code=code, params=params)


class AuthError(ProviderError):
    """The key or password was refused: the fix is in Settings."""

    kind = "auth"


class QuotaError(ProviderError):
    """Credits or quota are used up."""

    kind = "quota"


class RateLimited(ProviderError):
    kind = "rate_limited"

    def __init__(self, service: str, user_message: str, *, retry_after: float | None = None,
                 status: int | None = 429, code: str = "", params: dict[str, Any] | None = None):
        super().__init__(service, user_message, status=status, code=code, params=params)
        self.retry_after = retry_after


class Unavailable(ProviderError):
    """The service cannot be reached or answered with a server error; trying later may work."""

    kind = "unavailable"


class TimedOut(Unavailable):
    """The service did not answer (or stopped answering) within the stated wait."""

    kind = "timeout"


class BadResponse(ProviderError):
    """The service answered with something we cannot understand (HTML, garbage, wrong schema)."""

    kind = "bad_response"


class NotFoundError(ProviderError):
    """A named thing (model, voice, object) does not exist at the service."""

    kind = "not_found"


class NotConfigured(ProviderError):
    """The service has no key / URL configured."""

    kind = "not_configured"


def _slug(service: str) -> str:
    lowered = service.lower()
    if "story" in lowered or lowered == "llm":
        return "llm"
    return "".join(ch for ch in lowered if ch.isalnum()) or "service"
