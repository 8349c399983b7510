"""CLI command groups. Each module has ``register(subparsers)``; handlers are ``async (ctx, args) -> int``."""

COMMAND_MODULES = ["profiles", "stories", "generate", "export", "sync", "narrate", "illustrate", "voices"]

# Which module registers each top-level command: a command line names one, and only that module (and what it
# imports) is loaded; help and unknown commands load them all. tests/unit/test_lazy_imports.py checks
# the table.
COMMANDS = {
    "children": "profiles", "heroes": "profiles", "stories": "stories", "generate": "generate",
    "export": "export", "import": "export", "sync": "sync", "narrate": "narrate", "illustrate": "illustrate",
    "voices": "voices",
}
