"""Typed errors shared by every provider; ``user_message`` names the service and the parent's next step."""

from __future__ import annotations


class ProviderError(Exception):
    def __init__(self, service: str, user_message: str, *, status: int | None = None):
        super().__init__(user_message)
        self.service = service
        self.user_message = user_message
        self.status = status


class AuthError(ProviderError):
    """The key or password was refused: the fix is in Settings."""


class QuotaError(ProviderError):
    """Credits or quota are used up."""


class RateLimited(ProviderError):
    def __init__(self, service: str, user_message: str, *, retry_after: float | None = None,
                 status: int | None = 429):
        super().__init__(service, user_message, status=status)
        self.retry_after = retry_after


class Unavailable(ProviderError):
    """The service cannot be reached or answered with a server error; trying later may work."""


class BadResponse(ProviderError):
    """The service answered with something we cannot understand (HTML, garbage, wrong schema)."""


class NotFoundError(ProviderError):
    """A named thing (model, voice, object) does not exist at the service."""


class NotConfigured(ProviderError):
    """The service has no key / URL configured."""
