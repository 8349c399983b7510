"""Typed storage errors, each carrying a message a parent can act on."""

from __future__ import annotations


class StorageError(Exception):
    """Base class: ``user_message`` says what went wrong and what to do."""

    def __init__(self, user_message: str):
        super().__init__(user_message)
        self.user_message = user_message


class DataDirUnwritable(StorageError):
    pass


class DatabaseCorrupt(StorageError):
    pass


class DatabaseReadOnly(StorageError):
    pass


class DatabaseTooNew(StorageError):
    pass


class NotFound(StorageError):
    pass
