"""Async orchestration on top of storage and providers. No Qt imports here."""
