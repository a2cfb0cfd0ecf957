"""Audio files: FLAC and WAV written by studio.app.writers, read back (issue #11)."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
import soundfile as sf

from studio.api import GenerationRequest, Output, PluginError
from studio.app import riff, writers
from studio.app.metadata import read_file_metadata

RATE = 32000
LYRICS = "\n".join(f"[verse {i}] rain on the window, {'la ' * 40}" for i in range(40))
REQUEST = GenerationRequest(
    modality="audio", prompt="lofi hip hop, rainy night, 80 bpm  with\ta long tail " * 4,
    task="txt2music", generator="music.test", model="facebook/musicgen-small",
    params={"duration": 1.0, "lyrics": "ÿ"}, seed=7)


def clip(channels: int = 2) -> np.ndarray:
    t = np.arange(RATE) / RATE
    wave = 0.5 * np.sin(2 * np.pi * 440 * t)
    return np.stack([wave * (1 - 0.2 * c) for c in range(channels)], axis=1).astype(np.float32)


def meta(request: GenerationRequest = REQUEST) -> dict:
    return {"request": request.to_dict(), "seed": request.seed, "model": request.model,
            "plugin_version": "0.1"}


def write(tmp_path, output: Output, metadata: dict | None = None):
    data, ext = writers.encode(output, metadata or meta())
    path = tmp_path / f"clip{ext}"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(("fmt", "ext"), [(None, ".flac"), ("flac", ".flac"), ("wav", ".wav"),
                                          ("WAV", ".wav")])
@pytest.mark.parametrize("channels", [1, 2])
def test_round_trip_samples_tags_and_request(tmp_path, fmt, ext, channels) -> None:
    samples = clip(channels)
    output = Output("audio", (samples, RATE), metadata={"format": fmt} if fmt else {})
    path = write(tmp_path, output)
    assert path.suffix == ext
    back, rate = sf.read(path, dtype="float32", always_2d=True)
    assert rate == RATE and back.shape == samples.shape
    assert np.abs(back - samples).max() <= 1 / 32768  # 16-bit PCM
    with sf.SoundFile(path) as f:
        assert f.format == ext[1:].upper()
        assert f.title == " ".join(REQUEST.prompt.split())[:100]
        assert len(f.title) == 100
        assert f.artist == "facebook/musicgen-small"
    found = read_file_metadata(path)
    assert found.tool == "studio" and found.request == REQUEST


def test_wav_keeps_json_longer_than_libsndfile_info_strings(tmp_path) -> None:
    request = REQUEST.replace(params={"duration": 1.0, "lyrics": LYRICS})
    assert len(json.dumps(meta(request))) > 3 * 2000
    path = write(tmp_path, Output("audio", (clip(), RATE), metadata={"format": "wav"}),
                 meta(request))
    with sf.SoundFile(path) as f:
        assert f.comment == ""  # too long for INFO: libsndfile would drop it
        assert f.title  # the short tags are still there for players
        assert f.frames == RATE
    assert read_file_metadata(path).request == request


def test_short_wav_json_is_also_the_info_comment_other_tools_read(tmp_path) -> None:
    path = write(tmp_path, Output("audio", (clip(), RATE), metadata={"format": "wav"}))
    with sf.SoundFile(path) as f:
        assert json.loads(f.comment)["request"] == REQUEST.to_dict()


def test_embed_sets_tags_but_not_the_comment(tmp_path) -> None:
    output = Output("audio", (clip(), RATE), metadata={"format": "wav"},
                    embed={"title": "Rain", "genre": "lofi", "comment": "mine", "bpm": "80"})
    path = write(tmp_path, output)
    with sf.SoundFile(path) as f:
        assert (f.title, f.genre) == ("Rain", "lofi")
    assert read_file_metadata(path).request == REQUEST


@pytest.mark.parametrize(("output", "message"), [
    (Output("audio", (np.zeros((10, 1)), RATE), metadata={"format": "mp3"}), "mp3"),
    (Output("audio", np.zeros(10)), "pair"),
    (Output("audio", (np.full((10, 1), np.nan), RATE)), "finite"),
    (Output("audio", (np.zeros((10, 1)), 0)), "rate"),
    (Output("audio", (np.zeros((0, 2)), RATE)), "no samples"),
])
def test_bad_audio_output_is_a_plugin_error(output, message) -> None:
    with pytest.raises(PluginError, match=message):
        writers.encode(output, meta())


def test_riff_chunk_survives_other_chunks_and_odd_sizes() -> None:
    buf = io.BytesIO()
    sf.write(buf, np.zeros((3, 1), np.float32), 8000, format="WAV", subtype="PCM_16")
    wav = riff.add_chunk(buf.getvalue(), b"junk", b"x" * 3)  # odd: padded
    wav = riff.add_chunk(wav, riff.STUDIO_CHUNK, b"{}")
    f = io.BytesIO(wav)
    assert riff.find_chunk(f, riff.STUDIO_CHUNK) == b"{}" and f.tell() == 0
    assert riff.find_chunk(io.BytesIO(wav), b"none") is None
    assert riff.find_chunk(io.BytesIO(b"fLaC" + bytes(20)), riff.STUDIO_CHUNK) is None
    assert sf.read(io.BytesIO(wav))[0].shape == (3,)  # players skip unknown chunks
    truncated = wav[:-1]
    assert riff.find_chunk(io.BytesIO(truncated), riff.STUDIO_CHUNK) is None


def test_library_saves_a_wav_when_asked(tmp_path) -> None:
    from studio.app.library import Library

    library = Library(tmp_path / "lib")
    output = Output("audio", (clip(), RATE), metadata={"format": "wav", "seed": 7})
    (artifact,) = library.add([output], REQUEST, plugin_version="0.1")
    assert artifact.path.endswith(".wav")
    assert read_file_metadata(artifact.path).request == REQUEST


def test_library_thumbnails_a_clip_with_its_waveform(tmp_path) -> None:
    from PIL import Image

    from studio.app.library import Library

    library = Library(tmp_path / "lib")
    (artifact,) = library.add([Output("audio", (clip(), RATE))], REQUEST)
    with Image.open(library.thumbnail_path(artifact.id)) as thumb:
        assert thumb.size == (256, 128)
        assert len(np.unique(np.asarray(thumb.convert("L")))) > 2  # not a blank tile


def test_saving_a_clip_does_not_import_torch(tmp_path) -> None:
    # The library writes in the UI's process: importing torch there stalls the
    # window (DESIGN.md), so the audio writer and its thumbnail stay clear of it.
    import subprocess
    import sys

    code = f"""
import sys
import numpy as np
from studio.api import GenerationRequest, Output
from studio.app.library import Library
req = GenerationRequest(modality="audio", prompt="rain", task="txt2music",
                        generator="g", model="m", params={{}}, seed=1)
t = np.arange(32000) / 32000
x = np.sin(2 * np.pi * 440 * t)[:, None].astype(np.float32)
for fmt in ("flac", "wav"):
    Library({str(tmp_path)!r}).add([Output("audio", (x, 32000), metadata={{"format": fmt}})], req)
print(sorted(m for m in ("torch", "torchaudio") if m in sys.modules))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
