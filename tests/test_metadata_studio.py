"""Studio's own files read back: PNG chunk, FLAC and WAV comment, Markdown, MP4."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from PIL import Image

from studio.api import GenerationRequest, Output
from studio.app import writers
from studio.app.metadata import read_file_metadata

REQUEST = GenerationRequest(modality="image", prompt="a lighthouse", task="txt2img",
                            generator="image.diffusers", model="m",
                            params={"steps": 3, "scheduler": "euler"}, seed=2**40)


def metadata(request: GenerationRequest) -> dict:
    return {"request": request.to_dict(), "created": 1700000000.5, "model_hash": "abc"}


def test_png_written_by_the_writer(tmp_path):
    data, ext = writers.encode(Output("image", Image.new("RGB", (8, 8)),
                                      embed={"parameters": "other\nSteps: 9, Seed: 1, "
                                                           "Sampler: DDIM"}),
                               metadata(REQUEST))
    path = tmp_path / f"x{ext}"
    path.write_bytes(data)
    meta = read_file_metadata(path)
    assert meta.tool == "studio" and meta.request == REQUEST  # the studio chunk wins
    assert meta.created == 1700000000.5 and meta.model_hash == "abc"
    assert meta.to_dict()["request"] == REQUEST.to_dict()


def test_flac_comment(tmp_path):
    request = REQUEST.replace(modality="audio", task="txt2music", params={"duration": 2.0})
    data, ext = writers.encode(Output("audio", (np.zeros(800, np.float32), 8000)),
                               metadata(request))
    (tmp_path / f"a{ext}").write_bytes(data)
    meta = read_file_metadata(tmp_path / f"a{ext}")
    assert meta.tool == "studio" and meta.request == request


def test_wav_comment(tmp_path):
    import soundfile as sf

    request = REQUEST.replace(modality="audio", task="txt2music", params={})
    buf = io.BytesIO()
    with sf.SoundFile(buf, "w", samplerate=8000, channels=1, format="WAV") as f:
        f.comment = json.dumps(metadata(request))
        f.write(np.zeros(800, np.float32))
    (tmp_path / "a.wav").write_bytes(buf.getvalue())
    assert read_file_metadata(tmp_path / "a.wav").request == request


def test_markdown_front_matter(tmp_path):
    request = REQUEST.replace(modality="text", task="continue", params={"max_tokens": 50})
    data, ext = writers.encode(Output("text", "Once upon a time"), metadata(request))
    (tmp_path / f"t{ext}").write_bytes(data)
    meta = read_file_metadata(tmp_path / f"t{ext}")
    assert meta.tool == "studio" and meta.request == request


def test_mp4_comment(tmp_path):
    av = pytest.importorskip("av")
    request = REQUEST.replace(modality="video", task="txt2video", params={})
    path = tmp_path / "v.mp4"
    with av.open(str(path), "w") as container:
        container.metadata["comment"] = json.dumps(metadata(request))
        stream = container.add_stream("mpeg4", rate=4)
        stream.width, stream.height = 16, 16
        for _ in range(2):
            frame = av.VideoFrame.from_ndarray(np.zeros((16, 16, 3), np.uint8), "rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    assert read_file_metadata(path).request == request


def test_mp4_without_pyav_is_a_request_error_not_a_crash(tmp_path, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_av(name, *args, **kwargs):
        if name == "av":
            raise ImportError("no av")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_av)
    path = tmp_path / "v.mp4"
    path.write_bytes(b"\0\0\0\x18ftypmp42" + b"\0" * 64)
    from studio.app.metadata import NoMetadata

    with pytest.raises(NoMetadata, match="carries no generation metadata"):
        read_file_metadata(path)


@pytest.mark.parametrize("comment", ["recorded at home", '{"artist": "me"}'])
def test_someone_elses_audio_comment_is_no_metadata(tmp_path, comment):
    import soundfile as sf

    from studio.app.metadata import NoMetadata

    with sf.SoundFile(tmp_path / "a.flac", "w", samplerate=8000, channels=1,
                      format="FLAC") as f:
        f.comment = comment
        f.write(np.zeros(100, np.float32))
    with pytest.raises(NoMetadata):
        read_file_metadata(tmp_path / "a.flac")


def test_damaged_studio_request_in_audio_is_reported(tmp_path):
    import soundfile as sf

    from studio.api import RequestError

    with sf.SoundFile(tmp_path / "a.wav", "w", samplerate=8000, channels=1,
                      format="WAV") as f:
        f.comment = json.dumps({"request": "not an object"})
        f.write(np.zeros(100, np.float32))
    with pytest.raises(RequestError, match="studio metadata is damaged"):
        read_file_metadata(tmp_path / "a.wav")


def test_markdown_without_studio_front_matter(tmp_path):
    from studio.app.metadata import NoMetadata

    (tmp_path / "n.md").write_text('---\n{"title": "notes"}\n---\n\nhello')
    (tmp_path / "p.md").write_text("# just notes")
    for name in ("n.md", "p.md"):
        with pytest.raises(NoMetadata):
            read_file_metadata(tmp_path / name)
