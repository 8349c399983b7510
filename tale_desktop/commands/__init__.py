"""CLI command groups. Each module has ``register(subparsers)``; handlers are ``async (ctx, args) -> int``."""

COMMAND_MODULES = ["profiles", "stories", "generate", "export", "sync", "narrate", "illustrate", "voices"]
