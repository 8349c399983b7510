"""Bedtime listening state in the local library: per-story playback positions and tonight's queue.

Local to this device (not synced). Coroutines run their SQL in the database's worker threads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tale_desktop.domain.models import utc_now
from tale_desktop.storage.db import Database

QUEUE_CURRENT_KEY = "tonight_queue_current"


@dataclass(frozen=True, slots=True)
class SavedQueue:
    story_ids: list[str]
    current: int  # index of the story playing (or to play next); 0 for an empty queue


class BedtimeStore:
    def __init__(self, db: Database):
        self.db = db

    # -- positions -----------------------------------------------------------------------------------------------
    async def position(self, story_id: str) -> tuple[float, float] | None:
        """(position s, duration s) where the story stopped, or ``None`` when it was never stopped midway."""

        def query() -> tuple[float, float] | None:
            row = self.db.connection().execute(
                "SELECT position_s, duration_s FROM playback_positions WHERE story_id = ?", (story_id,)).fetchone()
            return None if row is None else (float(row[0]), float(row[1]))

        return await self.db.run(query)

    async def save_position(self, story_id: str, position_s: float, duration_s: float = 0.0) -> None:
        def write() -> None:
            with self.db.write() as conn:
                conn.execute(
                    "INSERT INTO playback_positions(story_id, position_s, duration_s, updated_at) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT(story_id) DO UPDATE SET position_s = excluded.position_s, "
                    "duration_s = excluded.duration_s, updated_at = excluded.updated_at",
                    (story_id, max(0.0, float(position_s)), max(0.0, float(duration_s)), utc_now()))

        await self.db.run(write)

    async def forget_position(self, story_id: str) -> None:
        def write() -> None:
            with self.db.write() as conn:
                conn.execute("DELETE FROM playback_positions WHERE story_id = ?", (story_id,))

        await self.db.run(write)

    # -- tonight's queue -----------------------------------------------------------------------------------------
    async def queue(self) -> SavedQueue:
        """The saved queue, without stories deleted since (the current index follows its story)."""

        def query() -> SavedQueue:
            conn = self.db.connection()
            rows = conn.execute(
                "SELECT q.story_id, EXISTS(SELECT 1 FROM stories s WHERE s.id = q.story_id AND s.deleted_at IS NULL)"
                " FROM tonight_queue q ORDER BY q.ord").fetchall()
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (QUEUE_CURRENT_KEY,)).fetchone()
            current = int(row[0]) if row and str(row[0]).lstrip("-").isdigit() else 0
            alive: list[str] = []
            for index, (story_id, exists) in enumerate(rows):
                if exists:
                    alive.append(story_id)
                elif index < current:
                    current -= 1
            return SavedQueue(alive, max(0, min(current, len(alive))))

        return await self.db.run(query)

    async def save_queue(self, story_ids: Sequence[str], current: int = 0) -> None:
        ids = list(story_ids)

        def write() -> None:
            with self.db.write() as conn:
                conn.execute("DELETE FROM tonight_queue")
                conn.executemany("INSERT INTO tonight_queue(ord, story_id) VALUES (?, ?)", enumerate(ids))
                conn.execute("INSERT INTO meta(key, value) VALUES (?, ?) "
                             "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                             (QUEUE_CURRENT_KEY, str(max(0, min(current, len(ids))))))

        await self.db.run(write)
