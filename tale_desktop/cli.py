"""`tale-desktop` entry point: no subcommand opens the window; subcommands run headless on the same services.

Exit codes (DESIGN section 6): 0 ok, 2 bad usage or input, 3 a service failed, 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from tale_desktop import APP_NAME, __version__
from tale_desktop.commands import COMMAND_MODULES, COMMANDS
from tale_desktop.commands.common import EXIT_INTERRUPTED, EXIT_SERVICE, EXIT_USAGE, UsageError

log = logging.getLogger(__name__)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The whole parser, or (given the command line) only the command it names, so that ``stories list`` does not
    import what ``illustrate`` or ``export`` need."""
    parser = argparse.ArgumentParser(prog=APP_NAME, description="Personalized bedtime stories for your children.")
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    parser.add_argument("--install-desktop-entry", action="store_true",
                        help="add Tale Desktop to this user's application menu (.desktop file, AppStream "
                             "metainfo and icons in the XDG data folder), then exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    named = next((arg for arg in argv or () if not arg.startswith("-")), None)
    modules = [COMMANDS[named]] if named in COMMANDS else COMMAND_MODULES
    for name in modules:
        importlib.import_module(f"tale_desktop.commands.{name}").register(sub)
    return parser


def fail(code: int, message: str) -> int:
    from tale_desktop.domain.control_chars import strip_controls

    print(f"{APP_NAME}: {strip_controls(message)}", file=sys.stderr)  # one line, never an escape code
    return code


async def _run(args: argparse.Namespace) -> int:
    from tale_desktop.context import AppContext

    # On this (main) thread: Qt takes the first thread that touches it (QSettings here) as its main thread, and a
    # PDF export later creates a QGuiApplication, which must live on that thread. Nothing else waits on the loop.
    ctx = AppContext.create()
    try:
        await ctx.start()
        return await args.handler(ctx, args)
    finally:
        await ctx.aclose()


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if all(arg in ("-v", "--verbose") for arg in argv):  # the window: skip importing every command (start-up)
        logging.basicConfig(level=logging.INFO if argv else logging.WARNING, stream=sys.stderr,
                            format="%(levelname)s %(name)s: %(message)s")
        from tale_desktop.app import run_app

        return run_app()
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    if args.install_desktop_entry:
        if args.command is not None:
            return fail(EXIT_USAGE, "--install-desktop-entry takes no command")
        from tale_desktop.commands.desktop_entry import install_command

        try:
            return install_command()
        except OSError as exc:
            return fail(EXIT_SERVICE, f"could not install the desktop entry: {exc}")
    if args.command is None:
        from tale_desktop.app import run_app

        return run_app()

    import asyncio

    from tale_desktop.domain.errors import ValidationError
    from tale_desktop.providers.errors import ProviderError
    from tale_desktop.storage.errors import StorageError

    try:
        return asyncio.run(_run(args))
    except KeyboardInterrupt:
        return fail(EXIT_INTERRUPTED, "interrupted")
    except BrokenPipeError:  # e.g. `tale-desktop stories list | head`: the reader left, that is fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (UsageError, ValidationError, StorageError) as exc:
        return fail(EXIT_USAGE, exc.user_message)
    except ProviderError as exc:
        return fail(EXIT_SERVICE, exc.user_message)
    except Exception as exc:
        log.debug("Command failed", exc_info=True)
        return fail(EXIT_SERVICE, f"unexpected error: {type(exc).__name__}: {exc}")
