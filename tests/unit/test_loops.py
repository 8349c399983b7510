import asyncio


async def test_runs_on_each_loop():
    loop = asyncio.get_running_loop()
    await asyncio.sleep(0)
    assert loop.is_running()
