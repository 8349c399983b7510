"""Validation errors that name the field and the rule in plain words."""

from __future__ import annotations


class ValidationError(ValueError):
    """One or more fields broke a rule. ``errors`` maps field name -> plain-language message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        super().__init__("; ".join(self.errors.values()))

    @property
    def user_message(self) -> str:
        return str(self)

    @classmethod
    def single(cls, field: str, message: str) -> ValidationError:
        return cls({field: message})
