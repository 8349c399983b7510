"""Small builders for library tests (not a test module)."""

from __future__ import annotations

from typing import Any

from tale_desktop.domain.models import Narration, Story


def make_story(title: str = "A story", content: str = "Once upon a time.", **fields: Any) -> Story:
    child = fields.pop("child", None)
    if child is not None:
        fields.setdefault("child_id", child.id)
        fields.setdefault("child_snapshot", {"id": child.id, "name": child.name})
    return Story(title=title, content=content, **fields).validate()


def make_narration(story_id: str, **fields: Any) -> Narration:
    return Narration(story_id=story_id, provider="piper", language="en", format="wav",
                     local_file=f"/cache/{story_id}.wav", duration_s=12.5, sha256="ab" * 32, **fields).validate()
