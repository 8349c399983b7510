"""Built-in heroes and starter stories from ``resources/``, installed once.

Each item has a fixed id and is inserted only when that id is unknown, and the installed seed version is kept in
``meta``: a starter story the parent deleted (a tombstone with the same id) never comes back.
"""

from __future__ import annotations

import json
import logging

from tale_desktop.domain.models import Hero, Story
from tale_desktop.resources_path import resource
from tale_desktop.storage.library import Library, record_to_row

log = logging.getLogger(__name__)
SEED_VERSION = 1
# Built-in records carry a fixed, old timestamp: they are the same on every device, so a backup or a synced copy
# that the parent changed (rated a starter story, say) is always newer than a freshly installed seed.
SEED_STAMP = "2026-01-01T00:00:00.000Z"


def load_builtin_heroes() -> list[Hero]:
    data = json.loads(resource("heroes", "builtin.json").read_text(encoding="utf-8"))
    return [Hero.from_dict({**item, "builtin": True}).validate() for item in data]


def load_starter_stories(heroes: list[Hero]) -> list[Story]:
    by_id = {hero.id: hero for hero in heroes}
    data = json.loads(resource("stories", "starter.json").read_text(encoding="utf-8"))
    stories = []
    for item in data:
        hero = by_id.get(item.get("hero_id"))
        snapshot = None
        if hero is not None:
            snapshot = {k: v for k, v in hero.to_dict().items()
                        if k in ("id", "name", "gender", "appearance", "personality_traits", "interests",
                                 "strengths", "language")}
        stories.append(Story.from_dict({**item, "hero_snapshot": snapshot, "status": "new",
                                        "model": "starter"}).validate())
    return stories


async def install_builtin_content(library: Library) -> int:
    """Insert what this seed version adds; returns how many records were new."""
    installed = int(await library.get_meta("seed_version", "0") or 0)
    if installed >= SEED_VERSION:
        return 0
    heroes = load_builtin_heroes()
    stories = load_starter_stories(heroes)

    def insert() -> int:
        added = 0
        with library.db.write() as conn:
            for table, records in (("heroes", heroes), ("stories", stories)):
                for record in records:
                    record.created_at = record.updated_at = SEED_STAMP
                    row = record_to_row(table, record)
                    cur = conn.execute(
                        f"INSERT OR IGNORE INTO {table} ({', '.join(row)}) VALUES ({', '.join(':' + c for c in row)})",
                        row,
                    )
                    added += cur.rowcount
            conn.execute("INSERT INTO meta(key, value) VALUES ('seed_version', ?) "
                         "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (str(SEED_VERSION),))
        return added

    added = await library.db.run(insert)
    log.info("Installed %d built-in records (seed version %d)", added, SEED_VERSION)
    return added
