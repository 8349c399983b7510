"""Progress bars that repaint with the next frame.

``QProgressBar.setValue`` repaints synchronously whenever the bar's pixels change (~0.6 ms offscreen each). With
ten stories writing, their task rows and the streaming view did that dozens of times a second, outside Qt's
once-per-frame painting. With updates off around the change, the bar only schedules an ordinary paint.
"""

from __future__ import annotations

from PySide6.QtWidgets import QProgressBar


def set_progress(bar: QProgressBar, value: int, maximum: int | None = None) -> None:
    """Set the value (and the range ``0..maximum`` when given); paint with the next frame."""
    if (maximum is None or bar.maximum() == maximum and bar.minimum() == 0) and bar.value() == value:
        return
    bar.setUpdatesEnabled(False)
    if maximum is not None:
        bar.setRange(0, maximum)
    bar.setValue(value)
    bar.setUpdatesEnabled(True)  # schedules one paint
