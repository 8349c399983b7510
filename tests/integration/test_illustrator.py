"""Picture books end to end: the illustrator through the real openai SDK against the loopback OpenRouter that
draws PNGs (request shape, reference picture, storage, failures that leave the story intact, background task)."""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path

from tale_desktop.domain.image_bytes import decode_data_url, image_info
from tale_desktop.providers.errors import NotConfigured, RateLimited
from tale_desktop.providers.images import NoPicture
from tale_desktop.services.illustrator import IllustrationEventKind
from tale_desktop.services.tasks import TaskState
from tests.fakes.openrouter import Reply, input_images
from tests.integration import picture_helpers
from tests.integration.picture_helpers import IMAGE_MODEL, save_story

fake, ctx = picture_helpers.fake, picture_helpers.ctx  # the shared fixtures

Kind = IllustrationEventKind


async def test_cover_and_scenes_with_reference_picture_and_stored_files(ctx, fake):
    story = await save_story(ctx, minutes=5)
    events = []
    result = await ctx.illustrator.illustrate(story.id, listener=events.append)
    assert result.error is None and result.skipped == 0
    pictures = await ctx.illustrator.pictures(story.id)
    assert [p.paragraph for p in pictures][0] == 0 and len(pictures) == 1 + 4  # cover + 4 scenes for 5 minutes
    assert sorted({p.paragraph for p in pictures[1:]}) == [p.paragraph for p in pictures[1:]]
    # One short planning call (JSON), then one image request per picture, in order.
    plan = [r for r in fake.chat_requests() if (r.body.get("response_format") or {}).get("type") == "json_object"]
    assert len(plan) == 1 and "Choose exactly 4 scenes" in plan[0].messages_text
    requests = fake.image_requests()
    assert len(requests) == 5
    assert all(r.body["modalities"] == ["image", "text"] and r.body["model"] == IMAGE_MODEL for r in requests)
    assert input_images(requests[0]) == []
    cover_bytes = (ctx.settings.data_dir / pictures[0].file).read_bytes()
    for request in requests[1:]:
        [reference] = input_images(request)
        assert decode_data_url(reference) == cover_bytes
    # The character sheet and the safety rules are in every prompt, which is stored with its picture.
    for request, picture in zip(requests, pictures, strict=True):
        assert "Mia: an original storybook character" in request.messages_text
        assert "do not depict or resemble any real person" in request.messages_text
        assert picture.prompt == request.body["messages"][0]["content"][0]["text"]
        path = ctx.settings.data_dir / picture.file
        assert picture.file == f"images/{story.id}/{picture.sha256}.png"
        assert hashlib.sha256(path.read_bytes()).hexdigest() == picture.sha256
        info = image_info(path.read_bytes())
        assert (info.width, info.height) == (picture.width, picture.height) == fake.image_size
        assert picture.stats["cost"] == 0.039 and picture.stats["completion_tokens"] == 1290
        assert picture.style == "watercolour" and picture.model == IMAGE_MODEL
    kinds = [e.kind for e in events]
    assert kinds == [Kind.PLANNED] + [Kind.PICTURE] * 5 + [Kind.DONE]
    assert [e.done for e in events if e.kind is Kind.PICTURE] == [1, 2, 3, 4, 5]
    # The same look on every page: the character sheet is word for word the same in every request.
    assert requests[0].messages_text.split("Characters (keep exactly this look):")[1].split("\n\n")[0] in \
        requests[3].messages_text
    # `stories show --json` data and the sync listing
    listing = await ctx.illustrator.listing(story.id)
    assert [item["paragraph"] for item in listing] == [p.paragraph for p in pictures]
    assert all(Path(item["path"]).is_file() and item["prompt"] and item["width"] for item in listing)
    objects = await ctx.illustrator.image_objects(story.id)
    assert {o.object_name for o in objects} == {f"{story.id}/{p.sha256}.png" for p in pictures}


async def test_two_minute_story_gets_fewer_pictures_and_count_adds_exactly(ctx, fake):
    story = await save_story(ctx, minutes=2)
    result = await ctx.illustrator.illustrate(story.id)
    assert len(result.added) == 1 + 2
    more = await ctx.illustrator.illustrate(story.id, count=2, style="pencil")
    assert len(more.added) == 2 and all(not p.is_cover for p in more.added)
    assert all(p.style == "pencil" and "coloured pencil" in p.prompt for p in more.added)
    assert len(await ctx.illustrator.pictures(story.id)) == 5
    # later pictures carry the stored cover as their reference
    assert all(len(input_images(r)) == 1 for r in fake.image_requests()[-2:])


async def test_refused_scene_is_skipped_and_the_rest_drawn(ctx, fake):
    story = await save_story(ctx, minutes=3)
    fake.script(Reply(), Reply(), Reply(image_refusal=True))  # plan, cover, first scene refused
    events = []
    result = await ctx.illustrator.illustrate(story.id, listener=events.append)
    assert result.error is None and result.skipped == 1 and len(result.added) == 1 + 2
    [skipped] = [e for e in events if e.kind is Kind.SKIPPED]
    assert "declined" in skipped.message and skipped.reason == "refused"


async def test_text_answer_without_picture_leaves_story_intact_with_clear_message(ctx, fake):
    story = await save_story(ctx)
    fake.script(Reply(), Reply(no_image=True))
    events = []
    result = await ctx.illustrator.illustrate(story.id, listener=events.append)
    assert isinstance(result.error, NoPicture) and result.added == []
    assert "answered without a picture" in result.message and IMAGE_MODEL in result.message
    assert [e.kind for e in events][-2:] == [Kind.FAILED, Kind.DONE]
    saved = await ctx.library.get_story(story.id)
    assert saved.content == story.content and saved.status == story.status
    assert await ctx.illustrator.pictures(story.id) == []
    assert not (ctx.settings.data_dir / "images" / story.id).exists()


async def test_rate_limit_after_sdk_retries_keeps_pictures_drawn_so_far(ctx, fake):
    story = await save_story(ctx)
    fake.script(Reply(), Reply(), *[Reply(status=429, retry_after_ms=5)] * 3)  # plan, cover, then 429 x 3
    result = await ctx.illustrator.illustrate(story.id)
    assert isinstance(result.error, RateLimited) and "too many requests" in result.message
    assert len(result.added) == 1 and result.added[0].is_cover
    assert len(fake.image_requests()) == 1 + 3  # the SDK retried the scene twice
    assert (await ctx.library.get_story(story.id)).content == story.content


async def test_server_error_maps_to_unavailable(ctx, fake):
    story = await save_story(ctx)
    fake.script(Reply(), *[Reply(status=502, retry_after_ms=5)] * 3)
    result = await ctx.illustrator.illustrate(story.id)
    assert result.error is not None and result.error.status == 502 and not result.added


async def test_without_image_model_nothing_is_drawn_and_the_reason_is_given_once(ctx, fake, monkeypatch):
    story = await save_story(ctx)
    ctx.settings.env.pop("TALE_IMAGE_MODEL", None)
    events = []
    first = await ctx.illustrator.illustrate(story.id, listener=events.append)
    second = await ctx.illustrator.illustrate(story.id, listener=events.append)
    assert isinstance(first.error, NotConfigured) and isinstance(second.error, NotConfigured)
    assert "TALE_IMAGE_MODEL" in first.message
    assert [e.kind for e in events] == [Kind.UNAVAILABLE]
    assert fake.chat_requests() == []


async def test_background_task_reports_each_picture_and_cancel_keeps_what_arrived(ctx, fake):
    story = await save_story(ctx)
    fake.image_delay = 0.25
    loop = asyncio.get_running_loop()
    first_picture = loop.create_future()

    def listen(event):
        if event.kind is Kind.PICTURE and not first_picture.done():
            first_picture.set_result(event.illustration)

    handle = ctx.illustrator.start(story.id, listener=listen)
    assert handle.running and handle.name == f"illustrate:{story.id}"
    assert ctx.illustrator.start(story.id) is handle  # one drawing per story at a time
    picture = await asyncio.wait_for(first_picture, 10)
    assert picture.is_cover and handle.total == 5 and handle.done >= 1
    # the story is readable while the pictures are drawn
    assert (await ctx.library.get_story(story.id)).content == story.content
    handle.cancel()
    await handle.wait()
    assert handle.state is TaskState.CANCELLED
    kept = await ctx.illustrator.pictures(story.id)
    assert 1 <= len(kept) < 5 and all((ctx.settings.data_dir / p.file).is_file() for p in kept)


async def test_background_task_fails_with_the_message_when_nothing_was_drawn(ctx, fake):
    story = await save_story(ctx)
    fake.script(Reply(), Reply(no_image=True))
    handle = ctx.illustrator.start(story.id)
    await handle.wait()
    assert handle.state is TaskState.FAILED and "answered without a picture" in handle.error


async def test_redraw_replaces_one_picture_with_the_cover_as_reference(ctx, fake):
    story = await save_story(ctx, minutes=2)
    await ctx.illustrator.illustrate(story.id)
    before = await ctx.illustrator.pictures(story.id)
    old = before[1]
    new = await ctx.illustrator.redraw(old.id)
    assert new.paragraph == old.paragraph and new.prompt == old.prompt and new.sha256 != old.sha256
    after = await ctx.illustrator.pictures(story.id)
    assert old.id not in {p.id for p in after} and new.id in {p.id for p in after} and len(after) == len(before)
    assert not (ctx.settings.data_dir / old.file).exists()
    [reference] = input_images(fake.image_requests()[-1])
    assert decode_data_url(reference) == (ctx.settings.data_dir / before[0].file).read_bytes()


async def test_deleting_a_story_while_drawing_stops_the_pictures(ctx, fake):
    story = await save_story(ctx)
    fake.image_delay = 0.2
    loop = asyncio.get_running_loop()
    first = loop.create_future()
    handle = ctx.illustrator.start(story.id, listener=lambda e: e.kind is Kind.PICTURE and not first.done()
                                   and first.set_result(e))
    await asyncio.wait_for(first, 10)
    await ctx.library.delete_stories([story.id])
    await handle.wait()
    assert len(fake.image_requests()) <= 2  # the picture in flight at most, nothing after it
    ctx.library.finalize_deletion([story.id])
    await ctx.illustrator.aclose()
    assert not (ctx.settings.data_dir / "images" / story.id).exists()


async def test_purging_a_story_removes_its_picture_files(ctx, fake):
    story = await save_story(ctx, minutes=2)
    await ctx.illustrator.illustrate(story.id)
    folder = ctx.settings.data_dir / "images" / story.id
    assert folder.is_dir()
    await ctx.library.delete_stories([story.id])  # undo still possible: files stay
    assert folder.is_dir()
    ctx.library.finalize_deletion([story.id])
    await ctx.illustrator.aclose()
    assert not folder.exists()
    objects = await ctx.illustrator.image_objects(story.id)  # sync still learns what to remove remotely
    assert objects and all(o.deleted for o in objects)


async def test_backup_carries_picture_metadata(ctx, fake, tmp_path):
    story = await save_story(ctx, minutes=2)
    await ctx.illustrator.illustrate(story.id)
    path, counts = await ctx.exporter.export_backup(tmp_path / "backup.jsonl")
    assert counts["illustration"] == 3
    lines = [json.loads(line) for line in path.read_text().splitlines()[1:]]
    pictures = [line["record"] for line in lines if line["kind"] == "illustration"]
    assert {p["story_id"] for p in pictures} == {story.id} and all(p["prompt"] and p["sha256"] for p in pictures)
    # importing it again changes nothing; a damaged picture line is reported, not imported
    from tale_desktop.services.backup import import_backup

    report = await import_backup(ctx.library, path)
    assert report.counts["illustration"].unchanged == 3 and report.bad_count == 0


async def test_unusable_scene_plan_falls_back_to_spread_paragraphs(ctx, fake):
    story = await save_story(ctx, minutes=5)
    fake.script(Reply(text="Sorry, here are some ideas: the pond, the owl."))  # the planning call: no JSON
    result = await ctx.illustrator.illustrate(story.id)
    assert result.error is None
    assert [p.paragraph for p in result.added] == [0, 2, 4, 6, 8]  # cover + 4 scenes spread over 8 paragraphs
    assert result.added[1].scene.startswith("Behind it, moonflowers opened")
