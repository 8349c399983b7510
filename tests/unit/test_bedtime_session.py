"""The sleep timer and tonight's queue with a fake clock and a fake player: the fade, stopping and storing the
position, "+5 min" while fading, the queue in order with a pause, saved and resumed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tale_desktop.domain import Child
from tale_desktop.domain.errors import ValidationError
from tale_desktop.services.library import LibraryService
from tale_desktop.services.sleep_timer import SleepMode, SleepTimer, fade_volume
from tale_desktop.services.tonight import RESUME_REWIND_S, BedtimeSession
from tale_desktop.storage.library import Library
from tests.library_helpers import make_story


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FakePlayer:
    """Plays in fake time: the position moves with the clock while playing."""

    def __init__(self, clock: FakeClock, durations: dict[str, float]):
        self.clock = clock
        self.durations = durations
        self.story: str | None = None
        self.started: list[tuple[str, float]] = []
        self.fades: list[float] = []
        self._position = 0.0
        self._since: float | None = None

    def play_story(self, story_id: str, start_s: float) -> None:
        self.story, self._position, self._since = story_id, start_s, self.clock()
        self.started.append((story_id, start_s))

    def _sync(self) -> None:
        if self._since is not None:
            self._position = min(self.duration(), self._position + self.clock() - self._since)
            self._since = self.clock()

    def pause(self) -> None:
        self._sync()
        self._since = None

    def stop(self) -> None:
        self.pause()

    def set_fade(self, volume: float) -> None:
        self.fades.append(volume)

    def position(self) -> float:
        self._sync()
        return self._position

    def duration(self) -> float:
        return self.durations.get(self.story or "", 0.0)

    def is_playing(self) -> bool:
        return self._since is not None

    def speed(self) -> float:
        return 1.0

    def at_end(self) -> bool:
        return self.story is not None and self.position() >= self.duration()


@pytest.fixture
async def library(tmp_path: Path):
    store = Library.open(tmp_path / "lib")
    service = LibraryService(store)
    yield service
    store.close()


async def _stories(library: LibraryService, count: int, **fields) -> list[str]:
    ids = []
    for number in range(count):
        story = await library.save_story(make_story(f"Story {number}", created_at=f"2026-01-0{number + 1}T00:00:00Z",
                                                    **fields))
        ids.append(story.id)
    return ids


async def _run(session: BedtimeSession, clock: FakeClock, player: FakePlayer, seconds: float, step: float = 0.25):
    """Advance fake time, telling the session when a story ends (as the window's player would)."""
    statuses = []
    for _ in range(int(seconds / step)):
        clock.now += step
        if player.is_playing() and player.at_end():
            player.pause()
            if await session.story_ended():
                statuses.append("stopped by the timer at the end")
        statuses.append(await session.tick())
    return statuses


# -- the timer alone ---------------------------------------------------------------------------------------------
def test_minutes_count_playing_time_and_fade_over_the_last_30_seconds():
    clock = FakeClock()
    timer = SleepTimer(clock)
    timer.set_minutes(5)
    volumes = []
    for second in range(5 * 60 + 65):
        clock.now += 1
        status = timer.update(playing=second not in range(100, 160))  # a minute paused: not counted
        volumes.append(status.volume)
    assert volumes[0] == 1.0
    expired_at = next(i for i, v in enumerate(volumes) if v == 0.0)
    assert expired_at == pytest.approx(5 * 60 + 60, abs=2)  # the minute paused did not count
    fade = volumes[expired_at - 30:expired_at + 1]
    assert all(b <= a for a, b in zip(fade, fade[1:], strict=False)) and fade[-1] == 0.0 and fade[0] > 0.95
    assert timer.expired


def test_minutes_are_5_to_60():
    timer = SleepTimer(FakeClock())
    for bad in (0, 4, 61):
        with pytest.raises(ValidationError):
            timer.set_minutes(bad)
    timer.set_minutes(60)
    assert timer.mode is SleepMode.MINUTES


def test_extend_while_fading_brings_the_volume_back_for_five_more_minutes():
    clock = FakeClock()
    timer = SleepTimer(clock)
    timer.set_minutes(5)
    timer.update(playing=True)
    clock.now += 5 * 60 - 5  # 5 s left: deep in the fade
    status = timer.update(playing=True)
    assert status.fading and status.volume < 0.1
    timer.extend()
    status = timer.update(playing=True)
    assert status.volume == 1.0 and not status.fading and status.remaining_s == pytest.approx(305)
    clock.now += 306
    assert timer.update(playing=True).expired


def test_end_of_story_fades_on_the_story_remaining_time():
    timer = SleepTimer(FakeClock())
    timer.set_end_of_story()
    assert timer.update(playing=True, story_remaining_s=100).volume == 1.0
    assert 0 < timer.update(playing=True, story_remaining_s=15).volume < 1
    assert timer.update(playing=True, story_remaining_s=0).expired
    assert fade_volume(None) == 1.0 and fade_volume(0) == 0.0


# -- the session: timer, positions, queue ------------------------------------------------------------------------
async def test_timer_stops_playback_and_stores_the_position(library: LibraryService):
    clock = FakeClock()
    (story,) = await _stories(library, 1)
    player = FakePlayer(clock, {story: 3600.0})
    session = BedtimeSession(library, player, clock=clock)
    session.set_sleep(5)
    await session.play_story(story)
    statuses = await _run(session, clock, player, 5 * 60 + 5)
    assert not player.is_playing()
    stopped = [s for s in statuses if not isinstance(s, str) and s.expired]
    assert len(stopped) == 1
    assert player.fades[-1] == 1.0  # reset after stopping, so tomorrow starts at the listener's volume
    faded = [v for v in player.fades if v < 1.0]
    assert faded and all(b <= a for a, b in zip(faded, faded[1:], strict=False)) and min(faded) < 0.01
    assert await library.playback_position(story) == pytest.approx(300, abs=1)
    # every story resumes where it stopped (a few seconds earlier)
    other = BedtimeSession(library, player, clock=clock)
    await other.play_story(story)
    assert player.started[-1] == (story, pytest.approx(300 - RESUME_REWIND_S, abs=1))


async def test_extend_during_the_fade_keeps_playing(library: LibraryService):
    clock = FakeClock()
    (story,) = await _stories(library, 1)
    player = FakePlayer(clock, {story: 3600.0})
    session = BedtimeSession(library, player, clock=clock)
    session.set_sleep(5)
    await session.play_story(story)
    await _run(session, clock, player, 5 * 60 - 10)
    assert player.fades[-1] < 0.5
    session.extend_sleep()
    assert player.fades[-1] == 1.0
    await _run(session, clock, player, 60)
    assert player.is_playing() and player.fades[-1] == 1.0
    await _run(session, clock, player, 5 * 60)
    assert not player.is_playing()


async def test_queue_plays_in_order_with_a_pause_and_stops_at_the_end_of_the_queue(library: LibraryService):
    clock = FakeClock()
    ids = await _stories(library, 3)
    player = FakePlayer(clock, dict(zip(ids, (40.0, 50.0, 60.0), strict=True)))
    session = BedtimeSession(library, player, clock=clock, gap_s=3.0)
    await session.add(ids)
    await session.move(2, 0)  # reorder: the third story first
    order = [ids[2], ids[0], ids[1]]
    assert session.queue == order
    assert session.current == 1  # the story to play next stays the same one when the queue is reordered
    session.set_sleep(SleepMode.END_OF_QUEUE)
    await session.play_queue(0)
    statuses = await _run(session, clock, player, 200)
    assert [s for s, _ in player.started] == order
    assert not player.is_playing() and statuses.count("stopped by the timer at the end") == 1
    assert session.timer.mode is SleepMode.OFF
    faded = [v for v in player.fades if v < 1.0]
    assert faded and min(faded) < 0.05  # the last story faded at its end
    assert (await library.tonight_queue()).current == 3  # all played


async def test_short_pause_between_stories(library: LibraryService):
    clock = FakeClock()
    ids = await _stories(library, 2)
    player = FakePlayer(clock, {ids[0]: 10.0, ids[1]: 10.0})
    session = BedtimeSession(library, player, clock=clock, gap_s=3.0)
    await session.add(ids)
    await session.play_queue()
    started_second_at = ended_at = None
    for _ in range(100):
        clock.now += 0.25
        if player.is_playing() and player.at_end():
            ended_at = ended_at or clock.now
            player.pause()
            await session.story_ended()
        await session.tick()
        if started_second_at is None and player.story == ids[1]:
            started_second_at = clock.now
    assert started_second_at - ended_at == pytest.approx(3.0, abs=0.3)


async def test_end_of_story_timer_stops_and_the_queue_resumes_at_the_next_story(library: LibraryService):
    clock = FakeClock()
    ids = await _stories(library, 3)
    player = FakePlayer(clock, dict.fromkeys(ids, 30.0))
    session = BedtimeSession(library, player, clock=clock)
    await session.add(ids)
    session.set_sleep(SleepMode.END_OF_STORY)
    await session.play_queue()
    await _run(session, clock, player, 60)
    assert [s for s, _ in player.started] == [ids[0]] and not player.is_playing()
    # the next evening: the saved queue goes on with the second story
    tomorrow = BedtimeSession(library, FakePlayer(clock, dict.fromkeys(ids, 30.0)), clock=clock)
    await tomorrow.load()
    assert tomorrow.queue == ids and tomorrow.current == 1
    assert await tomorrow.play_queue() == ids[1]


async def test_queue_resumes_mid_story_after_a_restart(library: LibraryService):
    clock = FakeClock()
    ids = await _stories(library, 2)
    player = FakePlayer(clock, dict.fromkeys(ids, 600.0))
    session = BedtimeSession(library, player, clock=clock)
    await session.add(ids)
    await session.play_queue(1)
    await _run(session, clock, player, 100)
    await session.pause()
    again = BedtimeSession(library, player, clock=clock)
    await again.load()
    assert again.current == 1
    await again.play_queue()
    assert player.started[-1] == (ids[1], pytest.approx(100 - RESUME_REWIND_S, abs=0.5))


async def test_queue_edits_are_saved_and_deleted_stories_drop_out(library: LibraryService):
    clock = FakeClock()
    ids = await _stories(library, 4)
    session = BedtimeSession(library, FakePlayer(clock, {}), clock=clock)
    seen = []
    library.subscribe(lambda kind, ids_: seen.append((kind, ids_)) if kind == "tonight_queue" else None)
    await session.add(ids[:2])
    await session.add([ids[3]], at=0)
    await session.add([ids[2]])
    await session.remove(ids[0])
    assert session.queue == [ids[3], ids[1], ids[2]]
    assert seen[-1] == ("tonight_queue", session.queue)
    await library.delete_stories([ids[1]], final=True)
    saved = await library.tonight_queue()
    assert saved.story_ids == [ids[3], ids[2]]


async def test_play_all_favourites_of_a_child(library: LibraryService):
    clock = FakeClock()
    mia = await library.save_child(Child(name="Mia", age_band="3-5", gender="female", interests=["owls"]))
    leo = await library.save_child(Child(name="Leo", age_band="5-7", gender="male", interests=["boats"]))
    favourites = await _stories(library, 3, child=mia, favourite=True)
    await _stories(library, 1, child=mia)  # not a favourite
    await _stories(library, 1, child=leo, favourite=True)  # someone else's
    player = FakePlayer(clock, dict.fromkeys(favourites, 20.0))
    session = BedtimeSession(library, player, clock=clock, gap_s=1.0)
    assert await session.queue_favourites_of(mia.id) == favourites
    await session.play_queue()
    await _run(session, clock, player, 80)
    assert [s for s, _ in player.started] == favourites
    for story in favourites:  # heard to the end: next time from the start
        assert await library.playback_position(story) == 0.0


def test_extend_an_end_of_story_timer_while_it_fades():
    clock = FakeClock()
    timer = SleepTimer(clock)
    timer.set_end_of_story()
    assert timer.update(playing=True, story_remaining_s=10).fading
    timer.extend(story_remaining_s=10)  # five minutes after the story would have ended
    assert timer.mode is SleepMode.MINUTES
    status = timer.update(playing=True, story_remaining_s=10)
    assert status.volume == 1.0 and status.remaining_s == pytest.approx(310)
    assert not timer.story_ended(last_in_queue=True)  # the story ending no longer stops playback
    timer.set_end_of_queue()
    timer.extend(story_remaining_s=None)  # an earlier story of the queue: the end is not known, nothing changes
    assert timer.mode is SleepMode.END_OF_QUEUE


async def test_removing_the_story_playing_next_keeps_the_place(library: LibraryService):
    clock = FakeClock()
    ids = await _stories(library, 3)
    session = BedtimeSession(library, FakePlayer(clock, dict.fromkeys(ids, 30.0)), clock=clock)
    await session.add(ids)
    await session.play_queue(1)
    await session.remove(ids[1])
    assert session.queue == [ids[0], ids[2]] and session.current == 1  # the story after it plays next
    saved = await library.tonight_queue()
    assert saved.story_ids == [ids[0], ids[2]] and saved.current == 1
