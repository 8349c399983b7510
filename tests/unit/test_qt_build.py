"""PySide6 6.12 on Python 3.11 aborts after a few thousand Qt-to-Python calls under qasync (DESIGN 7b).

The check runs in a subprocess so a broken Qt build fails this test with a clear message instead of killing the
whole test session.
"""

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import asyncio, os
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtWidgets import QApplication
    import qasync

    app = QApplication([])

    async def main():
        count = 0
        for _ in range(200):
            futures = []
            for _ in range(25):
                fut = asyncio.get_running_loop().create_future()
                asyncio.get_running_loop().call_soon(fut.set_result, None)
                futures.append(fut)
            await asyncio.gather(*futures)
            await asyncio.sleep(0)
            count += 25
        return count

    loop = qasync.QEventLoop(app)
    with loop:
        print(loop.run_until_complete(main()))
""")


def test_qt_build_survives_thousands_of_qasync_callbacks():
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, (
        "This PySide6 build crashes under qasync (see DESIGN 7b: pin PySide6 < 6.12 on Python 3.11):\n"
        + proc.stderr[-2000:]
    )
    assert proc.stdout.strip() == "5000"
