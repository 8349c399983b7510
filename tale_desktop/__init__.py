"""Tale Desktop: personalized bedtime stories for parents."""

# The one place the version is written (pyproject.toml reads it from here): no importlib.metadata at start-up,
# which cost every command and the window about 10 ms.
__version__ = "0.1.0"

APP_NAME = "tale-desktop"
APP_TITLE = "Tale Desktop"
