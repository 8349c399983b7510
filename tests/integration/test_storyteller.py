"""The storyteller service end to end: real library, real SDK, loopback OpenRouter server."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from tale_desktop import settings as keys
from tale_desktop.context import AppContext
from tale_desktop.domain.errors import ValidationError
from tale_desktop.domain.models import Child, Hero
from tale_desktop.providers.errors import AuthError
from tale_desktop.services.storyteller import StoryEvent, StoryEventKind, StoryRequest
from tale_desktop.services.tasks import TaskState
from tests.fakes.openrouter import FakeOpenRouter, Reply


@pytest.fixture
def fake():
    with FakeOpenRouter(story_words=150, generation_404s=2) as server:
        yield server


@pytest.fixture
async def ctx(fake, monkeypatch):
    monkeypatch.setenv("TALE_LLM_BASE_URL", fake.base_url)
    monkeypatch.setenv("OPENROUTER_API_KEY", "test-key")
    context = await asyncio.to_thread(AppContext.create)
    await context.start()
    context.storyteller.stats_delays = (0.05, 0.05, 0.1, 0.2)
    yield context
    await context.aclose()


@pytest.fixture
async def mia(ctx):
    return await ctx.library.save_child(Child(name="Mia", age_band="3-5", gender="female", interests=["owls"]))


class Recorder:
    def __init__(self):
        self.events: list[StoryEvent] = []
        self.first_text = asyncio.get_running_loop().create_future()

    def __call__(self, event: StoryEvent) -> None:
        self.events.append(event)
        if event.kind is StoryEventKind.TEXT and not self.first_text.done():
            self.first_text.set_result(time.monotonic())

    def kinds(self) -> list[str]:
        return [e.kind.value for e in self.events if e.kind is not StoryEventKind.TEXT]


async def test_story_is_saved_with_summary_review_and_background_stats(ctx, fake, mia):
    recorder = Recorder()
    story = await ctx.storyteller.write(StoryRequest(child_id=mia.id, minutes=1, theme="forest"), recorder)
    assert story.status == "new" and story.title == "The Moon Garden" and story.summary == fake.summary_text
    assert story.review["enabled"] and story.review["passed"] and not story.review["flagged"]
    assert story.review["score"] == 8.83 and story.review["attempts"] == 1
    assert story.stats.generation_id and story.stats.cost == 0.0001 and story.stats.completion_tokens
    assert recorder.kinds() == ["started", "status", "status", "done"]
    texts = [e for e in recorder.events if e.kind is StoryEventKind.TEXT]
    assert texts[-1].words == len(texts[-1].text.split()) and texts[-1].target_words == 150
    # The story did not wait for /generation; the stats arrive afterwards.
    await ctx.storyteller.wait_for_stats(story.id, 5)
    saved = await ctx.library.get_story(story.id)
    assert saved.stats.cost == fake.generations[story.stats.generation_id]["total_cost"]
    assert saved.stats.provider_name == "FakeProvider" and saved.stats.generation_time_ms == 1834
    calls = [r.query["id"][0] for r in fake.requests if r.path.endswith("/generation")]
    assert calls == [story.stats.generation_id] * 3  # 404, 404, 200


async def test_draft_saved_as_text_arrives_and_every_second(ctx, fake, mia):
    fake.token_delay = 0.012  # ~150 tokens: ~1.8 s of writing
    saves: list[tuple[float, str, int]] = []

    async def snapshot(ids):
        story = await ctx.library.get_story(ids[0])
        saves.append((time.monotonic(), story.status, story.word_count))

    pending: list[asyncio.Task] = []
    ctx.library.subscribe(lambda kind, ids: pending.append(asyncio.ensure_future(snapshot(ids)))
                          if kind == "stories" else None)
    recorder = Recorder()
    story = await ctx.storyteller.write(StoryRequest(child_id=mia.id, minutes=1), recorder)
    await asyncio.gather(*pending)
    first_text = recorder.first_text.result()
    drafts = [s for s in saves if s[1] == "draft"]
    assert drafts and drafts[0][0] - first_text < 0.5
    assert len(drafts) >= 2 and max(b[0] - a[0] for a, b in zip(drafts, drafts[1:], strict=False)) < 1.5
    assert saves[-1][1] == "new" and story.status == "new"


async def test_cancel_keeps_a_draft(ctx, fake, mia):
    fake.token_delay = 0.02
    recorder = Recorder()
    handle = ctx.storyteller.start(StoryRequest(child_id=mia.id, minutes=1), recorder)
    await recorder.first_text
    await asyncio.sleep(0.3)
    handle.cancel()
    await handle.wait()
    assert handle.state is TaskState.CANCELLED
    [cancelled] = [e for e in recorder.events if e.kind is StoryEventKind.CANCELLED]
    assert cancelled.draft_saved
    draft = await ctx.library.get_story(handle.story_id)
    assert draft.status == "draft" and draft.title == "The Moon Garden" and 3 < draft.word_count < 140


async def test_wrong_key_saves_nothing_and_points_to_settings(ctx, fake, mia, monkeypatch):
    ctx.settings.env["OPENROUTER_API_KEY"] = "wrong"
    recorder = Recorder()
    before = await ctx.library.count_stories()
    with pytest.raises(AuthError):
        await ctx.storyteller.write(StoryRequest(child_id=mia.id, minutes=1), recorder)
    [failed] = [e for e in recorder.events if e.kind is StoryEventKind.FAILED]
    assert failed.settings_fix and "API key" in failed.error and not failed.draft_saved
    assert await ctx.library.count_stories() == before


async def test_mid_stream_error_keeps_partial_text_as_draft(ctx, fake, mia):
    fake.script(Reply(error_after_tokens=40, error_message="Provider went away"))
    recorder = Recorder()
    with pytest.raises(Exception) as caught:
        await ctx.storyteller.write(StoryRequest(child_id=mia.id, minutes=1), recorder)
    assert "Provider went away" in caught.value.user_message
    [failed] = [e for e in recorder.events if e.kind is StoryEventKind.FAILED]
    assert failed.draft_saved and not failed.settings_fix
    draft = await ctx.library.get_story(failed.story_id)
    assert draft.status == "draft" and draft.content.startswith("Once upon a time")


async def test_failed_review_rewrites_with_feedback_and_flags(ctx, fake, mia):
    ctx.settings.set(keys.REVIEW_ATTEMPTS, "3")
    fake.review_json = {"safe": False, "safety_issues": ["a dark cave is scary"], "feedback": "Make it cosier.",
                        "scores": {k: 5 for k in ("age_fit", "moral_clarity", "coherence", "character_consistency",
                                                  "engagement", "language")}}
    recorder = Recorder()
    story = await ctx.storyteller.write(StoryRequest(child_id=mia.id, minutes=1), recorder)
    streamed = fake.chat_requests(stream=True)
    assert len(streamed) == 3
    assert "a dark cave is scary" not in streamed[0].messages_text
    assert "a dark cave is scary" in streamed[1].messages_text and "Make it cosier." in streamed[2].messages_text
    assert story.status == "new" and story.review["flagged"] and story.review["attempts"] == 3
    assert recorder.kinds().count("restart") == 2


async def test_second_attempt_that_passes_is_kept(ctx, fake, mia):
    reviews = iter([
        {"safe": True, "safety_issues": [], "feedback": "Too dull.", "scores": {"engagement": 3, "coherence": 6}},
        {"safe": True, "safety_issues": [], "feedback": "Lovely.", "scores": {"engagement": 9, "coherence": 9}},
    ])

    def responder(body):
        if body.get("stream"):
            if len(fake.chat_requests(stream=True)) > 1:
                return "Second Try\n\n" + " ".join(f"Owl {n} hooted softly by the pond." for n in range(22))
            return "First Try\n\n" + " ".join(f"Sheep {n} jumped." for n in range(50))
        if body.get("response_format"):
            return json.dumps(next(reviews))
        return "A summary of the story, in two sentences. It ends in sleep."

    fake.responder = responder
    story = await ctx.storyteller.write(StoryRequest(child_id=mia.id, minutes=1))
    assert story.review["passed"] and not story.review["flagged"] and story.review["attempts"] == 2
    assert story.review["score"] == 9.0 and story.title == "Second Try"


async def test_review_switched_off(ctx, fake, mia):
    ctx.settings.set(keys.REVIEW_ENABLED, "0")
    story = await ctx.storyteller.write(StoryRequest(child_id=mia.id, minutes=1))
    assert story.review == {"enabled": False, "flagged": False, "attempts": 1, "trimmed_tail": False}
    assert not any(r.body.get("response_format") for r in fake.chat_requests())


async def test_summary_falls_back_to_a_local_one(ctx, fake, mia):
    ctx.settings.set(keys.REVIEW_ENABLED, "0")
    fake.script(Reply(), Reply(status=400, error_message="nope"))
    story = await ctx.storyteller.write(StoryRequest(child_id=mia.id, minutes=1))
    assert story.summary.startswith("Once upon a time, a little girl named Mia") and story.status == "new"


async def test_several_stories_at_once_each_cancellable(ctx, fake, mia):
    fake.token_delay = 0.01
    ctx.settings.set(keys.REVIEW_ENABLED, "0")
    progress: dict[str, list[tuple[float, float]]] = {}
    ctx.tasks.subscribe(lambda h: progress.setdefault(h.name, []).append((h.done, h.total)))
    recorders = [Recorder() for _ in range(3)]
    handles = [ctx.storyteller.start(StoryRequest(child_id=mia.id, minutes=1), r) for r in recorders]
    await asyncio.gather(*(r.first_text for r in recorders))
    running = {h.name for h in ctx.tasks.running()}
    assert all(h.name in running for h in handles)
    handles[1].cancel()
    results = [await h.wait() for h in handles]
    assert handles[1].state is TaskState.CANCELLED and results[1] is None
    assert handles[0].state is handles[2].state is TaskState.DONE
    assert results[0].status == results[2].status == "new"
    assert all(h.title == "Writing a story for Mia" for h in handles)
    for handle in handles:
        seen = progress[handle.name]
        assert any(0 < done < total == 150 for done, total in seen)


async def test_the_watched_story_is_read_as_it_arrives_and_the_others_in_gulps(ctx, fake, mia):
    fake.token_delay = 0.01  # ~200 pieces: ~2 s of writing each
    ctx.settings.set(keys.REVIEW_ENABLED, "0")
    recorders = [Recorder() for _ in range(2)]
    handles = [ctx.storyteller.start(StoryRequest(child_id=mia.id, minutes=1), r) for r in recorders]
    ctx.storyteller.watch(handles[1].story_id)  # as the New story page does for the story it shows
    assert all([await h.wait() for h in handles])
    background, watched = ([e for e in r.events if e.kind is StoryEventKind.TEXT] for r in recorders)
    pieces = len(fake.token_times[next(iter(fake.token_times))])
    assert pieces > 100 and len(watched) > pieces / 2  # one event a piece (a busy machine may join a few)
    # Read every 0.25 s, the pieces of each read handed on as one: a handful of events for ~2 s of writing.
    assert 2 <= len(background) <= pieces / 8, len(background)
    for events in (background, watched):  # nothing is lost or reordered by reading in gulps
        assert "".join(e.delta for e in events) == events[-1].text
        assert events[-1].words == len(events[-1].text.split())


async def test_without_a_watcher_every_story_is_read_as_it_arrives(ctx):
    """The CLI never says which story it watches: it prints each one as the text comes."""
    teller = ctx.storyteller
    assert teller._read_pace("a")() == teller._read_pace("b")() == 0
    teller.watch("a")
    assert teller._read_pace("a")() == 0 and teller._read_pace("b")() > 0
    teller.watch(None)  # the page is hidden: nobody watches
    assert teller._read_pace("a")() > 0


async def test_hero_in_another_language_warns_and_bad_inputs_are_clear(ctx, fake, mia):
    hero = await ctx.library.save_hero(Hero(name="Luna", gender="female", appearance="an owl",
                                            personality_traits=["wise"], strengths=["sees far"], language="en"))
    prepared = await ctx.storyteller.prepare(StoryRequest(child_id=mia.id, hero_id=hero.id, language="ru"))
    assert prepared.brief.story_type == "combined" and "Luna is described in English" in prepared.warnings[0]
    with pytest.raises(ValidationError, match="no longer exists"):
        await ctx.storyteller.prepare(StoryRequest(child_id=mia.id, parent_id="0" * 8 + "-0000-4000-8000-" + "0" * 12))
    with pytest.raises(ValidationError, match="at most 200"):
        await ctx.storyteller.prepare(StoryRequest(child_id=mia.id, moral="x" * 5000))
    with pytest.raises(ValidationError, match="1 to 30"):
        await ctx.storyteller.prepare(StoryRequest(child_id=mia.id, minutes=120))
    assert fake.chat_requests() == []


async def test_model_list_for_settings(ctx, fake):
    models = await ctx.storyteller.list_models()
    assert "openai/gpt-4o-mini" in [m.id for m in models]


LOW_REVIEW = {"safe": True, "safety_issues": [], "feedback": "Too dull.",
              "scores": {"engagement": 3, "coherence": 5}}


async def test_failed_rewrite_keeps_the_finished_first_version(ctx, fake, mia):
    fake.review_json = LOW_REVIEW
    fake.script(Reply(), Reply(), Reply(error_after_tokens=20, error_message="gone"))  # story, review, rewrite
    recorder = Recorder()
    story = await ctx.storyteller.write(StoryRequest(child_id=mia.id, minutes=1), recorder)
    assert story.status == "new" and story.title == "The Moon Garden" and story.word_count > 120
    assert story.review["flagged"] and story.review["attempts"] == 1
    assert "keeping the best earlier version" in " ".join(e.message for e in recorder.events)


async def test_cancel_during_rewrite_keeps_the_complete_first_draft(ctx, fake, mia):
    fake.review_json = LOW_REVIEW
    fake.script(Reply(), Reply(), Reply(token_delay=0.05))
    restarted = asyncio.get_running_loop().create_future()

    def listener(event: StoryEvent) -> None:
        if event.kind is StoryEventKind.TEXT and len(fake.chat_requests(stream=True)) == 2 \
                and not restarted.done():
            restarted.set_result(event.words)

    handle = ctx.storyteller.start(StoryRequest(child_id=mia.id, minutes=1), listener)
    await restarted
    await asyncio.sleep(0.3)
    handle.cancel()
    await handle.wait()
    draft = await ctx.library.get_story(handle.story_id)
    assert draft.status == "draft" and draft.word_count > 120 and draft.content.endswith("The end.")


async def test_unexpected_failure_keeps_the_draft_and_tells_the_listener(ctx, fake, mia, monkeypatch):
    async def broken(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(ctx.storyteller, "_summarize", broken)
    recorder = Recorder()
    with pytest.raises(RuntimeError):
        await ctx.storyteller.write(StoryRequest(child_id=mia.id, minutes=1), recorder)
    [failed] = [e for e in recorder.events if e.kind is StoryEventKind.FAILED]
    assert "unexpectedly (RuntimeError)" in failed.error and failed.draft_saved
    draft = await ctx.library.get_story(failed.story_id)
    assert draft.status == "draft" and draft.word_count > 120
