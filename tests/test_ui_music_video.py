"""The music and video workspaces, driven offscreen on a fake media pack (issue #13)."""

import importlib.metadata as md
import json
import os
import sys
from fractions import Fraction
from types import SimpleNamespace

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("pytestqt")

from PIL import Image
from PySide6.QtCore import QPoint, Qt

from studio.app.jobs import JobEvent
from studio.app.playback import Player
from studio.app.studio import Studio
from studio.app.suggest.types import Suggestion
from studio.ui.main_window import MainWindow
from studio.ui.music_view import MusicView
from studio.ui.video_view import VideoView
from tests.fakes import media_pack

MEDIA_EP = md.EntryPoint(name="fakemedia", value="tests.fakes.media_pack",
                         group="studio.plugins")


class FakeStream:
    """Stands in for the sound card: the test pulls frames through the callback."""

    def __init__(self, rate, channels, device, callback) -> None:
        self.rate, self.channels, self.callback = rate, channels, callback
        self.started = self.closed = False

    def start(self) -> None:
        self.started = True

    def stop(self) -> None:
        self.started = False

    def close(self) -> None:
        self.closed = True

    def pull(self, frames: int) -> np.ndarray:
        out = np.zeros((frames, self.channels), dtype=np.float32)
        self.callback(out, frames, None, None)
        return out


@pytest.fixture
def streams():
    return []


@pytest.fixture
def fake_player(streams):
    def factory(*args):
        streams.append(FakeStream(*args))
        return streams[-1]

    return Player(stream_factory=factory)


def open_window(qtbot, tmp_path, monkeypatch, packs):
    monkeypatch.setenv("STUDIO_LOAD_PLUGINS", packs)
    studio = Studio(root=tmp_path / "data", backend="thread")
    studio.settings.device = "cpu"
    win = MainWindow(studio)
    qtbot.addWidget(win)
    return win


@pytest.fixture
def window(qtbot, fake_entry_points, tmp_path, monkeypatch, fake_player):
    fake_entry_points.append(MEDIA_EP)
    win = open_window(qtbot, tmp_path, monkeypatch, "fake,fakemedia")
    win.music.player = fake_player
    yield win
    win.close()
    win.studio.close()


@pytest.fixture
def image_only_window(qtbot, fake_entry_points, tmp_path, monkeypatch):
    win = open_window(qtbot, tmp_path, monkeypatch, "fake")
    yield win
    win.close()
    win.studio.close()


class Jobs:
    """Stands in for the engine: every job asked for a one-second clip, except
    ``unknown-*`` ones, which the engine does not know."""

    def job(self, job_id):
        if job_id.startswith("unknown"):
            raise KeyError(job_id)
        return SimpleNamespace(request=SimpleNamespace(params={"duration": 1.0}))


@pytest.fixture
def music_view(qtbot, fake_player):
    view = MusicView(player=fake_player, engine=Jobs())
    qtbot.addWidget(view)
    yield view
    view.shutdown()


def tab_names(win):
    return [win.tabs.tabText(i) for i in range(win.tabs.count())]


def generate(win, qtbot, modality, **params):
    win.panel.modality.setCurrentText(modality)
    win.panel.params.set_values(params)
    win.panel.prompt.setPlainText(f"a small {modality} test")
    win.panel.generate.click()
    qtbot.waitUntil(lambda: win.studio.library.count() == 1, timeout=20000)
    return win.studio.library.list()[0]


def music_file(tmp_path, seconds=1.0, fmt="flac"):
    """A studio FLAC/WAV written by the normal writers, with its metadata."""
    from studio.api import Output
    from studio.app import writers

    meta = {"request": {"modality": "music", "prompt": "a sine", "seed": 3,
                        "generator": "fakemedia.music"}, "seed": 3, "model": "fake"}
    data, ext = writers.encode(Output("audio", (media_pack.sine(seconds), media_pack.RATE),
                                      {"format": fmt}), meta)
    path = tmp_path / f"clip{ext}"
    path.write_bytes(data)
    return path


def wave_has_signal(image):
    """The drawn waveform holds more than its background colour."""
    ptr = image.constBits()
    pixels = np.frombuffer(ptr, np.uint8, image.sizeInBytes())
    return len(np.unique(pixels)) > 3


# -- tabs and suggestions --------------------------------------------------------------



def shown(view, seconds):
    """The clip of ``seconds`` is in the player (worker thread) and in the view (UI
    thread): waiting on the player alone races the view's own update."""
    return (view.player.duration == pytest.approx(seconds)
            and view._duration == pytest.approx(seconds))

def test_tabs_exist_only_for_installed_modalities(window, image_only_window):
    assert {"Music", "Video"} <= set(tab_names(window))
    assert "Music" not in tab_names(image_only_window)
    assert "Video" not in tab_names(image_only_window)
    assert image_only_window.music is None and image_only_window.video is None


def test_a_suggestion_for_an_uninstalled_modality_pastes_nothing(image_only_window):
    win = image_only_window
    win.panel.prompt.setPlainText("my own prompt")
    idea = Suggestion(id="s1", kind="prompt", text="lofi beat with rain", modality="music",
                      reason="you liked rain", score=1.0, source="test")
    win.apply_suggestion(idea)
    assert win.panel.prompt.toPlainText() == "my own prompt"
    assert win.panel.modality.currentText() != "music"
    assert win.statusBar().currentMessage() == (
        "No music generator is installed: install a music pack (see Plugins)")


def test_a_suggestion_for_an_installed_modality_is_still_applied(window):
    idea = Suggestion(id="s2", kind="prompt", text="lofi beat with rain", modality="music",
                      reason="you liked rain", score=1.0, source="test")
    window.apply_suggestion(idea)
    assert window.panel.modality.currentText() == "music"
    assert window.panel.prompt.toPlainText() == "lofi beat with rain"


def test_an_audio_preview_of_an_unknown_job_does_not_reach_the_canvas(image_only_window):
    # A music preview is (samples, rate); drawing it as a picture raised AttributeError.
    event = JobEvent("progress", "not-a-job", step=1, total=4,
                     preview=(np.zeros((100, 1), np.float32), 8000))
    image_only_window.on_event(event)


# -- music ----------------------------------------------------------------------------


def test_a_music_job_result_appears_in_the_music_tab_with_its_waveform(window, qtbot):
    art = generate(window, qtbot, "music")
    assert art.kind == "audio"
    music = window.music
    assert window.tabs.currentWidget() is music
    qtbot.waitUntil(lambda: str(music.path) == art.path and music.message.text() == "",
                    timeout=10000)
    assert music.player.duration == pytest.approx(1.0, abs=0.01)
    assert music.waveform.image is not None and wave_has_signal(music.waveform.image)
    assert music.play_button.isEnabled() and music.save_button.isEnabled()
    assert music.time.text() == "0:00.0 / 0:01.0"


def test_opening_a_library_clip_plays_it_in_the_music_tab(window, qtbot):
    art = generate(window, qtbot, "music")
    window.tabs.setCurrentWidget(window.library)
    window.music.path = None
    window.open_artifact(art)
    assert window.tabs.currentWidget() is window.music
    assert str(window.music.path) == art.path
    qtbot.waitUntil(lambda: window.music.player.duration > 0, timeout=10000)


def test_play_pause_seek_loop_and_stop_drive_the_player(music_view, qtbot, tmp_path, streams):
    view = music_view
    view.open_file(music_file(tmp_path, seconds=2.0))
    qtbot.waitUntil(lambda: view.play_button.isEnabled(), timeout=10000)
    stream = streams[-1]
    assert stream.started and stream.rate == media_pack.RATE

    view.play_button.click()
    assert view.player.playing and view.play_button.text() == "Pause"
    assert view.timer.isActive()
    assert np.abs(stream.pull(4000)).max() > 0.05  # real sound reaches the device
    qtbot.waitUntil(lambda: view.time.text().startswith("0:00.5"), timeout=2000)
    assert view.slider.value() == 250

    view.play_button.click()
    assert not view.player.playing and view.play_button.text() == "Play"
    assert not stream.pull(256).any()  # paused: silence

    # A click in the middle of the waveform seeks there.
    middle = QPoint(view.waveform.width() // 2, view.waveform.height() // 2)
    qtbot.mouseClick(view.waveform, Qt.MouseButton.LeftButton, pos=middle)
    assert view.player.position == pytest.approx(1.0, abs=0.02)
    assert view.waveform.fraction == pytest.approx(0.5, abs=0.01)
    view.slider.sliderMoved.emit(750)
    assert view.player.position == pytest.approx(1.5, abs=0.01)

    view.loop_button.click()
    assert view.player.loop
    view.player.play()
    stream.pull(8000)  # past the end: a loop goes round instead of stopping
    assert view.player.playing
    assert view.player.position == pytest.approx(0.5, abs=0.01)

    view.stop_button.click()
    assert not view.player.playing and view.player.position == 0
    assert view.time.text() == "0:00.0 / 0:02.0"


def test_the_playhead_follows_the_end_of_the_clip(music_view, qtbot, tmp_path, streams):
    view = music_view
    view.open_file(music_file(tmp_path, seconds=0.5))
    qtbot.waitUntil(lambda: view.play_button.isEnabled(), timeout=10000)
    view.play_pause()
    streams[-1].pull(8000)  # more than the clip: it ends
    qtbot.waitUntil(lambda: not view.timer.isActive(), timeout=2000)
    assert view.play_button.text() == "Play"
    assert view.time.text() == "0:00.5 / 0:00.5"


def test_without_sounddevice_the_view_says_so_and_export_still_works(qtbot, tmp_path,
                                                                   monkeypatch):
    from studio.app.metadata import read_file_metadata

    monkeypatch.setitem(sys.modules, "sounddevice", None)  # import fails, as without PortAudio
    view = MusicView()
    qtbot.addWidget(view)
    try:
        source = music_file(tmp_path)
        view.open_file(source)
        qtbot.waitUntil(lambda: "unavailable" in view.message.text(), timeout=10000)
        assert view.message.text().startswith("Audio playback is unavailable")
        assert view.message.text().endswith("Export still works.")
        assert "\n" not in view.message.text()
        assert not view.play_button.isEnabled() and view.save_button.isEnabled()
        assert view.waveform.image is not None  # the waveform shows all the same
        assert view.time.text() == "0:00.0 / 0:01.0"

        out = tmp_path / "out"
        out.mkdir()
        view.save_to(out / "same.flac").result(10)
        assert (out / "same.flac").read_bytes() == source.read_bytes()
        view.save_to(out / "other.wav").result(10)
        meta = read_file_metadata(out / "other.wav")
        assert meta.tool == "studio" and meta.request.prompt == "a sine"
        qtbot.waitUntil(lambda: "Saved" in view.message.text(), timeout=2000)
        assert "unavailable" in view.message.text()
    finally:
        view.shutdown()


def test_export_refuses_another_format_and_a_missing_folder(music_view, qtbot, tmp_path):
    view = music_view
    view.open_file(music_file(tmp_path))
    view.save_to(tmp_path / "clip.mp3").result(10)
    qtbot.waitUntil(lambda: "saved as .flac or .wav" in view.message.text(), timeout=2000)
    view.save_to(tmp_path / "nowhere" / "clip.flac").result(10)
    qtbot.waitUntil(lambda: "does not exist" in view.message.text(), timeout=2000)
    assert not (tmp_path / "clip.mp3").exists() and not (tmp_path / "nowhere").exists()


def test_a_damaged_file_is_one_line_in_the_view(music_view, qtbot, tmp_path):
    bad = tmp_path / "bad.flac"
    bad.write_bytes(b"not audio at all")
    music_view.open_file(bad)
    qtbot.waitUntil(lambda: "cannot be played" in music_view.message.text(), timeout=10000)
    assert not music_view.play_button.isEnabled()


def progress(job, step, audio, total=4):
    return JobEvent("progress", job, step=step, total=total, preview=(audio, media_pack.RATE))


def test_growing_previews_are_joined_and_can_be_played(music_view, qtbot):
    view = music_view
    clip = media_pack.sine(1.0)
    for step in range(1, 4):
        view.on_event(progress("j1", step, clip[(step - 1) * 2000:step * 2000]))
    assert view.message.text() == "Making music: step 3/4, 0:00.8 so far"
    qtbot.waitUntil(lambda: shown(view, 0.75), timeout=10000)
    assert view.title.text() == "Preview of the running job"
    assert view.play_button.isEnabled() and not view.save_button.isEnabled()
    view.play_pause()
    assert view.player.playing


def test_a_refined_whole_clip_preview_replaces_the_last_one(music_view, qtbot):
    view = music_view
    clip = media_pack.sine(1.0)
    for step in range(1, 4):
        view.on_event(progress("j2", step, clip * step / 4))
    qtbot.waitUntil(lambda: shown(view, 1.0), timeout=10000)
    assert view.message.text().endswith(", 0:01.0 so far")


def test_without_a_known_length_a_preview_as_long_as_the_last_replaces_it(music_view, qtbot):
    view = music_view
    clip = media_pack.sine(0.5)
    for step in range(1, 4):
        view.on_event(progress("unknown-1", step, clip * step / 4))
    assert view.message.text().endswith(", 0:00.5 so far")
    view.on_event(progress("unknown-1", 4, clip[:1000]))  # shorter: a piece that follows
    assert view.message.text().endswith(", 0:00.6 so far")


def test_a_preview_playing_goes_on_from_where_it_was_when_more_arrives(music_view, qtbot,
                                                                      streams):
    view = music_view
    clip = media_pack.sine(1.0)
    view.on_event(progress("j3", 1, clip[:4000]))
    qtbot.waitUntil(lambda: shown(view, 0.5), timeout=10000)
    view.play_pause()
    streams[-1].pull(2000)
    view.on_event(progress("j3", 2, clip[4000:]))
    qtbot.waitUntil(lambda: shown(view, 1.0), timeout=10000)
    assert view.player.playing
    assert view.player.position == pytest.approx(0.25, abs=0.01)


def test_a_preview_that_ran_out_plays_on_when_more_arrives(music_view, qtbot, streams):
    view = music_view
    clip = media_pack.sine(1.0)
    view.on_event(progress("j6", 1, clip[:4000]))
    qtbot.waitUntil(lambda: shown(view, 0.5), timeout=10000)
    view.play_pause()
    streams[-1].pull(6000)  # past the end of what has been made so far
    qtbot.waitUntil(lambda: not view.timer.isActive(), timeout=2000)
    view.on_event(progress("j6", 2, clip[4000:]))
    qtbot.waitUntil(lambda: shown(view, 1.0), timeout=10000)
    assert view.player.playing and view.timer.isActive()
    assert view.player.position == pytest.approx(0.5, abs=0.01)


def test_a_paused_preview_stays_paused_when_more_arrives(music_view, qtbot):
    view = music_view
    clip = media_pack.sine(1.0)
    view.on_event(progress("j7", 1, clip[:4000]))
    qtbot.waitUntil(lambda: shown(view, 0.5), timeout=10000)
    view.play_pause()
    view.play_pause()
    view.on_event(progress("j7", 2, clip[4000:]))
    qtbot.waitUntil(lambda: shown(view, 1.0), timeout=10000)
    assert not view.player.playing


def test_an_audio_field_on_the_event_is_the_whole_audio_so_far(music_view, qtbot):
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Event:  # the shape of a progress event that carries ``audio``
        kind: str
        job_id: str
        step: int
        total: int
        preview: object = None
        audio: object = None
        error: str = ""

    clip = media_pack.sine(1.0)
    music_view.on_event(Event("progress", "j4", 1, 2, audio=(clip[:2000], media_pack.RATE)))
    music_view.on_event(Event("progress", "j4", 2, 2, audio=(clip[:6000], media_pack.RATE)))
    qtbot.waitUntil(lambda: shown(music_view, 0.75), timeout=10000)


def test_steps_alone_show_without_audio(music_view):
    music_view.on_event(JobEvent("progress", "j5", step=2, total=10))
    assert music_view.message.text() == "Making music: step 2/10"
    music_view.on_event(JobEvent("failed", "j5", error="out of memory"))
    assert music_view.message.text() == "The music job failed: out of memory"


def test_a_music_job_streams_its_previews_through_the_window(window, qtbot):
    seen = []
    real = window.music.on_event
    window.music.on_event = lambda event: (seen.append(event), real(event))
    generate(window, qtbot, "music", previews="chunks")
    qtbot.waitUntil(lambda: any(e.kind == "done" for e in seen), timeout=10000)
    chunks = [e for e in seen if e.kind == "progress" and isinstance(e.preview, tuple)]
    assert len(chunks) == 4
    assert sum(len(e.preview[0]) for e in chunks) == media_pack.RATE  # the whole second


# -- video ----------------------------------------------------------------------------


@pytest.fixture
def video_art(window, qtbot):
    art = generate(window, qtbot, "video")
    qtbot.waitUntil(lambda: window.video.frame_count == 12, timeout=10000)
    return art


def shown_pixels(video):
    image = video.screen_view.image
    return bytes(image.constBits())[: image.sizeInBytes()]


def test_a_video_job_result_shows_its_frames(window, video_art):
    video = window.video
    assert window.tabs.currentWidget() is video
    assert str(video.path) == video_art.path
    assert video.fps == media_pack.FPS
    assert video.scrubber.maximum() == 11
    assert video.position.text() == "Frame 1 of 12  ·  0:00.00 / 0:01.50"


def test_stepping_changes_the_frame(window, video_art):
    video = window.video
    first = shown_pixels(video)
    video.forward_button.click()
    assert video.index == 1 and video.scrubber.value() == 1
    assert shown_pixels(video) != first
    assert video.position.text().startswith("Frame 2 of 12")
    video.back_button.click()
    video.back_button.click()  # the first frame is as far back as it goes
    assert video.index == 0 and shown_pixels(video) == first
    video.scrubber.setValue(11)
    assert video.index == 11 and video.position.text().startswith("Frame 12 of 12")
    video.forward_button.click()
    assert video.index == 11


def test_arrow_keys_step_and_space_plays(window, video_art, qtbot):
    video = window.video
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    video.screen_view.setFocus()
    qtbot.keyClick(video.screen_view, Qt.Key.Key_Right)
    assert video.index == 1
    qtbot.keyClick(video.screen_view, Qt.Key.Key_Left)
    assert video.index == 0
    qtbot.keyClick(video.screen_view, Qt.Key.Key_Space)
    assert video.playing
    video.pause()


def test_play_runs_at_the_clip_rate_and_pauses(window, video_art, qtbot):
    video = window.video
    video.play_button.click()
    assert video.playing and video.timer.interval() == 125  # 8 fps
    qtbot.waitUntil(lambda: video.index >= 2, timeout=5000)
    video.play_button.click()
    assert not video.playing
    stopped = video.index
    qtbot.wait(300)
    assert video.index == stopped


def test_exporting_a_frame_writes_a_png_with_metadata(window, video_art, tmp_path, qtbot):
    video = window.video
    video.step(3)
    out = tmp_path / "frame.png"
    video.export_frame_to(out).result(20)
    qtbot.waitUntil(lambda: video.message.text().startswith("Saved frame 4"), timeout=2000)
    with Image.open(out) as png:
        assert png.size == (48, 32)
        studio_meta = json.loads(png.info["studio"])
        assert "a small video test" in png.info["parameters"]
        assert "Frame: 3" in png.info["parameters"]
    assert studio_meta["frame"] == 3 and studio_meta["frames"] == 12


def test_save_as_copies_the_clip_and_refuses_another_format(window, video_art, tmp_path,
                                                            qtbot):
    video = window.video
    video.save_to(tmp_path / "copy.mp4").result(10)
    assert (tmp_path / "copy.mp4").read_bytes() == open(video_art.path, "rb").read()
    video.save_to(tmp_path / "copy.gif").result(10)
    qtbot.waitUntil(lambda: "saved as .mp4" in video.message.text(), timeout=2000)
    assert not (tmp_path / "copy.gif").exists()


def test_opening_a_library_video_shows_it_in_the_video_tab(window, video_art, qtbot):
    window.tabs.setCurrentWidget(window.library)
    window.open_artifact(video_art)
    assert window.tabs.currentWidget() is window.video
    qtbot.waitUntil(lambda: window.video.frame_count == 12, timeout=10000)


def test_video_previews_of_a_running_job_are_shown(qtbot):
    view = VideoView()
    qtbot.addWidget(view)
    try:
        view.on_event(JobEvent("progress", "v1", step=1, total=3,
                               preview=Image.new("RGB", (16, 16), (200, 10, 10))))
        assert view.screen_view.image is not None
        assert view.screen_view.image.pixelColor(8, 8).red() == 200
        assert view.message.text() == "Making video: step 1/3"
        assert not view.export_button.isEnabled()
        view.on_event(JobEvent("cancelled", "v1"))
        assert view.message.text() == "The video job cancelled"
    finally:
        view.shutdown()


def test_a_file_that_is_not_a_video_is_one_line(qtbot, tmp_path):
    view = VideoView()
    qtbot.addWidget(view)
    try:
        bad = tmp_path / "bad.mp4"
        bad.write_bytes(b"\x00" * 64)
        view.open_file(bad).result(10)
        qtbot.waitUntil(lambda: "cannot be played" in view.message.text(), timeout=2000)
        assert "\n" not in view.message.text()
        assert not view.play_button.isEnabled()
    finally:
        view.shutdown()


def test_a_clip_too_large_to_hold_is_one_line_and_can_still_be_saved(window, video_art, qtbot,
                                                                     tmp_path, monkeypatch):
    from studio.ui import video_view

    monkeypatch.setattr(video_view, "MAX_CLIP_BYTES", 48 * 32 * 3 * 4)  # four frames
    video = window.video
    video.open_file(video_art.path).result(10)
    qtbot.waitUntil(lambda: "too long to play here" in video.message.text(), timeout=2000)
    assert video.frames is None and not video.play_button.isEnabled()
    video.save_to(tmp_path / "kept.mp4").result(10)
    assert (tmp_path / "kept.mp4").read_bytes() == open(video_art.path, "rb").read()


def test_a_preview_says_once_that_it_cannot_be_played_here(qtbot, monkeypatch):
    monkeypatch.setitem(sys.modules, "sounddevice", None)
    view = MusicView(engine=Jobs())
    qtbot.addWidget(view)
    try:
        clip = media_pack.sine(1.0)
        view.on_event(progress("j8", 1, clip[:2000]))
        qtbot.waitUntil(lambda: "unavailable" in view.message.text(), timeout=10000)
        view.on_event(progress("j8", 2, clip[2000:4000]))
        qtbot.waitUntil(lambda: "unavailable" in view.message.text(), timeout=10000)
        lines = view.message.text().split("\n")
        assert lines[0] == "Making music: step 2/4, 0:00.5 so far"
        assert len(lines) == 2 and lines[1].endswith("Export still works.")
        assert view.time.text() == "0:00.0 / 0:00.5"
    finally:
        view.shutdown()


def test_audio_from_the_library_without_a_music_pack_is_named(image_only_window, tmp_path):
    art = SimpleNamespace(kind="audio", path=str(music_file(tmp_path)), metadata={}, prompt="")
    image_only_window.open_artifact(art)
    assert image_only_window.statusBar().currentMessage() == (
        "No music pack is installed to play this (see Plugins)")


@pytest.mark.parametrize(("fmt", "fps"), [("webm", 8), ("gif", Fraction(25, 3)), ("webp", 8)])
def test_webm_gif_and_animated_webp_play_too(qtbot, tmp_path, fmt, fps):
    from studio.api.video import encode_video

    frames = np.zeros((10, 32, 48, 3), np.uint8)
    frames[:, :, :, 0] = np.arange(10)[:, None, None] * 25
    path = tmp_path / f"clip.{fmt}"
    path.write_bytes(encode_video(frames, 8, fmt))
    view = VideoView()
    qtbot.addWidget(view)
    try:
        view.open_file(path).result(10)
        qtbot.waitUntil(lambda: view.frame_count == 10, timeout=2000)
        assert view.fps == fps  # GIF keeps hundredths of a second: 120 ms a frame
        view.step(9)
        assert abs(view.screen_view.image.pixelColor(10, 10).red() - 225) < 12
    finally:
        view.shutdown()


def test_playback_comes_back_when_a_device_appears(qtbot, tmp_path, streams):
    from studio.app.playback import NO_DEVICE, PlaybackUnavailable

    devices = []

    def factory(*args):
        if not devices:
            raise PlaybackUnavailable(NO_DEVICE)
        streams.append(FakeStream(*args))
        return streams[-1]

    view = MusicView(player=Player(stream_factory=factory))
    qtbot.addWidget(view)
    try:
        clip = music_file(tmp_path)
        view.open_file(clip).result(10)
        qtbot.waitUntil(lambda: view.message.text() == NO_DEVICE, timeout=2000)
        assert not view.loop_button.isEnabled()
        devices.append("USB")  # plugged in
        view.open_file(clip).result(10)
        qtbot.waitUntil(lambda: view.play_button.isEnabled(), timeout=2000)
        assert view.message.text() == "" and view.loop_button.isEnabled()
    finally:
        view.shutdown()
