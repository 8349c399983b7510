"""`sync`: one two-way sync with the Supabase project (DESIGN section 6)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from tale_desktop.commands.common import print_json
from tale_desktop.providers.errors import NotConfigured
from tale_desktop.storage.sync_state import TABLES

if TYPE_CHECKING:
    from tale_desktop.context import AppContext


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "sync", help="sync the library with your Supabase project",
        description="Pushes local changes and pulls the other devices' changes. Needs SUPABASE_URL, SUPABASE_KEY "
                    "and a sign-in (TALE_SUPABASE_EMAIL / TALE_SUPABASE_PASSWORD, or the stored session).")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(handler=sync_command)


async def sync_command(ctx: AppContext, args: argparse.Namespace) -> int:
    if not ctx.settings.supabase_configured:
        raise NotConfigured("Supabase", "Supabase is not set up: set SUPABASE_URL and SUPABASE_KEY (the project URL "
                                        "and its anon key), or enter them in Settings → Account.")
    report = await ctx.sync.sync()
    for skipped in report.skipped:
        print(f"warning: skipped {skipped.table[:-1] if skipped.table != 'children' else 'child'} {skipped.id}: "
              f"{skipped.reason}", file=sys.stderr)
    if args.json:
        print_json({**report.to_dict(), "account": ctx.sync.state.account})
        return 0
    print(f"Signed in as {ctx.sync.state.account}")
    print("Pushed: " + ", ".join(f"{report.pushed[t]} {t}" for t in TABLES)
          + (f", {report.uploaded} audio files" if report.uploaded else "")
          + (f", {report.pictures_uploaded} pictures" if report.pictures_uploaded else "")
          + (f"; removed {report.removed} stored files of deleted stories" if report.removed else ""))
    print("Pulled: " + ", ".join(f"{report.pulled[t]} {t}" for t in TABLES)
          + (f", {report.pictures_downloaded} pictures downloaded" if report.pictures_downloaded else ""))
    return 0
