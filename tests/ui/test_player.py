"""The audio player on real files (QtMultimedia's FFmpeg backend, headless): states, position, end, pieces,
sleep timer, remembered volume and speed, release."""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtMultimedia import QAudio

from tale_desktop.settings import PLAYER_SPEED, PLAYER_VOLUME, Settings
from tale_desktop.ui.listen.player import AudioPlayer, PlayerState

RATE = 22050


def tone_wav(path: Path, seconds: float, pitch: int = 330) -> Path:
    count = int(seconds * RATE)
    frames = struct.pack(f"<{count}h", *(int(5000 * math.sin(2 * math.pi * pitch * i / RATE)) for i in range(count)))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(frames)
    return path


@pytest.fixture
def make_player(qtbot):
    """Players made by a test are released and deleted by Qt on this thread when it ends (never by a later
    garbage collection, which may run on another thread)."""
    made = []

    def make(**kwargs) -> AudioPlayer:
        made.append(AudioPlayer(Settings(), **kwargs))
        return made[-1]

    yield make
    for audio in made:
        audio.release()
        shiboken6.delete(audio)


@pytest.fixture
def player(make_player):
    audio = make_player()
    if not audio.isAvailable():
        pytest.fail("QtMultimedia has no backend here: install libpulse0 and libxrandr2")
    return audio


def test_plays_a_file_to_the_end(qtbot, player, tmp_path):
    path = tone_wav(tmp_path / "a.wav", 1.0)
    states = []
    player.state_changed.connect(states.append)
    player.load(path, 1.0)
    assert player.source == path and player.duration == 1.0
    player.set_speed(1.25)
    with qtbot.waitSignal(player.state_changed, timeout=5000, check_params_cb=lambda s: s is PlayerState.PLAYING):
        player.play()
    positions = []
    player.position_changed.connect(positions.append)
    qtbot.waitUntil(lambda: player.state is PlayerState.ENDED, timeout=6000)
    assert any(0 < p < 1.0 for p in positions) and positions == sorted(positions)
    assert PlayerState.PLAYING in states and states[-1] is PlayerState.ENDED
    # Play again after the end starts from the beginning.
    player.play()
    qtbot.waitUntil(lambda: player.state is PlayerState.PLAYING, timeout=5000)
    player.pause()
    qtbot.waitUntil(lambda: player.state is PlayerState.PAUSED, timeout=5000)
    assert player.position < 0.9
    player.stop()
    assert player.state is PlayerState.STOPPED


def test_pieces_play_as_one_timeline(qtbot, player, tmp_path):
    first = tone_wav(tmp_path / "0.wav", 0.6)
    second = tone_wav(tmp_path / "1.wav", 0.6, pitch=440)
    player.start_queue()
    assert player.state is PlayerState.LOADING
    player.play()
    player.append_segment(first, 0.0, 0.6)
    qtbot.waitUntil(lambda: player.state is PlayerState.PLAYING, timeout=5000)
    # The first piece ends before the second exists: the player waits, then goes on by itself.
    qtbot.waitUntil(lambda: player.state is PlayerState.LOADING, timeout=5000)
    positions = []
    player.position_changed.connect(positions.append)
    player.append_segment(second, 0.6, 0.6)
    player.finish_queue(1.2)
    qtbot.waitUntil(lambda: player.state is PlayerState.ENDED, timeout=6000)
    assert player.source == second and any(0.6 < p < 1.2 for p in positions)
    assert player.duration == 1.2
    # Seeking into the first piece switches back to it.
    player.seek(0.3)
    assert player.source == first


def test_fade_multiplies_the_linear_output_gain(qtbot, make_player):
    player = make_player()
    player.set_volume(1.0)
    gains = []
    player.output_gain_changed.connect(gains.append)
    player.set_fade(0.25)
    assert player.fade == 0.25 and player.output_gain() == pytest.approx(0.25, abs=1e-3)
    player.set_volume(0.5)
    linear = player.linear_volume()
    assert player.output_gain() == pytest.approx(linear * 0.25, abs=1e-3)
    player.set_fade(1.0)
    assert player.output_gain() == pytest.approx(linear, abs=1e-3) and gains[-1] == pytest.approx(linear, abs=1e-3)


def test_volume_is_perceptual_and_volume_speed_are_remembered(qtbot, player, make_player):
    player.set_volume(0.5)
    expected = QAudio.convertVolume(0.5, QAudio.VolumeScale.LogarithmicVolumeScale,
                                    QAudio.VolumeScale.LinearVolumeScale)
    assert player.output_gain() == pytest.approx(expected, abs=1e-3) and expected < 0.5
    player.set_speed(3.0)
    assert player.speed == 1.25
    player.set_speed(0.9)
    again = make_player()
    assert again.volume == pytest.approx(0.5) and again.speed == pytest.approx(0.9)
    assert Settings().get(PLAYER_VOLUME) == "0.50" and Settings().get(PLAYER_SPEED) == "0.90"


def test_release_lets_go_of_the_file(qtbot, player, tmp_path):
    path = tone_wav(tmp_path / "b.wav", 1.0)
    player.load(path, 1.0)
    player.play()
    qtbot.waitUntil(lambda: player.state is PlayerState.PLAYING, timeout=5000)
    player.release()
    assert player.state is PlayerState.EMPTY and player.source is None
    path.unlink()
    assert not path.exists()


def test_broken_file_reports_an_error(qtbot, player, tmp_path):
    bad = tmp_path / "bad.mp3"
    bad.write_bytes(b"this is not audio" * 100)
    errors = []
    player.error_occurred.connect(errors.append)
    player.load(bad)
    player.play()
    qtbot.waitUntil(lambda: player.state is PlayerState.ERROR, timeout=5000)
    assert errors and "could not be played" in errors[0]


def test_no_audio_backend_disables_the_bar_with_a_message(qtbot, make_player, monkeypatch, tmp_path):
    from PySide6.QtMultimedia import QMediaPlayer

    from tale_desktop.ui.listen.player_bar import PlayerBar, connect_player

    monkeypatch.setattr(QMediaPlayer, "isAvailable", lambda self: False)
    player = make_player()
    bar = PlayerBar()
    qtbot.addWidget(bar)
    connect_player(bar, player)
    assert player.state is PlayerState.UNAVAILABLE and "not available" in player.unavailable_message
    assert not bar.controls.isEnabled() and bar.message.text() == player.unavailable_message
    player.load(tone_wav(tmp_path / "c.wav", 0.5), 0.5)
    player.play()
    assert player.state is PlayerState.UNAVAILABLE
