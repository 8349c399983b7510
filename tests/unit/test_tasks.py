import asyncio
import gc
import logging

import pytest

from tale_desktop.providers.errors import AuthError
from tale_desktop.services.tasks import TaskManager, TaskState


async def test_spawn_names_keeps_reference_and_returns_result():
    tasks = TaskManager()
    seen = []
    tasks.subscribe(lambda h: seen.append((h.name, h.state)))

    async def work():
        await asyncio.sleep(0.01)
        return 42

    handle = tasks.spawn(work(), name="answer", title="Finding the answer")
    gc.collect()  # a task referenced only by the loop could vanish; ours is kept
    assert handle.task.get_name() == "answer" and tasks.get("answer") is handle
    assert await handle.wait() == 42
    assert handle.state is TaskState.DONE and tasks.running() == []
    assert seen[0] == ("answer", TaskState.RUNNING) and seen[-1] == ("answer", TaskState.DONE)


async def test_progress_is_reported_and_throttled():
    tasks = TaskManager()
    notes = []
    tasks.subscribe(lambda h: notes.append(h.done))

    async def work(handle):
        for n in range(1, 1001):
            handle.report(n, 1000)
        await asyncio.sleep(0)

    handle = tasks.spawn(work, name="p")
    await handle.wait()
    assert handle.fraction == 1.0
    assert len(notes) < 20  # 1000 reports in one burst are coalesced


async def test_progress_messages_are_throttled_but_status_lines_are_told_at_once():
    tasks = TaskManager()
    notes = []
    tasks.subscribe(lambda h: notes.append(h.message))

    async def work(handle):
        for n in range(1, 1001):
            handle.report(n, 1000, f"{n} / 1000 words")  # a new text with every word: still throttled
        handle.report(message="Checking the story")  # a status line: told at once
        await asyncio.sleep(0)

    handle = tasks.spawn(work, name="p")
    await handle.wait()
    assert len(notes) < 20 and "Checking the story" in notes


async def test_replace_cancels_the_older_task_and_otherwise_names_are_unique():
    tasks = TaskManager()
    first = tasks.spawn(asyncio.sleep(10), name="search")
    second = tasks.spawn(asyncio.sleep(10), name="search", replace=True)
    await first.wait()
    assert first.state is TaskState.CANCELLED and second.running
    third = tasks.spawn(asyncio.sleep(10), name="search")
    assert third.name == "search#2"
    await tasks.shutdown()
    assert second.state is TaskState.CANCELLED and third.state is TaskState.CANCELLED


async def test_work_asked_for_while_the_app_closes_is_not_started(caplog):
    """After shutdown (the app closing) a late refresh is dropped, not run against a closed library."""
    tasks = TaskManager()
    running = tasks.spawn(asyncio.sleep(10), name="long")
    await tasks.shutdown()
    ran = []

    async def refresh():
        ran.append(True)
        raise RuntimeError("The library is closed.")

    late = tasks.spawn(refresh(), name="library.refresh")
    await asyncio.sleep(0.01)
    assert running.state is TaskState.CANCELLED and late.state is TaskState.CANCELLED
    assert ran == [] and tasks.running() == [] and "failed" not in caplog.text


async def test_errors_become_user_messages(caplog):
    tasks = TaskManager()
    errors = []

    async def typed():
        raise AuthError("OpenRouter", "OpenRouter refused the key: check it in Settings.")

    async def crash():
        raise ZeroDivisionError("boom")

    with caplog.at_level(logging.WARNING):
        a = tasks.spawn(typed(), name="a", on_error=lambda msg, exc: errors.append(msg))
        b = tasks.spawn(crash(), name="b", title="Writing the story")
        await a.wait()
        await b.wait()
    assert a.state is TaskState.FAILED and a.error == "OpenRouter refused the key: check it in Settings."
    assert errors == [a.error]
    assert b.error == "Writing the story failed unexpectedly (ZeroDivisionError). Details were written to the log."
    assert "Traceback" not in b.error and any("crashed" in r.message for r in caplog.records)


async def test_cancel_by_name_and_result_callback():
    tasks = TaskManager()
    results = []
    started = asyncio.Event()

    async def slow():
        started.set()
        await asyncio.sleep(10)

    handle = tasks.spawn(slow(), name="slow")
    await started.wait()
    assert tasks.cancel("slow") and not tasks.cancel("nothing")
    await handle.wait()
    assert handle.state is TaskState.CANCELLED
    ok = tasks.spawn(asyncio.sleep(0, result="x"), name="ok", on_result=results.append)
    await ok.wait()
    assert results == ["x"]


async def test_broken_listener_does_not_break_task():
    tasks = TaskManager()

    def broken(_):
        raise RuntimeError("listener bug")

    tasks.subscribe(broken)
    handle = tasks.spawn(asyncio.sleep(0, result=1), name="x")
    assert await handle.wait() == 1


@pytest.mark.asyncio(loop_factories=["qasync"])
async def test_many_tasks_on_the_qt_loop():
    tasks = TaskManager()
    handles = [tasks.spawn(asyncio.sleep(0.001, result=n), name="n") for n in range(200)]
    assert len({h.name for h in handles}) == 200
    assert [await h.wait() for h in handles] == list(range(200))


def test_work_asked_for_while_no_loop_runs_is_dropped_cleanly():
    """A late timer after the loop stopped (shutdown) must not raise or leave a never-awaited coroutine."""
    started = []

    async def work():
        started.append(True)

    manager = TaskManager()
    handle = manager.spawn(work(), name="late.refresh")
    assert handle.state is TaskState.CANCELLED and handle.task is None and not started
    assert manager.get("late.refresh") is None
