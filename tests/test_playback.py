"""studio.app.playback: the callback's logic on a fake stream, and unavailability (issue #11)."""

from __future__ import annotations

import builtins
import subprocess
import sys
import tracemalloc

import numpy as np
import pytest

from studio.app.playback import NO_DEVICE, NO_PORTAUDIO, PlaybackUnavailable, Player
from studio.app.settings import Settings

RATE = 8000
BLOCK = 256


class FakeStream:
    def __init__(self, rate, channels, device, callback) -> None:
        self.args = (rate, channels, device)
        self.callback = callback
        self.started = self.closed = False

    def start(self) -> None:
        self.started = True

    def stop(self) -> None:
        self.started = False

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def streams() -> list[FakeStream]:
    return []


@pytest.fixture
def player(streams) -> Player:
    def factory(*args):
        streams.append(FakeStream(*args))
        return streams[-1]

    return Player("USB", stream_factory=factory)


def ramp(frames: int = RATE, channels: int = 2) -> np.ndarray:
    """Each frame holds its own index (and its negative in channel 1): easy to check."""
    x = np.arange(frames, dtype=np.float32)[:, None] / frames
    return np.concatenate([x, -x][:channels], axis=1)


def pull(player: Player, out: np.ndarray) -> np.ndarray:
    player.callback(out, len(out), None, None)
    return out


def test_play_pause_seek_stop(player, streams) -> None:
    clip = ramp()
    player.load(clip, RATE)
    (stream,) = streams
    assert stream.args == (RATE, 2, "USB") and stream.started
    out = np.full((BLOCK, 2), 9.0, dtype=np.float32)
    assert not pull(player, out).any()  # loaded, not playing: zeros
    player.play()
    np.testing.assert_array_equal(pull(player, out), clip[:BLOCK])
    np.testing.assert_array_equal(pull(player, out), clip[BLOCK:2 * BLOCK])
    assert player.position == 2 * BLOCK / RATE
    player.pause()
    assert not pull(player, out).any() and player.position == 2 * BLOCK / RATE
    player.play()
    np.testing.assert_array_equal(pull(player, out), clip[2 * BLOCK:3 * BLOCK])
    player.seek(0.5)
    assert player.position == 0.5  # at once, before the callback ran
    np.testing.assert_array_equal(pull(player, out), clip[4000:4000 + BLOCK])
    player.stop()
    assert not player.playing and player.position == 0
    assert not pull(player, out).any()
    player.play()
    np.testing.assert_array_equal(pull(player, out), clip[:BLOCK])


def test_seek_while_paused_and_past_the_end(player) -> None:
    clip = ramp()
    player.load(clip, RATE)
    player.seek(0.25)
    out = np.empty((BLOCK, 2), dtype=np.float32)
    assert not pull(player, out).any()
    player.play()
    np.testing.assert_array_equal(pull(player, out), clip[2000:2000 + BLOCK])
    player.seek(99.0)
    assert player.position == player.duration == 1.0
    player.seek(-3)
    assert player.position == 0


def test_the_end_without_loop_pads_zeros_and_stops(player) -> None:
    clip = ramp()
    player.load(clip, RATE)
    player.seek((RATE - 100) / RATE)
    player.play()
    out = np.empty((BLOCK, 2), dtype=np.float32)
    pull(player, out)
    np.testing.assert_array_equal(out[:100], clip[-100:])
    assert not out[100:].any()
    assert not player.playing and player.position == 1.0
    player.play()  # from the start again
    np.testing.assert_array_equal(pull(player, out), clip[:BLOCK])


def test_loop_wraps_to_the_start_within_a_block(player) -> None:
    clip = ramp()
    player.load(clip, RATE)
    player.set_loop(True)
    player.seek((RATE - 100) / RATE)
    player.play()
    out = np.empty((BLOCK, 2), dtype=np.float32)
    pull(player, out)
    np.testing.assert_array_equal(out, np.concatenate([clip[-100:], clip[:BLOCK - 100]]))
    assert player.playing and player.position == (BLOCK - 100) / RATE
    player.set_loop(False)
    player.seek((RATE - 10) / RATE)
    pull(player, out)
    assert not out[10:].any() and not player.playing


def test_loop_of_a_clip_shorter_than_a_block(player) -> None:
    clip = ramp(100, 1)
    player.load(clip, RATE)
    player.set_loop(True)
    player.play()
    out = np.empty((BLOCK, 1), dtype=np.float32)
    pull(player, out)
    np.testing.assert_array_equal(out[:, 0], np.resize(clip[:, 0], BLOCK))


def test_empty_clip_plays_silence(player) -> None:
    player.load(np.zeros((0, 2)), RATE)
    player.set_loop(True)
    player.play()
    out = np.ones((BLOCK, 2), dtype=np.float32)
    assert not pull(player, out).any() and not player.playing


def test_callback_allocates_nothing_big(player) -> None:
    block = 4096  # 32 KiB of stereo float32: a copy of it would show
    player.load(ramp(RATE * 10), RATE)
    player.set_loop(True)
    player.play()
    out = np.empty((block, 2), dtype=np.float32)
    pull(player, out)  # warm up
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        for i in range(200):
            if i == 50:
                player.pause()
            if i == 60:
                player.play()
                player.seek(9.99)  # the next blocks wrap around the loop
            pull(player, out)
        _, peak = tracemalloc.get_traced_memory()
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    assert peak - base < 2048, f"the callback allocated up to {peak - base} bytes"
    grown = sum(s.size_diff for s in after.compare_to(before, "filename")
                if "playback" in str(s.traceback))
    assert grown < 1024


def test_one_stream_for_clips_of_the_same_format_a_new_one_otherwise(player, streams) -> None:
    player.load(ramp(), RATE)
    player.load(ramp(500), RATE)
    assert len(streams) == 1 and streams[0].started
    player.load(ramp(500, 1), RATE)
    assert len(streams) == 2 and streams[0].closed and not streams[0].started
    player.load(ramp(500, 1), 16000)
    assert len(streams) == 3 and streams[1].closed
    assert streams[2].args == (16000, 1, "USB")
    player.close()
    assert streams[2].closed


def test_loading_pauses_at_the_start_of_the_new_clip(player) -> None:
    player.load(ramp(), RATE)
    player.play()
    out = np.empty((BLOCK, 2), dtype=np.float32)
    pull(player, out)
    other = ramp(RATE) * 0.5
    player.load(other, RATE)
    assert not player.playing and player.position == 0
    player.play()
    np.testing.assert_array_equal(pull(player, out), other[:BLOCK])


def test_the_device_comes_from_the_settings(streams) -> None:
    def factory(*args):
        streams.append(FakeStream(*args))
        return streams[-1]

    settings = Settings(audio_output_device="Speakers")
    Player.from_settings(settings, factory).load(ramp(), RATE)
    assert streams[0].args[2] == "Speakers"
    Player.from_settings(Settings(), factory).load(ramp(), RATE)
    assert streams[1].args[2] is None


# -- unavailable ----------------------------------------------------------------------


def test_without_portaudio_one_plain_sentence(monkeypatch) -> None:
    real_import = builtins.__import__

    def no_portaudio(name, *args, **kwargs):
        if name == "sounddevice":
            raise OSError("PortAudio library not found")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "sounddevice", raising=False)
    monkeypatch.setattr(builtins, "__import__", no_portaudio)
    with pytest.raises(PlaybackUnavailable) as err:
        Player().load(ramp(), RATE)
    assert str(err.value) == NO_PORTAUDIO and "\n" not in NO_PORTAUDIO


def test_a_stream_that_cannot_open_is_no_device(monkeypatch) -> None:
    sd = pytest.importorskip("sounddevice", exc_type=OSError)

    def refuse(**kwargs):
        raise sd.PortAudioError("Error querying device -1")

    monkeypatch.setattr(sd, "OutputStream", refuse)
    with pytest.raises(PlaybackUnavailable) as err:
        Player().load(ramp(), RATE)
    assert str(err.value) == NO_DEVICE


def test_a_stream_that_cannot_start_is_no_device(streams) -> None:
    class Broken(FakeStream):
        def start(self) -> None:
            raise RuntimeError("device vanished")

        def stop(self) -> None:
            raise RuntimeError("not running")

    player = Player(stream_factory=lambda *a: streams.append(Broken(*a)) or streams[-1])
    with pytest.raises(PlaybackUnavailable, match="no output device"):
        player.load(ramp(), RATE)
    assert streams[0].closed


def test_the_real_no_device_path() -> None:
    sd = pytest.importorskip("sounddevice", exc_type=OSError)
    try:
        sd.query_devices(kind="output")
        has_output = True
    except (sd.PortAudioError, ValueError):
        has_output = False
    if has_output:
        pytest.skip("this machine has an audio output device")
    with pytest.raises(PlaybackUnavailable) as err:
        Player().load(ramp(), RATE)
    assert str(err.value) == NO_DEVICE


def test_a_missing_named_device_is_named() -> None:
    pytest.importorskip("sounddevice", exc_type=OSError)
    with pytest.raises(PlaybackUnavailable, match="'no such speaker' was not found"):
        Player("no such speaker").load(ramp(), RATE)


def test_export_works_without_sounddevice(tmp_path) -> None:
    # sounddevice made unimportable: writing and reading a tagged file still work,
    # and importing the playback module itself does not need it.
    code = f"""
import sys
sys.modules["sounddevice"] = None
import numpy as np
from studio.api import GenerationRequest, Output
from studio.app import playback, writers
from studio.app.metadata import read_file_metadata
req = GenerationRequest(modality="audio", prompt="rain", task="txt2music",
                        generator="g", model="m", params={{}}, seed=1)
data, ext = writers.encode(Output("audio", (np.zeros((800, 2), np.float32), 8000),
                                  metadata={{"format": "wav"}}), {{"request": req.to_dict()}})
path = {str(tmp_path)!r} + "/a" + ext
open(path, "wb").write(data)
assert read_file_metadata(path).request == req
try:
    playback.Player().load(np.zeros((10, 1)), 8000)
except playback.PlaybackUnavailable as exc:
    print(exc)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == NO_PORTAUDIO


def test_bad_clip_is_refused_before_any_stream_opens(player, streams) -> None:
    from studio.api import ParamError

    with pytest.raises(ParamError):
        player.load(np.zeros((4, 2, 2)), RATE)
    with pytest.raises(ParamError):
        player.load(ramp(), 0)
    assert streams == []
