"""Per-field merge of synced rows with hybrid logical clocks (docs/sync.md; DESIGN section 10).

Every synced field of a row carries the clock of the edit that last set it. A clock is a hybrid logical clock
(HLC) written as one sortable string ``WWWWWWWWWWWWW.CCCCC.DEVICE``: the wall time in milliseconds (13 digits),
a counter (5 digits) and the id of the device that made the edit. Strings compare in the same order as the
triples, byte by byte (PostgreSQL compares them with ``collate "C"``), so the server's trigger and this module
order clocks identically.

A device ticks its clock before each local edit (``tick``): ``max(wall now, last wall)`` with the counter moved
on when the wall did not advance; and it folds in every clock it pulls (``observe``). So an edit made after a
device has seen another device's edit carries a larger clock whatever the two wall clocks say.

A row's clocks are a small JSON object: ``""`` is the base clock (the clock of ``created_at``, i.e. of the
insert) and a field has its own entry only when an edit after the insert set it. ``canonical`` keeps both sides
writing the same shape.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

BASE = ""
WALL_DIGITS = 13
COUNTER_DIGITS = 5
# Columns that belong to the row's identity or the server's bookkeeping, never merged field by field.
NOT_MERGED = frozenset({"user_id", "id", "revision", "synced_at", "clocks", "origin"})


@dataclass(frozen=True, slots=True, order=True)
class Hlc:
    wall_ms: int
    counter: int
    device: str

    def __str__(self) -> str:
        return f"{self.wall_ms:0{WALL_DIGITS}d}.{self.counter:0{COUNTER_DIGITS}d}.{self.device}"

    @classmethod
    def parse(cls, text: str) -> Hlc:
        wall, counter, device = text.split(".", 2)
        return cls(int(wall), int(counter), device)


def tick(last: Hlc, now_ms: int, device: str) -> Hlc:
    """The clock of a new local edit."""
    if now_ms > last.wall_ms:
        return Hlc(now_ms, 0, device)
    return Hlc(last.wall_ms, last.counter + 1, device)


def observe(last: Hlc, seen: Iterable[str]) -> Hlc:
    """The device's clock after it has seen these clocks (only the wall and counter matter)."""
    best = last
    for text in seen:
        if not text:
            continue
        clock = Hlc.parse(text)
        if (clock.wall_ms, clock.counter) > (best.wall_ms, best.counter):
            best = Hlc(clock.wall_ms, clock.counter, last.device)
    return best


def to_ms(timestamp: str) -> int:
    dt = datetime.fromisoformat(str(timestamp).replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(round(dt.timestamp() * 1000))


def legacy_clock(updated_at: str) -> str:
    """The clock of a row written before field clocks existed: its updated_at, no device (same as the server)."""
    return f"{to_ms(updated_at):0{WALL_DIGITS}d}.{0:0{COUNTER_DIGITS}d}."


def field_clock(clocks: Mapping[str, str], name: str) -> str:
    return clocks.get(name) or clocks.get(BASE) or ""


def canonical(effective: Mapping[str, str]) -> dict[str, str]:
    """Effective per-field clocks -> the stored shape: the base clock (created_at's) plus the fields that differ."""
    base = effective.get("created_at", "")
    out = {BASE: base}
    out.update({name: clock for name, clock in effective.items() if clock != base})
    return out


@dataclass(frozen=True, slots=True)
class Merged:
    values: dict[str, Any]
    clocks: dict[str, str]
    local_changed: bool   # the local copy must take the merged values (or clocks)
    remote_behind: bool   # the other side lacks something the local copy had: push the merged row


def _same(a: Any, b: Any) -> bool:
    if a == b:
        return True
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


def merge(local: Mapping[str, Any] | None, local_clocks: Mapping[str, str],
          remote: Mapping[str, Any], remote_clocks: Mapping[str, str]) -> Merged:
    """Merge the server's copy of a row (``remote``) into the device's (``local``), field by field.

    The larger clock wins each field. Equal clocks mean the same edit; should the values still differ (rows from
    before field clocks, stamped with their updated_at), the server's copy wins, as the server's trigger keeps its
    stored value then: every device ends with the server's row.
    """
    if local is None:
        clocks = {name: field_clock(remote_clocks, name) for name in remote if name not in NOT_MERGED}
        return Merged(dict(remote), canonical(clocks), True, False)
    values: dict[str, Any] = {}
    effective: dict[str, str] = {}
    local_changed = remote_behind = False
    for name in remote:
        if name in NOT_MERGED:
            continue
        theirs, ours = field_clock(remote_clocks, name), field_clock(local_clocks, name)
        if ours > theirs:
            values[name], effective[name] = local.get(name), ours
            remote_behind = True
        else:
            values[name], effective[name] = remote[name], theirs
            if not _same(local.get(name), remote[name]) or ours != theirs:
                local_changed = True
    return Merged(values, canonical(effective), local_changed, remote_behind)
