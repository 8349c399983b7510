"""Tale Desktop: personalized bedtime stories for parents."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("tale-desktop")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.1.0"

APP_NAME = "tale-desktop"
APP_TITLE = "Tale Desktop"
